package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestREADMEExamples runs every "$ lineage ..." example of the README that
// a user can run from a checkout (on the embedded sample or the
// repository's testdata; not the ones on the project's research crawl,
// ../shared) and checks that each line the README shows is a line of the
// real output, in order. A line "..." stands for lines left out. The
// README is what a newcomer tries first; it must not drift.
func TestREADMEExamples(t *testing.T) {
	text, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir("../..") // the examples' paths are from the root
	lines := strings.Split(string(text), "\n")
	ran := 0
	for i := 0; i < len(lines); i++ {
		cmd, ok := strings.CutPrefix(lines[i], "$ lineage ")
		if !ok {
			continue
		}
		var want []string
		j := i + 1
		for ; j < len(lines) && !strings.HasPrefix(lines[j], "```") && !strings.HasPrefix(lines[j], "$ "); j++ {
			want = append(want, lines[j])
		}
		if strings.Contains(cmd, "../shared") || strings.ContainsAny(cmd, "|>&'\"") {
			continue
		}
		args := append(strings.Fields(cmd), "--quiet")
		var out bytes.Buffer
		run(context.Background(), args, strings.NewReader(""), &out, &out)
		got := strings.Split(out.String(), "\n")
		k := 0
		for _, w := range want {
			if strings.TrimSpace(w) == "..." {
				continue
			}
			for k < len(got) && got[k] != w {
				k++
			}
			if k == len(got) {
				t.Errorf("README.md:%d: lineage %s: the output lacks (in order) the line\n%q\noutput:\n%s", i+1, cmd, w, out.String())
				break
			}
			k++
		}
		ran++
		i = j - 1
	}
	if ran < 15 {
		t.Errorf("ran %d README examples; the README has more", ran)
	}
}
