package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

const fixtures = "../../testdata/fixtures"

func runCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// inputs are the fixture inputs used by the golden tests: a listing, a card
// tree and an edge list, merged.
var inputs = []string{"--in", fixtures + "/small.jsonl", "--in", fixtures + "/cards", "--in", fixtures + "/edges.csv"}

func withInputs(args ...string) []string { return append(append([]string{}, args...), inputs...) }

func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"rank.json", withInputs("rank", "--json", "--top", "0"), 0},
		{"rank.txt", withInputs("rank", "--quiet"), 0},
		{"rank-finetune.json", withInputs("rank", "--json", "--relation", "finetune"), 0},
		{"ancestors-deep2.json", withInputs("ancestors", "dave/deep-2", "--json", "--paths"), 0},
		{"ancestors-deep2.txt", withInputs("ancestors", "DAVE/Deep-2", "--paths", "--quiet"), 0},
		{"ancestors-loop.json", withInputs("ancestors", "loop/a", "--json"), 0},
		{"descendants-base.json", withInputs("descendants", "acme/base-7b", "--json", "--limit", "0"), 0},
		{"descendants-base-depth1.json", withInputs("descendants", "https://huggingface.co/acme/base-7b", "--json", "--depth", "1"), 0},
		{"descendants-base.txt", withInputs("descendants", "acme/base-7b", "--limit", "3", "--quiet"), 0},
		{"stats.json", withInputs("stats", "--json"), 0},
		{"stats.txt", withInputs("stats"), 0},
		{"sample-rank.json", []string{"rank", "--json", "--top", "10"}, 0},
		{"sample-ancestors-r1776.json", []string{"ancestors", "perplexity-ai/r1-1776", "--json"}, 0},
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

// checkGolden compares out, the output of lineage args, with
// testdata/golden/name, or rewrites the file under -update.
func checkGolden(t *testing.T, name string, args []string, out string) {
	t.Helper()
	golden := filepath.Join("../../testdata/golden", name)
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/lineage -update to create it)", err)
	}
	if out != string(want) {
		t.Errorf("lineage %s: output differs from %s (go test ./cmd/lineage -update rewrites it)\n%s", strings.Join(args, " "), golden, lineDiff(string(want), out))
	}
}

// lineDiff shows the first differing lines.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var x, y string
		if i < len(w) {
			x = w[i]
		}
		if i < len(g) {
			y = g[i]
		}
		if x != y {
			b.WriteString("line " + itoa(i+1) + ":\n  want: " + x + "\n   got: " + y + "\n")
			shown++
		}
	}
	return b.String()
}

// withoutData checks the "data" member of stats --json output against
// want (compact JSON) and returns the output without it, re-indented.
func withoutData(t *testing.T, out, want string) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("stats --json: %v", err)
	}
	var got bytes.Buffer
	json.Compact(&got, m["data"])
	if got.String() != want {
		t.Errorf("stats --json data = %s, want %s", got.String(), want)
	}
	delete(m, "data")
	b, _ := json.MarshalIndent(m, "", "  ")
	return string(b)
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + jsonInt(i)) }

func jsonInt(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestExitCodes(t *testing.T) {
	cases := []struct {
		args    []string
		code    int
		stderrs string
	}{
		{nil, exitUsage, "Usage"},
		{[]string{"frobnicate"}, exitUsage, "unknown command"},
		{[]string{"ancestors"}, exitUsage, "one MODEL"},
		{[]string{"ancestors", "a/b", "c/d"}, exitUsage, "one MODEL"},
		{[]string{"rank", "--top", "x"}, exitUsage, "invalid value"},
		{[]string{"rank", "--relation", "finetuned"}, exitUsage, "unknown relation"},
		{[]string{"descendants", "x/y", "--depth", "-1"}, exitUsage, ">= 0"},
		{[]string{"build"}, exitUsage, "-o FILE"},
		{[]string{"rank", "--in", "a", "--index", "b"}, exitUsage, "not both"},
		{withInputs("ancestors", "acme/chat-8b"), exitFailure, "did you mean acme/chat-7b"},
		{[]string{"ancestors", "deepseek-ai/deepseek-r2"}, exitFailure, "deepseek-ai/DeepSeek-R1"},
		{[]string{"rank", "--in", "/nonexistent/listing.jsonl"}, exitFailure, "no such file"},
		{[]string{"rank", "--index", fixtures + "/small.jsonl"}, exitFailure, "not a lineage index"},
		{[]string{"help"}, exitOK, ""},
	}
	for _, c := range cases {
		_, errOut, code := runCmd(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.stderrs) {
			t.Errorf("lineage %s: exit %d, stderr %q; want exit %d and stderr containing %q", strings.Join(c.args, " "), code, errOut, c.code, c.stderrs)
		}
	}
}

func TestBuildIndexAnswersLikeInputs(t *testing.T) {
	idx := filepath.Join(t.TempDir(), "x.idx")
	out, errOut, code := runCmd(t, withInputs("build", "-o", idx)...)
	if code != 0 {
		t.Fatalf("build: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "self_reference: 1") || !strings.Contains(out, "local_path: 1") {
		t.Errorf("build summary does not report the fixture's problems:\n%s", out)
	}
	for _, q := range [][]string{
		{"rank", "--json", "--top", "0"},
		{"ancestors", "dave/deep-2", "--json"},
		{"descendants", "acme/base-7b", "--json"},
		{"stats", "--json"},
	} {
		fromIn, _, c1 := runCmd(t, withInputs(q...)...)
		fromIdx, e2, c2 := runCmd(t, append(q, "--index", idx)...)
		if c1 != 0 || c2 != 0 {
			t.Fatalf("%v: exit %d / %d: %s", q, c1, c2, e2)
		}
		if q[0] == "stats" {
			// stats says which data it read: the only difference.
			fromIn, fromIdx = withoutData(t, fromIn, `{"kind":"inputs","inputs":["../../testdata/fixtures/small.jsonl","../../testdata/fixtures/cards","../../testdata/fixtures/edges.csv"]}`),
				withoutData(t, fromIdx, `{"kind":"index","path":`+jsonString(idx)+`}`)
		}
		if fromIn != fromIdx {
			t.Errorf("%v: --index answer differs from --in answer:\n%s", q, lineDiff(fromIn, fromIdx))
		}
	}
	// --strict turns problems into a failure.
	if _, _, code := runCmd(t, withInputs("build", "--strict", "-o", idx)...); code != exitFailure {
		t.Errorf("build --strict on dirty input: exit %d, want %d", code, exitFailure)
	}
	// A corrupted index is an error, not an answer.
	data, _ := os.ReadFile(idx)
	data[len(data)/2] ^= 0xff
	bad := filepath.Join(t.TempDir(), "bad.idx")
	os.WriteFile(bad, data, 0o644)
	if _, errOut, code := runCmd(t, "rank", "--index", bad); code != exitFailure || !strings.Contains(errOut, "corrupt") {
		t.Errorf("rank on corrupted index: exit %d, stderr %q", code, errOut)
	}
}
