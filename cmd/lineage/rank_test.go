package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func init() {
	// The tests choose their data; a $LINEAGE_INDEX of the developer's
	// shell must not answer for the embedded sample.
	os.Unsetenv(indexEnv)
}

// TestRankByGolden: rank --by, its windows and rank --group --by on the
// fixture inputs, against golden files.
func TestRankByGolden(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"rank-downloads.txt", withInputs("rank", "--by", "downloads", "--quiet")},
		{"rank-downloads.json", withInputs("rank", "--by", "downloads", "--json", "--top", "0")},
		{"rank-likes-finetune.json", withInputs("rank", "--by", "likes", "--relation", "finetune", "--json")},
		{"rank-downloads-all.txt", withInputs("rank", "--by", "downloads-all", "--quiet")},
		{"rank-pagerank.txt", withInputs("rank", "--by", "pagerank", "--quiet")},
		{"rank-pagerank.json", withInputs("rank", "--by", "pagerank", "--json", "--top", "0")},
		{"rank-since.json", withInputs("rank", "--since", "2024-02-02", "--until", "2024-03", "--json")},
		{"rank-downloads-since.txt", withInputs("rank", "--by", "downloads", "--since", "2024-02-02", "--quiet")},
		{"rank-group-org-downloads.txt", withInputs("rank", "--group", "org", "--by", "downloads", "--quiet")},
		{"rank-group-country-pagerank.json", withInputs("rank", "--group", "country", "--by", "pagerank", "--json")},
		{"rank-group-org-likes-fractional.json", withInputs("rank", "--group", "org", "--by", "likes", "--attribution", "fractional", "--since", "2024-02", "--json")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, c.args...)
			if code != 0 {
				t.Fatalf("lineage %s: exit %d; stderr:\n%s", strings.Join(c.args, " "), code, errOut)
			}
			if strings.HasSuffix(c.name, ".json") && !json.Valid([]byte(out)) {
				t.Fatalf("lineage %s: output is not valid JSON:\n%s", strings.Join(c.args, " "), out)
			}
			checkGolden(t, c.name, c.args, out)
		})
	}
}

// TestRankByDescendantsIsDefault: --by descendants prints exactly what
// rank always printed (the goldens rank.json, rank.txt and
// sample-rank.json hold that), in text and JSON, with and without --group.
func TestRankByDescendantsIsDefault(t *testing.T) {
	for _, args := range [][]string{
		withInputs("rank", "--json", "--top", "0"),
		withInputs("rank", "--quiet"),
		{"rank", "--json", "--top", "10"},
		withInputs("rank", "--group", "org", "--json"),
		withInputs("rank", "--group", "country", "--quiet"),
	} {
		plain, _, c1 := runCmd(t, args...)
		by, _, c2 := runCmd(t, append(args, "--by", "descendants")...)
		if c1 != 0 || c2 != 0 || plain != by {
			t.Errorf("%v: --by descendants differs from the default (exit %d, %d):\n%s", args, c1, c2, lineDiff(plain, by))
		}
	}
}

func TestRankByUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"rank", "--by", "stars"}, "unknown measure"},
		{[]string{"rank", "--by", "pagerank", "--since", "2024"}, "takes no window"},
		{[]string{"rank", "--group", "org", "--by", "pagerank", "--until", "2024"}, "takes no window"},
		{[]string{"rank", "--since", "last year"}, "--since: bad date"},
		{[]string{"rank", "--since", "2025", "--until", "2024"}, "after --until"},
		{[]string{"report", "-o", "x.html", "--by", "pagerank", "--from", "2024"}, "takes no window"},
		{[]string{"report", "-o", "x.html", "--by", "stars"}, "unknown measure"},
	} {
		_, errOut, code := runCmd(t, c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("lineage %s: exit %d, stderr %q; want exit %d and %q", strings.Join(c.args, " "), code, errOut, exitUsage, c.want)
		}
	}
}

// TestReportBy: report --by ranks its three tables by the measure; the
// default report does not mention one.
func TestReportBy(t *testing.T) {
	dir := t.TempDir()
	plain, by := filepath.Join(dir, "plain.html"), filepath.Join(dir, "by.html")
	for _, c := range []struct {
		out  string
		args []string
	}{{plain, nil}, {by, []string{"--by", "downloads"}}} {
		if _, errOut, code := runCmd(t, withInputs(append([]string{"report", "-o", c.out, "--quiet"}, c.args...)...)...); code != 0 {
			t.Fatalf("report %v: exit %d: %s", c.args, code, errOut)
		}
	}
	p, _ := os.ReadFile(plain)
	b, _ := os.ReadFile(by)
	if strings.Contains(string(p), "are by downloads") || !strings.Contains(string(b), "are by downloads") || !strings.Contains(string(b), "<th>downloads</th>") {
		t.Errorf("report --by downloads does not name its measure (or the default report does)")
	}
	// acme/base-7b's derivatives download 500 + 90 + ... ; the figure
	// column of the foundations table holds rank's sum.
	out, _, _ := runCmd(t, withInputs("rank", "--by", "downloads", "--json")...)
	var r struct {
		Foundations []struct {
			ID        string `json:"id"`
			Downloads int64  `json:"downloads"`
		} `json:"foundations"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Foundations) == 0 {
		t.Fatalf("rank --by downloads --json: %v\n%s", err, out)
	}
	top := r.Foundations[0]
	if cell := `<td class="l">` + top.ID + `</td><td>` + jsonInt(int(top.Downloads)) + `</td>`; !strings.Contains(string(b), cell) {
		t.Errorf("report --by downloads has no row %q", cell)
	}
}

// TestLineageIndex: $LINEAGE_INDEX is the data of every command given
// neither --in nor --index (serve too); the notes and stats say so; a
// missing or corrupt file is an error naming the variable.
func TestLineageIndex(t *testing.T) {
	dir := t.TempDir()
	idx := filepath.Join(dir, "fixtures.idx")
	if _, errOut, code := runCmd(t, withInputs("build", "-o", idx, "--quiet")...); code != 0 {
		t.Fatalf("build: exit %d: %s", code, errOut)
	}
	t.Setenv(indexEnv, idx)

	// The queries answer from the index, as --index would, and say so.
	for _, q := range [][]string{
		{"rank", "--json", "--top", "0"},
		{"rank", "--by", "downloads", "--json"},
		{"ancestors", "dave/deep-2", "--json"},
		{"descendants", "acme/base-7b", "--json"},
		{"export", "--format", "edges"},
		{"rank", "--group", "org", "--json"},
	} {
		fromEnv, errOut, c1 := runCmd(t, q...)
		fromFlag, _, c2 := runCmd(t, append(q, "--index", idx)...)
		if c1 != 0 || c2 != 0 || fromEnv != fromFlag {
			t.Errorf("%v with $%s: exit %d/%d, answer differs from --index:\n%s", q, indexEnv, c1, c2, lineDiff(fromFlag, fromEnv))
		}
		if want := "note: data: index " + idx + " (from $LINEAGE_INDEX), 19 models"; !strings.Contains(errOut, want) {
			t.Errorf("%v: stderr %q does not say %q", q, errOut, want)
		}
	}
	if _, errOut, _ := runCmd(t, "rank", "--quiet"); errOut != "" {
		t.Errorf("rank --quiet printed %q", errOut)
	}
	// stats says which data it read, in text and JSON.
	out, _, _ := runCmd(t, "stats")
	if !strings.HasPrefix(out, "data") || !strings.Contains(strings.SplitN(out, "\n", 2)[0], "index "+idx+" (from $LINEAGE_INDEX)") {
		t.Errorf("stats first line = %q, want the index from $LINEAGE_INDEX", strings.SplitN(out, "\n", 2)[0])
	}
	out, _, _ = runCmd(t, "stats", "--json")
	var st struct{ Data dataSource }
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Data.Kind != "index" || st.Data.Path != idx || st.Data.Env != indexEnv || st.Data.Inputs != nil {
		t.Errorf("stats --json data = %+v (%v)", st.Data, err)
	}
	// --in and --index win over the variable.
	out, errOut, _ := runCmd(t, "stats", "--json", "--in", fixtures+"/edges.csv")
	if json.Unmarshal([]byte(out), &st); st.Data.Kind != "inputs" || strings.Contains(errOut, indexEnv) {
		t.Errorf("stats --in with $%s set: data %+v", indexEnv, st.Data)
	}
	out, errOut, _ = runCmd(t, "ancestors", "perplexity-ai/r1-1776", "--index", idx)
	if !strings.Contains(errOut, "not found") {
		t.Errorf("--index %s found a model of the sample: %s %s", idx, out, errOut)
	}
	// build and lint read inputs: the variable is not theirs (without
	// --in they read the sample, as always).
	if _, errOut, code := runCmd(t, "build", "-o", filepath.Join(dir, "sample.idx")); code != 0 || !strings.Contains(errOut, "the embedded sample") {
		t.Errorf("build with $%s set: exit %d, stderr %q; want the sample", indexEnv, code, errOut)
	}
	if _, errOut, code := runCmd(t, "lint", "--kind", "self_reference"); strings.Contains(errOut, indexEnv) || code == exitUsage {
		t.Errorf("lint with $%s set: exit %d, stderr %q", indexEnv, code, errOut)
	}

	// serve loads it too: a model only the fixtures have is found.
	t.Setenv("LINEAGE_RENDER", filepath.Join(dir, "no-such-renderer"))
	base := startServe(t, "--quiet")
	resp, err := http.Get(base + "/api/model/acme/base-7b")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "acme/base-7b") {
		t.Errorf("serve with $%s: GET /api/model/acme/base-7b = %d %s", indexEnv, resp.StatusCode, body)
	}

	// A missing or corrupt file is an error that names the variable.
	t.Setenv(indexEnv, filepath.Join(dir, "missing.idx"))
	if _, errOut, code := runCmd(t, "rank"); code != exitFailure || !strings.Contains(errOut, "$LINEAGE_INDEX="+filepath.Join(dir, "missing.idx")) || !strings.Contains(errOut, "no such file") {
		t.Errorf("rank with a missing $%s: exit %d, stderr %q", indexEnv, code, errOut)
	}
	data, _ := os.ReadFile(idx)
	data[len(data)/2] ^= 0xff
	bad := filepath.Join(dir, "bad.idx")
	os.WriteFile(bad, data, 0o644)
	t.Setenv(indexEnv, bad)
	if _, errOut, code := runCmd(t, "descendants", "acme/base-7b"); code != exitFailure || !strings.Contains(errOut, "$LINEAGE_INDEX="+bad) || !strings.Contains(errOut, "corrupt") {
		t.Errorf("descendants with a corrupt $%s: exit %d, stderr %q", indexEnv, code, errOut)
	}
	// Empty is unset.
	t.Setenv(indexEnv, "")
	if _, errOut, code := runCmd(t, "rank", "--top", "1"); code != 0 || !strings.Contains(errOut, "the embedded sample") {
		t.Errorf("rank with an empty $%s: exit %d, stderr %q; want the sample", indexEnv, code, errOut)
	}
}

// TestDataNote: every query command's note names its data.
func TestDataNote(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"rank", "--top", "1"}, "note: data: the embedded sample of real Hub lineage facts, 43251 models"},
		{withInputs("descendants", "acme/base-7b"), "note: data: inputs ../../testdata/fixtures/small.jsonl, ../../testdata/fixtures/cards, ../../testdata/fixtures/edges.csv, 19 models"},
		{[]string{"ancestors", "x/y", "--in", fixtures + "/edges.csv"}, "note: data: input ../../testdata/fixtures/edges.csv"},
	} {
		_, errOut, _ := runCmd(t, c.args...)
		if !strings.Contains(errOut, c.want) {
			t.Errorf("lineage %s: stderr %q, want %q", strings.Join(c.args, " "), errOut, c.want)
		}
	}
}
