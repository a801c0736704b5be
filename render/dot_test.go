package render_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/render"
	"github.com/lineage-project/lineage/render/internal/rendertest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Hostile model ids: quoting, escapes, markup, newlines, unicode.
var hostileNames = []string{
	`evil/"><script>alert(1)</script>`,
	`back\slash\`,
	`new` + "\n" + `line` + "\r\n" + `x`,
	`subst/\N \G \E \L \n`,
	`amp/a&amp;b&lt;c`,
	`uni/日本語-モデル-ñ-🦙`,
	"bad/utf8-\xff\xfe",
	`mermaid/a]b[c"d#e;f|g<br/>h` + "`",
}

func hostileWorld() *rendertest.World {
	w := rendertest.New()
	w.Meta("root/base", 1234, "2024-02-02\"<b>")
	rels := []string{"finetune", "adapter", "quantized", "merge"}
	for i, n := range hostileNames {
		w.Add("root/base", n, rels[i%4])
		w.Add(n, n+"-child", "finetune")
	}
	return w
}

// goldenCases are rendered to testdata/NAME.dot and testdata/NAME.mmd.
func goldenCases() []struct {
	name string
	w    *rendertest.World
	root string
	opt  render.Options
} {
	return []struct {
		name string
		w    *rendertest.World
		root string
		opt  render.Options
	}{
		{"mistral", rendertest.Parse(mistralDSL), "mistralai/Mistral-7B-v0.1", render.Options{Fold: true}},
		{"zephyr-lr", rendertest.Parse(mistralDSL), "HuggingFaceH4/zephyr-7b-beta", render.Options{Fold: true, RankDir: "LR"}},
		{"diamond", rendertest.Parse(diamondDSL), "top", render.Options{}},
		{"cycle", rendertest.Parse(cycleDSL), "a", render.Options{Fold: true}},
		{"fanout", fanout(), "org/base", render.Options{Fold: true, MaxNodes: 8}},
		{"hostile", hostileWorld(), "root/base", render.Options{}},
		{"wide", wide(40), "org/base", render.Options{Fold: true}},
		{"recovered", rendertest.Parse(recoveredDSL), "org/base", render.Options{Fold: true}},
	}
}

// recoveredDSL has recovered edges (~) beside declared and inferred ones:
// drawn (a finetune, a merge parent), and folded into a badge (two of
// three quantized leaves).
const recoveredDSL = `
org/base = 900000 2024-01-01
org/chat: org/base finetune
org/chat = 50000 2024-02-01
re/chat-copy: org/base finetune~
re/chat-copy = 20000 2024-03-01
org/merged: org/chat merge re/chat-copy merge~
org/merged = 3000 2024-04-01
q/chat-gguf: org/chat quantized~
q/chat-awq: org/chat quantized~
q/chat-gptq: org/chat quantized
t/tuned: org/chat finetune?
t/tuned = 800 2024-05-01
`

// TestRecoveredStyle: a recovered edge is drawn dashed with an open
// circle head in its relation's colour, whatever its relation, with
// "recovered" in its class and its confidence in its tooltip; the legend
// and the style key explain it; folded recovered leaves are counted on
// their badge; in Mermaid it has long dashes. Without recovered edges,
// nothing says "recovered".
func TestRecoveredStyle(t *testing.T) {
	w := rendertest.Parse(recoveredDSL)
	f := selectT(t, w, render.Options{Root: w.ID("org/base"), Fold: true})
	var dot, mmd bytes.Buffer
	if err := f.WriteDOT(&dot); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteMermaid(&mmd); err != nil {
		t.Fatal(err)
	}
	var recovered, declared int
	for _, line := range strings.Split(dot.String(), "\n") {
		switch {
		case strings.Contains(line, `class="finetune recovered"`) || strings.Contains(line, `class="merge recovered"`):
			recovered++
			for _, want := range []string{"style=dashed", "arrowhead=odot", "(recovered, confidence 0.90; not declared)"} {
				if !strings.Contains(line, want) {
					t.Errorf("recovered edge lacks %s: %s", want, line)
				}
			}
		case strings.Contains(line, " -> n") && strings.Contains(line, "class=finetune,"):
			declared++
			if strings.Contains(line, "odot") || strings.Contains(line, "recovered") {
				t.Errorf("declared edge drawn as recovered: %s", line)
			}
		}
	}
	if recovered != 2 || declared != 1 {
		t.Errorf("%d recovered and %d declared finetune edges drawn, want 2 and 1:\n%s", recovered, declared, dot.String())
	}
	for _, want := range []string{`label="recovered, not declared (dashed, open circle)"`, `(2 recovered)`, `2 of them over recovered edges`} {
		if !strings.Contains(dot.String(), want) {
			t.Errorf("DOT lacks %q:\n%s", want, dot.String())
		}
	}
	if key := f.StyleKey(); !strings.Contains(key, "recovered edges (not declared, proposed from evidence) dashed with an open circle head") {
		t.Errorf("StyleKey() = %q", key)
	}
	if !strings.Contains(mmd.String(), `legend3a["recovered: not declared, proposed from evidence #40;long dashes#41;"] -.->`) || !strings.Contains(mmd.String(), `+3 quantized<br/>#40;2 recovered#41;`) || !strings.Contains(mmd.String(), "stroke-dasharray:10 5") {
		t.Errorf("Mermaid lacks the recovered style:\n%s", mmd.String())
	}

	// The same family with every edge declared: no trace of recovery.
	plain := rendertest.Parse(strings.ReplaceAll(recoveredDSL, "~", ""))
	f = selectT(t, plain, render.Options{Root: plain.ID("org/base"), Fold: true})
	dot.Reset()
	mmd.Reset()
	f.WriteDOT(&dot)
	f.WriteMermaid(&mmd)
	if s := dot.String() + mmd.String() + f.StyleKey(); strings.Contains(s, "recovered") || strings.Contains(s, "odot") {
		t.Errorf("a family without recovered edges mentions them:\n%s", s)
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			tc.opt.Root = tc.w.ID(tc.root)
			f := selectT(t, tc.w, tc.opt)
			var dot, mmd bytes.Buffer
			if err := f.WriteDOT(&dot); err != nil {
				t.Fatal(err)
			}
			if err := f.WriteMermaid(&mmd); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".dot", dot.Bytes())
			golden(t, tc.name+".mmd", mmd.Bytes())
		})
	}
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./render -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./render -update rewrites it):\n%s", path, lineDiff(string(want), string(got)))
	}
}

// lineDiff returns a short line diff of two texts: the first differing
// lines with a little context.
func lineDiff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out strings.Builder
	shown := 0
	for i := 0; i < max(len(a), len(b)) && shown < 10; i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y || i >= len(a) || i >= len(b) {
			fmt.Fprintf(&out, "line %d:\n-\t%s\n+\t%s\n", i+1, x, y)
			shown++
		}
	}
	if len(a) != len(b) {
		fmt.Fprintf(&out, "(%d lines, want %d)\n", len(b), len(a))
	}
	return out.String()
}

// dotStrings returns the quoted strings and bare attribute values of a DOT
// text, the strings decoded the way
// Graphviz decodes an escString label (\" -> ", \\ -> \, &amp; -> &). It
// fails the test if a string is not terminated on its line.
func dotStrings(t *testing.T, dot string) []string {
	t.Helper()
	var out []string
	for n, line := range strings.Split(dot, "\n") {
		for i := 0; i < len(line); i++ {
			if line[i] == '=' && i+1 < len(line) && line[i+1] != '"' {
				// A bare value: an identifier or a numeral.
				j := i + 1
				for j < len(line) && (line[j] == '_' || line[j] == '.' || line[j] == '-' || line[j] >= '0' && line[j] <= '9' || line[j] >= 'a' && line[j] <= 'z' || line[j] >= 'A' && line[j] <= 'Z') {
					j++
				}
				out = append(out, line[i+1:j])
				i = j - 1
				continue
			}
			if line[i] != '"' {
				continue
			}
			var b strings.Builder
			j := i + 1
			for ; j < len(line) && line[j] != '"'; j++ {
				if line[j] == '\\' && j+1 < len(line) {
					j++
					if line[j] == 'n' {
						b.WriteByte('\n')
						continue
					}
				}
				b.WriteByte(line[j])
			}
			if j >= len(line) {
				t.Fatalf("line %d: unterminated string: %s", n+1, line)
			}
			out = append(out, strings.ReplaceAll(b.String(), "&amp;", "&"))
			i = j
		}
	}
	return out
}

func TestDOTEscaping(t *testing.T) {
	w := hostileWorld()
	f := selectT(t, w, render.Options{Root: w.ID("root/base"), MaxNodes: -1})
	var dot bytes.Buffer
	if err := f.WriteDOT(&dot); err != nil {
		t.Fatal(err)
	}
	text := dot.String()
	strs := dotStrings(t, text)
	labels := map[string]bool{}
	for _, s := range strs {
		labels[strings.Split(s, "\n")[0]] = true
	}
	for _, n := range hostileNames {
		want := strings.ToValidUTF8(n, "\uFFFD")
		want = strings.NewReplacer("\r", "\uFFFD", "\n", "\uFFFD").Replace(want)
		if !labels[want] {
			t.Errorf("no DOT label decodes to %q", want)
		}
	}
	// Nothing outside quoted strings may come from a name.
	for _, line := range strings.Split(text, "\n") {
		if rest := stripStrings(line); strings.Contains(rest, "script") || strings.Contains(rest, "日本") || strings.Contains(rest, "slash") {
			t.Errorf("name text outside a quoted string: %s", line)
		}
	}
	if strings.Count(text, "\n") != strings.Count(text, ";\n")+strings.Count(text, "{\n")+strings.Count(text, "}\n") {
		t.Errorf("a statement spans lines: a newline leaked into the DOT")
	}
	// URLs are percent-encoded.
	if !strings.Contains(text, `URL="https://huggingface.co/evil/%22%3E%3Cscript%3Ealert%281%29%3C/script%3E"`) {
		t.Errorf("hostile URL not percent-encoded:\n%s", text)
	}
}

func TestMermaidEscaping(t *testing.T) {
	w := hostileWorld()
	f := selectT(t, w, render.Options{Root: w.ID("root/base"), MaxNodes: -1})
	var mmd bytes.Buffer
	if err := f.WriteMermaid(&mmd); err != nil {
		t.Fatal(err)
	}
	for n, line := range strings.Split(mmd.String(), "\n") {
		if strings.HasPrefix(line, "  n") && strings.Contains(line, `["`) {
			open := strings.Index(line, `["`)
			close := strings.LastIndex(line, `"]`)
			inner := line[open+2 : close]
			if strings.ContainsAny(inner, "\"<>[]`") && !strings.Contains(inner, "<br/>") {
				t.Errorf("line %d: unescaped syntax in label: %s", n+1, line)
			}
			if strings.Contains(strings.ReplaceAll(inner, "<br/>", ""), "<") {
				t.Errorf("line %d: markup in label: %s", n+1, line)
			}
		}
	}
	if !strings.Contains(mmd.String(), `evil/#quot;#62;#60;script#62;alert#40;1#41;#60;/script#62;`) {
		t.Errorf("hostile id not entity-escaped:\n%s", mmd.String())
	}
}

func TestDeterministic(t *testing.T) {
	render1 := func(w *rendertest.World, root string) (string, string) {
		f := selectT(t, w, render.Options{Root: w.ID(root), Fold: true, MaxNodes: 60})
		var dot, mmd bytes.Buffer
		if err := f.WriteDOT(&dot); err != nil {
			t.Fatal(err)
		}
		if err := f.WriteMermaid(&mmd); err != nil {
			t.Fatal(err)
		}
		return dot.String(), mmd.String()
	}
	w := rendertest.Synthetic(2000)
	d1, m1 := render1(w, "org0/model-0")
	d2, m2 := render1(w, "org0/model-0")
	if d1 != d2 || m1 != m2 {
		t.Fatalf("two renders of the same family differ")
	}
	// The same tree built in another order (other node ids) draws the same.
	lines := strings.Split(strings.TrimSpace(`
org/base = 100 2024-01-01
c: b finetune
b: org/base finetune
a: org/base finetune
e: b quantized
d: a adapter
f: c finetune
g: c finetune
`), "\n")
	wa := rendertest.Parse(strings.Join(lines, "\n"))
	for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
		lines[i], lines[j] = lines[j], lines[i]
	}
	wb := rendertest.Parse(strings.Join(lines, "\n"))
	da, ma := render1(wa, "org/base")
	db, mb := render1(wb, "org/base")
	if da != db || ma != mb {
		t.Errorf("order of construction changed the output:\n%s", lineDiff(da, db))
	}
}

func FuzzDOTLabel(f *testing.F) {
	for _, n := range hostileNames {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		w := rendertest.New()
		w.Add("root", name, "finetune")
		if name == "root" {
			return
		}
		fam, err := render.Select(w.Graph(), infoOf(w), render.Options{Root: w.ID("root")})
		if err != nil {
			t.Fatal(err)
		}
		var dot bytes.Buffer
		if err := fam.WriteDOT(&dot); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, s := range dotStrings(t, dot.String()) {
			if strings.Split(s, "\n")[0] == cleanRef(name) {
				found = true
			}
		}
		if !found {
			t.Errorf("no DOT string decodes to %q:\n%s", cleanRef(name), dot.String())
		}
	})
}

// cleanRef is the reference for what a name looks like once drawn.
func cleanRef(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if r < 0x20 || r >= 0x7f && r < 0xa0 || r == '\u2028' || r == '\u2029' {
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// stripStrings removes the quoted strings (with their escapes) of a line.
func stripStrings(line string) string {
	var b strings.Builder
	in := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func FuzzMermaidLabel(f *testing.F) {
	for _, n := range hostileNames {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if name == "root" {
			return
		}
		w := rendertest.New()
		w.Add("root", name, "finetune")
		fam, err := render.Select(w.Graph(), infoOf(w), render.Options{Root: w.ID("root")})
		if err != nil {
			t.Fatal(err)
		}
		var mmd bytes.Buffer
		if err := fam.WriteMermaid(&mmd); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(mmd.String(), "\n")
		label, found := "", false
		for _, l := range lines {
			if rest, ok := strings.CutPrefix(l, "  n1[\""); ok && strings.HasSuffix(rest, "\"]") {
				label, found = strings.TrimSuffix(rest, "\"]"), true
			}
		}
		if !found {
			t.Fatalf("no label line for n1:\n%s", mmd.String())
		}
		if strings.ContainsAny(label, "\"<>`\n") {
			t.Fatalf("label %q holds Mermaid syntax or markup", label)
		}
		if got := decodeMermaid(label); got != cleanRef(name) {
			t.Errorf("label decodes to %q, want %q", got, cleanRef(name))
		}
	})
}

// decodeMermaid undoes Mermaid's entity escapes (#quot; and #NNN;).
func decodeMermaid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '#' {
			if j := strings.IndexByte(s[i:], ';'); j > 0 {
				ent := s[i+1 : i+j]
				if ent == "quot" {
					b.WriteByte('"')
					i += j
					continue
				}
				var r int
				if _, err := fmt.Sscanf(ent, "%d", &r); err == nil && fmt.Sprint(r) == ent {
					b.WriteRune(rune(r))
					i += j
					continue
				}
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// TestStyleKey checks the words of StyleKey against the legend WriteDOT
// draws: every relation drawn with its DOT line style, the inferred
// sample, the badges.
func TestStyleKey(t *testing.T) {
	w := rendertest.Parse(mistralDSL)
	f := selectT(t, w, render.Options{Root: w.ID("mistralai/Mistral-7B-v0.1"), Fold: true})
	var dot bytes.Buffer
	if err := f.WriteDOT(&dot); err != nil {
		t.Fatal(err)
	}
	key := f.StyleKey()
	for _, want := range []string{"finetune solid", "merge bold", "inferred relations pale with hollow arrows", "badges on dashed grey lines"} {
		if !strings.Contains(key, want) {
			t.Errorf("StyleKey() = %q, lacks %q", key, want)
		}
	}
	for _, rel := range []string{"finetune", "merge"} {
		if !strings.Contains(dot.String(), "class="+rel+", style=") {
			t.Errorf("DOT has no %s edge though StyleKey names it", rel)
		}
	}
	// Adapters and quantizations are all folded into badges here: their
	// styles are neither in the legend nor in the key.
	if strings.Contains(key, "adapter") || strings.Contains(key, "quantized") || strings.Contains(dot.String(), `legend_e0 [label=adapter`) {
		t.Errorf("StyleKey() = %q names relations the picture does not draw", key)
	}
	if got := (&render.Family{}).StyleKey(); got != "" {
		t.Errorf("StyleKey of an empty family = %q", got)
	}
}

// wide returns a base with n finetune leaves (with downloads enough not to
// fold), two adapters and a finetune with a child.
func wide(n int) *rendertest.World {
	w := rendertest.New()
	w.Meta("org/base", 2_000_000, "2024-05-01")
	for i := 0; i < n; i++ {
		leaf := fmt.Sprintf("org%d/tune-%02d", i%7, i)
		w.Add("org/base", leaf, "finetune")
		w.Meta(leaf, int64(100+i*37%500), "2024-06-01")
	}
	w.Add("org/base", "a/lora-1", "adapter")
	w.Add("org/base", "a/lora-2", "adapter")
	w.Add("org/base", "x/mid", "finetune")
	w.Add("x/mid", "x/low", "finetune")
	return w
}

// TestFanGrid checks how a wide fan-out is written: its leaves in one
// frame, one arrow of the relation's style to the frame, invisible edges
// forming rows of the length columns gives, and no other edge to a leaf.
func TestFanGrid(t *testing.T) {
	w := wide(40)
	f := selectT(t, w, render.Options{Root: w.ID("org/base"), Fold: true})
	var dot bytes.Buffer
	if err := f.WriteDOT(&dot); err != nil {
		t.Fatal(err)
	}
	text := dot.String()
	start := strings.Index(text, "subgraph cluster_fan0 {")
	if start < 0 {
		t.Fatalf("no fan frame:\n%s", text)
	}
	cluster := text[start : start+strings.Index(text[start:], "\t}\n")]
	leaves := strings.Count(cluster, "label=\"org")
	hidden := strings.Count(cluster, "style=invis")
	rows := (40 + 2) / 3 // columns(40, LR) = ceil(sqrt(8)) = 3
	if leaves != 40 || hidden != 40-rows {
		t.Errorf("fan frame holds %d leaves and %d invisible row edges, want 40 and %d", leaves, hidden, 40-rows)
	}
	if n := strings.Count(text, "lhead=cluster_fan0"); n != 1 {
		t.Errorf("%d arrows to the frame, want 1", n)
	}
	// The base reaches each row's first leaf: one arrow, rows-1 invisible.
	top := text[:start]
	if strings.Count(top, "style=invis") != rows-1 {
		t.Errorf("%d invisible edges to row heads, want %d", strings.Count(top, "style=invis"), rows-1)
	}
	if !strings.Contains(text, "compound=true") {
		t.Errorf("lhead needs compound=true")
	}
}
