package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTreeOutputFormat checks how tree picks its format from -o: the four
// known extensions (and none) write, any other extension is a usage error
// naming the formats, and writes nothing.
func TestTreeOutputFormat(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		out    string
		args   []string
		code   int
		prefix string // of the file written
	}{
		{"x.dot", nil, exitOK, "digraph lineage {"},
		{"x.gv", nil, exitOK, "digraph lineage {"},
		{"x", nil, exitOK, "digraph lineage {"},
		{"x.mmd", nil, exitOK, "---\ntitle:"},
		{"X.MMD", nil, exitOK, "---\ntitle:"},
		{"x.jpg", nil, exitUsage, ""},
		{"x.jpeg", nil, exitUsage, ""},
		{"x.pdf", nil, exitUsage, ""},
		{"x.jpg", []string{"--format", "jpg"}, exitUsage, ""},
		{"x.txt", []string{"--format", "dot"}, exitOK, "digraph lineage {"}, // an explicit format wins
	} {
		path := filepath.Join(dir, tc.out)
		os.Remove(path)
		args := append([]string{"tree", "perplexity-ai/r1-1776", "--quiet", "-o", path}, tc.args...)
		_, errOut, code := runCmd(t, args...)
		if code != tc.code {
			t.Errorf("lineage %s: exit %d, want %d; stderr: %s", strings.Join(args, " "), code, tc.code, errOut)
			continue
		}
		data, err := os.ReadFile(path)
		if tc.code != exitOK {
			if err == nil {
				t.Errorf("lineage %s: wrote %s on a usage error", strings.Join(args, " "), tc.out)
			}
			for _, ext := range []string{"dot", "mmd", "svg", "png"} {
				if !strings.Contains(errOut, ext) {
					t.Errorf("lineage %s: the usage error %q does not name %s", strings.Join(args, " "), errOut, ext)
				}
			}
			continue
		}
		if err != nil || !strings.HasPrefix(string(data), tc.prefix) {
			t.Errorf("lineage %s: file starts %.40q (%v), want %q", strings.Join(args, " "), data, err, tc.prefix)
		}
	}
}

// TestExportDOTGolden checks export --format dot, written through package
// render's DOT writer, against golden files: the fixture store, and the
// family of one model (which is lineage tree's drawing, unfolded).
func TestExportDOTGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
	}{
		{"export.dot", withInputs("export", "--format", "dot")},
		{"export-family.dot", withInputs("export", "--format", "dot", "--family", "acme/base-7b")},
	} {
		out, errOut, code := runCmd(t, c.args...)
		if code != 0 {
			t.Fatalf("lineage %s: exit %d: %s", strings.Join(c.args, " "), code, errOut)
		}
		golden := filepath.Join("../../testdata/golden", c.name)
		if *update {
			if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./cmd/lineage -update to create it)", err)
		}
		if out != string(want) {
			t.Errorf("lineage %s: output differs from %s (go test ./cmd/lineage -update rewrites it)\n%s", strings.Join(c.args, " "), golden, lineDiff(string(want), out))
		}
	}
}
