package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/topo"
)

// The contract suite runs the same checks against the CSR graph (as built,
// and as reloaded through FromCSR(CSR())) and the reference implementation
// in reference_test.go, over random graphs with fixed seeds.

type contractCase struct {
	name string
	seed uint64
	p    genParams
}

func contractCases() []contractCase {
	var cs []contractCase
	add := func(name string, seeds int, p genParams) {
		for s := range seeds {
			cs = append(cs, contractCase{fmt.Sprintf("%s/n=%d/seed=%d", name, p.n, s), uint64(s)*7919 + uint64(len(cs)), p})
		}
	}
	// Trees only: every family root takes CountDescendants' fast path.
	add("forest", 4, genParams{n: 2000, isolated: 0.3, roots: 0.05, chain: 0.3, labels: 3})
	// Families joined by merges (several sources per component), no cycles.
	add("merges", 4, genParams{n: 2000, isolated: 0.3, roots: 0.05, chain: 0.3, merges: 0.01, famMerges: 0.1, labels: 3})
	// Hub-shaped: rare cycles, self-loops, duplicates, several labels.
	add("hub", 4, genParams{n: 3000, isolated: 0.6, roots: 0.2, chain: 0.4, merges: 0.005, famMerges: 0.05, backEdges: 30, selfLoops: 4, dups: 50, labels: 4})
	// Dense: cycles everywhere.
	add("dense", 4, genParams{n: 300, roots: 0.02, merges: 0.8, backEdges: 150, selfLoops: 20, dups: 100, labels: 3})
	// Many tiny components of every kind.
	add("tiny", 4, genParams{n: 1500, isolated: 0.2, roots: 0.4, chain: 0.5, merges: 0.05, famMerges: 0.2, backEdges: 30, selfLoops: 30, dups: 30, labels: 2})
	return cs
}

var contractLabelSets = []LabelSet{AllLabels, LabelsOf(0), LabelsOf(0, 1), LabelsOf(1, 2, MaxLabel), 0}

// implementations returns the graphs under test for one edge list.
func implementations(t *testing.T, n int, edges []edge) map[string]*Graph {
	t.Helper()
	built := buildEdges(n, edges)
	c := copyCSR(built)
	loaded, err := c.load()
	if err != nil {
		t.Fatalf("FromCSR(CSR()) = %v", err)
	}
	return map[string]*Graph{"built": built, "loaded": loaded}
}

func TestContract(t *testing.T) {
	kinds := map[string]map[startKind]int{}
	for _, c := range contractCases() {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(c.seed, 1))
			n, edges := genGraph(r, c.p)
			ref := newRefGraph(n, edges)
			for impl, g := range implementations(t, n, edges) {
				t.Run(impl, func(t *testing.T) {
					checkStructure(t, g, ref)
					for _, ls := range contractLabelSets {
						checkRoots(t, g, ref, ls)
						checkReach(t, g, ref, ls, r)
						checkCountDescendants(t, g, ref, ls, r)
						checkSumDescendants(t, g, ref, ls, r)
						if impl == "built" {
							kind := c.name[:strings.LastIndex(c.name, "/")]
							if kinds[kind] == nil {
								kinds[kind] = map[startKind]int{}
							}
							for _, k := range ref.startKinds(ls) {
								kinds[kind][k]++
							}
						}
						checkSCC(t, g, ref, ls)
					}
				})
			}
		})
	}
	// The random graphs must exercise every way CountDescendants counts:
	// tree roots answered by the fast path, and sources that need a
	// traversal because their component has other sources, merges or a
	// cycle.
	for _, tt := range []struct {
		kind string
		need []startKind
	}{
		{"forest/n=2000", []startKind{fastFamily}},
		{"merges/n=2000", []startKind{fastFamily, slowSources, slowMerges}},
		{"hub/n=3000", []startKind{fastFamily, slowSources, slowMerges}},
		{"dense/n=300", []startKind{slowSources}},
		{"tiny/n=1500", []startKind{fastFamily, slowSources, slowMerges, slowCyclic}},
	} {
		k := kinds[tt.kind]
		t.Logf("%s: starts: %d inner, %d alone, %d tree roots, %d roots among several, %d roots of DAGs with merges, %d roots of cyclic components",
			tt.kind, k[inner], k[fastAlone], k[fastFamily], k[slowSources], k[slowMerges], k[slowCyclic])
		for _, need := range tt.need {
			if k[need] < 20 {
				t.Errorf("%s: only %d starts of kind %d; the generator no longer covers it", tt.kind, k[need], need)
			}
		}
	}
}

func checkStructure(t *testing.T, g *Graph, ref *refGraph) {
	t.Helper()
	if g.NumNodes() != ref.n || g.NumEdges() != ref.numEdges() {
		t.Fatalf("NumNodes, NumEdges = %d, %d, want %d, %d", g.NumNodes(), g.NumEdges(), ref.n, ref.numEdges())
	}
	for v := range NodeID(ref.n) {
		for _, dir := range []Direction{Down, Up} {
			var dst []NodeID
			var lab []Label
			var deg int
			if dir == Down {
				dst, lab = g.Out(v)
				deg = g.OutDegree(v)
			} else {
				dst, lab = g.In(v)
				deg = g.InDegree(v)
			}
			want := ref.adj(v, dir)
			got := make([]refEdge, len(dst))
			for i := range dst {
				got[i] = refEdge{dst[i], lab[i]}
			}
			if !slices.Equal(got, want) || deg != len(want) {
				t.Fatalf("adjacency(%d, %s) = %v (degree %d), want %v", v, dirName(dir), got, deg, want)
			}
		}
		for _, e := range ref.out[v] {
			if l, ok := g.EdgeLabel(v, e.to); !ok || l != e.lab {
				t.Fatalf("EdgeLabel(%d, %d) = %d, %v, want %d, true", v, e.to, l, ok, e.lab)
			}
		}
	}
}

func checkRoots(t *testing.T, g *Graph, ref *refGraph, ls LabelSet) {
	t.Helper()
	if got, want := g.Roots(ls), ref.roots(ls); !slices.Equal(got, want) {
		t.Errorf("Roots(%#x) = %d nodes, want %d (first difference at %d)", ls, len(got), len(want), firstDiff(got, want))
	}
}

func firstDiff[T comparable](a, b []T) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// sampleStarts returns every node of a small graph, else k random ones
// plus the nodes with the largest degrees.
func sampleStarts(g *Graph, r *rand.Rand, k int) []NodeID {
	n := g.NumNodes()
	if n <= k {
		s := make([]NodeID, n)
		for i := range s {
			s[i] = NodeID(i)
		}
		return s
	}
	s := make([]NodeID, 0, k+10)
	for range k {
		s = append(s, NodeID(r.IntN(n)))
	}
	byDeg := make([]NodeID, n)
	for i := range byDeg {
		byDeg[i] = NodeID(i)
	}
	slices.SortFunc(byDeg, func(a, b NodeID) int {
		return g.OutDegree(b) + g.InDegree(b) - g.OutDegree(a) - g.InDegree(a)
	})
	return append(s, byDeg[:10]...)
}

func checkReach(t *testing.T, g *Graph, ref *refGraph, ls LabelSet, r *rand.Rand) {
	t.Helper()
	for _, v := range sampleStarts(g, r, 60) {
		for _, dir := range []Direction{Down, Up} {
			for _, maxDepth := range []int{0, 1, 3} {
				got, want := g.Reach(v, dir, ls, maxDepth), ref.reach(v, dir, ls, maxDepth)
				if !slices.Equal(got, want) {
					i := firstDiff(got, want)
					t.Fatalf("Reach(%d, %s, %#x, %d) = %d hits, want %d; first difference at %d: %v vs %v",
						v, dirName(dir), ls, maxDepth, len(got), len(want), i, got[i:min(i+1, len(got))], want[i:min(i+1, len(want))])
				}
			}
			if got, want := g.CountReach(v, dir, ls), len(ref.reach(v, dir, ls, 0)); got != want {
				t.Fatalf("CountReach(%d, %s, %#x) = %d, want %d", v, dirName(dir), ls, got, want)
			}
		}
	}
}

// checkCountDescendants checks every node, the roots, and a shuffled
// sample with repeats.
func checkCountDescendants(t *testing.T, g *Graph, ref *refGraph, ls LabelSet, r *rand.Rand) {
	t.Helper()
	n := g.NumNodes()
	want := make([]int, n)
	all := make([]NodeID, n)
	for v := range NodeID(n) {
		want[v] = ref.countDescendants(v, ls)
		all[v] = v
	}
	roots := ref.roots(ls)
	mixed := append(slices.Clone(roots[:min(len(roots), 50)]), sampleStarts(g, r, 50)...)
	mixed = append(mixed, mixed[:10]...)
	r.Shuffle(len(mixed), func(i, j int) { mixed[i], mixed[j] = mixed[j], mixed[i] })
	// Both ways of counting: CountDescendants (traversals on a budget, most
	// of these graphs stay within it) and countWithTrees (the shared-tree
	// walk it switches to).
	for _, count := range []struct {
		name string
		fn   func([]NodeID, LabelSet) []int
	}{{"CountDescendants", g.CountDescendants}, {"countWithTrees", g.countWithTrees}} {
		for _, starts := range [][]NodeID{all, roots, mixed, nil} {
			got := count.fn(starts, ls)
			if len(got) != len(starts) {
				t.Fatalf("%s(%d starts, %#x) returned %d counts", count.name, len(starts), ls, len(got))
			}
			for i, v := range starts {
				if got[i] != want[v] {
					t.Fatalf("%s(%d starts, %#x)[%d] = %d for node %d, want %d", count.name, len(starts), ls, i, got[i], v, want[v])
				}
			}
		}
	}
}

// checkSumDescendants checks SumDescendants, and its shared-tree walk,
// against the reference's plain sum over every reachable node, with
// weights that tell nodes apart (a large prime times the id, so a node
// counted twice or missed changes the sum), with negative weights, and
// with weights of zero for most nodes (as a date window makes them).
func checkSumDescendants(t *testing.T, g *Graph, ref *refGraph, ls LabelSet, r *rand.Rand) {
	t.Helper()
	n := g.NumNodes()
	salt := int64(r.IntN(1000))
	for _, w := range []struct {
		name string
		fn   func(NodeID) int64
	}{
		{"distinct", func(v NodeID) int64 { return int64(v)*1_000_003 + salt }},
		{"signed", func(v NodeID) int64 { return int64(v%7) - 3 }},
		{"sparse", func(v NodeID) int64 {
			if v%5 == 0 {
				return 1 << 40
			}
			return 0
		}},
	} {
		want := make([]int64, n)
		all := make([]NodeID, n)
		for v := range NodeID(n) {
			want[v] = ref.sumDescendants(v, ls, w.fn)
			all[v] = v
		}
		roots := ref.roots(ls)
		mixed := append(slices.Clone(roots[:min(len(roots), 50)]), sampleStarts(g, r, 50)...)
		mixed = append(mixed, mixed[:10]...)
		r.Shuffle(len(mixed), func(i, j int) { mixed[i], mixed[j] = mixed[j], mixed[i] })
		trees := func(starts []NodeID, ls LabelSet, weight func(NodeID) int64) []int64 {
			_, sums := g.sumWithTrees(starts, ls, weight)
			return sums
		}
		for _, sum := range []struct {
			name string
			fn   func([]NodeID, LabelSet, func(NodeID) int64) []int64
		}{{"SumDescendants", g.SumDescendants}, {"sumWithTrees", trees}} {
			for _, starts := range [][]NodeID{all, roots, mixed, nil} {
				got := sum.fn(starts, ls, w.fn)
				if len(got) != len(starts) {
					t.Fatalf("%s(%d starts, %#x, %s) returned %d sums", sum.name, len(starts), ls, w.name, len(got))
				}
				for i, v := range starts {
					if got[i] != want[v] {
						t.Fatalf("%s(%d starts, %#x, %s)[%d] = %d for node %d, want %d", sum.name, len(starts), ls, w.name, i, got[i], v, want[v])
					}
				}
			}
		}
	}
}

func checkSCC(t *testing.T, g *Graph, ref *refGraph, ls LabelSet) {
	t.Helper()
	compOf, cycles := g.SCC(ls)
	want := gonumCycles(filtered(g, ls))
	if ref.n <= 1500 {
		if rc := ref.cycles(ls); !equalCycles(rc, want) {
			t.Fatalf("reference and gonum disagree on SCC(%#x): %d vs %d cycles", ls, len(rc), len(want))
		}
	}
	if !equalCycles(cycles, want) {
		t.Fatalf("SCC(%#x) = %d cycles, want %d (gonum TarjanSCC)", ls, len(cycles), len(want))
	}
	for i, c := range cycles {
		for _, v := range c {
			if compOf[v] != int32(i) {
				t.Fatalf("SCC(%#x): compOf[%d] = %d, want %d", ls, v, compOf[v], i)
			}
		}
	}
	onCycle := 0
	for _, c := range compOf {
		if c >= 0 {
			onCycle++
		} else if c != -1 {
			t.Fatalf("SCC(%#x): compOf holds %d", ls, c)
		}
	}
	total := 0
	for _, c := range cycles {
		total += len(c)
	}
	if onCycle != total || len(compOf) != g.NumNodes() {
		t.Fatalf("SCC(%#x): %d nodes marked on a cycle, %d listed", ls, onCycle, total)
	}
}

// filtered returns g restricted to edges with labels in ls.
func filtered(g *Graph, ls LabelSet) *Graph {
	b := NewBuilder(g.NumNodes())
	for v := range NodeID(g.NumNodes()) {
		dst, lab := g.Out(v)
		for i, w := range dst {
			if ls.Has(lab[i]) {
				b.AddEdge(v, w, lab[i])
			}
		}
	}
	return b.Build()
}

// gonumCycles runs gonum's TarjanSCC over the Gonum view and keeps the
// components that are cycles, in SCC's canonical order.
func gonumCycles(g *Graph) [][]NodeID {
	view := g.Gonum()
	var out [][]NodeID
	for _, comp := range topo.TarjanSCC(view) {
		if len(comp) == 1 && !view.HasEdgeFromTo(comp[0].ID(), comp[0].ID()) {
			continue
		}
		c := make([]NodeID, len(comp))
		for i, v := range comp {
			c[i] = NodeID(v.ID())
		}
		slices.Sort(c)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b []NodeID) int { return int(a[0]) - int(b[0]) })
	return out
}

func equalCycles(a, b [][]NodeID) bool {
	return slices.EqualFunc(a, b, slices.Equal)
}

func TestContractPaths(t *testing.T) {
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 2))
		p := genParams{n: 4 + r.IntN(18), roots: 0.15, chain: 0.3, merges: 0.2, famMerges: 0.3, backEdges: r.IntN(4), selfLoops: r.IntN(3), dups: 3, labels: 2}
		n, edges := genGraph(r, p)
		ref := newRefGraph(n, edges)
		for impl, g := range implementations(t, n, edges) {
			for _, ls := range []LabelSet{AllLabels, LabelsOf(0), LabelsOf(1, MaxLabel)} {
				for v := range NodeID(n) {
					for _, dir := range []Direction{Down, Up} {
						want := ref.paths(v, dir, ls)
						for _, limit := range []int{1, 2, 5, len(want), len(want) + 1} {
							if limit <= 0 {
								continue
							}
							got, trunc := g.Paths(v, dir, ls, limit)
							w, wtrunc := want, false
							if len(w) > limit {
								w, wtrunc = w[:limit], true
							}
							if !equalCycles(got, w) || trunc != wtrunc {
								t.Fatalf("seed %d %s: Paths(%d, %s, %#x, %d) = %v, %v, want %v, %v\nedges: %v",
									seed, impl, v, dirName(dir), ls, limit, got, trunc, w, wtrunc, edges)
							}
						}
					}
				}
			}
		}
	}
}

func TestGonumView(t *testing.T) {
	for _, c := range contractCases()[len(contractCases())-8:] { // dense and tiny
		r := rand.New(rand.NewPCG(c.seed, 3))
		n, edges := genGraph(r, c.p)
		ref := newRefGraph(n, edges)
		g := buildEdges(n, edges)
		for _, vc := range []struct {
			dir Direction
			ls  LabelSet
		}{{Down, AllLabels}, {Up, AllLabels}, {Up, LabelsOf(0, 1)}, {Down, LabelsOf(1)}} {
			name := fmt.Sprintf("%s/%s/%#x", c.name, dirName(vc.dir), vc.ls)
			view := g.GonumDir(vc.dir, vc.ls)
			if vc.dir == Down && vc.ls == AllLabels {
				view = g.Gonum()
			}
			checkGonumView(t, name, view, ref, vc.dir, vc.ls, r)
			checkPageRank(t, name, g, ref, vc.dir, vc.ls)
		}
	}
}

// checkGonumView checks a view against the reference graph with edges in
// ls, reversed when dir is Up.
func checkGonumView(t *testing.T, name string, view gonum.Directed, ref *refGraph, dir Direction, ls LabelSet, r *rand.Rand) {
	t.Helper()
	n := ref.n
	nodes := view.Nodes()
	if nodes.Len() != n {
		t.Fatalf("%s: Nodes().Len() = %d, want %d", name, nodes.Len(), n)
	}
	for pass := range 2 {
		i := 0
		for nodes.Next() {
			if id := nodes.Node().ID(); id != int64(i) {
				t.Fatalf("%s: Nodes() item %d has id %d", name, i, id)
			}
			i++
			if nodes.Len() != n-i {
				t.Fatalf("%s: Nodes().Len() after %d items = %d, want %d", name, i, nodes.Len(), n-i)
			}
		}
		if i != n || nodes.Len() != 0 || nodes.Next() {
			t.Fatalf("%s: pass %d: Nodes() yields %d items, then Len() = %d", name, pass, i, nodes.Len())
		}
		nodes.Reset()
	}
	for _, id := range []int64{-1, int64(n), math.MaxInt64} {
		if view.Node(id) != nil || view.From(id).Len() != 0 || view.To(id).Len() != 0 || view.HasEdgeFromTo(id, 0) || view.HasEdgeFromTo(0, id) || view.Edge(0, id) != nil {
			t.Errorf("%s: view accepts invalid node id %d", name, id)
		}
	}
	// refFrom returns the view's From(v) by the reference: v's edges in
	// the view's direction with labels in ls.
	refFrom := func(v NodeID, to bool) []int64 {
		d := dir
		if to {
			d = flip(dir)
		}
		var out []int64
		for _, e := range ref.adj(v, d) {
			if ls.Has(e.lab) {
				out = append(out, int64(e.to))
			}
		}
		return out
	}
	for v := range NodeID(n) {
		if view.Node(int64(v)).ID() != int64(v) {
			t.Fatalf("%s: Node(%d).ID() = %d", name, v, view.Node(int64(v)).ID())
		}
		for _, to := range []bool{false, true} {
			it := view.From(int64(v))
			if to {
				it = view.To(int64(v))
			}
			want := refFrom(v, to)
			what := map[bool]string{false: "From", true: "To"}[to]
			if it.Len() != len(want) {
				t.Fatalf("%s: %s(%d).Len() = %d, want %d", name, what, v, it.Len(), len(want))
			}
			var got []int64
			for _, x := range gonum.NodesOf(it) {
				got = append(got, x.ID())
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s: %s(%d) = %v, want %v", name, what, v, got, want)
			}
		}
	}
	isEdge := func(u, v NodeID) bool { return slices.Contains(refFrom(u, false), int64(v)) }
	for range 5000 {
		u, v := NodeID(r.IntN(n)), NodeID(r.IntN(n))
		if from := refFrom(u, false); r.IntN(2) == 0 && len(from) > 0 {
			v = NodeID(from[r.IntN(len(from))])
		}
		want := isEdge(u, v)
		if got := view.HasEdgeFromTo(int64(u), int64(v)); got != want {
			t.Fatalf("%s: HasEdgeFromTo(%d, %d) = %v, want %v", name, u, v, got, want)
		}
		if got := view.HasEdgeBetween(int64(u), int64(v)); got != (want || isEdge(v, u)) {
			t.Fatalf("%s: HasEdgeBetween(%d, %d) = %v", name, u, v, got)
		}
		e := view.Edge(int64(u), int64(v))
		if (e != nil) != want || e != nil && (e.From().ID() != int64(u) || e.To().ID() != int64(v)) {
			t.Fatalf("%s: Edge(%d, %d) = %v, want an edge: %v", name, u, v, e, want)
		}
	}
}

// checkPageRank compares PageRankDir with a reference power iteration
// over the edges with labels in ls (reversed for Up), in which a dangling
// node spreads its rank evenly over all nodes.
func checkPageRank(t *testing.T, name string, g *Graph, ref *refGraph, dir Direction, ls LabelSet) {
	t.Helper()
	const damp = 0.85
	n := ref.n
	pr := g.PageRankDir(dir, ls, damp, 1e-12)
	if dir == Down && ls == AllLabels {
		pr = g.PageRank(damp, 1e-12)
	}
	out := make([][]refEdge, n) // the edges rank flows along
	for u := range NodeID(n) {
		for _, e := range ref.adj(u, dir) {
			if ls.Has(e.lab) {
				out[u] = append(out[u], e)
			}
		}
	}
	sum := 0.0
	for _, x := range pr {
		if !(x > 0) {
			t.Fatalf("%s: PageRank has a non-positive rank %v", name, x)
		}
		sum += x
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("%s: PageRank sums to %v, want 1", name, sum)
	}
	want := make([]float64, n)
	for i := range want {
		want[i] = 1 / float64(n)
	}
	for range 300 {
		next := make([]float64, n)
		dangling := 0.0
		for u := range NodeID(n) {
			if len(out[u]) == 0 {
				dangling += want[u]
				continue
			}
			for _, e := range out[u] {
				next[e.to] += damp * want[u] / float64(len(out[u]))
			}
		}
		for i := range next {
			next[i] += (1-damp)/float64(n) + damp*dangling/float64(n)
		}
		want = next
	}
	for i := range pr {
		if math.Abs(pr[i]-want[i]) > 1e-8 {
			t.Fatalf("%s: PageRank[%d] = %v, want %v", name, i, pr[i], want[i])
		}
	}
}
