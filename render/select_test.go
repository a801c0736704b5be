package render_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	dgraph "github.com/dominikbraun/graph"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/render"
	"github.com/lineage-project/lineage/render/internal/rendertest"
)

// mistralDSL is a small real-looking family: a foundation, finetunes, a
// quantization, an adapter, an inferred finetune and a merge of two
// siblings (a diamond).
const mistralDSL = `
mistralai/Mistral-7B-v0.1 = 5123456 2023-09-27
mistralai/Mistral-7B-Instruct-v0.2: mistralai/Mistral-7B-v0.1 finetune
mistralai/Mistral-7B-Instruct-v0.2 = 2345678 2023-12-11
HuggingFaceH4/zephyr-7b-beta: mistralai/Mistral-7B-v0.1 finetune
HuggingFaceH4/zephyr-7b-beta = 812345 2023-10-26
TheBloke/zephyr-7b-beta-GGUF: HuggingFaceH4/zephyr-7b-beta quantized
TheBloke/zephyr-7b-beta-GGUF = 45000 2023-10-27
someone/zephyr-lora: HuggingFaceH4/zephyr-7b-beta adapter
openchat/openchat-3.5: mistralai/Mistral-7B-v0.1 finetune?
x/merged-7b: HuggingFaceH4/zephyr-7b-beta merge mistralai/Mistral-7B-Instruct-v0.2 merge
x/merged-7b-GGUF: x/merged-7b quantized?
`

const cycleDSL = `
a: c finetune
b: a finetune
c: b finetune
d: c quantized
`

const diamondDSL = `
top: 
left: top finetune
right: top finetune
bottom: left merge right merge
`

func infoOf(w *rendertest.World) render.Info {
	return w.Info()
}

func selectT(t testing.TB, w *rendertest.World, opt render.Options) *render.Family {
	t.Helper()
	f, err := render.Select(w.Graph(), infoOf(w), opt)
	if err != nil {
		t.Fatalf("Select: %v", err)
	}
	checkInvariants(t, f)
	return f
}

// checkInvariants checks what must hold for every family.
func checkInvariants(t testing.TB, f *render.Family) {
	t.Helper()
	models, folded := 0, 0
	for i, n := range f.Nodes {
		switch n.Kind {
		case render.Model:
			models++
			if n.Anchor != -1 || n.ID < 0 {
				t.Errorf("model node %d: anchor %d id %d", i, n.Anchor, n.ID)
			}
		default:
			folded += n.Total()
			if n.Anchor < 0 || n.Anchor >= len(f.Nodes) || f.Nodes[n.Anchor].Kind != render.Model {
				t.Errorf("folded node %d: bad anchor %d", i, n.Anchor)
			}
			if n.Total() <= 0 {
				t.Errorf("folded node %d folds nothing", i)
			}
			if n.Kind == render.Summary && len(n.Folded) != 1 {
				t.Errorf("summary %d has %d counts, want 1", i, len(n.Folded))
			}
		}
	}
	if models != f.Shown {
		t.Errorf("model nodes = %d, Shown = %d", models, f.Shown)
	}
	if folded != f.Folded || f.Shown+f.Folded != f.Size {
		t.Errorf("kept %d + folded %d (nodes say %d) != size %d", f.Shown, f.Folded, folded, f.Size)
	}
	sum := 0
	for _, c := range f.FoldedBy {
		sum += c.N
	}
	if sum != f.Folded {
		t.Errorf("FoldedBy sums to %d, Folded = %d", sum, f.Folded)
	}
	if !f.Nodes[f.Root].Root {
		t.Errorf("Nodes[Root] is not marked Root")
	}
	for k, e := range f.Edges {
		if e.From < 0 || e.From >= len(f.Nodes) || e.To < 0 || e.To >= len(f.Nodes) {
			t.Fatalf("edge %d out of range: %+v", k, e)
		}
		if k > 0 {
			p := f.Edges[k-1]
			if p.From > e.From || p.From == e.From && p.To >= e.To {
				t.Errorf("edges not in (From, To) order at %d", k)
			}
		}
	}
}

func shownNames(f *render.Family) []string {
	var out []string
	for _, n := range f.Nodes {
		if n.Kind == render.Model {
			out = append(out, n.Name)
		}
	}
	slices.Sort(out)
	return out
}

func TestSelectMembership(t *testing.T) {
	tests := []struct {
		dsl, root string
		opt       render.Options
		want      string
	}{
		{mistralDSL, "HuggingFaceH4/zephyr-7b-beta", render.Options{},
			"HuggingFaceH4/zephyr-7b-beta TheBloke/zephyr-7b-beta-GGUF mistralai/Mistral-7B-v0.1 someone/zephyr-lora x/merged-7b x/merged-7b-GGUF"},
		{mistralDSL, "HuggingFaceH4/zephyr-7b-beta", render.Options{Up: true},
			"HuggingFaceH4/zephyr-7b-beta mistralai/Mistral-7B-v0.1"},
		{mistralDSL, "HuggingFaceH4/zephyr-7b-beta", render.Options{Down: true, Depth: 1},
			"HuggingFaceH4/zephyr-7b-beta TheBloke/zephyr-7b-beta-GGUF someone/zephyr-lora x/merged-7b"},
		{mistralDSL, "x/merged-7b", render.Options{Up: true},
			"HuggingFaceH4/zephyr-7b-beta mistralai/Mistral-7B-Instruct-v0.2 mistralai/Mistral-7B-v0.1 x/merged-7b"},
		// Relation filter: only finetunes (declared or inferred) and merges.
		{mistralDSL, "mistralai/Mistral-7B-v0.1", render.Options{Labels: graph.LabelsOf(
			rendertest.Label("finetune"), rendertest.Label("finetune?"), rendertest.Label("merge"))},
			"HuggingFaceH4/zephyr-7b-beta mistralai/Mistral-7B-Instruct-v0.2 mistralai/Mistral-7B-v0.1 openchat/openchat-3.5 x/merged-7b"},
		{cycleDSL, "a", render.Options{}, "a b c d"},
		{cycleDSL, "a", render.Options{Up: true, Depth: 1}, "a c"},
		{diamondDSL, "bottom", render.Options{}, "bottom left right top"},
	}
	for _, tt := range tests {
		w := rendertest.Parse(tt.dsl)
		tt.opt.Root = w.ID(tt.root)
		tt.opt.MaxNodes = -1
		f := selectT(t, w, tt.opt)
		if got := strings.Join(shownNames(f), " "); got != tt.want {
			t.Errorf("Select(%s, %+v) = %s, want %s", tt.root, tt.opt, got, tt.want)
		}
		if f.Folded != 0 {
			t.Errorf("Select(%s, %+v) folded %d without budget or Fold", tt.root, tt.opt, f.Folded)
		}
	}
}

func edgeSet(f *render.Family) []string {
	var out []string
	for _, e := range f.Edges {
		a, b := f.Nodes[e.From], f.Nodes[e.To]
		if a.Kind != render.Model || b.Kind != render.Model {
			continue
		}
		s := a.Name + "->" + b.Name + ":" + e.Relation
		if e.Inferred {
			s += "?"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func TestMergeKeepsAllParentsInPicture(t *testing.T) {
	w := rendertest.Parse(mistralDSL)
	f := selectT(t, w, render.Options{Root: w.ID("mistralai/Mistral-7B-v0.1"), MaxNodes: -1})
	got := strings.Join(edgeSet(f), " ")
	for _, want := range []string{
		"HuggingFaceH4/zephyr-7b-beta->x/merged-7b:merge",
		"mistralai/Mistral-7B-Instruct-v0.2->x/merged-7b:merge",
		"mistralai/Mistral-7B-v0.1->openchat/openchat-3.5:finetune?",
		"x/merged-7b->x/merged-7b-GGUF:quantized?",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("edges = %s, want %s among them", got, want)
		}
	}
	// From zephyr, the merge's other parent is not in the family: the merge
	// is drawn with the one parent that is.
	f = selectT(t, w, render.Options{Root: w.ID("HuggingFaceH4/zephyr-7b-beta"), MaxNodes: -1})
	for _, e := range edgeSet(f) {
		if strings.HasPrefix(e, "mistralai/Mistral-7B-Instruct") {
			t.Errorf("edge %s drawn from a model outside the family", e)
		}
	}
}

func TestCycleTerminatesAndShows(t *testing.T) {
	w := rendertest.Parse(cycleDSL)
	f := selectT(t, w, render.Options{Root: w.ID("a"), MaxNodes: -1})
	got := strings.Join(edgeSet(f), " ")
	want := "a->b:finetune b->c:finetune c->a:finetune c->d:quantized"
	if got != want {
		t.Errorf("edges = %s, want %s", got, want)
	}
	// No model is a foundation: every one has a parent.
	for _, n := range f.Nodes {
		if n.Foundation && n.Name != "" {
			t.Errorf("%s marked foundation inside a cycle", n.Name)
		}
	}
}

// fanout returns a base with 500 quantized leaves, 30 finetunes (the
// first ten with 5 quantized leaves and 2 adapters each, the first three
// with 20 finetunes of their own) and 4 adapters.
func fanout() *rendertest.World {
	w := rendertest.New()
	w.Meta("org/base", 9_000_000, "2024-01-01")
	for i := 0; i < 500; i++ {
		w.Add("org/base", fmt.Sprintf("q/base-q%03d", i), "quantized")
	}
	for i := 0; i < 30; i++ {
		ft := fmt.Sprintf("ft/tune-%02d", i)
		w.Add("org/base", ft, "finetune")
		w.Meta(ft, int64(1000*(30-i)), "")
		if i < 10 {
			for j := 0; j < 5; j++ {
				w.Add(ft, fmt.Sprintf("q/tune-%02d-q%d", i, j), "quantized")
			}
			for j := 0; j < 2; j++ {
				w.Add(ft, fmt.Sprintf("a/tune-%02d-lora%d", i, j), "adapter")
			}
		}
		if i < 3 {
			for j := 0; j < 20; j++ {
				w.Add(ft, fmt.Sprintf("ft/tune-%02d-%02d", i, j), "finetune")
			}
		}
	}
	for i := 0; i < 4; i++ {
		w.Add("org/base", fmt.Sprintf("a/base-lora%d", i), "adapter")
	}
	return w
}

func TestFoldBadge(t *testing.T) {
	w := rendertest.New()
	w.Add("org/base", "org/tune", "finetune")
	for i := 0; i < 500; i++ {
		w.Add("org/base", fmt.Sprintf("q/base-q%03d", i), "quantized")
	}
	f := selectT(t, w, render.Options{Root: w.ID("org/base"), Fold: true})
	if got := shownNames(f); !slices.Equal(got, []string{"org/base", "org/tune"}) {
		t.Errorf("shown = %v, want [org/base org/tune]", got)
	}
	var badges []render.Node
	for _, n := range f.Nodes {
		if n.Kind == render.Badge {
			badges = append(badges, n)
		}
	}
	if len(badges) != 1 || f.Nodes[badges[0].Anchor].Name != "org/base" ||
		!slices.Equal(badges[0].Folded, []render.Count{{Relation: "quantized", N: 500}}) {
		t.Fatalf("badges = %+v, want one +500 quantized on org/base", badges)
	}
	var dot strings.Builder
	if err := f.WriteDOT(&dot); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`label="+500 quantized"`, "showing 2 of 502 models; 500 folded", "folded: 500 quantized"} {
		if !strings.Contains(dot.String(), want) {
			t.Errorf("DOT lacks %q", want)
		}
	}
	// Without Fold, the leaves compete for the default budget instead.
	f = selectT(t, w, render.Options{Root: w.ID("org/base")})
	if f.Shown != render.DefaultMaxNodes {
		t.Errorf("no fold: Shown = %d, want %d", f.Shown, render.DefaultMaxNodes)
	}
}

func TestBudget(t *testing.T) {
	w := fanout()
	size := 1 + 500 + 30 + 10*7 + 3*20 + 4
	for _, maxNodes := range []int{1, 2, 5, 12, 31, 40, 100, 1000, -1} {
		for _, fold := range []bool{false, true} {
			f := selectT(t, w, render.Options{Root: w.ID("org/base"), MaxNodes: maxNodes, Fold: fold})
			if f.Size != size {
				t.Errorf("MaxNodes %d fold %v: Size = %d, want %d", maxNodes, fold, f.Size, size)
			}
			if maxNodes > 0 && f.Shown > maxNodes {
				t.Errorf("MaxNodes %d fold %v: Shown = %d", maxNodes, fold, f.Shown)
			}
			if maxNodes < 0 && !fold && f.Shown != size {
				t.Errorf("no limit, no fold: Shown = %d, want %d", f.Shown, size)
			}
			// Every drawn model but the root has a drawn parent.
			hasParent := make([]bool, len(f.Nodes))
			for _, e := range f.Edges {
				hasParent[e.To] = true
			}
			for i, n := range f.Nodes {
				if n.Kind == render.Model && !n.Root && !hasParent[i] {
					t.Errorf("MaxNodes %d fold %v: %s drawn without a parent", maxNodes, fold, n.Name)
				}
			}
		}
	}
	// With a budget of 5 and folding, the root's four children with the
	// most descendants are kept: the three with 20 finetunes (27, 27, 27
	// descendants, then by downloads), and then tune-03 (7 descendants,
	// most downloads among the 7s).
	f := selectT(t, w, render.Options{Root: w.ID("org/base"), MaxNodes: 5, Fold: true, FoldBelow: -1})
	want := []string{"ft/tune-00", "ft/tune-01", "ft/tune-02", "ft/tune-03", "org/base"}
	if got := shownNames(f); !slices.Equal(got, want) {
		t.Errorf("MaxNodes 5: shown = %v, want %v", got, want)
	}
	var labels []string
	for _, n := range f.Nodes {
		if n.Kind != render.Model {
			labels = append(labels, f.Nodes[n.Anchor].Name+" "+n.Kind.String()+" "+fmt.Sprint(n.Folded))
		}
	}
	wantLabels := []string{
		"org/base summary [{finetune 26}]",
		"org/base badge [{adapter 4} {quantized 500}]",
		"ft/tune-00 summary [{finetune 20}]",
		"ft/tune-00 badge [{adapter 2} {quantized 5}]",
		"ft/tune-01 summary [{finetune 20}]",
		"ft/tune-01 badge [{adapter 2} {quantized 5}]",
		"ft/tune-02 summary [{finetune 20}]",
		"ft/tune-02 badge [{adapter 2} {quantized 5}]",
		"ft/tune-03 badge [{adapter 2} {quantized 5}]",
	}
	// org/base's finetune summary folds 26 children and their 6*7 leaves.
	wantLabels[0] = "org/base summary [{finetune 68}]"
	if !slices.Equal(labels, wantLabels) {
		t.Errorf("folded nodes:\n%s\nwant\n%s", strings.Join(labels, "\n"), strings.Join(wantLabels, "\n"))
	}
	if got, want := f.Caption(), "showing 5 of 665 models; 660 folded"; got != want {
		t.Errorf("Caption() = %q, want %q", got, want)
	}
	if got, want := f.FoldedLine(), "folded: 128 finetune, 12 adapter, 520 quantized"; got != want {
		t.Errorf("FoldedLine() = %q, want %q", got, want)
	}
}

func TestAncestorsOverBudget(t *testing.T) {
	w := rendertest.Parse(`
m1: m0 finetune
m2: m1 finetune
m3: m2 finetune
m4: m3 merge side finetune
m5: m4 finetune
m6: m5 quantized
`)
	f := selectT(t, w, render.Options{Root: w.ID("m5"), MaxNodes: 3})
	if got := strings.Join(shownNames(f), " "); got != "m3 m4 m5" {
		t.Errorf("shown = %s, want m3 m4 m5", got)
	}
	var sums []string
	for _, n := range f.Nodes {
		if n.Kind == render.Summary {
			sums = append(sums, fmt.Sprintf("%s up=%v %v", f.Nodes[n.Anchor].Name, n.Up, n.Folded))
		}
	}
	want := []string{"m3 up=true [{finetune 3}]", "m4 up=true [{finetune 1}]", "m5 up=false [{quantized 1}]"}
	if !slices.Equal(sums, want) {
		t.Errorf("summaries = %v, want %v", sums, want)
	}
	var dot strings.Builder
	if err := f.WriteDOT(&dot); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dot.String(), `label="+3 ancestors (finetune)"`) {
		t.Errorf("DOT lacks the ancestors summary:\n%s", dot.String())
	}
}

// TestAgainstReference checks the family found by Select against a plain
// breadth-first search in dominikbraun/graph, on synthetic families.
func TestAgainstReference(t *testing.T) {
	for _, n := range []int{30, 300, 3000} {
		w := rendertest.Synthetic(n)
		g := w.Graph()
		down := dgraph.New(dgraph.IntHash, dgraph.Directed())
		up := dgraph.New(dgraph.IntHash, dgraph.Directed())
		for v := 0; v < g.NumNodes(); v++ {
			_ = down.AddVertex(v)
			_ = up.AddVertex(v)
		}
		for v := 0; v < g.NumNodes(); v++ {
			dst, _ := g.Out(graph.NodeID(v))
			for _, c := range dst {
				if err := down.AddEdge(v, int(c)); err != nil {
					t.Fatal(err)
				}
				if err := up.AddEdge(int(c), v); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, root := range []int{0, 1, n / 3, n - 1} {
			members := map[int]bool{}
			for _, h := range []dgraph.Graph[int, int]{down, up} {
				if err := dgraph.BFS(h, root, func(v int) bool { members[v] = true; return false }); err != nil {
					t.Fatal(err)
				}
			}
			var want []string
			for v := range members {
				want = append(want, w.Name(graph.NodeID(v)))
			}
			slices.Sort(want)
			f := selectT(t, w, render.Options{Root: graph.NodeID(root), MaxNodes: -1})
			if got := shownNames(f); !slices.Equal(got, want) {
				t.Errorf("n=%d root %d: Select shows %d models, reference finds %d", n, root, len(got), len(want))
			}
			// Folding never changes the family size.
			ff := selectT(t, w, render.Options{Root: graph.NodeID(root), MaxNodes: 40, Fold: true})
			if ff.Size != len(want) {
				t.Errorf("n=%d root %d: folded Size = %d, want %d", n, root, ff.Size, len(want))
			}
		}
	}
}

// TestBigFamilyCaption checks the caption of a family of 12,345 models
// drawn with the default budget, and that most of the work is in the
// family, not the graph.
func TestBigFamilyCaption(t *testing.T) {
	w := rendertest.New()
	w.Add("org/base", "org/tune-0000", "finetune")
	i := 2
	for p := 0; i < 12345; p++ {
		parent := fmt.Sprintf("org/tune-%04d", p)
		for k := 0; k < 3 && i < 12345; k++ {
			w.Add(parent, fmt.Sprintf("org/tune-%04d", i-1), "finetune")
			i++
		}
	}
	f := selectT(t, w, render.Options{Root: w.ID("org/base"), Fold: true})
	if got, want := f.Caption(), "showing 150 of 12,345 models; 12,195 folded"; got != want {
		t.Errorf("Caption() = %q, want %q", got, want)
	}
}

func TestSelectErrors(t *testing.T) {
	w := rendertest.Parse(mistralDSL)
	info := infoOf(w)
	for _, tc := range []struct {
		name string
		g    *graph.Graph
		info render.Info
		opt  render.Options
	}{
		{"nil graph", nil, info, render.Options{}},
		{"root out of range", w.Graph(), info, render.Options{Root: 99}},
		{"negative root", w.Graph(), info, render.Options{Root: -1}},
		{"no name", w.Graph(), render.Info{Relation: w.Relation}, render.Options{}},
		{"bad rankdir", w.Graph(), info, render.Options{RankDir: "BT"}},
	} {
		if _, err := render.Select(tc.g, tc.info, tc.opt); !errors.Is(err, render.ErrBadOptions) {
			t.Errorf("%s: err = %v, want ErrBadOptions", tc.name, err)
		}
	}
	if f, err := render.Select(w.Graph(), info, render.Options{RankDir: "lr"}); err != nil || f.RankDir != "LR" {
		t.Errorf("rankdir lr: %v, %v", f, err)
	}
}

func TestHumanCount(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{-1, ""}, {0, "0"}, {999, "999"}, {1000, "1K"}, {1234, "1.2K"}, {12_345, "12K"}, {999_999, "999K"},
		{1_000_000, "1M"}, {1_250_000, "1.2M"}, {45_600_000, "45M"}, {3_400_000_000, "3.4B"}} {
		if got := render.HumanCount(tc.n); got != tc.want {
			t.Errorf("HumanCount(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// TestFoldBelow checks the folding of unused leaves of any relation into
// badges: only when the family does not fit the budget, only leaves (a
// finetune with children of its own stays a candidate), only under the
// threshold, with unknown downloads counted as unused; the rest competes
// for the budget as usual.
func TestFoldBelow(t *testing.T) {
	w := rendertest.New()
	w.Meta("org/base", 1_000_000, "")
	for i := 0; i < 200; i++ {
		leaf := fmt.Sprintf("u/leaf-%03d", i)
		w.Add("org/base", leaf, []string{"finetune", "merge"}[i%2])
		w.Meta(leaf, int64(i), "")
	}
	w.Add("org/base", "x/unknown", "finetune") // downloads unknown
	w.Add("org/base", "x/carrier", "finetune") // no downloads, but a child
	w.Meta("x/carrier", 0, "")
	w.Add("x/carrier", "x/carried", "finetune")
	w.Meta("x/carried", 5000, "")
	root := w.ID("org/base")
	// Reference: leaves of org/base with fewer than 100 downloads, by
	// relation, counted from the construction above.
	below := map[string]int{"finetune": 1} // x/unknown
	for i := 0; i < 100; i++ {
		below[[]string{"finetune", "merge"}[i%2]]++
	}
	f := selectT(t, w, render.Options{Root: root, Fold: true, MaxNodes: 150})
	if f.FoldBelow != render.DefaultFoldBelow {
		t.Errorf("FoldBelow = %d, want %d", f.FoldBelow, render.DefaultFoldBelow)
	}
	var badge *render.Node
	for i := range f.Nodes {
		if n := &f.Nodes[i]; n.Kind == render.Badge && f.Nodes[n.Anchor].Name == "org/base" {
			badge = n
		}
	}
	if badge == nil {
		t.Fatalf("no badge on org/base")
	}
	got := map[string]int{}
	for _, c := range badge.Folded {
		got[c.Relation] = c.N
	}
	if got["finetune"] != below["finetune"] || got["merge"] != below["merge"] || len(got) != 2 {
		t.Errorf("badge folds %v, want %v", got, below)
	}
	shown := shownNames(f)
	for _, name := range []string{"x/carrier", "x/carried", "u/leaf-100", "u/leaf-199"} {
		if !slices.Contains(shown, name) {
			t.Errorf("%s not drawn: %v", name, shown)
		}
	}
	if slices.Contains(shown, "u/leaf-099") || slices.Contains(shown, "x/unknown") {
		t.Errorf("an unused leaf is drawn: %v", shown)
	}
	// Fitting the budget, or FoldBelow < 0: nothing folds for downloads.
	for _, opt := range []render.Options{{MaxNodes: 300}, {MaxNodes: 150, FoldBelow: -1}, {MaxNodes: -1}} {
		opt.Root, opt.Fold = root, true
		g := selectT(t, w, opt)
		if g.FoldBelow != 0 || slices.ContainsFunc(g.Nodes, func(n render.Node) bool { return n.Kind == render.Badge }) {
			t.Errorf("%+v: FoldBelow %d and badges %v, want none", opt, g.FoldBelow, g.FoldedBy)
		}
	}
	// A threshold of one's own.
	g := selectT(t, w, render.Options{Root: root, Fold: true, MaxNodes: 150, FoldBelow: 10})
	badged := 0
	for _, n := range g.Nodes {
		if n.Kind == render.Badge {
			badged += n.Total()
		}
	}
	if g.FoldBelow != 10 || badged != 11 { // leaves 0..9 and x/unknown
		t.Errorf("FoldBelow 10: FoldBelow %d, %d in badges, want 10 and 11", g.FoldBelow, badged)
	}
	var dot strings.Builder
	if err := f.WriteDOT(&dot); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dot.String(), "leaves under 100 downloads") {
		t.Errorf("the legend does not say leaves under 100 downloads were folded")
	}
}
