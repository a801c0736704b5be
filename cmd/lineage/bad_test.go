package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadCorpus runs lint over every file of testdata/bad (one failure mode
// each) and compares what the user sees — the exit code, the report and
// any error — with testdata/bad/NAME.want (rewritten by -update). Every
// case must exit 0 or 1, never crash, and report at least one problem.
func TestBadCorpus(t *testing.T) {
	const dir = "../../testdata/bad"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".want") {
			continue
		}
		n++
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			out, errOut, code := runCmd(t, "lint", "--in", filepath.Join(dir, name), "--max", "0")
			got := fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", code, out, errOut)
			if code != exitFailure {
				t.Errorf("lint %s: exit %d, want %d (a problem must be found)\n%s", name, code, exitFailure, got)
			}
			want := filepath.Join(dir, name+".want")
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			w, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (go test ./cmd/lineage -update creates it)", err)
			}
			if got != string(w) {
				t.Errorf("lint %s differs from %s (-update rewrites it):\n%s", name, want, lineDiff(string(w), got))
			}
		})
	}
	if n < 40 {
		t.Errorf("bad-input corpus has %d cases, want at least 40", n)
	}
}
