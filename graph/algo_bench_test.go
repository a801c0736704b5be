package graph

import (
	"errors"
	"slices"
	"sync"
	"testing"
)

// Benchmarks of dominators, path counts, shortest paths, paths between two
// nodes and common ancestors over the Hub-shaped graph of bench_test.go
// (LINEAGE_BENCH_2M=1 for two million nodes).

// familyQueries are the nodes the query benchmarks start from, found in
// the generated graph: the largest family's root, its deepest member, the
// deepest member that is not its ancestor, and the deepest node's first
// foundation. (The generator's back edges put the largest family's root on
// a cycle, at 100k and 2M nodes alike: paths from its members to it are
// not counted, ErrCycle; the deepest node's paths to its foundations are.)
type familyQueries struct {
	root       NodeID // root of the largest family
	deepA      NodeID // deepest member of the largest family
	deepB      NodeID // deepest member that is neither above nor below deepA
	deepFound  NodeID // a foundation above h.deep
	familySize int
}

var queryCache sync.Map // *hubGraph -> *familyQueries

func queries(tb testing.TB, h *hubGraph) *familyQueries {
	if q, ok := queryCache.Load(h); ok {
		return q.(*familyQueries)
	}
	g := h.g
	hits := g.Reach(h.largest, Down, AllLabels, 0)
	slices.SortStableFunc(hits, func(a, b Hit) int { return int(b.Depth - a.Depth) })
	q := &familyQueries{root: h.largest, deepA: hits[0].Node, deepB: -1, familySize: len(hits)}
	above := NewBitset(g.n)
	for _, x := range g.Reach(q.deepA, Up, AllLabels, 0) {
		above.Set(x.Node)
	}
	for _, x := range hits[1:] {
		if !above.Has(x.Node) {
			q.deepB = x.Node
			break
		}
	}
	_, ends, err := g.CountPathsToEnds(h.deep, Up, AllLabels)
	if err != nil || len(ends) == 0 || q.deepB < 0 {
		tb.Fatalf("no query nodes: %v, %d ends, deepB %d", err, len(ends), q.deepB)
	}
	q.deepFound = ends[0].Node
	queryCache.Store(h, q)
	return q
}

func BenchmarkDominators(b *testing.B) {
	h := benchHub(b)
	b.Run(benchName(h), func(b *testing.B) {
		loopCPU(b, func() { h.g.Dominators(AllLabels) })
	})
}

// BenchmarkCountPaths: from the deepest node up to all its foundations,
// and to one of them.
func BenchmarkCountPaths(b *testing.B) {
	h := benchHub(b)
	q := queries(b, h)
	b.Run(benchName(h)+"/to=ends", func(b *testing.B) {
		loopCPU(b, func() {
			if _, _, err := h.g.CountPathsToEnds(h.deep, Up, AllLabels); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run(benchName(h)+"/to=foundation", func(b *testing.B) {
		loopCPU(b, func() {
			if _, err := h.g.CountPaths(h.deep, q.deepFound, Up, AllLabels); err != nil {
				b.Fatal(err)
			}
		})
	})
	// Down from that foundation to the deepest node: the corridor is
	// found from the small side (the ancestors of the target).
	b.Run(benchName(h)+"/down=foundation", func(b *testing.B) {
		loopCPU(b, func() {
			if _, err := h.g.CountPaths(q.deepFound, h.deep, Down, AllLabels); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkCommonAncestors: the two deepest members of the largest family.
func BenchmarkCommonAncestors(b *testing.B) {
	h := benchHub(b)
	q := queries(b, h)
	nodes := []NodeID{q.deepA, q.deepB}
	b.Run(benchName(h), func(b *testing.B) {
		loopCPU(b, func() {
			if len(h.g.CommonAncestors(nodes, AllLabels)) == 0 {
				b.Fatal("no common ancestor")
			}
		})
	})
}

// BenchmarkShortestPath: down from the largest family's root to its
// deepest member (a search through the family), and up from there.
func BenchmarkShortestPath(b *testing.B) {
	h := benchHub(b)
	q := queries(b, h)
	for _, c := range []struct {
		name     string
		from, to NodeID
		dir      Direction
	}{
		{"down=largest", q.root, q.deepA, Down},
		{"up=largest", q.deepA, q.root, Up},
	} {
		b.Run(benchName(h)+"/"+c.name, func(b *testing.B) {
			loopCPU(b, func() {
				if _, _, ok := h.g.ShortestPath(c.from, c.to, c.dir, AllLabels); !ok {
					b.Fatal("unreachable")
				}
			})
		})
	}
}

// BenchmarkPathsBetween: up to 1000 paths from the deepest node up to its
// foundation (no cycle between), and from the largest family's deepest
// member up to its root, with a cycle in the way (every step is checked
// for a way on).
func BenchmarkPathsBetween(b *testing.B) {
	h := benchHub(b)
	q := queries(b, h)
	for _, c := range []struct {
		name     string
		from, to NodeID
	}{
		{"up=foundation", h.deep, q.deepFound},
		{"up=largest", q.deepA, q.root},
	} {
		b.Run(benchName(h)+"/"+c.name, func(b *testing.B) {
			loopCPU(b, func() {
				if ps, _ := h.g.PathsBetween(c.from, c.to, Up, AllLabels, 1000); len(ps) == 0 {
					b.Fatal("no path")
				}
			})
		})
	}
}

// TestBenchQueries logs the shape of the benchmark queries at a small size
// and checks that they are what the benchmarks claim.
func TestBenchQueries(t *testing.T) {
	h := genHub(100_000, 1)
	q := queries(t, h)
	g := h.g
	total, ends, err := g.CountPathsToEnds(h.deep, Up, AllLabels)
	_, cerr := g.CountPaths(q.deepA, q.root, Up, AllLabels)
	common := g.CommonAncestors([]NodeID{q.deepA, q.deepB}, AllLabels)
	between, _ := g.PathsBetween(q.deepA, q.root, Up, AllLabels, 1000)
	t.Logf("largest family %d nodes; deepest node %d hops deep: %v paths to %d foundations (%v); deepest family member: %d paths to the root (count: %v); %d common ancestors of two deep members",
		q.familySize, h.depth, total, len(ends), err, len(between), cerr, len(common))
	if err != nil || total.N < 1 || !errors.Is(cerr, ErrCycle) || len(between) == 0 || len(common) == 0 {
		t.Errorf("benchmark queries are not what the benchmarks claim")
	}
}
