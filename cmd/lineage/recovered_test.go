package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/lineage/recovery"
)

// recoveredOff are the outputs --recovered may change, on the embedded
// sample: each is run without the flag and with it.
var recoveredOff = [][]string{
	{"stats", "--json"},
	{"stats"},
	{"rank", "--top", "10"},
	{"rank", "--top", "10", "--json"},
	{"rank", "--group", "country", "--json"},
	{"origins", "--json"},
	{"timeline"},
	{"export", "--format", "edges"},
	{"export", "--format", "graphml"},
	{"export", "--format", "json"},
	{"export", "--format", "csv"},
	{"export", "--format", "dot"},
}

// TestRecoveredFlag: --recovered adds exactly the edges lineage recover
// proposes at the threshold, marks each wherever it shows (with its
// confidence), splits counts declared vs recovered and records the
// threshold and the rules' version; without the flag nothing says
// "recovered" and the outputs are those of the goldens (TestGolden and
// the others hold them byte for byte, and were written before recovered
// lineage existed).
func TestRecoveredFlag(t *testing.T) {
	// The reference: the proposals, from lineage recover (package
	// recovery, not the overlay store).
	out, errOut, code := runCmd(t, "recover", "--json")
	if code != exitOK {
		t.Fatalf("recover: exit %d: %s", code, errOut)
	}
	var rec recoverOut
	if err := json.Unmarshal([]byte(out), &rec); err != nil || len(rec.Proposals) == 0 {
		t.Fatalf("recover --json: %v, %d proposals", err, len(rec.Proposals))
	}
	type edge struct{ parent, child string }
	want := map[edge]float64{}
	children := map[string]bool{}
	for _, p := range rec.Proposals {
		want[edge{p.Parent, p.ID}] = p.Confidence
		children[p.ID] = true
	}

	for _, args := range recoveredOff {
		plain, errOut, code := runCmd(t, append(args, "--quiet")...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if m := recoveredMark.FindString(plain); m != "" {
			t.Errorf("%v without --recovered marks recovered lineage (%q)", args, m)
		}
		with, errOut, code := runCmd(t, append(args, "--recovered")...)
		if code != exitOK {
			t.Fatalf("%v --recovered: exit %d: %s", args, code, errOut)
		}
		note := itoa(len(want)) + " edge(s) added at confidence 0.75 or more (rules " + recovery.RulesVersion + ")"
		if !strings.Contains(errOut, "note: recovered lineage: "+note) && !strings.Contains(with, note) && !strings.Contains(with, `"recovered": {`) {
			t.Errorf("%v --recovered: neither stderr nor the output says what was added: %q", args, errOut)
		}
		if with == plain {
			t.Errorf("%v: the same output with and without --recovered", args)
		}
	}

	// stats: the number of recovered edges, and edges split.
	var plainStats, st struct {
		Edges     int
		Recovered *struct {
			MinConfidence float64 `json:"min_confidence"`
			Rules         string
			Edges         int
		}
	}
	out, _, _ = runCmd(t, "stats", "--json")
	json.Unmarshal([]byte(out), &plainStats)
	out, _, _ = runCmd(t, "stats", "--json", "--recovered", "--quiet")
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Recovered == nil {
		t.Fatalf("stats --json --recovered: %v: %s", err, out)
	}
	if st.Recovered.Edges != len(want) || st.Recovered.MinConfidence != recovery.DefaultMinConfidence || st.Recovered.Rules != recovery.RulesVersion || st.Edges != plainStats.Edges {
		t.Errorf("stats: %+v, %d edges; want %d recovered beside the %d of the input", *st.Recovered, st.Edges, len(want), plainStats.Edges)
	}

	// The edge list: every recovered edge, marked, with its confidence;
	// and read back, the recovered rows are skipped, not declared.
	dir := t.TempDir()
	edges := filepath.Join(dir, "edges.csv")
	if _, errOut, code := runCmd(t, "export", "--format", "edges", "--recovered", "--quiet", "-o", edges); code != exitOK {
		t.Fatalf("export: %s", errOut)
	}
	f, err := os.Open(edges)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "parent,child,relation,declared,recovered,confidence" {
		t.Fatalf("edge list header %v", rows[0])
	}
	got := map[edge]bool{}
	for _, r := range rows[1:] {
		e := edge{r[0], r[1]}
		c, isProposal := want[e]
		switch {
		case r[4] == "true" && !isProposal:
			t.Errorf("edge %v marked recovered, but recover does not propose it", r)
		case r[4] == "true":
			if r[3] != "false" || r[5] != trimFloat4(c) {
				t.Errorf("recovered edge %v: want declared false, confidence %v", r, c)
			}
			got[e] = true
		case r[4] != "false" || r[5] != "":
			t.Errorf("declared edge %v has recovered cells", r)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d recovered edges exported, recover proposes %d", len(got), len(want))
	}
	out, _, code = runCmd(t, "stats", "--json", "--in", edges)
	var back struct {
		Edges       int
		Diagnostics map[string]int
	}
	json.Unmarshal([]byte(out), &back)
	if code != exitOK || back.Diagnostics["recovered_row"] != len(want) || back.Edges != len(rows)-1-len(want) {
		t.Errorf("the export read back: exit %d, %d edges, %d recovered rows skipped; want %d and %d", code, back.Edges, back.Diagnostics["recovered_row"], len(rows)-1-len(want), len(want))
	}

	// ancestors: each child's recovered parents, marked, with their
	// confidence, in JSON and in the table.
	n := 0
	for e, c := range want {
		if n++; n > 8 {
			break
		}
		out, errOut, code := runCmd(t, "ancestors", e.child, "--json", "--recovered", "--quiet")
		if code != exitOK {
			t.Fatalf("ancestors %s: %s", e.child, errOut)
		}
		var a struct {
			Ancestors []struct {
				ID, Via    string
				Depth      int
				Recovered  bool
				Confidence float64
			}
		}
		json.Unmarshal([]byte(out), &a)
		found := false
		for _, h := range a.Ancestors {
			if h.Depth == 1 && h.ID == e.parent {
				found = true
				if !h.Recovered || math.Abs(h.Confidence-c) > 1e-4 {
					t.Errorf("ancestors %s: hop to %s: recovered %v confidence %v, want true %v", e.child, e.parent, h.Recovered, h.Confidence, c)
				}
			}
			if h.Recovered && h.Depth == 1 && want[edge{h.ID, e.child}] == 0 {
				t.Errorf("ancestors %s: %s marked recovered, not proposed", e.child, h.ID)
			}
		}
		if !found {
			t.Errorf("ancestors %s --recovered: no parent %s", e.child, e.parent)
		}
		// path reads a graph-only store without --recovered; with it, the
		// proposals must be lineage recover's all the same.
		out, errOut, code = runCmd(t, "path", e.parent, e.child, "--json", "--recovered", "--quiet")
		if code != exitOK || !strings.Contains(out, `"recovered": true`) {
			t.Errorf("path %s %s --recovered: exit %d, no recovered link: %s%s", e.parent, e.child, code, out, errOut)
		}
		out, _, _ = runCmd(t, "ancestors", e.child, "--recovered", "--quiet")
		if !strings.Contains(out, "(recovered ") || !strings.Contains(out, "no input declares this edge") {
			t.Errorf("ancestors %s --recovered: the table does not mark the recovered hop:\n%s", e.child, out)
		}
		// The tree draws the edge dashed with the legend entry.
		out, _, _ = runCmd(t, "tree", e.child, "--up", "--recovered", "--quiet")
		if !strings.Contains(out, "recovered\", style=dashed") || !strings.Contains(out, "recovered, not declared (dashed, open circle)") {
			t.Errorf("tree %s --recovered: no dashed recovered edge or legend:\n%s", e.child, out)
		}
		out, _, _ = runCmd(t, "tree", e.child, "--up", "--quiet")
		if strings.Contains(out, "recovered") {
			t.Errorf("tree %s without --recovered mentions recovered", e.child)
		}
	}

	// rank: with.Descendants - with.Recovered is the count over declared
	// edges, which for a foundation of both rankings is its plain count.
	type entry struct {
		ID          string
		Descendants int
		Recovered   *int
	}
	var plainRank, withRank struct {
		Recovered   *struct{ Edges int }
		Foundations []entry
	}
	out, _, _ = runCmd(t, "rank", "--top", "0", "--json", "--quiet")
	json.Unmarshal([]byte(out), &plainRank)
	out, _, _ = runCmd(t, "rank", "--top", "0", "--json", "--quiet", "--recovered")
	json.Unmarshal([]byte(out), &withRank)
	if withRank.Recovered == nil || withRank.Recovered.Edges != len(want) {
		t.Errorf("rank --json --recovered: no recovered object")
	}
	before := map[string]int{}
	for _, e := range plainRank.Foundations {
		before[e.ID] = e.Descendants
	}
	grew := 0
	for _, e := range withRank.Foundations {
		if e.Recovered == nil {
			t.Fatalf("rank --recovered: %s has no recovered count", e.ID)
		}
		if b, ok := before[e.ID]; ok && e.Descendants-*e.Recovered != b {
			t.Errorf("rank --recovered: %s has %d descendants, %d recovered; %d without the flag", e.ID, e.Descendants, *e.Recovered, b)
		}
		if *e.Recovered > 0 {
			grew++
		}
	}
	if grew == 0 {
		t.Errorf("rank --recovered: no foundation gained a descendant")
	}

	// Manifests record the threshold and the rules.
	out, _, _ = runCmd(t, "origins", "--json", "--recovered", "--min-confidence", "0.9", "--quiet")
	var o struct {
		Manifest struct {
			Recovered *struct {
				MinConfidence float64 `json:"min_confidence"`
				Rules         string
				Edges         int
			}
		}
	}
	json.Unmarshal([]byte(out), &o)
	high := 0
	for _, c := range want {
		if c >= 0.9 {
			high++
		}
	}
	if r := o.Manifest.Recovered; r == nil || r.MinConfidence != 0.9 || r.Rules != recovery.RulesVersion || r.Edges != high {
		t.Errorf("origins manifest recovered = %+v, want 0.9, %s, %d edges", r, recovery.RulesVersion, high)
	}
	report := filepath.Join(dir, "r.html")
	if _, errOut, code := runCmd(t, "report", "-o", report, "--recovered", "--quiet"); code != exitOK {
		t.Fatalf("report --recovered: %s", errOut)
	}
	if b, _ := os.ReadFile(report); !strings.Contains(string(b), "recovered lineage") || !strings.Contains(string(b), recovery.RulesVersion) {
		t.Errorf("the report does not record recovered lineage")
	}

	// Usage: --min-confidence needs --recovered and a value in [0, 1].
	for _, args := range [][]string{{"rank", "--min-confidence", "0.5"}, {"rank", "--recovered", "--min-confidence", "1.5"}, {"rank", "--recovered", "--min-confidence", "NaN"}} {
		if _, _, code := runCmd(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

// recoveredMark matches what marks recovered lineage in an output: a JSON
// key, a CSV column, a DOT or GraphML attribute, a table's column or
// note. (Model ids and prose may contain the word itself.)
var recoveredMark = regexp.MustCompile(`"recovered"|,recovered\b|recovered=|key="recovered"|RECOVERED|recovered edge|\(recovered`)

// trimFloat4 formats a confidence as the exports do.
func trimFloat4(c float64) string {
	b, _ := json.Marshal(math.Round(c*1e4) / 1e4)
	return string(b)
}
