package graph

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"testing"

	"gonum.org/v1/gonum/graph/network"
)

// Benchmarks run over a synthetic graph shaped like the Hugging Face
// model-derivation graph: 100k nodes by default, 2M with LINEAGE_BENCH_2M=1.
//
//	go test -run='^$' -bench=. -benchmem -count=6 ./graph
//	LINEAGE_BENCH_2M=1 go test -run='^$' -bench=. -benchmem -count=6 ./graph

func benchNodes() int {
	if os.Getenv("LINEAGE_BENCH_2M") == "1" {
		return 2_000_000
	}
	return 100_000
}

// hubGraph is a generated Hub-shaped graph and the nodes the benchmarks
// start from.
type hubGraph struct {
	n       int
	edges   []edge
	g       *Graph
	largest NodeID // root of the largest family
	deep    NodeID // a node at the greatest depth below its family root
	depth   int    // that depth
}

// genHub generates a Hub-shaped graph of n nodes:
//   - 30% of nodes have parents; they belong to families whose sizes fall
//     off like Zipf's law (family i has about top/i members, the largest a
//     tenth of all derived models), the rest of the nodes have no edges;
//   - inside a family a model derives from the base (35%), from the model
//     made just before it (35%, so chains run deep), or from any earlier
//     member; labels are mostly fine-tunes and quantizations;
//   - 2% of derived models also merge in a second parent of their family,
//     0.2% one of another family (joining families into one component);
//   - a 12-deep chain hangs off the largest family;
//   - a few cycles (back edges to an ancestor) and self-loops, n/200k each
//     (at least 2), as bad metadata makes in the real data;
//   - ids are shuffled, as a name-sorted node table would leave them.
func genHub(n int, seed uint64) *hubGraph {
	r := rand.New(rand.NewPCG(seed, 0x1ea6e))
	members := n * 3 / 10
	top := max(members/10, 1)
	label := func() Label {
		switch x := r.IntN(100); {
		case x < 50:
			return lFinetune
		case x < 70:
			return lAdapter
		case x < 95:
			return lQuantized
		default:
			return lMerge
		}
	}
	var edges []edge
	parent := make([]int32, n) // tree parent, -1 for roots
	depth := make([]int32, n)
	family := make([]int32, n)
	next := 0 // nodes are made in order 0, 1, ...
	var famStart []int
	addChild := func(fam int, p int) {
		v := next
		next++
		edges = append(edges, edge{NodeID(p), NodeID(v), label()})
		parent[v], depth[v], family[v] = int32(p), depth[p]+1, int32(fam)
	}
	for i := 1; members > 0 && next < n-1; i++ {
		size := min(max(top/i, 1), members, n-1-next)
		fam := len(famStart)
		root := next
		famStart = append(famStart, root)
		parent[root], family[root] = -1, int32(fam)
		next++
		for k := range size {
			p := root
			switch x := r.IntN(100); {
			case x < 35 || k == 0:
			case x < 70:
				p = next - 1
			default:
				p = root + r.IntN(next-root)
			}
			addChild(fam, p)
		}
		members -= size
	}
	// A deep chain off the largest family.
	for k := 0; k < 12 && next < n; k++ {
		p := 0
		if k > 0 {
			p = next - 1
		}
		addChild(0, p)
	}
	derived := next - len(famStart)
	// Merges: inside a family, and across families.
	for range derived / 50 {
		v := 1 + r.IntN(next-1)
		if parent[v] < 0 {
			continue
		}
		f := int(family[v])
		lo := famStart[f]
		if p := lo + r.IntN(v-lo); p != v {
			edges = append(edges, edge{NodeID(p), NodeID(v), lMerge})
		}
	}
	for range derived / 500 {
		v, p := r.IntN(next), r.IntN(next)
		if parent[v] >= 0 && family[v] != family[p] {
			edges = append(edges, edge{NodeID(p), NodeID(v), lMerge})
		}
	}
	// Rare cycles and self-loops.
	for range max(2, n/200_000) {
		v := r.IntN(next)
		a := v
		for range 3 {
			if parent[a] >= 0 {
				a = int(parent[a])
			}
		}
		edges = append(edges, edge{NodeID(v), NodeID(a), lFinetune})
		w := r.IntN(n)
		edges = append(edges, edge{NodeID(w), NodeID(w), lFinetune})
	}
	h := &hubGraph{n: n}
	deep := 0
	for v := range next {
		if depth[v] > depth[deep] {
			deep = v
		}
	}
	// Shuffle ids.
	perm := r.Perm(n)
	for i := range edges {
		edges[i].from, edges[i].to = NodeID(perm[edges[i].from]), NodeID(perm[edges[i].to])
	}
	r.Shuffle(len(edges), func(i, j int) { edges[i], edges[j] = edges[j], edges[i] })
	h.edges = edges
	h.largest = NodeID(perm[famStart[0]])
	h.deep, h.depth = NodeID(perm[deep]), int(depth[deep])
	h.g = buildEdges(n, edges)
	return h
}

var hubCache = struct {
	sync.Mutex
	m map[int]*hubGraph
}{m: map[int]*hubGraph{}}

func benchHub(b *testing.B) *hubGraph {
	n := benchNodes()
	hubCache.Lock()
	defer hubCache.Unlock()
	h := hubCache.m[n]
	if h == nil {
		h = genHub(n, 1)
		hubCache.m[n] = h
	}
	return h
}

func benchName(h *hubGraph) string { return fmt.Sprintf("n=%d", h.n) }

// loopCPU runs f in a b.Loop and reports, besides wall time, the CPU time
// of the whole process per operation (cpu-ns/op). On a shared, loaded
// machine wall time swings with the neighbours' load while CPU time stays
// put, so compare cpu-ns/op when sec/op is noisy.
func loopCPU(b *testing.B, f func()) {
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		f()
	}
	if end := processCPU(); start >= 0 && end >= 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

func BenchmarkBuild(b *testing.B) {
	h := benchHub(b)
	b.Run(benchName(h), func(b *testing.B) {
		loopCPU(b, func() {
			bl := NewBuilder(h.n)
			for _, e := range h.edges {
				bl.AddEdge(e.from, e.to, e.lab)
			}
			bl.Build()
		})
	})
}

func BenchmarkFromCSR(b *testing.B) {
	h := benchHub(b)
	b.Run(benchName(h), func(b *testing.B) {
		fo, fd, fl, ro, rd, rl := h.g.CSR()
		loopCPU(b, func() {
			if _, err := FromCSR(h.n, fo, fd, fl, ro, rd, rl); err != nil {
				b.Fatal(err)
			}
		})
	})
}

func BenchmarkCountDescendantsRoots(b *testing.B) {
	h := benchHub(b)
	for _, c := range []struct {
		name string
		ls   LabelSet
	}{
		{"all", AllLabels},
		{"nomerge", LabelsOf(lFinetune, lAdapter, lQuantized)},
	} {
		roots := h.g.Roots(c.ls)
		b.Run(benchName(h)+"/labels="+c.name, func(b *testing.B) {
			loopCPU(b, func() { h.g.CountDescendants(roots, c.ls) })
		})
	}
}

// BenchmarkSumDescendantsRoots sums a downloads-like column (heavy-tailed,
// a tenth unknown as 0) over every root's descendants, and the same with a
// date window in the weight (half the nodes outside it weigh 0): the cost
// of rank --by downloads beside BenchmarkCountDescendantsRoots.
func BenchmarkSumDescendantsRoots(b *testing.B) {
	h := benchHub(b)
	r := rand.New(rand.NewPCG(7, 7))
	column := make([]int64, h.n)
	created := make([]int64, h.n)
	for v := range column {
		if r.IntN(10) > 0 {
			column[v] = int64(r.ExpFloat64() * 1000)
		}
		created[v] = int64(r.IntN(1000))
	}
	roots := h.g.Roots(AllLabels)
	b.Run(benchName(h)+"/column", func(b *testing.B) {
		loopCPU(b, func() { h.g.SumDescendants(roots, AllLabels, func(v NodeID) int64 { return column[v] }) })
	})
	b.Run(benchName(h)+"/window", func(b *testing.B) {
		loopCPU(b, func() {
			h.g.SumDescendants(roots, AllLabels, func(v NodeID) int64 {
				if created[v] < 500 {
					return 0
				}
				return column[v]
			})
		})
	})
}

// BenchmarkPageRankUp is rank --by pagerank's PageRank: gonum's sparse
// power iteration over the reversed view at the damping and tolerance
// lineage uses (PageRankDir, which leaves the nodes without edges out of
// the iteration), and gonum over the whole view, as PageRankDir did first.
func BenchmarkPageRankUp(b *testing.B) {
	h := benchHub(b)
	b.Run(benchName(h)+"/PageRankDir", func(b *testing.B) {
		loopCPU(b, func() { h.g.PageRankDir(Up, AllLabels, 0.85, 1e-9) })
	})
	b.Run(benchName(h)+"/gonum-whole-view", func(b *testing.B) {
		loopCPU(b, func() { network.PageRankSparse(h.g.GonumDir(Up, AllLabels), 0.85, 1e-9) })
	})
}

func BenchmarkReachUpDeep(b *testing.B) {
	h := benchHub(b)
	b.Run(benchName(h), func(b *testing.B) {
		loopCPU(b, func() { h.g.Reach(h.deep, Up, AllLabels, 0) })
	})
}

func BenchmarkReachDownLargest(b *testing.B) {
	h := benchHub(b)
	b.Run(benchName(h), func(b *testing.B) {
		loopCPU(b, func() { h.g.Reach(h.largest, Down, AllLabels, 0) })
	})
}

func BenchmarkSCC(b *testing.B) {
	h := benchHub(b)
	b.Run(benchName(h), func(b *testing.B) {
		loopCPU(b, func() { h.g.SCC(AllLabels) })
	})
}

// BenchmarkGraphHeap measures the heap a built graph keeps alive (HeapAlloc
// after a GC, with and without it) and reports it as heap-MiB, next to
// csr-MiB, the size of its arrays.
func BenchmarkGraphHeap(b *testing.B) {
	h := benchHub(b)
	b.Run(benchName(h), func(b *testing.B) {
		var delta, csr float64
		for b.Loop() {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			g := buildEdges(h.n, h.edges)
			runtime.GC()
			runtime.ReadMemStats(&after)
			delta = float64(int64(after.HeapAlloc) - int64(before.HeapAlloc))
			fo, fd, fl, ro, rd, rl := g.CSR()
			csr = float64(4*(cap(fo)+cap(ro)+cap(fd)+cap(rd)) + cap(fl) + cap(rl))
			runtime.KeepAlive(g)
		}
		b.ReportMetric(delta/(1<<20), "heap-MiB")
		b.ReportMetric(csr/(1<<20), "csr-MiB")
	})
}

// TestHubShape keeps the benchmark generator honest at a small size.
func TestHubShape(t *testing.T) {
	h := genHub(20_000, 1)
	g := h.g
	withParents := 0
	for v := range NodeID(g.NumNodes()) {
		if g.InDegree(v) > 0 {
			withParents++
		}
	}
	share := float64(withParents) / float64(g.NumNodes())
	_, cycles := g.SCC(AllLabels)
	largest := g.CountReach(h.largest, Down, AllLabels)
	t.Logf("n=%d edges=%d with-parents=%.2f largest-family=%d deepest=%d cycles=%d",
		g.NumNodes(), g.NumEdges(), share, largest, h.depth, len(cycles))
	if share < 0.25 || share > 0.35 {
		t.Errorf("share of nodes with parents = %.2f, want about 0.3", share)
	}
	if h.depth < 12 || largest < g.NumNodes()/40 || len(cycles) < 2 {
		t.Errorf("deepest = %d, largest family = %d, cycles = %d: want a deep chain, a large family and cycles", h.depth, largest, len(cycles))
	}
	if up := g.Reach(h.deep, Up, AllLabels, 0); len(up) < h.depth {
		t.Errorf("Reach(deep, Up) = %d nodes, want >= %d", len(up), h.depth)
	}
}

// BenchmarkCountDescendantsSharedFamily: a thousand foundations all merged
// into one model with a 200,000-model tree below it (the overlap a
// traversal per foundation would walk a thousand times).
func BenchmarkCountDescendantsSharedFamily(b *testing.B) {
	const roots, tree = 1000, 200_000
	n := roots + 1 + tree
	bld := NewBuilder(n)
	hub := NodeID(roots)
	for r := 0; r < roots; r++ {
		bld.AddEdge(NodeID(r), hub, 0)
	}
	for v := roots + 1; v < n; v++ {
		parent := hub
		if v > roots+10 {
			parent = NodeID(roots + 1 + (v-roots-1)/3) // a ternary tree under the hub
		}
		bld.AddEdge(parent, NodeID(v), 0)
	}
	g := bld.Build()
	starts := make([]NodeID, roots)
	for i := range starts {
		starts[i] = NodeID(i)
	}
	var got []int
	for b.Loop() {
		got = g.CountDescendants(starts, AllLabels)
	}
	if got[0] != tree+1 || got[roots-1] != tree+1 {
		b.Fatalf("counts %d, %d; want %d", got[0], got[roots-1], tree+1)
	}
}
