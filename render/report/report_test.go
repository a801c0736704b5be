package report

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"flag"
	"html"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/render/chart"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const hostile = `<script>alert("x")</script> & co`

// sampleData is a small report: two countries and the unknown bucket,
// folded rows, a month with a partial cell, a hostile organisation name
// and a model of unknown creation time.
func sampleData() Data {
	return Data{
		Attribution: "full", Rule: "a derivative counts once for every foundation it is built on", Counted: 6,
		Manifest: []Field{{Name: "input digest", Value: "sha256:00"}, {Name: "sources", Value: "a.jsonl, " + hostile}},
		Coverage: Coverage{Known: 4.5, Derivatives: 6, KnownShare: 0.75, UnderRehost: 2, RehostFoundations: 1, UnknownOrgs: 3,
			Unknown: []UnknownOrg{{Org: "rh", Reason: "rehost", Derivatives: 2, Foundations: 1, Top: "rh/base"}, {Org: "", Reason: "not in table", Derivatives: 1, Foundations: 1, Top: "gpt2"}}},
		Countries: []Group{
			{Key: "US", Label: "US (United States)", Credit: 4, Share: 4.0 / 6, Foundations: 1, Top: "us/base"},
			{Key: "CN", Label: "CN (China)", Credit: 3, Share: 0.5, Foundations: 1, Top: "cn/base"},
			{Key: "unknown", Credit: 1, Share: 1.0 / 6, Foundations: 1, Top: "xx/base"},
			{Key: "other", Credit: 0.5, Share: 0.0001, Folded: true},
		},
		Orgs: []Group{{Key: hostile, Country: "US", Credit: 4, Share: 4.0 / 6, Foundations: 1, HubOrgs: []string{"us"}}},
		Foundations: []Group{
			{Key: "us/base", Credit: 4, Share: 4.0 / 6},
			{Key: "cn/base", Credit: 3, Share: 0.5},
		},
		Timeline: Timeline{
			By:      "country",
			Columns: []Column{{Key: "US", Label: "US (United States)"}, {Key: "CN", Label: "CN (China)"}, {Key: "unknown", Neutral: true}},
			Months: []Month{
				{Month: "2024-01", New: 2, Cells: []Cell{{Credit: 2, Share: 1, Present: true}, {}, {}}},
				{Month: "2024-02", New: 0, Cells: []Cell{{}, {}, {}}},
				{Month: "2024-03", New: 7000, Cells: []Cell{{Credit: 6999, Share: 0.999857, Present: true}, {Credit: 1, Share: 0.000143, Present: true}, {}}},
			},
			Total: Month{Month: "total", New: 7002, Cells: []Cell{{Credit: 7001, Share: 0.999857, Present: true}, {Credit: 1, Share: 0.000143, Present: true}, {}}},
			Dated: 7002, Undated: 1,
		},
		Matrix: Matrix{
			Columns:     []string{"US", "CN"},
			Rows:        []MatrixRow{{Country: "US", Derivatives: 3, Cells: []Cell{{Credit: 2, Share: 2.0 / 3, Present: true}, {Credit: 2, Share: 2.0 / 3, Present: true}}}},
			Derivatives: 6, KnownAuthor: 4, NotInTable: 1, NoCountry: 1, UnknownShare: 1.0 / 3,
		},
		Velocity: Velocity{
			Days: []int{7, 30},
			Models: []VelocityModel{
				{ID: "us/base", Created: "2024-01-01", Windows: []Window{{Credit: 1}, {Credit: 2, Partial: true}}, All: 4, Dated: 4},
				{ID: hostile, All: 1, Undated: 1},
			},
			Curves: []chart.Curve{{Name: "us/base (2024-01-01, data to day 20)", X: []float64{0, 10, 20}, Y: []float64{0, 1, 2}}},
		},
	}
}

var dataURL = regexp.MustCompile(`data:image/png;base64,([A-Za-z0-9+/=]|&#43;)+`) // html/template writes + as &#43;

// TestWriteGolden compares the page, with its inlined charts replaced by a
// placeholder, to testdata/report.html; the charts are checked to be PNGs.
func TestWriteGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sampleData()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	urls := dataURL.FindAllString(page, -1)
	if len(urls) != 3 {
		t.Errorf("page inlines %d charts, want 3 (timeline, foundations, velocity)", len(urls))
	}
	for _, u := range urls {
		data, err := base64.StdEncoding.DecodeString(html.UnescapeString(strings.TrimPrefix(u, "data:image/png;base64,")))
		if err != nil {
			t.Fatalf("chart data URL: %v", err)
		}
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			t.Errorf("inlined chart is not a PNG: %v", err)
		}
	}
	if strings.Contains(page, "<script>") || !strings.Contains(page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co") {
		t.Errorf("a hostile name is not escaped")
	}
	got := dataURL.ReplaceAllString(page, "data:image/png;base64,PNG")
	golden := filepath.Join("testdata", "report.html")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./render/report -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("Write differs from %s (go test ./render/report -update rewrites it; review the diff):\n%s", golden, lineDiff(string(want), got))
	}
}

// lineDiff lists the lines that differ, with their line numbers.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var x, y string
		if i < len(w) {
			x = w[i]
		}
		if i < len(g) {
			y = g[i]
		}
		if x != y {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want " + x + "\n  got  " + y + "\n")
		}
	}
	return b.String()
}

// TestWriteWithoutCharts: a report of nothing names the charts it could
// not draw instead of failing.
func TestWriteWithoutCharts(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, Data{Attribution: "full"}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{"chart not drawn: timeline: chart: no dated derivatives to draw", "chart not drawn: foundations: no foundation has a derivative"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(html, "data:image/png") {
		t.Errorf("page inlines a chart of nothing")
	}
}

// svgTexts returns the content of an SVG's <text> elements.
func svgTexts(t *testing.T, data []byte) map[string]bool {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	texts := map[string]bool{}
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return texts
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
}

func TestCharts(t *testing.T) {
	d := sampleData()
	for _, c := range []struct {
		name  string
		draw  func(io.Writer) error
		texts []string
	}{
		{"timeline", func(w io.Writer) error { return TimelineChart(w, chart.SVG, d.Timeline, "full") },
			[]string{"US (United States)", "CN (China)", "unknown", "2024-01", "% of new derivatives' credit"}},
		{"foundations", func(w io.Writer) error { return FoundationsChart(w, chart.SVG, d.Foundations, "full") },
			[]string{"Top 2 foundations by derivatives (full attribution)", "us/base", "4"}},
		{"velocity", func(w io.Writer) error { return VelocityChart(w, chart.SVG, d.Velocity, "full") },
			[]string{"us/base (2024-01-01, data to day 20)", "days since the model's creation"}},
	} {
		var buf bytes.Buffer
		if err := c.draw(&buf); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		texts := svgTexts(t, buf.Bytes())
		for _, want := range c.texts {
			if !texts[want] {
				t.Errorf("%s chart has no text %q", c.name, want)
			}
		}
	}
	var buf bytes.Buffer
	err := VelocityChart(&buf, chart.SVG, Velocity{Models: []VelocityModel{{ID: "a/undated"}}}, "full")
	if err == nil || !strings.Contains(err.Error(), "a/undated") {
		t.Errorf("VelocityChart(no curve) = %v, want an error naming a/undated", err)
	}
}

func TestFormats(t *testing.T) {
	for _, c := range []struct {
		x    float64
		want string
	}{{0, "0.0%"}, {0.5, "50.0%"}, {1, "100.0%"}, {0.0006, "0.1%"}, {1.25, "125.0%"}} {
		if got := Share(c.x); got != c.want {
			t.Errorf("Share(%v) = %q, want %q", c.x, got, c.want)
		}
	}
	for _, c := range []struct {
		x    float64
		want string
	}{{3, "3"}, {2.5, "2.5"}, {0.333333, "0.3"}, {2.96, "3"}} {
		if got := Credit(c.x); got != c.want {
			t.Errorf("Credit(%v) = %q, want %q", c.x, got, c.want)
		}
	}
	if CellCredit(2, true) != "2.0" || CellCredit(2, false) != "2" {
		t.Errorf("CellCredit(2) = %q fractional, %q full; want 2.0, 2", CellCredit(2, true), CellCredit(2, false))
	}
}

// TestVelocityPartialWindows: a window the data does not cover keeps its
// "*" in the report, with the footnote, as in the CLI's table.
func TestVelocityPartialWindows(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sampleData()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{"<td>1</td><td>2*</td>", "*: the window ends after the newest creation time in the input"} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	d := sampleData()
	d.Velocity.Models[0].Windows[1].Partial = false
	buf.Reset()
	Write(&buf, d)
	if strings.Contains(buf.String(), "*: the window ends") {
		t.Errorf("report has the footnote without a partial window")
	}
}

// TestSmallShares: no share that is not zero prints as 0.0%, in any table
// of the report.
func TestSmallShares(t *testing.T) {
	for _, c := range []struct {
		x    float64
		want string
	}{{0.0001, "<0.1%"}, {0.000499, "<0.1%"}, {1e-12, "<0.1%"}, {0.9996, ">99.9%"}, {0.99999, ">99.9%"}} {
		if got := Share(c.x); got != c.want {
			t.Errorf("Share(%v) = %q, want %q", c.x, got, c.want)
		}
	}
	var buf bytes.Buffer
	Write(&buf, sampleData())
	page := buf.String()
	// sampleData's "other" row has a share of 0.01%, its March cells
	// 99.9857% and 0.0143%.
	for _, want := range []string{"<td>0.5</td><td>&lt;0.1%</td>", "6999 (&gt;99.9%)", "1 (&lt;0.1%)"} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(page, ">0.0%<") {
		t.Errorf("report prints a non-zero share as 0.0%%")
	}
}

// TestTimelineChartCounts: the monthly chart shows how many derivatives
// each month holds in a panel of its own (a month of 2 must not look like
// a month of 700), and says that the bars above are shares.
func TestTimelineChartCounts(t *testing.T) {
	var buf bytes.Buffer
	if err := TimelineChart(&buf, chart.SVG, sampleData().Timeline, "full"); err != nil {
		t.Fatal(err)
	}
	texts := svgTexts(t, buf.Bytes())
	for _, want := range []string{"new derivatives", "% of new derivatives' credit"} {
		if !texts[want] {
			t.Errorf("timeline chart has no text %q", want)
		}
	}
}
