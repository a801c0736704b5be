package graph

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// idoms formats a dominator tree as "a:- b:a c:a", every node with its
// immediate dominator ("-" for the virtual root), in name order.
func (tg *testGraph) idoms(t *DomTree) string {
	s := make([]string, len(tg.names))
	for v, name := range tg.names {
		d := "-"
		if i := t.IDom(NodeID(v)); i != VirtualRoot {
			d = tg.names[i]
		}
		s[v] = name + ":" + d
	}
	return strings.Join(s, " ")
}

func TestDominators(t *testing.T) {
	tests := []struct {
		name   string
		graph  string
		labels string
		want   string // every node with its immediate dominator
		counts string // "node:dominated ..." for some nodes
		roots  string // root cycles, as "a b | c"
	}{
		{"merge: m is reached through ft1 and ft2, both under base", mergeGraph, "",
			"base:- ft1:base ft2:base m:base q:m", "base:4 ft1:0 m:1 q:0", ""},
		{"without the adapter edge ft2 is a foundation, and m has two", mergeGraph, "finetune merge quantized",
			"base:- ft1:base ft2:- m:- q:m", "base:1 ft1:0 ft2:0 m:1", ""},
		{"two families joined: m is dominated by no one", familiesGraph, "",
			"a:- a1:a a2:a1 b:- b1:b c:- m:- m1:m", "a:2 a1:1 b:1 m:1 c:0", ""},
		{"diamond: d is dominated by a alone", diamondGraph, "",
			"a:- b:a c:a d:a e:d x:b", "a:5 b:1 c:0 d:1", ""},
		{"root cycles hang from the virtual root, member by member", cycleGraph, "",
			"a:- b:- c:- d:c p:- q:-", "a:0 c:1 p:0", "a b c | p q"},
		{"self-loops are root cycles of one node", selfLoopGraph, "",
			"a:- b:a s:-", "a:1 s:0", "a | s"},
		{"s, its self-loop not selected, is a foundation", selfLoopGraph, "finetune",
			"a:- b:a s:-", "a:1", "a"},
		{"a cycle entered from a foundation is dominated through its entry", `
			b: a
			c: b, d
			d: c
			e: d
		`, "", "a:- b:a c:b d:c e:d", "a:4 b:3 c:2 d:1", ""},
		{"a cycle entered twice is dominated by no member", `
			c: a, d
			d: b, c
			e: d
		`, "", "a:- b:- c:- d:- e:d", "a:0 c:0 d:1", ""},
		{"a root cycle feeding a family", `
			b: a
			a: b
			x: a
			y: x, f
			z: x
		`, "", "a:- b:- f:- x:a y:- z:x", "a:2 b:0 x:1", "a b"},
		{"chain", chainGraph, "", "a:- b:a c:b d:c e:d f:e", "a:5 c:3 f:0", ""},
		{"no edges selected", labelGraph, "l9",
			"ad:- base:- far:- ft:- m:- mq:- q:-", "base:0", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := parseGraph(t, tt.graph)
			tree := tg.g.Dominators(parseLabels(t, tt.labels))
			if got := tg.idoms(tree); got != tt.want {
				t.Errorf("Dominators(%q) = %q, want %q", tt.labels, got, tt.want)
			}
			for _, f := range strings.Fields(tt.counts) {
				name, count, _ := strings.Cut(f, ":")
				if got := fmt.Sprint(tree.NumDominated(tg.id(t, name))); got != count {
					t.Errorf("NumDominated(%s) = %s, want %s", name, got, count)
				}
			}
			if got := tg.cycles(tree.RootCycles()); got != tt.roots {
				t.Errorf("RootCycles() = %q, want %q", got, tt.roots)
			}
		})
	}
	tg := parseGraph(t, diamondGraph)
	tree := tg.g.Dominators(AllLabels)
	if got := tg.nameList(tree.Dominated(tg.id(t, "a"))); got != "b c d e x" {
		t.Errorf("Dominated(a) = %q, want %q", got, "b c d e x")
	}
	if got := tg.nameList(tree.Chain(tg.id(t, "e"))); got != "d a" {
		t.Errorf("Chain(e) = %q, want %q", got, "d a")
	}
	a, d, e, x := tg.id(t, "a"), tg.id(t, "d"), tg.id(t, "e"), tg.id(t, "x")
	if !tree.Dominates(a, e) || !tree.Dominates(d, d) || tree.Dominates(x, d) || tree.Dominates(e, d) {
		t.Errorf("Dominates: a>e %v, d>d %v, x>d %v, e>d %v; want true, true, false, false",
			tree.Dominates(a, e), tree.Dominates(d, d), tree.Dominates(x, d), tree.Dominates(e, d))
	}
}

func TestCountPaths(t *testing.T) {
	tests := []struct {
		graph    string
		from, to string
		dir      Direction
		labels   string
		want     int64
		cycle    string // the cycle reported, when the count is refused
	}{
		{mergeGraph, "base", "q", Down, "", 2, ""},
		{mergeGraph, "q", "base", Up, "", 2, ""},
		{mergeGraph, "base", "q", Up, "", 0, ""},
		{mergeGraph, "base", "q", Down, "finetune merge quantized", 1, ""},
		{mergeGraph, "ft1", "ft2", Down, "", 0, ""},
		{mergeGraph, "m", "m", Down, "", 1, ""},
		{diamondGraph, "a", "e", Down, "", 2, ""},
		{familiesGraph, "m1", "a", Up, "", 1, ""},
		// The cycle a b c lies between a and d.
		{cycleGraph, "a", "d", Down, "", 0, "a b c"},
		{cycleGraph, "d", "b", Up, "", 0, "a b c"},
		// A cycle below from that does not lead to to does not matter.
		{`
			b: a
			c: b
			b: c
			d: a
		`, "a", "d", Down, "", 1, ""},
	}
	for _, tt := range tests {
		tg := parseGraph(t, tt.graph)
		got, err := tg.g.CountPaths(tg.id(t, tt.from), tg.id(t, tt.to), tt.dir, parseLabels(t, tt.labels))
		var ce *CycleError
		switch {
		case tt.cycle != "":
			if !errors.As(err, &ce) || !errors.Is(err, ErrCycle) || tg.nameList(ce.Cycle) != tt.cycle {
				t.Errorf("CountPaths(%s, %s, %s) = %v, %v; want a cycle error on %q", tt.from, tt.to, dirName(tt.dir), got, err, tt.cycle)
			}
		case err != nil || got != (PathCount{N: tt.want}):
			t.Errorf("CountPaths(%s, %s, %s, %q) = %v, %v; want %d", tt.from, tt.to, dirName(tt.dir), tt.labels, got, err, tt.want)
		}
	}
}

func TestCountPathsToEnds(t *testing.T) {
	tests := []struct {
		graph  string
		from   string
		dir    Direction
		labels string
		want   string // "total end:count end:count", or "cycle a b c"
	}{
		{mergeGraph, "q", Up, "", "2 base:2"},
		{mergeGraph, "base", Up, "", "1 base:1"},
		{mergeGraph, "base", Down, "", "2 q:2"},
		{familiesGraph, "m1", Up, "", "2 a:1 b:1"},
		{labelGraph, "base", Down, "", "3 far:2 q:1"},
		{labelGraph, "far", Up, "finetune quantized", "1 m:1"},
		{cycleGraph, "d", Up, "", "0"}, // only a root cycle above
		{cycleGraph, "a", Down, "", "cycle a b c"},
		// The root cycle p q above m leads to no foundation: not counted.
		{`
			q: p
			p: q
			m: p, f
		`, "m", Up, "", "1 f:1"},
		{selfLoopGraph, "b", Up, "", "0"},
	}
	for _, tt := range tests {
		tg := parseGraph(t, tt.graph)
		total, ends, err := tg.g.CountPathsToEnds(tg.id(t, tt.from), tt.dir, parseLabels(t, tt.labels))
		got := fmt.Sprint(total.N)
		for _, e := range ends {
			got += fmt.Sprintf(" %s:%d", tg.names[e.Node], e.Paths.N)
		}
		var ce *CycleError
		if errors.As(err, &ce) {
			got = "cycle " + tg.nameList(ce.Cycle)
		} else if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("CountPathsToEnds(%s, %s, %q) = %q, want %q", tt.from, dirName(tt.dir), tt.labels, got, tt.want)
		}
	}
}

// lattice returns a graph of k levels of two nodes each, both nodes of a
// level being parents of both nodes of the next, under one top node and
// over one bottom node: 2^k paths from top to bottom.
func lattice(k int) (g *Graph, top, bottom NodeID) {
	n := 2*k + 2
	b := NewBuilder(n)
	top, bottom = 0, NodeID(n-1)
	prev := []NodeID{top}
	for i := range k {
		level := []NodeID{NodeID(1 + 2*i), NodeID(2 + 2*i)}
		for _, p := range prev {
			for _, c := range level {
				b.AddEdge(p, c, lMerge)
			}
		}
		prev = level
	}
	for _, p := range prev {
		b.AddEdge(p, bottom, lFinetune)
	}
	return b.Build(), top, bottom
}

func TestCountPathsSaturates(t *testing.T) {
	for _, tt := range []struct {
		k         int
		want      int64
		saturated bool
	}{
		{1, 2, false},
		{40, 1 << 40, false},
		{62, 1 << 62, false},
		{63, MaxPathCount, true}, // 2^63 paths: one more than MaxPathCount
		{64, MaxPathCount, true}, // the sum of two saturated counts
		{1000, MaxPathCount, true},
	} {
		g, top, bottom := lattice(tt.k)
		want := PathCount{tt.want, tt.saturated}
		if got, err := g.CountPaths(top, bottom, Down, AllLabels); err != nil || got != want {
			t.Errorf("lattice(%d): CountPaths(top, bottom) = %v, %v; want %v", tt.k, got, err, want)
		}
		if got, err := g.CountPaths(bottom, top, Up, AllLabels); err != nil || got != want {
			t.Errorf("lattice(%d): CountPaths(bottom, top, Up) = %v, %v; want %v", tt.k, got, err, want)
		}
		total, ends, err := g.CountPathsToEnds(bottom, Up, AllLabels)
		if err != nil || total != want || len(ends) != 1 || ends[0] != (EndPaths{top, want}) {
			t.Errorf("lattice(%d): CountPathsToEnds(bottom, Up) = %v, %v, %v; want %v to the top", tt.k, total, ends, err, want)
		}
		ps, trunc := g.PathsBetween(top, bottom, Down, AllLabels, 5)
		if len(ps) != min(5, 1<<min(tt.k, 10)) || trunc != (tt.k > 2) {
			t.Errorf("lattice(%d): PathsBetween(top, bottom, 5) = %d paths, truncated %v", tt.k, len(ps), trunc)
		}
	}
}

func TestShortestPath(t *testing.T) {
	tests := []struct {
		graph    string
		from, to string
		dir      Direction
		labels   string
		want     string // "a >finetune b >merge c", or "" when unreachable
	}{
		{diamondGraph, "a", "d", Down, "", "a >finetune c >finetune d"},
		{diamondGraph, "e", "a", Up, "", "e >finetune d >finetune c >finetune a"},
		{diamondGraph, "a", "e", Up, "", ""},
		{diamondGraph, "b", "b", Down, "", "b"},
		// Two shortest paths: the one through the lower id, ft1.
		{mergeGraph, "base", "q", Down, "", "base >finetune ft1 >merge m >quantized q"},
		{mergeGraph, "q", "base", Up, "", "q >quantized m >merge ft1 >finetune base"},
		{mergeGraph, "q", "base", Up, "quantized merge adapter", "q >quantized m >merge ft2 >adapter base"},
		{mergeGraph, "q", "base", Up, "quantized merge", ""},
		{cycleGraph, "b", "a", Down, "", "b >finetune c >finetune a"},
		{cycleGraph, "a", "d", Down, "", "a >finetune b >finetune c >finetune d"},
		{selfLoopGraph, "a", "b", Down, "", "a >finetune b"},
		// The lowest id at every step from the start: through b, although
		// the other way reaches x from y, lower than z.
		{`
			b: a
			c: a
			z: b
			y: c
			x: y, z
		`, "a", "x", Down, "", "a >finetune b >finetune z >finetune x"},
	}
	for _, tt := range tests {
		tg := parseGraph(t, tt.graph)
		path, hops, ok := tg.g.ShortestPath(tg.id(t, tt.from), tg.id(t, tt.to), tt.dir, parseLabels(t, tt.labels))
		var sb strings.Builder
		for i, v := range path {
			if i > 0 {
				sb.WriteString(" >" + labelName(hops[i-1]) + " ")
			}
			sb.WriteString(tg.names[v])
		}
		if got := sb.String(); got != tt.want || ok != (tt.want != "") {
			t.Errorf("ShortestPath(%s, %s, %s, %q) = %q, %v; want %q", tt.from, tt.to, dirName(tt.dir), tt.labels, got, ok, tt.want)
		}
	}
}

func TestPathsBetween(t *testing.T) {
	tests := []struct {
		graph     string
		from, to  string
		dir       Direction
		limit     int
		want      string
		truncated bool
	}{
		{mergeGraph, "base", "q", Down, 10, "base>ft1>m>q base>ft2>m>q", false},
		{mergeGraph, "base", "q", Down, 2, "base>ft1>m>q base>ft2>m>q", false},
		{mergeGraph, "base", "q", Down, 1, "base>ft1>m>q", true},
		{mergeGraph, "q", "base", Up, 10, "q>m>ft1>base q>m>ft2>base", false},
		{mergeGraph, "ft1", "ft2", Down, 10, "", false},
		{mergeGraph, "m", "m", Up, 1, "m", false},
		{familiesGraph, "m1", "b", Up, 10, "m1>m>b1>b", false},
		// Simple paths across the cycle a b c: it is entered and left once.
		{cycleGraph, "b", "d", Down, 10, "b>c>d", false},
		{`
			b: a
			c: b, d
			d: c
			e: d, c
		`, "a", "e", Down, 10, "a>b>c>d>e a>b>c>e", false},
	}
	for _, tt := range tests {
		tg := parseGraph(t, tt.graph)
		ps, trunc := tg.g.PathsBetween(tg.id(t, tt.from), tg.id(t, tt.to), tt.dir, AllLabels, tt.limit)
		if got := tg.paths(ps); got != tt.want || trunc != tt.truncated {
			t.Errorf("PathsBetween(%s, %s, %s, %d) = %q, %v; want %q, %v", tt.from, tt.to, dirName(tt.dir), tt.limit, got, trunc, tt.want, tt.truncated)
		}
	}
}

// TestPathsBetweenNoDeadBranches: from -> x -> to, with a lattice of 2^60
// paths hanging below x and leading back to x. Every lattice node reaches
// to (through x), so pruning by reachability alone keeps them; once x is
// on the path none of them can reach to without revisiting it, and an
// enumeration that walked them would not finish.
func TestPathsBetweenNoDeadBranches(t *testing.T) {
	const k = 60
	// Ids: lattice 0..2k-1, x = 2k, from = 2k+1, to = 2k+2; the lattice
	// has the lowest ids, so it is tried first.
	n := 2*k + 3
	x, from, to := NodeID(2*k), NodeID(2*k+1), NodeID(2*k+2)
	b := NewBuilder(n)
	b.AddEdge(from, x, 0)
	b.AddEdge(x, to, 0)
	prev := []NodeID{x}
	for i := range k {
		level := []NodeID{NodeID(2 * i), NodeID(2*i + 1)}
		for _, p := range prev {
			for _, c := range level {
				b.AddEdge(p, c, 0)
			}
		}
		prev = level
	}
	for _, p := range prev {
		b.AddEdge(p, x, 0)
	}
	g := b.Build()
	ps, trunc := g.PathsBetween(from, to, Down, AllLabels, 10)
	if len(ps) != 1 || trunc || fmt.Sprint(ps[0]) != fmt.Sprint([]NodeID{from, x, to}) {
		t.Errorf("PathsBetween(from, to) = %v, %v; want the one path [from x to]", ps, trunc)
	}
	if _, err := g.CountPaths(from, to, Down, AllLabels); !errors.Is(err, ErrCycle) {
		t.Errorf("CountPaths(from, to) error = %v, want ErrCycle", err)
	}
}

func TestLimitMustBePositive(t *testing.T) {
	tg := parseGraph(t, mergeGraph)
	base, q := tg.id(t, "base"), tg.id(t, "q")
	for _, limit := range []int{0, -1} {
		for name, call := range map[string]func(){
			"Paths":        func() { tg.g.Paths(q, Up, AllLabels, limit) },
			"PathsBetween": func() { tg.g.PathsBetween(base, q, Down, AllLabels, limit) },
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s with limit %d did not panic", name, limit)
					}
				}()
				call()
			}()
		}
	}
}

func TestCommonAncestors(t *testing.T) {
	tests := []struct {
		graph  string
		nodes  string
		labels string
		// Each common ancestor as name/depths, with * when nearest and ^
		// when a root: "a1*/1,0".
		want string
	}{
		{familiesGraph, "m1 a2", "", "a^/4,2 a1/3,1 a2*/2,0"},
		{familiesGraph, "a2 b1", "", ""},
		{familiesGraph, "m1", "", "a^/4 a1/3 a2/2 b^/3 b1/2 m/1 m1*/0"},
		{familiesGraph, "", "", ""},
		{mergeGraph, "ft1 ft2", "", "base*^/1,1"},
		{mergeGraph, "q m", "", "base^/3,2 ft1/2,1 ft2/2,1 m*/1,0"},
		{mergeGraph, "q m", "quantized adapter", "m*^/1,0"},
		{mergeGraph, "ft1 ft1 ft1", "", "base^/1,1,1 ft1*/0,0,0"},
		// Two nearest: both parents of m and of z.
		{`
			m: a, b
			z: a, b
		`, "m z", "", "a*^/1,1 b*^/1,1"},
		{diamondGraph, "e x", "", "a^/3,2 b/3,1 x*/2,0"},
		{cycleGraph, "d d", "", "a/3,3 b/2,2 c/1,1 d*/0,0"},
		// A cycle of common ancestors with none below: all nearest.
		{cycleGraph, "a b", "", "a*/0,1 b*/2,0 c*/1,2"},
		// The cycle p q lies above a common ancestor: not nearest.
		{`
			q: p
			p: q
			m: p
			x: m
			y: m
		`, "x y", "", "m*/1,1 p/2,2 q/3,3"},
	}
	for _, tt := range tests {
		tg := parseGraph(t, tt.graph)
		var nodes []NodeID
		if tt.nodes != "" {
			nodes = tg.idList(t, tt.nodes)
		}
		var got []string
		for _, c := range tg.g.CommonAncestors(nodes, parseLabels(t, tt.labels)) {
			s := tg.names[c.Node]
			if c.Nearest {
				s += "*"
			}
			if c.Root {
				s += "^"
			}
			d := make([]string, len(c.Depths))
			for i, x := range c.Depths {
				d[i] = fmt.Sprint(x)
			}
			got = append(got, s+"/"+strings.Join(d, ","))
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("CommonAncestors(%s, %q) = %q, want %q", tt.nodes, tt.labels, g, tt.want)
		}
	}
}

// TestNodeIndex checks the hash index against a map, across its growth,
// with keys that collide in the low bits.
func TestNodeIndex(t *testing.T) {
	for _, stride := range []int64{1, 7, 1 << 12, 1 << 20} {
		x := newNodeIndex(0)
		want := map[NodeID]int32{}
		for i := range int64(5000) {
			v := NodeID(i * stride % 2_000_003)
			if i%3 == 0 {
				v = NodeID(i / 3 * stride % 2_000_003) // a repeat
			}
			got, added := x.add(v)
			w, ok := want[v]
			if !ok {
				w = int32(len(want))
				want[v] = w
			}
			if got != w || added == ok {
				t.Fatalf("stride %d: add(%d) = %d, %v; want %d, %v", stride, v, got, added, w, !ok)
			}
		}
		for v, w := range want {
			if x.get(v) != w || x.nodes[w] != v {
				t.Fatalf("stride %d: get(%d) = %d, want %d", stride, v, x.get(v), w)
			}
		}
		for _, v := range []NodeID{-5, 2_000_004, 2_100_000} {
			if x.has(v) {
				t.Fatalf("stride %d: has(%d) for a node never added", stride, v)
			}
		}
		if x.len() != len(want) {
			t.Fatalf("stride %d: len() = %d, want %d", stride, x.len(), len(want))
		}
	}
}
