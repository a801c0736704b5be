package main

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestProblemCountsAgree: stats --json, the summary build prints and
// lint --json count the same problems per kind (one list of kinds, one
// count), on the embedded sample and on the fixtures, and stats --index
// reads the same counts back from the index build wrote.
func TestProblemCountsAgree(t *testing.T) {
	kindLine := regexp.MustCompile(`(?m)^  ([a-z_]+): (\d+)$`)
	for _, tc := range []struct {
		name string
		in   []string
	}{
		{"sample", nil},
		{"fixtures", inputs},
	} {
		var st struct{ Diagnostics map[string]int }
		out, errOut, code := runCmd(t, append([]string{"stats", "--json"}, tc.in...)...)
		if code != 0 || json.Unmarshal([]byte(out), &st) != nil {
			t.Fatalf("%s: stats --json exit %d: %s", tc.name, code, errOut)
		}
		stats := maps.Clone(st.Diagnostics)
		maps.DeleteFunc(stats, func(_ string, n int) bool { return n == 0 })

		var lint struct{ Summary map[string]int }
		out, errOut, code = runCmd(t, append([]string{"lint", "--json"}, tc.in...)...)
		if code == exitUsage || json.Unmarshal([]byte(out), &lint) != nil {
			t.Fatalf("%s: lint --json exit %d: %s", tc.name, code, errOut)
		}

		idx := filepath.Join(t.TempDir(), "i.idx")
		out, errOut, code = runCmd(t, append([]string{"build", "-o", idx}, tc.in...)...)
		if code != 0 {
			t.Fatalf("%s: build exit %d: %s", tc.name, code, errOut)
		}
		build := map[string]int{}
		for _, m := range kindLine.FindAllStringSubmatch(out, -1) {
			build[m[1]], _ = strconv.Atoi(m[2])
		}

		var fromIndex struct{ Diagnostics map[string]int }
		out, errOut, code = runCmd(t, "stats", "--json", "--index", idx)
		if code != 0 || json.Unmarshal([]byte(out), &fromIndex) != nil {
			t.Fatalf("%s: stats --index exit %d: %s", tc.name, code, errOut)
		}
		maps.DeleteFunc(fromIndex.Diagnostics, func(_ string, n int) bool { return n == 0 })

		if len(stats) == 0 {
			t.Errorf("%s: stats counts no problem; the comparison would prove nothing", tc.name)
		}
		if !maps.Equal(lint.Summary, stats) || !maps.Equal(build, stats) || !maps.Equal(fromIndex.Diagnostics, stats) {
			t.Errorf("%s: problem counts differ:\n  stats --json   %v\n  build          %v\n  lint --json    %v\n  stats --index  %v", tc.name, stats, build, lint.Summary, fromIndex.Diagnostics)
		}
	}
}
