package graph

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/graph/flow"
	"gonum.org/v1/gonum/graph/simple"
)

// The algorithms of dominators.go, pathcount.go, between.go and common.go
// against the references of algo_reference_test.go and gonum, on the
// random graphs of the contract suite (merges, diamonds, cycles, self-loops,
// duplicates, several labels) and on small random graphs where every path
// can be enumerated.

func TestContractDominators(t *testing.T) {
	for _, c := range contractCases() {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(c.seed, 4))
			n, edges := genGraph(r, c.p)
			ref := newRefGraph(n, edges)
			impls := implementations(t, n, edges)
			for _, ls := range contractLabelSets {
				entries := ref.entries(ls)
				want := gonumDominators(impls["built"], entries, ls)
				var strict [][]NodeID
				if n <= 1500 {
					var idom []NodeID
					var all []bool
					strict, idom, all = ref.dominators(ls)
					if i := slices.Index(all, false); i >= 0 {
						t.Fatalf("reference: node %d unreachable from the entries (%#x)", i, ls)
					}
					if !slices.Equal(idom, want) {
						i := firstDiff(idom, want)
						t.Fatalf("reference and gonum disagree (%#x): idom[%d] = %d vs %d", ls, i, idom[i], want[i])
					}
				}
				for impl, g := range impls {
					checkDominators(t, impl, g, ls, ref, entries, want, strict, r)
				}
			}
		})
	}
}

// gonumDominators runs gonum's Lengauer-Tarjan over g's edges in ls plus a
// virtual root (node n) with an edge to every entry, and returns every
// node's immediate dominator, VirtualRoot for the virtual root.
func gonumDominators(g *Graph, entries []bool, ls LabelSet) []NodeID {
	n := g.NumNodes()
	b := NewBuilder(n + 1)
	for v := range NodeID(n) {
		dst, lab := g.Out(v)
		for i, w := range dst {
			if ls.Has(lab[i]) {
				b.AddEdge(v, w, 0)
			}
		}
		if entries[v] {
			b.AddEdge(NodeID(n), v, 0)
		}
	}
	tree := flow.Dominators(simple.Node(n), b.Build().Gonum())
	idom := make([]NodeID, n)
	for v := range idom {
		d := tree.DominatorOf(int64(v))
		switch {
		case d == nil:
			idom[v] = -2 // unreachable: must not happen
		case d.ID() == int64(n):
			idom[v] = VirtualRoot
		default:
			idom[v] = NodeID(d.ID())
		}
	}
	return idom
}

func checkDominators(t *testing.T, impl string, g *Graph, ls LabelSet, ref *refGraph, entries []bool, want []NodeID, strict [][]NodeID, r *rand.Rand) {
	t.Helper()
	n := g.NumNodes()
	tree := g.Dominators(ls)
	// Strict dominators from the gonum tree when the brute force is too slow.
	if strict == nil {
		strict = make([][]NodeID, n)
		for w := range strict {
			for d := want[w]; d != VirtualRoot; d = want[d] {
				strict[w] = append(strict[w], d)
			}
		}
	}
	dominated := make([][]NodeID, n)
	for w := range NodeID(n) {
		for _, d := range strict[w] {
			dominated[d] = append(dominated[d], w)
		}
	}
	for v := range NodeID(n) {
		if got := tree.IDom(v); got != want[v] {
			t.Fatalf("%s: Dominators(%#x).IDom(%d) = %d, want %d", impl, ls, v, got, want[v])
		}
		if got := tree.NumDominated(v); got != len(dominated[v]) {
			t.Fatalf("%s: Dominators(%#x).NumDominated(%d) = %d, want %d", impl, ls, v, got, len(dominated[v]))
		}
		if got := tree.Dominated(v); !slices.Equal(got, dominated[v]) {
			t.Fatalf("%s: Dominators(%#x).Dominated(%d) = %v, want %v", impl, ls, v, got, dominated[v])
		}
		chain := tree.Chain(v)
		if !slices.Equal(sorted(chain), sorted(strict[v])) {
			t.Fatalf("%s: Dominators(%#x).Chain(%d) = %v, want the set %v", impl, ls, v, chain, strict[v])
		}
		for i, d := range chain {
			if up := tree.IDom(slices.Concat([]NodeID{v}, chain)[i]); up != d {
				t.Fatalf("%s: Dominators(%#x).Chain(%d) = %v: step %d is not an immediate dominator", impl, ls, v, chain, i)
			}
		}
	}
	for range 2000 {
		d, w := NodeID(r.IntN(n)), NodeID(r.IntN(n))
		if r.IntN(2) == 0 && len(strict[w]) > 0 {
			d = strict[w][r.IntN(len(strict[w]))]
		}
		if got, want := tree.Dominates(d, w), d == w || slices.Contains(strict[w], d); got != want {
			t.Fatalf("%s: Dominators(%#x).Dominates(%d, %d) = %v, want %v", impl, ls, d, w, got, want)
		}
	}
	var rootCycles [][]NodeID
	for _, c := range ref.cycles(ls) {
		if entries[c[0]] {
			rootCycles = append(rootCycles, c)
		}
	}
	if got := tree.RootCycles(); !equalCycles(got, rootCycles) {
		t.Fatalf("%s: Dominators(%#x).RootCycles() = %v, want %v", impl, ls, got, rootCycles)
	}
}

func sorted(s []NodeID) []NodeID {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// smallGraph is a random graph small enough to enumerate every path.
func smallGraph(seed uint64) (*rand.Rand, int, []edge) {
	r := rand.New(rand.NewPCG(seed, 5))
	p := genParams{n: 4 + r.IntN(20), roots: 0.15, chain: 0.3, merges: 0.25, famMerges: 0.35, backEdges: r.IntN(4), selfLoops: r.IntN(3), dups: 3, labels: 2}
	n, edges := genGraph(r, p)
	return r, n, edges
}

var smallLabelSets = []LabelSet{AllLabels, LabelsOf(0), LabelsOf(1, MaxLabel)}

func TestContractCountPaths(t *testing.T) {
	var exact, cyclic int
	for seed := range uint64(150) {
		_, n, edges := smallGraph(seed)
		ref := newRefGraph(n, edges)
		for impl, g := range implementations(t, n, edges) {
			for _, ls := range smallLabelSets {
				for _, dir := range []Direction{Down, Up} {
					for from := range NodeID(n) {
						for to := range NodeID(n) {
							got, err := g.CountPaths(from, to, dir, ls)
							name := fmt.Sprintf("seed %d %s: CountPaths(%d, %d, %s, %#x)", seed, impl, from, to, dirName(dir), ls)
							if from == to {
								if err != nil || got != (PathCount{N: 1}) {
									t.Fatalf("%s = %v, %v, want 1", name, got, err)
								}
								continue
							}
							isTo := func(v NodeID) bool { return v == to }
							if ref.onCycleBetween(from, dir, ls, isTo) {
								cyclic++
								checkCycleError(t, name, err, ref, ls)
								continue
							}
							paths, _ := ref.simplePaths(from, dir, ls, isTo, 1<<20)
							if err != nil || got != (PathCount{N: int64(len(paths))}) {
								t.Fatalf("%s = %v, %v, want %d\nedges: %v", name, got, err, len(paths), edges)
							}
							exact++
						}
					}
				}
			}
		}
	}
	t.Logf("%d exact counts, %d refused for cycles", exact, cyclic)
	if exact < 1000 || cyclic < 100 {
		t.Errorf("the random graphs no longer exercise both outcomes: %d exact, %d cyclic", exact, cyclic)
	}
}

func TestContractCountPathsToEnds(t *testing.T) {
	var exact, cyclic, agree int
	for seed := range uint64(150) {
		_, n, edges := smallGraph(seed)
		ref := newRefGraph(n, edges)
		for impl, g := range implementations(t, n, edges) {
			for _, ls := range smallLabelSets {
				for _, dir := range []Direction{Down, Up} {
					isEnd := func(v NodeID) bool { return ref.isEnd(v, dir, ls) }
					for from := range NodeID(n) {
						total, ends, err := g.CountPathsToEnds(from, dir, ls)
						name := fmt.Sprintf("seed %d %s: CountPathsToEnds(%d, %s, %#x)", seed, impl, from, dirName(dir), ls)
						if ref.onCycleBetween(from, dir, ls, isEnd) {
							cyclic++
							checkCycleError(t, name, err, ref, ls)
							continue
						}
						paths, _ := ref.simplePaths(from, dir, ls, isEnd, 1<<20)
						var want []EndPaths
						for _, p := range paths {
							end := p[len(p)-1]
							if i := slices.IndexFunc(want, func(e EndPaths) bool { return e.Node == end }); i >= 0 {
								want[i].Paths.N++
							} else {
								want = append(want, EndPaths{end, PathCount{N: 1}})
							}
						}
						slices.SortFunc(want, func(a, b EndPaths) int { return int(a.Node - b.Node) })
						if err != nil || total != (PathCount{N: int64(len(paths))}) || !slices.Equal(ends, want) {
							t.Fatalf("%s = %v, %v, %v, want %d, %v\nedges: %v", name, total, ends, err, len(paths), want, edges)
						}
						exact++
						// Where no cycle is reachable, Paths lists the same
						// paths (none for an end).
						if !ref.onCycleBetween(from, dir, ls, func(NodeID) bool { return true }) && !isEnd(from) {
							if listed, _ := g.Paths(from, dir, ls, 1<<20); !equalCycles(listed, paths) {
								t.Fatalf("%s: Paths lists %v, want %v", name, listed, paths)
							}
							agree++
						}
					}
				}
			}
		}
	}
	t.Logf("%d exact counts (%d checked against Paths), %d refused for cycles", exact, agree, cyclic)
	if exact < 1000 || cyclic < 100 || agree < 500 {
		t.Errorf("the random graphs no longer exercise both outcomes: %d exact, %d against Paths, %d cyclic", exact, agree, cyclic)
	}
}

// checkCycleError checks that err is a *CycleError naming a real strongly
// connected component with a cycle.
func checkCycleError(t *testing.T, name string, err error, ref *refGraph, ls LabelSet) {
	t.Helper()
	var ce *CycleError
	if !errors.Is(err, ErrCycle) || !errors.As(err, &ce) {
		t.Fatalf("%s: error %v, want a *CycleError", name, err)
	}
	if !slices.ContainsFunc(ref.cycles(ls), func(c []NodeID) bool { return slices.Equal(c, ce.Cycle) }) {
		t.Fatalf("%s: CycleError names %v, not a cycle of the graph", name, ce.Cycle)
	}
}

func TestContractPathsBetween(t *testing.T) {
	var some, cyclic int
	for seed := range uint64(150) {
		_, n, edges := smallGraph(seed)
		ref := newRefGraph(n, edges)
		for impl, g := range implementations(t, n, edges) {
			for _, ls := range smallLabelSets {
				for _, dir := range []Direction{Down, Up} {
					for from := range NodeID(n) {
						for to := range NodeID(n) {
							want := [][]NodeID{{from}}
							if from != to {
								want, _ = ref.simplePaths(from, dir, ls, func(v NodeID) bool { return v == to }, 1<<20)
							}
							if len(want) > 1 {
								some++
							}
							isCyclic := ref.onCycleBetween(from, dir, ls, func(v NodeID) bool { return v == to })
							if isCyclic && from != to {
								cyclic++
							}
							for _, limit := range []int{1, 2, 3, len(want), len(want) + 1} {
								if limit <= 0 {
									continue
								}
								got, trunc := g.PathsBetween(from, to, dir, ls, limit)
								w, wtrunc := want, false
								if len(w) > limit {
									w, wtrunc = w[:limit], true
								}
								if !equalCycles(got, w) || trunc != wtrunc {
									t.Fatalf("seed %d %s: PathsBetween(%d, %d, %s, %#x, %d) = %v, %v, want %v, %v\nedges: %v",
										seed, impl, from, to, dirName(dir), ls, limit, got, trunc, w, wtrunc, edges)
								}
							}
							// On a corridor without cycles CountPaths counts them.
							if !isCyclic {
								if c, err := g.CountPaths(from, to, dir, ls); err != nil || c.N != int64(len(want)) {
									t.Fatalf("seed %d %s: CountPaths(%d, %d) = %v, %v; PathsBetween lists %d", seed, impl, from, to, c, err, len(want))
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d pairs with two or more paths, %d with a cycle between", some, cyclic)
	if some < 500 || cyclic < 100 {
		t.Errorf("the random graphs no longer exercise PathsBetween: %d pairs with several paths, %d with cycles", some, cyclic)
	}
}

func TestContractShortestPath(t *testing.T) {
	for seed := range uint64(150) {
		_, n, edges := smallGraph(seed)
		ref := newRefGraph(n, edges)
		for impl, g := range implementations(t, n, edges) {
			for _, ls := range smallLabelSets {
				for _, dir := range []Direction{Down, Up} {
					for from := range NodeID(n) {
						for to := range NodeID(n) {
							want := []NodeID{from}
							if from != to {
								want = ref.shortest(from, to, dir, ls)
							}
							path, hops, ok := g.ShortestPath(from, to, dir, ls)
							if !slices.Equal(path, want) || ok != (want != nil) {
								t.Fatalf("seed %d %s: ShortestPath(%d, %d, %s, %#x) = %v, %v, want %v\nedges: %v", seed, impl, from, to, dirName(dir), ls, path, ok, want, edges)
							}
							checkHops(t, g, path, hops, dir, ls)
						}
					}
				}
			}
		}
	}
}

// checkHops checks that hops[i] is the label of the edge between path[i]
// and path[i+1] in direction dir, and in ls.
func checkHops(t *testing.T, g *Graph, path []NodeID, hops []Label, dir Direction, ls LabelSet) {
	t.Helper()
	if len(path) > 0 && len(hops) != len(path)-1 {
		t.Fatalf("path %v has %d hops", path, len(hops))
	}
	for i, h := range hops {
		a, b := path[i], path[i+1]
		if dir == Up {
			a, b = b, a
		}
		if l, ok := g.EdgeLabel(a, b); !ok || l != h || !ls.Has(l) {
			t.Fatalf("path %v: hop %d has label %d, edge %d->%d has (%d, %v)", path, i, h, a, b, l, ok)
		}
	}
}

// TestContractShortestPathLarge checks ShortestPath on the contract graphs
// by its definition, with distances from Reach on the reference: the path
// has the length of the shortest distance, and every step takes the lowest
// neighbour from which to is still at the remaining distance.
func TestContractShortestPathLarge(t *testing.T) {
	for _, c := range contractCases() {
		r := rand.New(rand.NewPCG(c.seed, 6))
		n, edges := genGraph(r, c.p)
		ref := newRefGraph(n, edges)
		g := buildEdges(n, edges)
		for _, ls := range contractLabelSets[:3] {
			for _, dir := range []Direction{Down, Up} {
				for range 30 {
					from := NodeID(r.IntN(n))
					reach := ref.reach(from, dir, ls, 0)
					to := NodeID(r.IntN(n))
					if len(reach) > 0 && r.IntN(4) > 0 {
						to = reach[r.IntN(len(reach))].Node
					}
					// Distances to `to`, backwards.
					dist := map[NodeID]int32{to: 0}
					for _, h := range ref.reach(to, dir^1, ls, 0) {
						dist[h.Node] = h.Depth
					}
					path, hops, ok := g.ShortestPath(from, to, dir, ls)
					d, reachable := dist[from]
					if ok != reachable {
						t.Fatalf("%s: ShortestPath(%d, %d, %s, %#x) ok = %v, want %v", c.name, from, to, dirName(dir), ls, ok, reachable)
					}
					if !ok {
						continue
					}
					if len(path) != int(d)+1 || path[0] != from || path[len(path)-1] != to {
						t.Fatalf("%s: ShortestPath(%d, %d) = %v, want %d hops", c.name, from, to, path, d)
					}
					checkHops(t, g, path, hops, dir, ls)
					for i := 0; i+1 < len(path); i++ {
						var best NodeID = -1
						for _, e := range ref.adj(path[i], dir) {
							if dw, ok := dist[e.to]; ok && ls.Has(e.lab) && dw == d-int32(i)-1 && (best < 0 || e.to < best) {
								best = e.to
							}
						}
						if path[i+1] != best {
							t.Fatalf("%s: ShortestPath(%d, %d) = %v: step %d goes to %d, want %d", c.name, from, to, path, i, path[i+1], best)
						}
					}
				}
			}
		}
	}
}

func TestContractCommonAncestors(t *testing.T) {
	check := func(t *testing.T, name string, g *Graph, ref *refGraph, nodes []NodeID, ls LabelSet) int {
		got := g.CommonAncestors(nodes, ls)
		want := ref.common(nodes, ls)
		if len(got) != len(want) {
			t.Fatalf("%s: CommonAncestors(%v, %#x) = %d nodes, want %d", name, nodes, ls, len(got), len(want))
		}
		for i, w := range want {
			c := got[i]
			if c.Node != w.node || !slices.Equal(c.Depths, w.depths) || c.Nearest != w.nearest || c.Root != w.root {
				t.Fatalf("%s: CommonAncestors(%v, %#x)[%d] = %+v, want %+v", name, nodes, ls, i, c, w)
			}
		}
		nearest := 0
		for _, c := range got {
			if c.Nearest {
				nearest++
			}
		}
		return nearest
	}
	var several, nearCycle int
	for seed := range uint64(150) {
		r, n, edges := smallGraph(seed)
		ref := newRefGraph(n, edges)
		for impl, g := range implementations(t, n, edges) {
			for _, ls := range smallLabelSets {
				for range 20 {
					k := r.IntN(4)
					nodes := make([]NodeID, k)
					for i := range nodes {
						nodes[i] = NodeID(r.IntN(n))
					}
					if check(t, fmt.Sprintf("seed %d %s", seed, impl), g, ref, nodes, ls) > 1 {
						several++
					}
				}
			}
		}
	}
	for _, c := range contractCases() {
		r := rand.New(rand.NewPCG(c.seed, 7))
		n, edges := genGraph(r, c.p)
		ref := newRefGraph(n, edges)
		g := buildEdges(n, edges)
		_, cycles := g.SCC(AllLabels)
		for _, ls := range contractLabelSets[:3] {
			for range 10 {
				// Two or three nodes, often relatives: children of one
				// node, or nodes on a cycle.
				nodes := []NodeID{NodeID(r.IntN(n))}
				if dst, _ := g.Out(NodeID(r.IntN(n))); len(dst) >= 2 {
					nodes = []NodeID{dst[0], dst[len(dst)-1]}
				} else if len(cycles) > 0 && r.IntN(2) == 0 {
					cy := cycles[r.IntN(len(cycles))]
					nodes = []NodeID{cy[0], cy[len(cy)-1]}
					nearCycle++
				}
				if r.IntN(3) == 0 {
					nodes = append(nodes, NodeID(r.IntN(n)))
				}
				check(t, c.name, g, ref, nodes, ls)
			}
		}
	}
	t.Logf("%d small queries with several nearest common ancestors, %d queries on cycles", several, nearCycle)
	if several < 50 {
		t.Errorf("only %d queries with several nearest common ancestors", several)
	}
}
