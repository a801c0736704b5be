package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The analytics goldens run on a hand-made graph with known answers
// (testdata/golden/origins-graph.jsonl): foundations us/base (US), cn/base
// (CN) and xx/base (organisation not in the table); us/merge builds on
// both us/base and cn/base, zz/q-GGUF quantizes the merge (its author has
// no country), nod/ft has no creation time. Full attribution: US 4, CN 3,
// unknown 1 of 6 derivatives; fractional: US 3, CN 2, unknown 1.
const (
	originsGraph = "../../testdata/golden/origins-graph.jsonl"
	originsTable = "../../testdata/golden/origins-table.csv"
)

func withOrigins(args ...string) []string {
	return append(append([]string{}, args...), "--in", originsGraph, "--origins", originsTable, "--quiet")
}

func TestOriginsGolden(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"origins-rank-country.txt", withOrigins("rank", "--group", "country")},
		{"origins-rank-country-fractional.json", withOrigins("rank", "--group", "country", "--attribution", "fractional", "--json")},
		{"origins-rank-org.txt", withOrigins("rank", "--group", "org", "--top", "1")},
		{"origins-rank-org-fractional.json", withOrigins("rank", "--group", "org", "--attribution", "fractional", "--json")},
		{"origins-matrix.txt", withOrigins("origins")},
		{"origins-matrix-fractional.json", withOrigins("origins", "--attribution", "fractional", "--json")},
		{"origins-list-us-cn.txt", withOrigins("origins", "--list", "us:CN")},
		{"origins-list-us-us.json", withOrigins("origins", "--list", "US:US", "--json")},
		{"origins-timeline.txt", withOrigins("timeline")},
		{"origins-timeline-fractional.json", withOrigins("timeline", "--attribution", "fractional", "--json")},
		{"origins-timeline-foundation-feb.txt", withOrigins("timeline", "--by", "foundation", "--from", "2024-02", "--to", "2024-02")},
		{"origins-timeline-finetune.txt", withOrigins("timeline", "--by", "org", "--relation", "finetune")},
		{"origins-velocity.txt", withOrigins("velocity", "us/base", "cn/base", "xx/base", "us/ft1")},
		{"origins-velocity-fractional.json", withOrigins("velocity", "*/base", "--attribution", "fractional", "--days", "1,30", "--json")},
		{"origins-sample-rank-country.json", []string{"rank", "--group", "country", "--top", "8", "--json"}},
		{"origins-sample-rank-country.txt", []string{"rank", "--group", "country", "--top", "8"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, c.args...)
			if code != 0 {
				t.Fatalf("lineage %s: exit %d; stderr:\n%s", strings.Join(c.args, " "), code, errOut)
			}
			if strings.HasSuffix(c.name, ".json") {
				var m map[string]any
				if err := json.Unmarshal([]byte(out), &m); err != nil {
					t.Fatalf("lineage %s: output is not a JSON object: %v\n%s", strings.Join(c.args, " "), err, out)
				}
				if _, ok := m["manifest"]; !ok {
					t.Errorf("lineage %s: JSON has no manifest", strings.Join(c.args, " "))
				}
			} else if !strings.Contains(out, "manifest:\n  input") {
				t.Errorf("lineage %s: table has no manifest footer", strings.Join(c.args, " "))
			}
			checkGolden(t, c.name, c.args, out)
		})
	}
}

// TestOriginsKnownAnswers checks the hand-made graph's answers directly,
// so that a golden rewritten by mistake cannot hide a wrong one.
func TestOriginsKnownAnswers(t *testing.T) {
	var rank struct {
		Derivatives int `json:"derivatives"`
		Groups      []struct {
			Key         string  `json:"key"`
			Derivatives float64 `json:"derivatives"`
			Share       float64 `json:"share"`
		} `json:"groups"`
		Manifest struct {
			Attribution string `json:"attribution"`
			Origins     struct {
				Version   string   `json:"version"`
				Overrides []string `json:"overrides"`
			} `json:"origins"`
		} `json:"manifest"`
	}
	for _, c := range []struct {
		attr, want string
		sum        float64
	}{
		{"full", "US=4 CN=3 unknown=1", 8.0 / 6},
		{"fractional", "US=3 CN=2 unknown=1", 1},
	} {
		out, errOut, code := runCmd(t, withOrigins("rank", "--group", "country", "--json", "--attribution", c.attr)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if err := json.Unmarshal([]byte(out), &rank); err != nil {
			t.Fatal(err)
		}
		var parts []string
		var sum float64
		for _, g := range rank.Groups {
			parts = append(parts, g.Key+"="+trimFloat(g.Derivatives))
			sum += g.Share
		}
		if got := strings.Join(parts, " "); got != c.want || rank.Derivatives != 6 || !near(sum, c.sum) {
			t.Errorf("rank --group country --attribution %s = %s of %d, shares sum %v; want %s of 6, %v", c.attr, got, rank.Derivatives, sum, c.want, c.sum)
		}
		if rank.Manifest.Attribution != c.attr || !strings.HasSuffix(rank.Manifest.Origins.Version, "+origins-table.csv") {
			t.Errorf("manifest = %+v", rank.Manifest)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-6 && b-a < 1e-6 }

func TestOriginsExitCodes(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("org,name,country,kind,source\nx,X,USA,company,https://x\n"), 0o644)
	cases := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"rank", "--group", "continent"}, exitUsage, "--group must be org or country"},
		{[]string{"rank", "--attribution", "fractional"}, exitUsage, "need --group"},
		{[]string{"rank", "--group", "org", "--attribution", "half"}, exitUsage, "unknown attribution"},
		{[]string{"origins", "--list", "US"}, exitUsage, "FROM:TO"},
		{[]string{"origins", "extra"}, exitUsage, "no arguments"},
		{[]string{"origins", "--from", "January"}, exitUsage, "bad date"},
		{[]string{"timeline", "--from", "2025-03", "--to", "2025-01"}, exitUsage, "after --to"},
		{[]string{"timeline", "--by", "planet"}, exitUsage, "unknown grouping"},
		{[]string{"timeline", "--chart", "x.gif"}, exitUsage, "unsupported chart format"},
		{[]string{"timeline", "--relation", "finetuned"}, exitUsage, "unknown relation"},
		{[]string{"velocity"}, exitUsage, "one or more MODEL"},
		{[]string{"velocity", "x/y", "--days", "seven"}, exitUsage, "--days"},
		{[]string{"velocity", "deepseek-ai/deepseek-r2"}, exitFailure, "did you mean deepseek-ai/DeepSeek-R1"},
		{[]string{"velocity", "nobody/*"}, exitFailure, "matches no foundation"},
		{[]string{"velocity", "[x"}, exitUsage, "bad pattern"},
		{[]string{"report"}, exitUsage, "-o FILE"},
		{[]string{"report", "-o", "x.html", "--json"}, exitUsage, "writes HTML"},
		{[]string{"origins", "--origins", "/nonexistent/origins.csv"}, exitFailure, "no such file"},
		{[]string{"rank", "--group", "org", "--origins", bad}, exitFailure, `bad.csv:2: invalid origins table: country "USA"`},
	}
	for _, c := range cases {
		_, errOut, code := runCmd(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.stderr) {
			t.Errorf("lineage %s: exit %d, stderr %q; want exit %d and stderr containing %q", strings.Join(c.args, " "), code, errOut, c.code, c.stderr)
		}
	}
}

func svgHasTexts(t *testing.T, data []byte, want ...string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	texts := map[string]bool{}
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed: %v", err)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			inText = v.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				texts[string(v)] = true
			}
		}
	}
	for _, w := range want {
		if !texts[w] {
			t.Errorf("SVG has no text %q", w)
		}
	}
}

func TestOriginsCharts(t *testing.T) {
	dir := t.TempDir()
	for _, ext := range []string{".png", ".svg"} {
		tl := filepath.Join(dir, "timeline"+ext)
		if _, errOut, code := runCmd(t, withOrigins("timeline", "--chart", tl)...); code != 0 {
			t.Fatalf("timeline --chart: exit %d: %s", code, errOut)
		}
		vel := filepath.Join(dir, "velocity"+ext)
		if _, errOut, code := runCmd(t, withOrigins("velocity", "us/base", "cn/base", "--chart", vel)...); code != 0 {
			t.Fatalf("velocity --chart: exit %d: %s", code, errOut)
		}
		for _, f := range []string{tl, vel} {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if ext == ".png" {
				if _, err := png.Decode(bytes.NewReader(data)); err != nil {
					t.Errorf("%s: not a PNG: %v", f, err)
				}
			}
		}
		if ext == ".svg" {
			data, _ := os.ReadFile(tl)
			svgHasTexts(t, data, "US (United States)", "CN (China)", "unknown", "2024-01", "new derivatives")
			data, _ = os.ReadFile(vel)
			svgHasTexts(t, data, "us/base (2024-01-01, data to day 60)", "cn/base (2024-02-01, data to day 29)")
		}
	}
}

func TestOriginsReport(t *testing.T) {
	dir := t.TempDir()
	// A hostile organisation name must come out escaped.
	hostile := filepath.Join(dir, "hostile.csv")
	os.WriteFile(hostile, []byte("org,name,country,kind,source\nus,\"<script>alert('us')</script>\",US,lab,https://us.example\n"), 0o644)
	out := filepath.Join(dir, "report.html")
	_, errOut, code := runCmd(t, "report", "-o", out, "--in", originsGraph, "--origins", originsTable, "--origins", hostile, "--velocity", "us/base,cn/base")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	html := string(data)
	for _, want := range []string{
		"<!DOCTYPE html>", "sha256:", "origins-table.csv", "hostile.csv", "us/base", "cn/base",
		"&lt;script&gt;alert(&#39;us&#39;)&lt;/script&gt;", `src="data:image/png;base64,`, "Cross-origin matrix",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Errorf("report holds an unescaped <script>")
	}
	if n := strings.Count(html, `src="data:image/png;base64,`); n != 3 {
		t.Errorf("report has %d inlined charts, want 3 (timeline, foundations, velocity)", n)
	}
	if strings.Contains(html, "http://") || strings.Contains(html, `src="http`) {
		t.Errorf("report refers to a server")
	}
}

// TestOriginsCoverage checks that origins, rank --group, timeline and
// report say how much the origins table places and what it misses, on the
// golden graph (xx/base's organisation is not in the table: 5 of 6
// derivatives placed) and with cn marked as a re-host namespace (cn/base's
// 3 derivatives then sit under a re-host; us/merge and zz/q keep half of
// their credit from us/base: 3 of 6 placed).
func TestOriginsCoverage(t *testing.T) {
	rehost := filepath.Join(t.TempDir(), "rehost.csv")
	os.WriteFile(rehost, []byte("org,name,country,kind,source\ncn,CN re-uploads,,rehost,https://cn.example\n"), 0o644)
	for _, c := range []struct {
		extra []string
		want  []string
	}{
		{nil, []string{"coverage: foundation country known for 5 of 6 derivatives (83.3%;", "top unknown foundation organisations (derivatives): xx 1 (not in table)"}},
		{[]string{"--origins", rehost}, []string{"coverage: foundation country known for 3 of 6 derivatives (50.0%;",
			"3 derivatives sit under 1 foundations in re-host namespaces", "cn 3 (rehost), xx 1 (not in table)"}},
	} {
		for _, cmd := range [][]string{{"origins"}, {"rank", "--group", "country"}, {"rank", "--group", "org"}, {"timeline"}} {
			args := append(withOrigins(cmd...), c.extra...)
			out, errOut, code := runCmd(t, args...)
			if code != 0 {
				t.Fatalf("lineage %s: exit %d: %s", strings.Join(args, " "), code, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("lineage %s: output lacks %q:\n%s", strings.Join(args, " "), w, out)
				}
			}
			out, _, _ = runCmd(t, append(args, "--json")...)
			var v struct {
				Coverage struct {
					Known       float64 `json:"known"`
					UnderRehost int     `json:"under_rehost"`
				} `json:"coverage"`
			}
			if err := json.Unmarshal([]byte(out), &v); err != nil || v.Coverage.Known == 0 {
				t.Errorf("lineage %s --json: no coverage object (%v)", strings.Join(args, " "), err)
			}
		}
	}
	out := filepath.Join(t.TempDir(), "r.html")
	if _, errOut, code := runCmd(t, "report", "-o", out, "--in", originsGraph, "--origins", originsTable, "--origins", rehost); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	data, _ := os.ReadFile(out)
	for _, w := range []string{"Foundation country known for <b>3</b> of 6 derivatives (<b>50.0%</b>", "3 derivatives sit under 1 foundations in re-host namespaces",
		`<td class="l">cn</td><td class="l">rehost</td><td>3</td>`} {
		if !strings.Contains(string(data), w) {
			t.Errorf("report lacks %q", w)
		}
	}
}

// TestReportVelocityMarksPartialWindows: the report's velocity table marks
// the windows the data does not cover with "*", as velocity does (R1's 365
// days on the sample, the crawl ending before them), with the footnote.
func TestReportVelocityMarksPartialWindows(t *testing.T) {
	models := []string{"deepseek-ai/DeepSeek-R1", "HuggingFaceTB/SmolLM2-1.7B", "deepseek-ai/DeepSeek-V3"}
	out, errOut, code := runCmd(t, append([]string{"velocity", "--json", "--quiet"}, models...)...)
	if code != 0 {
		t.Fatalf("velocity: exit %d: %s", code, errOut)
	}
	var v struct {
		Models []struct {
			ID      string `json:"id"`
			Windows []struct {
				Derivatives float64 `json:"derivatives"`
				Complete    bool    `json:"complete"`
			} `json:"windows"`
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "r.html")
	if _, errOut, code := runCmd(t, "report", "-o", file, "--quiet", "--velocity", strings.Join(models, ",")); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	data, _ := os.ReadFile(file)
	html := string(data)
	partial := false
	for _, m := range v.Models {
		var cells []string
		for _, w := range m.Windows {
			c := "<td>" + trimFloat(w.Derivatives)
			if !w.Complete {
				c += "*"
				partial = true
			}
			cells = append(cells, c+"</td>")
		}
		if want := `<td class="l">` + m.ID + `</td><td class="l">`; !strings.Contains(html, want) {
			t.Fatalf("report has no velocity row for %s", m.ID)
		}
		row := html[strings.Index(html, `<td class="l">`+m.ID+`</td><td class="l">`):]
		row = row[:strings.Index(row, "</tr>")]
		if !strings.Contains(row, strings.Join(cells, "")) {
			t.Errorf("report's velocity row of %s = %s, want the windows %s", m.ID, row, strings.Join(cells, ""))
		}
	}
	if !partial {
		t.Fatalf("no partial window among %v: the test lost its point", models)
	}
	if !strings.Contains(html, "*: the window ends after the newest creation time in the input") {
		t.Errorf("report lacks the footnote of *")
	}
}

// TestSmallSharesNeverZero: a share that is not zero never prints as
// 0.0% in a table: the sample's small countries (1 derivative of 31,603)
// print as <0.1%.
func TestSmallSharesNeverZero(t *testing.T) {
	for _, args := range [][]string{
		{"rank", "--group", "country", "--top", "0"},
		{"rank", "--group", "org", "--top", "0"},
		{"timeline", "--top", "12"},
		{"origins"},
	} {
		out, errOut, code := runCmd(t, args...)
		if code != 0 {
			t.Fatalf("lineage %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		table, _, _ := strings.Cut(out, "\nDERIVATIVES:") // rank: the table only
		for _, line := range strings.Split(table, "\n") {
			if strings.HasPrefix(line, "unknown") || strings.HasPrefix(line, "Author country") || strings.HasPrefix(line, "coverage") {
				continue // notes that state a share even when it is zero
			}
			if strings.Contains(line, " 0.0%") || strings.Contains(line, "(0.0%)") {
				t.Errorf("lineage %s prints a non-zero share as 0.0%%: %s", strings.Join(args, " "), line)
				break
			}
		}
		if args[0] == "rank" && !strings.Contains(out, "<0.1%") {
			t.Errorf("lineage %s: no <0.1%% share; the sample has groups under 0.05%%", strings.Join(args, " "))
		}
	}
}
