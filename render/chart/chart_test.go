package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math"
	"strings"
	"testing"
)

// svgTexts parses an SVG and returns the content of its <text> elements;
// it fails the test when the document is not well-formed XML.
func svgTexts(t *testing.T, data []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	var texts []string
	inText := false
	sawSVG := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			if v.Name.Local == "svg" {
				sawSVG = true
			}
			if v.Name.Local == "script" {
				t.Fatalf("SVG holds a <script> element")
			}
			inText = v.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				texts = append(texts, string(v))
			}
		}
	}
	if !sawSVG {
		t.Fatalf("no <svg> element")
	}
	return texts
}

func checkPNG(t *testing.T, data []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 500 {
		t.Errorf("PNG is %dx%d, want at least 1000x500 (144 dpi)", b.Dx(), b.Dy())
	}
}

func hasText(texts []string, s string) bool {
	for _, x := range texts {
		if x == s {
			return true
		}
	}
	return false
}

const hostile = `<script>alert("x")</script> & co`

// charts draws every kind of chart with the given names.
var charts = []struct {
	name  string
	draw  func(w io.Writer, f Format) error
	texts []string // must appear as SVG text
}{
	{"stacked", func(w io.Writer, f Format) error {
		return StackedShares(w, f, Options{Title: "Monthly shares", YLabel: "%", BarLabels: []string{"10", "20", "5"}},
			[]string{"2024-01", "2024-02", "2024-03"},
			[]Series{{Name: "US", Values: []float64{60, 50, 40}}, {Name: "CN", Values: []float64{30, 45, 40}}, {Name: hostile, Values: []float64{10, 5, 20}, Neutral: true}})
	}, []string{"Monthly shares", "US", "CN", hostile, "2024-01", "20"}},
	{"stacked with counts", func(w io.Writer, f Format) error {
		return StackedShares(w, f, Options{Title: "Monthly shares", YLabel: "%", XLabel: "month", Counts: []float64{1, 704, 0}, CountsLabel: "new models"},
			[]string{"2024-01", "2024-02", "2024-03"},
			[]Series{{Name: "US", Values: []float64{100, 50, 0}}, {Name: "CN", Values: []float64{0, 50, 0}}})
	}, []string{"new models", "month", "%", "2024-01", "600"}},
	{"bars", func(w io.Writer, f Format) error {
		return Bars(w, f, Options{Title: "Top foundations", XLabel: "derivatives"}, []string{"google/gemma-7b", "meta-llama/Llama-2-7b", hostile}, []float64{3618, 1732, 0.5})
	}, []string{"Top foundations", "google/gemma-7b", "meta-llama/Llama-2-7b", hostile, "3618", "0.5"}},
	{"curves", func(w io.Writer, f Format) error {
		return Curves(w, f, Options{Title: "Velocity", XLabel: "days"}, []Curve{
			{Name: "deepseek-ai/DeepSeek-R1", X: []float64{0, 1, 2}, Y: []float64{0, 10, 30}},
			{Name: "meta-llama/Llama-2-7b", X: []float64{0, 1, 2}, Y: []float64{0, 1, 2}},
			{Name: hostile, X: []float64{0, 2}, Y: []float64{0, 5}},
		})
	}, []string{"Velocity", "deepseek-ai/DeepSeek-R1", "meta-llama/Llama-2-7b", hostile}},
}

func TestChartsPNGAndSVG(t *testing.T) {
	for _, c := range charts {
		t.Run(c.name, func(t *testing.T) {
			var p, s bytes.Buffer
			if err := c.draw(&p, PNG); err != nil {
				t.Fatalf("PNG: %v", err)
			}
			checkPNG(t, p.Bytes())
			if err := c.draw(&s, SVG); err != nil {
				t.Fatalf("SVG: %v", err)
			}
			texts := svgTexts(t, s.Bytes())
			for _, want := range c.texts {
				if !hasText(texts, want) {
					t.Errorf("SVG has no text %q (texts: %q)", want, texts)
				}
			}
			if bytes.Contains(s.Bytes(), []byte("<script>")) {
				t.Errorf("SVG holds an unescaped hostile name")
			}
			// Deterministic: the same input draws the same bytes.
			var again bytes.Buffer
			c.draw(&again, SVG)
			if !bytes.Equal(again.Bytes(), s.Bytes()) {
				t.Errorf("two SVG renderings differ")
			}
		})
	}
}

func TestChartErrors(t *testing.T) {
	var w bytes.Buffer
	errs := map[string]error{
		"no periods":      StackedShares(&w, PNG, Options{}, nil, []Series{{Name: "a"}}),
		"short series":    StackedShares(&w, PNG, Options{}, []string{"a", "b"}, []Series{{Name: "x", Values: []float64{1}}}),
		"NaN":             StackedShares(&w, PNG, Options{}, []string{"a"}, []Series{{Name: "x", Values: []float64{math.NaN()}}}),
		"counts mismatch": StackedShares(&w, PNG, Options{Counts: []float64{1, 2}}, []string{"a"}, []Series{{Name: "x", Values: []float64{1}}}),
		"counts NaN":      StackedShares(&w, PNG, Options{Counts: []float64{math.NaN()}}, []string{"a"}, []Series{{Name: "x", Values: []float64{1}}}),
		"bars mismatch":   Bars(&w, PNG, Options{}, []string{"a"}, []float64{1, 2}),
		"bars Inf":        Bars(&w, PNG, Options{}, []string{"a"}, []float64{math.Inf(1)}),
		"no curves":       Curves(&w, PNG, Options{}, nil),
		"curve mismatch":  Curves(&w, PNG, Options{}, []Curve{{Name: "a", X: []float64{1}, Y: []float64{1, 2}}}),
		"unknown format":  Bars(&w, Format(9), Options{}, []string{"a"}, []float64{1}),
		"empty curve":     Curves(&w, SVG, Options{}, []Curve{{Name: "a"}}),
		"NaN curve point": Curves(&w, SVG, Options{}, []Curve{{Name: "a", X: []float64{0}, Y: []float64{math.NaN()}}}),
	}
	for name, err := range errs {
		if err == nil {
			t.Errorf("%s: nil error", name)
		}
	}
	if err := Bars(&w, Format(9), Options{}, []string{"a"}, []float64{1}); !errors.Is(err, ErrFormat) {
		t.Errorf("unknown format: %v, want ErrFormat", err)
	}
}

func TestFormatFor(t *testing.T) {
	for name, want := range map[string]Format{"a.png": PNG, "A.PNG": PNG, "dir.x/b.svg": SVG} {
		if f, err := FormatFor(name); err != nil || f != want {
			t.Errorf("FormatFor(%q) = %v, %v; want %v", name, f, err, want)
		}
	}
	for _, name := range []string{"a.gif", "svg", "a.svg.gz"} {
		if _, err := FormatFor(name); !errors.Is(err, ErrFormat) {
			t.Errorf("FormatFor(%q) error = %v, want ErrFormat", name, err)
		}
	}
	if PNG.String() != "png" || SVG.String() != "svg" || !strings.HasPrefix(Format(7).String(), "format(") {
		t.Errorf("Format.String() = %s %s %s", PNG, SVG, Format(7))
	}
}

func TestZeroValues(t *testing.T) {
	// Zero bars and flat curves still draw.
	var w bytes.Buffer
	if err := Bars(&w, SVG, Options{}, []string{"a", "b"}, []float64{0, 0}); err != nil {
		t.Errorf("Bars(zeros): %v", err)
	}
	if err := Curves(&w, PNG, Options{}, []Curve{{Name: "flat", X: []float64{0, 1}, Y: []float64{0, 0}}}); err != nil {
		t.Errorf("Curves(flat): %v", err)
	}
	if err := StackedShares(&w, PNG, Options{}, []string{"m"}, []Series{{Name: "a", Values: []float64{0}}}); err != nil {
		t.Errorf("StackedShares(zero): %v", err)
	}
}
