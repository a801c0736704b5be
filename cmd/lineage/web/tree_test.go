package web

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// TestTreeCaptionMatchesLegend checks the words under the drawing against
// the legend inside it: for every sample edge of the DOT's legend, the
// caption names the relation with the legend's line style, says inferred
// relations are pale with hollow arrows when the legend has that sample,
// and names no relation the legend lacks (the caption once said "Dashed
// edges: relation inferred", where dashed edges are adapters).
func TestTreeCaptionMatchesLegend(t *testing.T) {
	var mu sync.Mutex
	dots := map[string]string{}
	capture := func(ctx context.Context, dot []byte) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		dots[string(dot)] = string(dot)
		return []byte(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" data-dot="%d"></svg>`, len(dot))), nil
	}
	_, h := newTestServer(t, func(o *Options) { o.Render = capture })
	for _, q := range []string{"Base/LLM?dir=down&max=100&fold=0", "Base/LLM?dir=both&max=100&fold=1", "org/mix?dir=both&max=80&fold=1", "org/chat-GGUF?dir=up&max=80&fold=1"} {
		page := get(t, h, "/model/"+q).Body.String()
		m := regexp.MustCompile(`(?s)id="tree-caption">(.*?)<a `).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("%s: no tree caption", q)
		}
		caption := html.UnescapeString(m[1])
		clear(dots)
		if w := get(t, h, "/tree/"+q); w.Code != 200 {
			t.Fatalf("%s: tree = %d", q, w.Code)
		}
		if len(dots) != 1 {
			t.Fatalf("%s: %d renders, want 1", q, len(dots))
		}
		var dot string
		for _, d := range dots {
			dot = d
		}
		legend := legendEdges(t, dot)
		if strings.Contains(caption, "Dashed edges: relation inferred") {
			t.Errorf("%s: caption %q keeps the wrong key", q, caption)
		}
		inLegend := map[string]bool{}
		for _, e := range legend {
			if e.arrow == "onormal" {
				if !strings.Contains(caption, "inferred relations pale with hollow arrows") {
					t.Errorf("%s: the legend shows an inferred sample, the caption %q does not explain it", q, caption)
				}
				continue
			}
			inLegend[e.label] = true
			if !strings.Contains(caption, e.label+" "+e.style) {
				t.Errorf("%s: the legend draws %s %s; the caption says %q", q, e.label, e.style, caption)
			}
		}
		key := caption[strings.Index(caption, "Edges: ")+len("Edges: "):]
		for _, part := range strings.Split(strings.Split(key, ";")[0], ", ") {
			rel := strings.Fields(part)[0]
			if !inLegend[rel] {
				t.Errorf("%s: the caption names %q, which the legend does not show (legend %v)", q, rel, legend)
			}
		}
	}
}

type legendEdge struct{ label, style, arrow string }

// legendEdges reads the legend's sample edges from DOT text: the label of
// each legend_eK node and the style and arrowhead of its edge.
func legendEdges(t *testing.T, dot string) []legendEdge {
	t.Helper()
	val := func(attrs, key string) string {
		m := regexp.MustCompile(`\b` + key + `=("([^"]*)"|[A-Za-z0-9_.]+)`).FindStringSubmatch(attrs)
		if m == nil {
			return ""
		}
		if m[2] != "" {
			return m[2]
		}
		return m[1]
	}
	labels := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s*(legend_e\d+) \[(.*)\];$`).FindAllStringSubmatch(dot, -1) {
		labels[m[1]] = val(m[2], "label")
	}
	var out []legendEdge
	for _, m := range regexp.MustCompile(`(?m)^\s*(legend_e\d+) -> legend_e\d+_to \[(.*)\];$`).FindAllStringSubmatch(dot, -1) {
		out = append(out, legendEdge{labels[m[1]], val(m[2], "style"), val(m[2], "arrowhead")})
	}
	if len(out) == 0 {
		t.Fatalf("no legend edges in:\n%s", dot)
	}
	return out
}
