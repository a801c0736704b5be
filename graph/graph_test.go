package graph

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Fixtures in the DSL of dsl_test.go.
const (
	// Two fine-tunes of one base merged back together: m is reached by two
	// paths and counts once.
	mergeGraph = `
		ft1: base finetune
		ft2: base adapter
		m: ft1 merge, ft2 merge
		q: m quantized
	`
	// Two families joined by a merge.
	familiesGraph = `
		a1: a
		a2: a1
		b1: b
		m: a2 merge, b1 merge
		m1: m quantized
		c:
	`
	// Diamond with a long and a short arm: d is at depth 2, not 3.
	diamondGraph = `
		b: a
		c: a
		x: b
		d: c, x
		e: d
	`
	// a -> b -> c -> a with an exit c -> d, and the cycle p <-> q.
	cycleGraph = `
		b: a
		c: b
		a: c
		d: c
		q: p
		p: q
	`
	// a has a self-loop and a child; s is only a self-loop.
	selfLoopGraph = `
		a: a
		b: a
		s: s adapter
	`
	// b: a is added twice, first as adapter: the adapter label is kept.
	dupGraph = `
		b: a adapter
		b: a finetune, a merge
		c: b
		c: b quantized
	`
	chainGraph = `
		b: a
		c: b
		d: c
		e: d
		f: e
	`
	// Mixed labels for label filters.
	labelGraph = `
		ft: base finetune
		ad: base adapter
		q: ft quantized
		m: ft merge, ad merge
		mq: m quantized
		far: mq finetune
	`
)

func TestReach(t *testing.T) {
	tests := []struct {
		graph    string
		start    string
		dir      Direction
		labels   string
		maxDepth int
		want     string
	}{
		{mergeGraph, "base", Down, "", 0, "ft1:1 ft2:1 m:2 q:3"},
		{mergeGraph, "q", Up, "", 0, "m:1 ft1:2 ft2:2 base:3"},
		{mergeGraph, "m", Up, "", 1, "ft1:1 ft2:1"},
		{mergeGraph, "base", Down, "finetune merge", 0, "ft1:1 m:2"},
		{mergeGraph, "base", Down, "adapter", 0, "ft2:1"},
		{mergeGraph, "q", Down, "", 0, ""},
		{familiesGraph, "a", Down, "", 0, "a1:1 a2:2 m:3 m1:4"},
		{familiesGraph, "m1", Up, "", 0, "m:1 a2:2 b1:2 a1:3 b:3 a:4"},
		{familiesGraph, "c", Down, "", 0, ""},
		{familiesGraph, "c", Up, "", 0, ""},
		{diamondGraph, "a", Down, "", 0, "b:1 c:1 x:2 d:2 e:3"},
		{diamondGraph, "e", Up, "", 0, "d:1 c:2 x:2 a:3 b:3"},
		{diamondGraph, "a", Down, "", 2, "b:1 c:1 x:2 d:2"},
		{cycleGraph, "a", Down, "", 0, "b:1 c:2 d:3"},
		{cycleGraph, "b", Down, "", 0, "c:1 a:2 d:2"},
		{cycleGraph, "a", Up, "", 0, "c:1 b:2"},
		{cycleGraph, "d", Up, "", 0, "c:1 b:2 a:3"},
		{cycleGraph, "p", Down, "", 0, "q:1"},
		{cycleGraph, "p", Up, "", 0, "q:1"},
		{selfLoopGraph, "a", Down, "", 0, "b:1"},
		{selfLoopGraph, "a", Up, "", 0, ""},
		{selfLoopGraph, "s", Down, "", 0, ""},
		{selfLoopGraph, "b", Up, "", 0, "a:1"},
		{dupGraph, "a", Down, "finetune", 0, ""},
		{dupGraph, "a", Down, "adapter", 0, "b:1"},
		{dupGraph, "a", Down, "adapter finetune", 0, "b:1 c:2"},
		{dupGraph, "c", Up, "quantized", 0, ""},
		{chainGraph, "a", Down, "", 0, "b:1 c:2 d:3 e:4 f:5"},
		{chainGraph, "a", Down, "", 1, "b:1"},
		{chainGraph, "a", Down, "", 3, "b:1 c:2 d:3"},
		{chainGraph, "a", Down, "", -1, "b:1 c:2 d:3 e:4 f:5"},
		{chainGraph, "f", Up, "", 4, "e:1 d:2 c:3 b:4"},
		{labelGraph, "base", Down, "finetune quantized", 0, "ft:1 q:2"},
		{labelGraph, "far", Up, "finetune quantized merge", 0, "mq:1 m:2 ad:3 ft:3 base:4"},
		{labelGraph, "far", Up, "finetune", 0, "mq:1"},
		{labelGraph, "base", Down, "l9", 0, ""},
	}
	for _, tt := range tests {
		tg := parseGraph(t, tt.graph)
		start, ls := tg.id(t, tt.start), parseLabels(t, tt.labels)
		hs := tg.g.Reach(start, tt.dir, ls, tt.maxDepth)
		if got := tg.hits(hs); got != tt.want {
			t.Errorf("Reach(%s, %s, %q, %d) = %q, want %q\ngraph:%s", tt.start, dirName(tt.dir), tt.labels, tt.maxDepth, got, tt.want, tt.graph)
		}
		checkHitTree(t, tg.g, start, tt.dir, ls, hs)
		if tt.maxDepth <= 0 {
			if got, want := tg.g.CountReach(start, tt.dir, ls), len(hs); got != want {
				t.Errorf("CountReach(%s, %s, %q) = %d, want %d", tt.start, dirName(tt.dir), tt.labels, got, want)
			}
		}
	}
}

func TestReachVia(t *testing.T) {
	// BFS order: depth, then discovery; d is first reached from c (depth 1), not x.
	tg := parseGraph(t, diamondGraph)
	hs := tg.g.Reach(tg.id(t, "a"), Down, AllLabels, 0)
	var got []string
	for _, h := range hs {
		got = append(got, fmt.Sprintf("%s<%s/%s", tg.names[h.Node], tg.names[h.Via], labelName(h.Label)))
	}
	want := "b<a/finetune c<a/finetune x<b/finetune d<c/finetune e<d/finetune"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("Reach(a, Down) via = %q, want %q", g, want)
	}
	tg = parseGraph(t, dupGraph)
	hs = tg.g.Reach(tg.id(t, "c"), Up, AllLabels, 0)
	if len(hs) != 2 || hs[0].Label != lFinetune || hs[1].Label != lAdapter {
		t.Errorf("Reach(c, Up) in dupGraph = %+v, want b via finetune then a via adapter", hs)
	}
}

func TestCountDescendants(t *testing.T) {
	tests := []struct {
		graph  string
		starts string
		labels string
		want   []int
	}{
		{mergeGraph, "base ft1 ft2 m q", "", []int{4, 2, 2, 1, 0}},
		{mergeGraph, "base", "finetune merge quantized", []int{3}},
		{mergeGraph, "base ft2", "adapter", []int{1, 0}},
		// Two sources in one component: neither sees the whole component.
		{familiesGraph, "a b c", "", []int{4, 3, 0}},
		{familiesGraph, "a b a1 m", "", []int{4, 3, 3, 1}},
		// Without merge edges the families split and each has one source.
		{familiesGraph, "a b m", "finetune", []int{2, 1, 0}},
		{diamondGraph, "a b c x d e", "", []int{5, 3, 2, 2, 1, 0}},
		{cycleGraph, "a b c d p q", "", []int{3, 3, 3, 0, 1, 1}},
		{selfLoopGraph, "a b s", "", []int{1, 0, 0}},
		{selfLoopGraph, "a", "adapter", []int{0}},
		{dupGraph, "a b", "", []int{2, 1}},
		{dupGraph, "a", "finetune merge quantized", []int{0}},
		{dupGraph, "a", "adapter", []int{1}},
		{chainGraph, "a c f a", "", []int{5, 3, 0, 5}},
		{labelGraph, "base ft ad m", "", []int{6, 4, 3, 2}},
		{labelGraph, "base", "finetune quantized", []int{2}},
		{labelGraph, "mq", "finetune quantized", []int{1}},
		{labelGraph, "", "", []int{}},
		// r is the only source of its component, but the cycle a <-> b feeds
		// x from outside r's reach: the fast path must not count a and b.
		{`
			x: r, b
			a: b
			b: a
		`, "r a x", "", []int{1, 2, 0}},
		{`
			x: r, b
			a: b
			b: a adapter
		`, "r a b", "finetune", []int{1, 0, 2}},
	}
	for _, tt := range tests {
		tg := parseGraph(t, tt.graph)
		starts := tg.idList(t, tt.starts)
		got := tg.g.CountDescendants(starts, parseLabels(t, tt.labels))
		if !slices.Equal(got, tt.want) {
			t.Errorf("CountDescendants(%s, %q) = %v, want %v\ngraph:%s", tt.starts, tt.labels, got, tt.want, tt.graph)
		}
	}
}

// TestSumDescendants weighs node v by 1<<v, so that a sum spells out the
// set of nodes summed: a node missed, or summed twice (a carry into the
// next bit), shows as a different set.
func TestSumDescendants(t *testing.T) {
	tests := []struct {
		graph  string
		starts string
		labels string
		want   []string // the nodes summed, per start
	}{
		{mergeGraph, "base ft1 ft2 m q", "", []string{"ft1 ft2 m q", "m q", "m q", "q", ""}},
		{mergeGraph, "base", "finetune merge quantized", []string{"ft1 m q"}},
		{familiesGraph, "a b a1 m", "", []string{"a1 a2 m m1", "b1 m m1", "a2 m m1", "m1"}},
		{diamondGraph, "a b c x d e", "", []string{"b c d e x", "d e x", "d e", "d e", "e", ""}},
		{cycleGraph, "a b c d p q", "", []string{"b c d", "a c d", "a b d", "", "q", "p"}},
		{selfLoopGraph, "a b s", "", []string{"b", "", ""}},
		{dupGraph, "a b", "", []string{"b c", "c"}},
		{chainGraph, "a c f a", "", []string{"b c d e f", "d e f", "", "b c d e f"}},
		{labelGraph, "base", "finetune quantized", []string{"ft q"}},
		{`
			x: r, b
			a: b
			b: a
		`, "r a x", "", []string{"x", "b x", ""}},
	}
	for _, tt := range tests {
		tg := parseGraph(t, tt.graph)
		if tg.g.NumNodes() > 62 {
			t.Fatalf("graph too large for one bit per node:%s", tt.graph)
		}
		starts := tg.idList(t, tt.starts)
		got := tg.g.SumDescendants(starts, parseLabels(t, tt.labels), func(v NodeID) int64 { return 1 << v })
		var names []string
		for _, sum := range got {
			var set []NodeID
			for v := range NodeID(tg.g.NumNodes()) {
				if sum&(1<<v) != 0 {
					set = append(set, v)
				}
			}
			names = append(names, tg.nameList(set))
		}
		if !slices.Equal(names, tt.want) {
			t.Errorf("SumDescendants(%s, %q) sums the sets %q, want %q\ngraph:%s", tt.starts, tt.labels, names, tt.want, tt.graph)
		}
	}
}

// TestSumDescendantsSharedFamily makes the traversals exceed their budget
// (fifty foundations merged into one model with a tree of 300 below), so
// SumDescendants switches to the shared-tree walk: the sums must not change.
func TestSumDescendantsSharedFamily(t *testing.T) {
	const roots, tree = 50, 300
	n := roots + 1 + tree
	b := NewBuilder(n)
	hub := NodeID(roots)
	for r := range NodeID(roots) {
		b.AddEdge(r, hub, lMerge)
	}
	for v := roots + 1; v < n; v++ {
		parent := hub
		if v > roots+3 {
			parent = NodeID(roots + 1 + (v-roots-1)/3)
		}
		b.AddEdge(parent, NodeID(v), lFinetune)
	}
	g := b.Build()
	weight := func(v NodeID) int64 { return int64(v) + 1 }
	want := int64(0)
	for v := roots; v < n; v++ {
		want += int64(v) + 1
	}
	starts := []NodeID{0, roots - 1, hub, roots + 1}
	got := g.SumDescendants(starts, AllLabels, weight)
	counts := g.CountDescendants(starts, AllLabels)
	if got[0] != want || got[1] != want {
		t.Errorf("SumDescendants(foundations) = %d, %d, want %d", got[0], got[1], want)
	}
	if got[2] != want-int64(hub)-1 {
		t.Errorf("SumDescendants(hub) = %d, want %d", got[2], want-int64(hub)-1)
	}
	if counts[0] != tree+1 || counts[2] != tree {
		t.Errorf("CountDescendants = %v, want %d for a foundation, %d for the hub", counts, tree+1, tree)
	}
	if budget := 2*g.NumEdges() + n; roots*(tree+1) <= budget {
		t.Fatalf("the traversals (%d nodes) stay within the budget (%d): the test no longer reaches the shared-tree walk", roots*(tree+1), budget)
	}
}

func TestRoots(t *testing.T) {
	tests := []struct {
		graph  string
		labels string
		want   string
	}{
		{mergeGraph, "", "base"},
		{mergeGraph, "finetune", "base ft2 m q"},
		{familiesGraph, "", "a b c"},
		{familiesGraph, "finetune", "a b c m m1"},
		{cycleGraph, "", ""},
		{selfLoopGraph, "", ""},
		{selfLoopGraph, "finetune", "s"},
		{dupGraph, "finetune", "a b"},
		{dupGraph, "quantized", "a b c"},
		{chainGraph, "", "a"},
		{chainGraph, "l63", "a b c d e f"},
	}
	for _, tt := range tests {
		tg := parseGraph(t, tt.graph)
		if got := tg.nameList(tg.g.Roots(parseLabels(t, tt.labels))); got != tt.want {
			t.Errorf("Roots(%q) = %q, want %q\ngraph:%s", tt.labels, got, tt.want, tt.graph)
		}
	}
}

func TestPaths(t *testing.T) {
	tests := []struct {
		graph     string
		start     string
		dir       Direction
		labels    string
		limit     int
		want      string
		truncated bool
	}{
		{mergeGraph, "q", Up, "", 100, "q>m>ft1>base q>m>ft2>base", false},
		{mergeGraph, "base", Down, "", 100, "base>ft1>m>q base>ft2>m>q", false},
		{mergeGraph, "base", Down, "", 1, "base>ft1>m>q", true},
		{mergeGraph, "base", Down, "", 2, "base>ft1>m>q base>ft2>m>q", false},
		{mergeGraph, "base", Down, "", 3, "base>ft1>m>q base>ft2>m>q", false},
		{mergeGraph, "base", Down, "adapter merge", 100, "base>ft2>m", false},
		{mergeGraph, "q", Down, "", 100, "", false},
		{mergeGraph, "base", Up, "", 100, "", false},
		{familiesGraph, "m1", Up, "", 100, "m1>m>a2>a1>a m1>m>b1>b", false},
		{familiesGraph, "m1", Up, "quantized", 100, "m1>m", false},
		{familiesGraph, "c", Up, "", 100, "", false},
		{diamondGraph, "a", Down, "", 100, "a>b>x>d>e a>c>d>e", false},
		{diamondGraph, "e", Up, "", 100, "e>d>c>a e>d>x>b>a", false},
		// A path never revisits a node: the walk stops where the cycle closes.
		{cycleGraph, "a", Down, "", 100, "a>b>c>d", false},
		{cycleGraph, "d", Up, "", 100, "d>c>b>a", false},
		{cycleGraph, "p", Down, "", 100, "p>q", false},
		{cycleGraph, "b", Up, "", 100, "b>a>c", false},
		{selfLoopGraph, "a", Down, "", 100, "a>b", false},
		{selfLoopGraph, "s", Down, "", 100, "", false},
		{selfLoopGraph, "b", Up, "", 100, "b>a", false},
		{chainGraph, "f", Up, "", 100, "f>e>d>c>b>a", false},
		{chainGraph, "f", Up, "", 1, "f>e>d>c>b>a", false},
		{labelGraph, "far", Up, "", 100, "far>mq>m>ad>base far>mq>m>ft>base", false},
		{labelGraph, "base", Down, "", 100, "base>ad>m>mq>far base>ft>m>mq>far base>ft>q", false},
		{labelGraph, "base", Down, "", 2, "base>ad>m>mq>far base>ft>m>mq>far", true},
	}
	for _, tt := range tests {
		tg := parseGraph(t, tt.graph)
		ps, trunc := tg.g.Paths(tg.id(t, tt.start), tt.dir, parseLabels(t, tt.labels), tt.limit)
		if got := tg.paths(ps); got != tt.want || trunc != tt.truncated {
			t.Errorf("Paths(%s, %s, %q, %d) = %q, %v, want %q, %v\ngraph:%s", tt.start, dirName(tt.dir), tt.labels, tt.limit, got, trunc, tt.want, tt.truncated, tt.graph)
		}
	}
}

func TestSCC(t *testing.T) {
	tests := []struct {
		graph  string
		labels string
		want   string
	}{
		{mergeGraph, "", ""},
		{familiesGraph, "", ""},
		{cycleGraph, "", "a b c | p q"},
		{cycleGraph, "merge", ""},
		{selfLoopGraph, "", "a | s"},
		{selfLoopGraph, "finetune", "a"},
		{selfLoopGraph, "adapter", "s"},
		{dupGraph, "", ""},
		// Ordered by smallest member, members ascending, whatever the
		// discovery order.
		{`
			z: y
			y: z
			c: z
			c: a
			a: c
			m: m
			q: p
			p: q merge
			r: q
			p: r
		`, "", "a c | m | p q r | y z"},
		{`
			q: p
			p: q merge
			r: q
			p: r
		`, "finetune", "p q r"},
		{`
			q: p
			p: q merge
			r: q
			p: r adapter
		`, "finetune", ""},
		// A cycle through a node with no out-edges of its own elsewhere.
		{`
			b: a
			a: b
			leaf: a
		`, "", "a b"},
	}
	for _, tt := range tests {
		tg := parseGraph(t, tt.graph)
		compOf, cycles := tg.g.SCC(parseLabels(t, tt.labels))
		if got := tg.cycles(cycles); got != tt.want {
			t.Errorf("SCC(%q) = %q, want %q\ngraph:%s", tt.labels, got, tt.want, tt.graph)
		}
		if len(compOf) != tg.g.NumNodes() {
			t.Fatalf("SCC(%q): len(compOf) = %d, want %d", tt.labels, len(compOf), tg.g.NumNodes())
		}
		for v, c := range compOf {
			in := -1
			for i, cy := range cycles {
				if slices.Contains(cy, NodeID(v)) {
					in = i
				}
			}
			if int(c) != in {
				t.Errorf("SCC(%q): compOf[%s] = %d, want %d", tt.labels, tg.names[v], c, in)
			}
		}
	}
}

func TestBuilder(t *testing.T) {
	tg := parseGraph(t, dupGraph)
	g := tg.g
	a, b, c := tg.id(t, "a"), tg.id(t, "b"), tg.id(t, "c")
	if got := g.NumEdges(); got != 2 {
		t.Errorf("NumEdges() = %d, want 2 (duplicates merged)", got)
	}
	for _, tt := range []struct {
		from, to NodeID
		lab      Label
		ok       bool
	}{
		{a, b, lAdapter, true},
		{b, c, lFinetune, true},
		{a, c, 0, false},
		{b, a, 0, false},
	} {
		if l, ok := g.EdgeLabel(tt.from, tt.to); l != tt.lab || ok != tt.ok {
			t.Errorf("EdgeLabel(%s, %s) = %s, %v, want %s, %v", tg.names[tt.from], tg.names[tt.to], labelName(l), ok, labelName(tt.lab), tt.ok)
		}
	}
	if _, lab := g.In(b); !slices.Equal(lab, []Label{lAdapter}) {
		t.Errorf("In(b) labels = %v, want [adapter] (reverse twin keeps the first label)", lab)
	}

	// Duplicates in a long row (the sort path for rows over 16 entries).
	bl := NewBuilder(40)
	for i := 39; i >= 1; i-- {
		bl.AddEdge(0, NodeID(i), Label(i%5))
	}
	for i := 1; i < 40; i++ {
		bl.AddEdge(0, NodeID(i), 60)
		bl.AddEdge(NodeID(i), 0, Label(i%3))
		bl.AddEdge(NodeID(i), 0, 61)
	}
	g = bl.Build()
	if g.NumEdges() != 78 || g.OutDegree(0) != 39 || g.InDegree(0) != 39 {
		t.Errorf("long rows: NumEdges, OutDegree(0), InDegree(0) = %d, %d, %d, want 78, 39, 39", g.NumEdges(), g.OutDegree(0), g.InDegree(0))
	}
	for i := 1; i < 40; i++ {
		if l, _ := g.EdgeLabel(0, NodeID(i)); l != Label(i%5) {
			t.Errorf("long rows: EdgeLabel(0, %d) = %d, want %d", i, l, i%5)
		}
		if l, _ := g.EdgeLabel(NodeID(i), 0); l != Label(i%3) {
			t.Errorf("long rows: EdgeLabel(%d, 0) = %d, want %d", i, l, i%3)
		}
	}

	// Grow and an empty graph.
	bl = NewBuilder(0)
	if g := bl.Build(); g.NumNodes() != 0 || g.NumEdges() != 0 || len(g.Roots(AllLabels)) != 0 {
		t.Errorf("empty graph: %d nodes, %d edges", g.NumNodes(), g.NumEdges())
	}
	bl.Grow(3)
	bl.Grow(2)
	if bl.NumNodes() != 3 {
		t.Errorf("Grow(3), Grow(2): NumNodes() = %d, want 3", bl.NumNodes())
	}
	bl.AddEdge(2, 0, MaxLabel)
	g = bl.Build()
	if l, ok := g.EdgeLabel(2, 0); g.NumNodes() != 3 || !ok || l != MaxLabel {
		t.Errorf("after Grow: NumNodes() = %d, EdgeLabel(2, 0) = %d, %v", g.NumNodes(), l, ok)
	}
}

func TestBuilderPanics(t *testing.T) {
	for _, tt := range []struct {
		name     string
		from, to NodeID
		lab      Label
	}{
		{"from out of range", 3, 0, 0},
		{"to out of range", 0, 3, 0},
		{"negative", -1, 0, 0},
		{"label", 0, 1, MaxLabel + 1},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("AddEdge(%d, %d, %d) on 3 nodes (%s) did not panic", tt.from, tt.to, tt.lab, tt.name)
				}
			}()
			NewBuilder(3).AddEdge(tt.from, tt.to, tt.lab)
		}()
	}
}

func TestLabelSet(t *testing.T) {
	s := LabelsOf(lAdapter, MaxLabel)
	for l := Label(0); l <= MaxLabel; l++ {
		if got, want := s.Has(l), l == lAdapter || l == MaxLabel; got != want {
			t.Errorf("LabelsOf(adapter, 63).Has(%d) = %v, want %v", l, got, want)
		}
		if !AllLabels.Has(l) {
			t.Errorf("AllLabels.Has(%d) = false", l)
		}
	}
	if LabelsOf() != 0 {
		t.Errorf("LabelsOf() = %#x, want 0", LabelsOf())
	}
}

// csrArrays is a mutable copy of a graph's CSR arrays.
type csrArrays struct {
	n              int
	fwdOff, revOff []int32
	fwdDst, revDst []NodeID
	fwdLab, revLab []Label
}

func copyCSR(g *Graph) csrArrays {
	fo, fd, fl, ro, rd, rl := g.CSR()
	return csrArrays{g.NumNodes(), slices.Clone(fo), slices.Clone(ro), slices.Clone(fd), slices.Clone(rd), slices.Clone(fl), slices.Clone(rl)}
}

func (c csrArrays) load() (*Graph, error) {
	return FromCSR(c.n, c.fwdOff, c.fwdDst, c.fwdLab, c.revOff, c.revDst, c.revLab)
}

func TestFromCSR(t *testing.T) {
	// Nodes a..e; a has four children, so rows have room to corrupt.
	tg := parseGraph(t, `
		b: a
		c: a adapter
		d: a merge, c merge
		e: a quantized, d
		d: d
	`)
	g := tg.g
	// CSR() output is accepted and answers the same.
	g2, err := copyCSR(g).load()
	if err != nil {
		t.Fatalf("FromCSR(CSR()) = %v, want nil", err)
	}
	for v := range NodeID(g.NumNodes()) {
		d1, l1 := g.Out(v)
		d2, l2 := g2.Out(v)
		r1, m1 := g.In(v)
		r2, m2 := g2.In(v)
		if !slices.Equal(d1, d2) || !slices.Equal(l1, l2) || !slices.Equal(r1, r2) || !slices.Equal(m1, m2) {
			t.Errorf("FromCSR(CSR()): node %d differs", v)
		}
	}
	if g, err := FromCSR(0, []int32{0}, nil, nil, []int32{0}, nil, nil); err != nil || g.NumNodes() != 0 {
		t.Errorf("FromCSR(empty) = %v, %v, want a graph with 0 nodes", g, err)
	}
	a := tg.id(t, "a")
	if g.OutDegree(a) != 4 {
		t.Fatalf("fixture: OutDegree(a) = %d, want 4", g.OutDegree(a))
	}

	tests := []struct {
		name    string
		corrupt func(c *csrArrays)
	}{
		{"negative n", func(c *csrArrays) { c.n = -1 }},
		{"n too large", func(c *csrArrays) { c.n++ }},
		{"n too small", func(c *csrArrays) { c.n-- }},
		{"short fwdOff", func(c *csrArrays) { c.fwdOff = c.fwdOff[:len(c.fwdOff)-1] }},
		{"short revOff", func(c *csrArrays) { c.revOff = c.revOff[:len(c.revOff)-1] }},
		{"nil offsets", func(c *csrArrays) { c.fwdOff, c.revOff = nil, nil }},
		{"short fwdLab", func(c *csrArrays) { c.fwdLab = c.fwdLab[1:] }},
		{"short revDst", func(c *csrArrays) { c.revDst = c.revDst[1:] }},
		{"short revLab", func(c *csrArrays) { c.revLab = c.revLab[1:] }},
		{"edge arrays both short", func(c *csrArrays) {
			c.fwdDst, c.fwdLab, c.revDst, c.revLab = c.fwdDst[1:], c.fwdLab[1:], c.revDst[1:], c.revLab[1:]
		}},
		{"fwdOff[0] != 0", func(c *csrArrays) { c.fwdOff[0] = 1 }},
		{"revOff[0] != 0", func(c *csrArrays) { c.revOff[0] = -1 }},
		{"fwdOff[n] < m", func(c *csrArrays) { c.fwdOff[c.n]-- }},
		{"revOff[n] > m", func(c *csrArrays) { c.revOff[c.n]++ }},
		{"fwdOff decreasing", func(c *csrArrays) { c.fwdOff[2] = c.fwdOff[1] - 1 }},
		{"fwdOff past the end in the middle", func(c *csrArrays) { c.fwdOff[1] = int32(len(c.fwdDst)) + 100 }},
		{"revOff past the end in the middle", func(c *csrArrays) { c.revOff[c.n-1] = int32(len(c.revDst)) + 1 }},
		// d's row (d, e) is sorted to the end of the array: only a bounds
		// check on the offset stops the scan from running past it.
		{"fwdOff past the end before a sorted tail", func(c *csrArrays) { c.fwdOff[c.n-1] = int32(len(c.fwdDst)) + 1 }},
		{"fwdOff negative in the middle", func(c *csrArrays) { c.fwdOff[1] = -5 }},
		{"fwdOff shifted", func(c *csrArrays) { c.fwdOff[1]-- }},
		{"revOff shifted", func(c *csrArrays) {
			for i := 1; i < c.n; i++ {
				if c.revOff[i] > 0 {
					c.revOff[i]--
					return
				}
			}
		}},
		{"unsorted fwd row", func(c *csrArrays) {
			i := c.fwdOff[a]
			c.fwdDst[i], c.fwdDst[i+1] = c.fwdDst[i+1], c.fwdDst[i]
			c.fwdLab[i], c.fwdLab[i+1] = c.fwdLab[i+1], c.fwdLab[i]
		}},
		{"duplicate in fwd row", func(c *csrArrays) { i := c.fwdOff[a]; c.fwdDst[i+1] = c.fwdDst[i] }},
		{"unsorted rev row", func(c *csrArrays) {
			d := tg.id(t, "d")
			i := c.revOff[d]
			c.revDst[i], c.revDst[i+1] = c.revDst[i+1], c.revDst[i]
			c.revLab[i], c.revLab[i+1] = c.revLab[i+1], c.revLab[i]
		}},
		{"negative fwd target", func(c *csrArrays) { c.fwdDst[0] = -1 }},
		{"fwd target == n", func(c *csrArrays) { c.fwdDst[len(c.fwdDst)-1] = NodeID(c.n) }},
		{"rev target huge", func(c *csrArrays) { c.revDst[len(c.revDst)-1] = 1 << 30 }},
		{"missing reverse twin", func(c *csrArrays) {
			// Retarget a's first edge (to b) at a itself; the row stays sorted
			// but a has no reverse entry a <- a.
			c.fwdDst[c.fwdOff[a]] = a
		}},
		{"reverse twin with another label", func(c *csrArrays) { c.revLab[0] = (c.revLab[0] + 1) % 4 }},
		{"forward label differs", func(c *csrArrays) { c.fwdLab[len(c.fwdLab)-1] = 7 }},
		{"fwd label > MaxLabel", func(c *csrArrays) { c.fwdLab[0] = MaxLabel + 1 }},
		{"rev label > MaxLabel", func(c *csrArrays) { c.revLab[0] = 255 }},
		{"both labels > MaxLabel", func(c *csrArrays) {
			c.fwdLab[0] = 64
			i, _ := slices.BinarySearch(c.revDst[c.revOff[c.fwdDst[0]]:c.revOff[c.fwdDst[0]+1]], a)
			c.revLab[int(c.revOff[c.fwdDst[0]])+i] = 64
		}},
		{"reverse edge without forward", func(c *csrArrays) {
			// Swap one reverse twin for a node that has no such forward edge.
			b := tg.id(t, "b")
			i := c.revOff[b] // b's only parent is a
			c.revDst[i] = tg.id(t, "e")
		}},
	}
	for _, tt := range tests {
		c := copyCSR(g)
		tt.corrupt(&c)
		var got *Graph
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			got, err = c.load()
		}()
		if err == nil || !errors.Is(err, ErrInvalid) || got != nil {
			t.Errorf("FromCSR(%s) = %v, %v, want nil, error wrapping ErrInvalid", tt.name, got, err)
		}
	}
}

// TestBuilderReserveEdges checks that edges added after ReserveEdges(m)
// allocate nothing more, up to m, and that the graph is the one built
// without it.
func TestBuilderReserveEdges(t *testing.T) {
	const n, m = 100, 500
	edges := func(b *Builder) {
		for i := 0; i < m; i++ {
			b.AddEdge(NodeID(i%n), NodeID((i*7+1)%n), Label(i%4))
		}
	}
	plain := NewBuilder(n)
	edges(plain)
	var reserved *Builder
	// The builder and its three arrays, once each (the race detector's
	// instrumentation allocates too: counted without it).
	if allocs := testing.AllocsPerRun(5, func() {
		reserved = NewBuilder(n)
		reserved.ReserveEdges(m)
		edges(reserved)
	}); allocs > 4 && !raceEnabled {
		t.Errorf("a builder with ReserveEdges(%d) and %d edges allocated %v times, want 4", m, m, allocs)
	}
	a, b := plain.Build(), reserved.Build()
	af, ad, al, ar, _, _ := a.CSR()
	bf, bd, bl, br, _, _ := b.CSR()
	if !slices.Equal(af, bf) || !slices.Equal(ad, bd) || !slices.Equal(al, bl) || !slices.Equal(ar, br) {
		t.Fatal("the graph built after ReserveEdges differs")
	}
}
