package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestRecoverUsage(t *testing.T) {
	for _, args := range [][]string{
		{"recover", "extra"},
		{"recover", "--min-confidence", "1.5"},
		{"recover", "--min-confidence", "-0.1"},
		{"recover", "--relation", "bogus"},
		{"recover", "--seed", "3"},
		{"recover", "--evaluate", "--fraction", "0"},
		{"recover", "--evaluate", "--fraction", "1"},
		{"recover", "--nope"},
	} {
		if _, errOut, code := runCmd(t, args...); code != exitUsage {
			t.Errorf("lineage %s: exit %d, want %d; stderr: %s", strings.Join(args, " "), code, exitUsage, errOut)
		}
	}
	if _, _, code := runCmd(t, "recover", "--index", filepath.Join(t.TempDir(), "missing.idx")); code != exitFailure {
		t.Errorf("lineage recover --index missing: exit %d, want %d", code, exitFailure)
	}
}

type recoverOut struct {
	Proposals []struct {
		ID         string  `json:"id"`
		Parent     string  `json:"parent"`
		Relation   string  `json:"relation"`
		Confidence float64 `json:"confidence"`
		Evidence   []struct {
			Kind   string `json:"kind"`
			Detail string `json:"detail"`
		} `json:"evidence"`
	} `json:"proposals"`
	Summary map[string]any `json:"summary"`
}

func TestRecoverJSON(t *testing.T) {
	out, errOut, code := runCmd(t, "recover", "--json", "--min-confidence", "0.8")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r recoverOut
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Proposals) == 0 {
		t.Fatal("no proposals on the embedded sample")
	}
	kinds := map[string]bool{"name": true, "tags": true, "card": true, "file": true, "time": true}
	for i, p := range r.Proposals {
		if p.ID == "" || p.Parent == "" || p.ID == p.Parent || p.Confidence < 0.8 || p.Confidence > 1 || len(p.Evidence) == 0 {
			t.Fatalf("proposal %d: %+v", i, p)
		}
		if _, ok := map[string]bool{"finetune": true, "adapter": true, "quantized": true, "merge": true}[p.Relation]; !ok {
			t.Fatalf("proposal %d: relation %q", i, p.Relation)
		}
		for _, e := range p.Evidence {
			if !kinds[e.Kind] || e.Detail == "" {
				t.Fatalf("proposal %d: evidence %+v", i, e)
			}
		}
	}
	if !sort.SliceIsSorted(r.Proposals, func(i, j int) bool {
		a, b := strings.ToLower(r.Proposals[i].ID), strings.ToLower(r.Proposals[j].ID)
		return a < b || a == b && strings.ToLower(r.Proposals[i].Parent) < strings.ToLower(r.Proposals[j].Parent)
	}) {
		t.Errorf("proposals are not sorted by id, then parent")
	}
	for _, k := range []string{"models", "undeclared", "proposed", "edges", "by_relation", "min_confidence"} {
		if _, ok := r.Summary[k]; !ok {
			t.Errorf("summary lacks %q", k)
		}
	}
	// Deterministic, and --relation filters.
	again, _, _ := runCmd(t, "recover", "--json", "--min-confidence", "0.8")
	if again != out {
		t.Errorf("two runs differ")
	}
	qout, _, code := runCmd(t, "recover", "--json", "--relation", "quantized", "-o", filepath.Join(t.TempDir(), "q.json"))
	if code != exitOK || qout != "" {
		t.Fatalf("recover -o: exit %d, stdout %q", code, qout)
	}
}

func TestRecoverOutputFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.json")
	if _, errOut, code := runCmd(t, "recover", "--json", "--relation", "quantized", "-o", path); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r recoverOut
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Proposals {
		if p.Relation != "quantized" {
			t.Fatalf("--relation quantized kept %+v", p)
		}
	}
}

func TestRecoverEvaluate(t *testing.T) {
	out, errOut, code := runCmd(t, "recover", "--evaluate", "--json", "--seed", "2")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Seed       uint64 `json:"seed"`
		All        struct{ Hidden, Proposed, Correct int }
		ByRelation map[string]struct {
			Precision float64 `json:"precision"`
			Recall    float64 `json:"recall"`
		} `json:"by_relation"`
		Buckets     []struct{ Proposed int } `json:"buckets"`
		Foundations []struct{ ID string }    `json:"foundations"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Seed != 2 || rep.All.Hidden == 0 || rep.All.Correct > rep.All.Proposed || len(rep.Buckets) == 0 || len(rep.Foundations) != 10 {
		t.Fatalf("report %+v", rep)
	}
	if q := rep.ByRelation["quantized"]; q.Precision < 0.9 || q.Recall < 0.8 {
		t.Errorf("quantized on the sample: precision %.3f recall %.3f", q.Precision, q.Recall)
	}
	text, _, code := runCmd(t, "recover", "--evaluate")
	if code != exitOK || !strings.Contains(text, "RELATION") || !strings.Contains(text, "CONFIDENCE") || !strings.Contains(text, "FOUNDATION") {
		t.Errorf("text report (exit %d):\n%s", code, text)
	}
}
