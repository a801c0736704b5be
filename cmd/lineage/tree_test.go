package main

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTreeOutputFormat checks how tree picks its format from -o: the four
// known extensions (and none) write, any other extension is a usage error
// naming the formats, and writes nothing.
func TestTreeOutputFormat(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		out    string
		args   []string
		code   int
		prefix string // of the file written
	}{
		{"x.dot", nil, exitOK, "digraph lineage {"},
		{"x.gv", nil, exitOK, "digraph lineage {"},
		{"x", nil, exitOK, "digraph lineage {"},
		{"x.mmd", nil, exitOK, "---\ntitle:"},
		{"X.MMD", nil, exitOK, "---\ntitle:"},
		{"x.jpg", nil, exitUsage, ""},
		{"x.jpeg", nil, exitUsage, ""},
		{"x.pdf", nil, exitUsage, ""},
		{"x.jpg", []string{"--format", "jpg"}, exitUsage, ""},
		{"x.txt", []string{"--format", "dot"}, exitOK, "digraph lineage {"}, // an explicit format wins
	} {
		path := filepath.Join(dir, tc.out)
		os.Remove(path)
		args := append([]string{"tree", "perplexity-ai/r1-1776", "--quiet", "-o", path}, tc.args...)
		_, errOut, code := runCmd(t, args...)
		if code != tc.code {
			t.Errorf("lineage %s: exit %d, want %d; stderr: %s", strings.Join(args, " "), code, tc.code, errOut)
			continue
		}
		data, err := os.ReadFile(path)
		if tc.code != exitOK {
			if err == nil {
				t.Errorf("lineage %s: wrote %s on a usage error", strings.Join(args, " "), tc.out)
			}
			for _, ext := range []string{"dot", "mmd", "svg", "png"} {
				if !strings.Contains(errOut, ext) {
					t.Errorf("lineage %s: the usage error %q does not name %s", strings.Join(args, " "), errOut, ext)
				}
			}
			continue
		}
		if err != nil || !strings.HasPrefix(string(data), tc.prefix) {
			t.Errorf("lineage %s: file starts %.40q (%v), want %q", strings.Join(args, " "), data, err, tc.prefix)
		}
	}
}

// TestExportDOTGolden checks export --format dot, written through package
// render's DOT writer, against golden files: the fixture store, and the
// family of one model (which is lineage tree's drawing, unfolded).
func TestExportDOTGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
	}{
		{"export.dot", withInputs("export", "--format", "dot")},
		{"export-family.dot", withInputs("export", "--format", "dot", "--family", "acme/base-7b")},
	} {
		out, errOut, code := runCmd(t, c.args...)
		if code != 0 {
			t.Fatalf("lineage %s: exit %d: %s", strings.Join(c.args, " "), code, errOut)
		}
		golden := filepath.Join("../../testdata/golden", c.name)
		if *update {
			if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./cmd/lineage -update to create it)", err)
		}
		if out != string(want) {
			t.Errorf("lineage %s: output differs from %s (go test ./cmd/lineage -update rewrites it)\n%s", strings.Join(c.args, " "), golden, lineDiff(string(want), out))
		}
	}
}

// checkScript, appended to a drawn SVG, measures it in the browser once
// its fonts are loaded: every text of a node must lie inside the node's
// shape (the innermost, for double borders), every legend node inside the
// legend's box, and the caption inside the drawing. It writes what it found
// as JSON into the data-check attribute of the root element.
const checkScript = `<script><![CDATA[
document.fonts.ready.then(function () {
  var out = {nodes: 0, texts: 0, legend: 0, problems: [], font: false};
  document.fonts.forEach(function (f) { out.font = out.font || (f.family.replace(/"/g, "") === "lineage-sans" && f.status === "loaded"); });
  function box(e) { var b = e.getBBox(); return {x: b.x, y: b.y, w: b.width, h: b.height}; }
  function inside(a, b) { var t = 0.5; return a.x >= b.x - t && a.y >= b.y - t && a.x + a.w <= b.x + b.w + t && a.y + a.h <= b.y + b.h + t; }
  function str(b) { return [b.x, b.y, b.w, b.h].map(function (v) { return v.toFixed(1); }).join(","); }
  var root = document.querySelector("g#lineage");
  var bg = box(root.querySelector(":scope > polygon"));
  var legendBox = null;
  document.querySelectorAll("g.cluster").forEach(function (c) {
    if (c.id === "legend") { legendBox = box(c.querySelector("path, polygon")); }
  });
  document.querySelectorAll("g.node").forEach(function (g) {
    out.nodes++;
    var shapes = Array.prototype.slice.call(g.querySelectorAll("path, polygon, ellipse")).map(box);
    shapes.sort(function (a, b) { return a.w * a.h - b.w * b.h; });
    var title = g.querySelector("title").textContent;
    var inLegend = title.indexOf("legend_") === 0;
    g.querySelectorAll("text").forEach(function (t) {
      out.texts++;
      var b = box(t);
      if (shapes.length > 0 && !inside(b, shapes[0])) {
        out.problems.push(title + " text " + JSON.stringify(t.textContent) + " [" + str(b) + "] outside its shape [" + str(shapes[0]) + "]");
      }
      if (inLegend) {
        out.legend++;
        if (!legendBox || !inside(b, legendBox)) {
          out.problems.push("legend entry " + JSON.stringify(t.textContent) + " [" + str(b) + "] outside the legend [" + (legendBox ? str(legendBox) : "none") + "]");
        }
      }
    });
  });
  root.querySelectorAll(":scope > text").forEach(function (t) {
    var b = box(t);
    out.caption = t.textContent;
    if (!inside(b, bg)) { out.problems.push("caption " + JSON.stringify(t.textContent) + " [" + str(b) + "] clipped by the drawing [" + str(bg) + "]"); }
  });
  document.documentElement.setAttribute("data-check", JSON.stringify(out));
});
]]></script>`

// TestTreeTextInsideBoxes draws the R1 family and r1-1776's from the
// embedded sample with the real lineage-render, loads each SVG in headless
// Chromium (whose only fonts on a plain Debian are DejaVu, wider than the
// Helvetica metrics Graphviz lays text out with) and checks with getBBox
// that every label lies inside its box, the legend inside its frame and
// the caption inside the drawing.
func TestTreeTextInsideBoxes(t *testing.T) {
	chrome := chromium(t)
	bin := filepath.Join(t.TempDir(), "lineage-render")
	if out, err := exec.Command("go", "build", "-o", bin, "../lineage-render").CombinedOutput(); err != nil {
		t.Fatalf("build lineage-render: %v\n%s", err, out)
	}
	t.Setenv("LINEAGE_RENDER", bin)
	dir := t.TempDir()
	pages := map[string][]byte{}
	for _, model := range []string{"deepseek-ai/DeepSeek-R1", "perplexity-ai/r1-1776"} {
		path := filepath.Join(dir, filepath.Base(model)+".svg")
		if _, errOut, code := runCmd(t, "tree", model, "--quiet", "-o", path); code != 0 {
			t.Fatalf("tree %s: exit %d: %s", model, code, errOut)
		}
		svg, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.LastIndex(svg, []byte("</svg>"))
		if i < 0 {
			t.Fatalf("tree %s: no </svg>", model)
		}
		pages["/"+filepath.Base(model)+".svg"] = append(append(svg[:i:i], checkScript...), svg[i:]...)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Write(page)
	}))
	defer srv.Close()
	for name := range pages {
		dom := browse(t, chrome, srv.URL+name, "--dump-dom")
		m := regexp.MustCompile(`data-check="([^"]*)"`).FindStringSubmatch(dom)
		if m == nil {
			t.Fatalf("%s: the check did not run in the browser:\n%.500s", name, dom)
		}
		var res struct {
			Nodes, Texts, Legend int
			Font                 bool
			Caption              string
			Problems             []string
		}
		if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &res); err != nil {
			t.Fatalf("%s: %v: %s", name, err, m[1])
		}
		t.Logf("%s: %d nodes, %d texts (%d in the legend), embedded font loaded %v, caption %q", name, res.Nodes, res.Texts, res.Legend, res.Font, res.Caption)
		if res.Nodes < 10 || res.Texts < res.Nodes || res.Legend < 3 || res.Caption == "" {
			t.Errorf("%s: checked only %d nodes, %d texts, %d legend texts, caption %q", name, res.Nodes, res.Texts, res.Legend, res.Caption)
		}
		if !res.Font {
			t.Errorf("%s: the embedded font lineage-sans did not load", name)
		}
		for _, p := range res.Problems {
			t.Errorf("%s: %s", name, p)
		}
	}
}
