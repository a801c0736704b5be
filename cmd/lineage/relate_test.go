package main

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGoldenRelate pins the output of path, common, impact and diff on the
// fixtures and the embedded sample (go test ./cmd/lineage -update
// rewrites the files; review the diff).
func TestGoldenRelate(t *testing.T) {
	const fx = fixtures
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"path-deep2.txt", withInputs("path", "acme/base-7b", "dave/deep-2", "--all", "--quiet"), 0},
		{"path-deep2.json", withInputs("path", "acme/base-7b", "dave/deep-2", "--all", "--json"), 0},
		{"path-reversed.txt", withInputs("path", "DAVE/deep-2", "acme/chat-7b", "--quiet"), 0},
		{"path-loop.json", withInputs("path", "loop/a", "loop/b", "--all", "--json"), 0},
		{"common-three.txt", withInputs("common", "dave/deep-2", "frank/chat-7b-dpo-GGUF", "bob/chat-7b-lora", "--quiet"), 0},
		{"common-three.json", withInputs("common", "dave/deep-2", "frank/chat-7b-dpo-GGUF", "bob/chat-7b-lora", "--json"), 0},
		{"impact-chat.txt", withInputs("impact", "acme/chat-7b", "--quiet"), 0},
		{"impact-base.json", withInputs("impact", "acme/base-7b", "--json", "--limit", "3"), 0},
		{"impact-loop.txt", withInputs("impact", "loop/a", "--quiet"), 0},
		{"diff-fixtures.txt", []string{"diff", fx + "/small.jsonl", fx, "--quiet"}, 0},
		{"diff-fixtures.json", []string{"diff", fx + "/small.jsonl", fx, "--quiet", "--format", "json"}, 0},
		{"diff-fixtures.csv", []string{"diff", fx + "/small.jsonl", fx, "--quiet", "--format", "csv", "--limit", "0"}, 0},
		{"sample-path-r1-idkai.txt", []string{"path", "deepseek-ai/DeepSeek-R1", "Bixho/idkai", "--all"}, 0},
		{"sample-path-r1-idkai.json", []string{"path", "deepseek-ai/DeepSeek-R1", "Bixho/idkai", "--all", "--json"}, 0},
		{"sample-common-merges.txt", []string{"common", "Bixho/idkai", "cr6276/mymodel"}, 0},
		{"sample-common-merges.json", []string{"common", "Bixho/idkai", "cr6276/mymodel", "--json"}, 0},
		{"sample-impact-r1.txt", []string{"impact", "deepseek-ai/DeepSeek-R1", "--limit", "5"}, 0},
		{"sample-descendants-r1.json", []string{"descendants", "deepseek-ai/DeepSeek-R1", "--json", "--limit", "3"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, c.args...)
			if code != c.code {
				t.Fatalf("lineage %s: exit %d, want %d; stderr:\n%s", strings.Join(c.args, " "), code, c.code, errOut)
			}
			if strings.HasSuffix(c.name, ".json") && !json.Valid([]byte(out)) {
				t.Fatalf("lineage %s: output is not valid JSON:\n%s", strings.Join(c.args, " "), out)
			}
			checkGolden(t, c.name, c.args, out)
		})
	}
}

func TestRelateExitCodes(t *testing.T) {
	cases := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"path", "deepseek-ai/DeepSeek-R1"}, exitUsage, "two MODEL ids"},
		{[]string{"path", "a/b", "c/d", "e/f"}, exitUsage, "two MODEL ids"},
		{[]string{"path", "deepseek-ai/DeepSeek-R1", "Bixho/idkai", "--all", "--max-paths", "0"}, exitUsage, "--max-paths must be a positive number"},
		{[]string{"path", "deepseek-ai/DeepSeek-R1", "Bixho/idkai", "--max-paths", "-3"}, exitUsage, "--max-paths must be a positive number"},
		{[]string{"path", "Bixho/idkai", "google/gemma-7b"}, exitFailure, "no derivation path between Bixho/idkai and google/gemma-7b: neither is built on the other"},
		{[]string{"path", "deepseek-ai/deepseek-r2", "Bixho/idkai"}, exitFailure, "did you mean"},
		{[]string{"common", "Bixho/idkai"}, exitUsage, "two or more MODEL ids"},
		{[]string{"common", "Bixho/idkai", "bixho/IDKAI"}, exitUsage, "given twice"},
		{[]string{"impact"}, exitUsage, "one MODEL"},
		{[]string{"impact", "x/y", "--limit", "-1"}, exitUsage, ">= 0"},
		{[]string{"diff", "a.idx"}, exitUsage, "two snapshots"},
		{[]string{"diff", "a", "b", "--format", "xml"}, exitUsage, "--format must be text, json or csv"},
		{[]string{"diff", "a", "b", "--relation", "finetuned"}, exitUsage, "unknown relation"},
		{[]string{"diff", "/nonexistent/old.idx", fixtures}, exitFailure, "no such file"},
	}
	for _, c := range cases {
		_, stderr, code := runCmd(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.stderr) {
			t.Errorf("lineage %s: exit %d, stderr %q; want exit %d and %q", strings.Join(c.args, " "), code, stderr, c.code, c.stderr)
		}
	}
}

// TestDiffSnapshotKinds: an index, a listing, a gzipped listing and a
// directory of the same data diff alike, and a snapshot against itself
// has no change.
func TestDiffSnapshotKinds(t *testing.T) {
	dir := t.TempDir()
	idx := filepath.Join(dir, "fx.idx")
	if _, errOut, code := runCmd(t, "build", "--in", fixtures, "-o", idx, "--quiet"); code != 0 {
		t.Fatalf("build: exit %d: %s", code, errOut)
	}
	// The fixtures' listing, gzipped, in a directory of its own.
	raw, err := os.ReadFile(fixtures + "/small.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "listing")
	os.Mkdir(sub, 0o755)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	os.WriteFile(filepath.Join(sub, "models.jsonl.gz"), gz.Bytes(), 0o644)

	want, _, code := runCmd(t, "diff", fixtures+"/small.jsonl", fixtures, "--json", "--quiet", "--limit", "0")
	if code != 0 {
		t.Fatal("diff of the fixtures failed")
	}
	for _, pair := range [][2]string{{sub, fixtures}, {fixtures + "/small.jsonl", idx}, {sub, idx}} {
		got, errOut, code := runCmd(t, "diff", pair[0], pair[1], "--json", "--quiet", "--limit", "0")
		if code != 0 || got != want {
			t.Errorf("diff %s %s: exit %d (%s), output differs from the diff of the listing and the directory:\n%s", pair[0], pair[1], code, errOut, lineDiff(want, got))
		}
	}
	var self struct {
		ModelsAdded, ModelsRemoved, EdgesAdded, EdgesRemoved, Reparented, RelationChanged int
	}
	out, _, _ := runCmd(t, "diff", idx, fixtures, "--json", "--quiet")
	if err := json.Unmarshal([]byte(out), &self); err != nil || self != (struct {
		ModelsAdded, ModelsRemoved, EdgesAdded, EdgesRemoved, Reparented, RelationChanged int
	}{}) {
		t.Errorf("diff of an index and the inputs it was built from = %+v (%v), want no change", self, err)
	}
}

// TestDiffCSV reads the CSV back with encoding/csv: one header, six
// columns, a row per listed entry, and the JSON's counts.
func TestDiffCSV(t *testing.T) {
	out, _, code := runCmd(t, "diff", fixtures+"/small.jsonl", fixtures, "--format", "csv", "--quiet", "--limit", "0")
	if code != 0 {
		t.Fatal("diff --format csv failed")
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], []string{"change", "model", "parent", "before", "after", "delta"}) {
		t.Fatalf("header = %v", rows[0])
	}
	var js struct {
		ModelsAdded int `json:"models_added"`
		EdgesAdded  int `json:"edges_added"`
	}
	j, _, _ := runCmd(t, "diff", fixtures+"/small.jsonl", fixtures, "--json", "--quiet")
	json.Unmarshal([]byte(j), &js)
	kinds := map[string]int{}
	for _, r := range rows[1:] {
		if len(r) != 6 {
			t.Fatalf("row %v has %d columns", r, len(r))
		}
		kinds[r[0]]++
	}
	if kinds["model_added"] != js.ModelsAdded || kinds["edge_added"] != js.EdgesAdded || js.ModelsAdded == 0 {
		t.Errorf("CSV rows by kind %v, want model_added %d and edge_added %d as in the JSON", kinds, js.ModelsAdded, js.EdgesAdded)
	}
}

// TestDescendantsImpact: descendants prints the impact count beside the
// descendant count, and its JSON has the field "impact", equal to impact's
// count.
func TestDescendantsImpact(t *testing.T) {
	out, _, _ := runCmd(t, "descendants", "deepseek-ai/DeepSeek-R1", "--limit", "1")
	var imp struct{ Count int }
	j, _, _ := runCmd(t, "impact", "deepseek-ai/DeepSeek-R1", "--json")
	json.Unmarshal([]byte(j), &imp)
	var d struct{ Count, Impact int }
	dj, _, _ := runCmd(t, "descendants", "deepseek-ai/DeepSeek-R1", "--json", "--relation", "merge")
	json.Unmarshal([]byte(dj), &d)
	if imp.Count == 0 || d.Impact != imp.Count || d.Count >= imp.Count {
		t.Errorf("descendants --json impact = %d (count %d with --relation merge), impact count = %d", d.Impact, d.Count, imp.Count)
	}
	if !strings.Contains(out, " of its 511 descendants depend on it alone") {
		t.Errorf("descendants output lacks the impact line:\n%s", out)
	}
}
