package graph

import (
	"math/rand/v2"
	"slices"
)

// refGraph is the reference implementation the contract suite checks the
// CSR graph against: map-of-slices adjacency, plain queue BFS, no bitsets,
// no fast paths. It is meant to be obviously correct, not fast.
type refGraph struct {
	n   int
	out map[NodeID][]refEdge // children, ascending, first label of a repeated edge
	in  map[NodeID][]refEdge // parents, ascending
}

type refEdge struct {
	to  NodeID
	lab Label
}

func newRefGraph(n int, edges []edge) *refGraph {
	r := &refGraph{n: n, out: map[NodeID][]refEdge{}, in: map[NodeID][]refEdge{}}
	seen := map[[2]NodeID]bool{}
	for _, e := range edges {
		if seen[[2]NodeID{e.from, e.to}] {
			continue // a repeated edge keeps its first label
		}
		seen[[2]NodeID{e.from, e.to}] = true
		r.out[e.from] = append(r.out[e.from], refEdge{e.to, e.lab})
		r.in[e.to] = append(r.in[e.to], refEdge{e.from, e.lab})
	}
	byNode := func(a, b refEdge) int { return int(a.to) - int(b.to) }
	for _, es := range r.out {
		slices.SortFunc(es, byNode)
	}
	for _, es := range r.in {
		slices.SortFunc(es, byNode)
	}
	return r
}

func (r *refGraph) adj(v NodeID, dir Direction) []refEdge {
	if dir == Up {
		return r.in[v]
	}
	return r.out[v]
}

func (r *refGraph) numEdges() int {
	m := 0
	for _, es := range r.out {
		m += len(es)
	}
	return m
}

// reach is a queue BFS: a node is expanded when dequeued, its neighbours
// taken in ascending order, each reported the first time it is seen.
func (r *refGraph) reach(start NodeID, dir Direction, ls LabelSet, maxDepth int) []Hit {
	depth := map[NodeID]int32{start: 0}
	queue := []NodeID{start}
	var out []Hit
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		if maxDepth > 0 && int(depth[v]) >= maxDepth {
			continue
		}
		for _, e := range r.adj(v, dir) {
			if _, ok := depth[e.to]; ok || !ls.Has(e.lab) {
				continue
			}
			depth[e.to] = depth[v] + 1
			out = append(out, Hit{Node: e.to, Depth: depth[v] + 1, Via: v, Label: e.lab})
			queue = append(queue, e.to)
		}
	}
	return out
}

// reachable reports which nodes can be reached from start by one or more
// edges (start included only if it lies on a cycle).
func (r *refGraph) reachable(start NodeID, dir Direction, ls LabelSet) []bool {
	seen := make([]bool, r.n)
	queue := []NodeID{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, e := range r.adj(v, dir) {
			if ls.Has(e.lab) && !seen[e.to] {
				seen[e.to] = true
				queue = append(queue, e.to)
			}
		}
	}
	return seen
}

func (r *refGraph) countDescendants(v NodeID, ls LabelSet) int {
	c := 0
	for w, ok := range r.reachable(v, Down, ls) {
		if ok && NodeID(w) != v {
			c++
		}
	}
	return c
}

// sumDescendants is the sum of weight over the distinct descendants of v.
func (r *refGraph) sumDescendants(v NodeID, ls LabelSet, weight func(NodeID) int64) int64 {
	var sum int64
	for w, ok := range r.reachable(v, Down, ls) {
		if ok && NodeID(w) != v {
			sum += weight(NodeID(w))
		}
	}
	return sum
}

func (r *refGraph) roots(ls LabelSet) []NodeID {
	var out []NodeID
	for v := range NodeID(r.n) {
		has := false
		for _, e := range r.in[v] {
			has = has || ls.Has(e.lab)
		}
		if !has {
			out = append(out, v)
		}
	}
	return out
}

// cycles returns the strongly connected components that hold a cycle, by
// mutual reachability: O(N*(N+E)), for small graphs only.
func (r *refGraph) cycles(ls LabelSet) [][]NodeID {
	reach := make([][]bool, r.n)
	for v := range NodeID(r.n) {
		reach[v] = r.reachable(v, Down, ls)
	}
	done := make([]bool, r.n)
	var out [][]NodeID
	for v := range NodeID(r.n) { // ascending: components come out ordered by smallest member
		if done[v] || !reach[v][v] {
			continue
		}
		var comp []NodeID
		for w := v; int(w) < r.n; w++ {
			if w == v || reach[v][w] && reach[w][v] {
				comp = append(comp, w)
				done[w] = true
			}
		}
		out = append(out, comp)
	}
	return out
}

// paths returns every maximal simple path from start (one that cannot be
// extended without revisiting a node), of two or more nodes, sorted
// lexicographically; that is the depth-first order over ascending ids.
func (r *refGraph) paths(start NodeID, dir Direction, ls LabelSet) [][]NodeID {
	var out [][]NodeID
	var grow func(p []NodeID)
	grow = func(p []NodeID) {
		ext := false
		for _, e := range r.adj(p[len(p)-1], dir) {
			if ls.Has(e.lab) && !slices.Contains(p, e.to) {
				ext = true
				grow(append(slices.Clone(p), e.to))
			}
		}
		if !ext && len(p) > 1 {
			out = append(out, p)
		}
	}
	grow([]NodeID{start})
	slices.SortFunc(out, slices.Compare)
	return out
}

// startKind classifies a CountDescendants start.
type startKind int

const (
	inner       startKind = iota // has a parent: always a traversal
	fastAlone                    // single-node component: fast path, count 0
	fastFamily                   // root of a tree component: fast path
	slowSources                  // a source in a component with several sources: traversal
	slowMerges                   // the only source of an acyclic component that is no tree: traversal
	slowCyclic                   // the only source of a component with a cycle: traversal
)

// startKinds classifies the nodes as CountDescendants starts, computed
// independently of it: components by undirected BFS, cycles by Kahn's
// algorithm. The contract suite uses it only to make sure the random graphs
// exercise both the fast and the traversal paths.
func (r *refGraph) startKinds(ls LabelSet) []startKind {
	comp := make([]int, r.n)
	for i := range comp {
		comp[i] = -1
	}
	nc := 0
	for v := range NodeID(r.n) {
		if comp[v] >= 0 {
			continue
		}
		comp[v] = nc
		queue := []NodeID{v}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			for _, es := range [][]refEdge{r.out[u], r.in[u]} {
				for _, e := range es {
					if ls.Has(e.lab) && comp[e.to] < 0 {
						comp[e.to] = nc
						queue = append(queue, e.to)
					}
				}
			}
		}
		nc++
	}
	indeg := make([]int, r.n)
	for v := range NodeID(r.n) {
		for _, e := range r.in[v] {
			if ls.Has(e.lab) {
				indeg[v]++
			}
		}
	}
	sources := make([]int, nc)
	var queue []NodeID
	for v := range NodeID(r.n) {
		if indeg[v] == 0 {
			sources[comp[v]]++
			queue = append(queue, v)
		}
	}
	left := slices.Clone(indeg)
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, e := range r.out[v] {
			if ls.Has(e.lab) {
				if left[e.to]--; left[e.to] == 0 {
					queue = append(queue, e.to)
				}
			}
		}
	}
	cyclic := make([]bool, nc)
	for v := range r.n {
		if left[v] > 0 {
			cyclic[comp[v]] = true
		}
	}
	size, edges := make([]int, nc), make([]int, nc)
	for v := range r.n {
		size[comp[v]]++
		for _, e := range r.out[NodeID(v)] {
			if ls.Has(e.lab) {
				edges[comp[v]]++
			}
		}
	}
	out := make([]startKind, r.n)
	for v := range r.n {
		c := comp[v]
		switch {
		case indeg[v] > 0:
			out[v] = inner
		case size[c] == 1:
			out[v] = fastAlone
		case sources[c] > 1:
			out[v] = slowSources
		case cyclic[c]:
			out[v] = slowCyclic
		case edges[c] > size[c]-1:
			out[v] = slowMerges
		default:
			out[v] = fastFamily
		}
	}
	return out
}

// genParams shapes a random graph. Nodes are created in a hidden order in
// which every tree and merge edge points forward (so those alone form a
// DAG); back edges and self-loops then add cycles, and the ids are shuffled
// so that NodeID order says nothing about that hidden order.
type genParams struct {
	n         int
	isolated  float64 // share of nodes with no edges at all
	roots     float64 // share of the others that start a family
	chain     float64 // chance a child's parent is the node made just before (deep chains)
	merges    float64 // chance a child gets a second parent from anywhere before it
	famMerges float64 // chance a child gets a second parent from its own family
	backEdges int     // edges from a node to an earlier one (cycles, if reachable)
	selfLoops int
	dups      int // repeated edges with another label
	labels    int // labels drawn from 0..labels-1, and now and then MaxLabel
}

func genGraph(r *rand.Rand, p genParams) (int, []edge) {
	n := p.n
	label := func() Label {
		if r.IntN(50) == 0 {
			return MaxLabel
		}
		return Label(r.IntN(max(p.labels, 1)))
	}
	var edges []edge
	var members []int // non-isolated nodes in creation order
	tparent := make([]int, n)
	for i := range tparent {
		tparent[i] = -1
	}
	family := make([]int, n)
	var famMembers [][]int
	for v := range n {
		if r.Float64() < p.isolated {
			continue
		}
		if len(members) == 0 || r.Float64() < p.roots {
			members = append(members, v)
			family[v] = len(famMembers)
			famMembers = append(famMembers, []int{v})
			continue
		}
		parent := members[r.IntN(len(members))]
		if r.Float64() < p.chain {
			parent = members[len(members)-1]
		}
		edges = append(edges, edge{NodeID(parent), NodeID(v), label()})
		tparent[v] = parent
		if r.Float64() < p.merges {
			edges = append(edges, edge{NodeID(members[r.IntN(len(members))]), NodeID(v), lMerge})
		}
		f := family[parent]
		if fm := famMembers[f]; r.Float64() < p.famMerges {
			if q := fm[r.IntN(len(fm))]; q != parent {
				edges = append(edges, edge{NodeID(q), NodeID(v), lMerge})
			}
		}
		family[v] = f
		famMembers[f] = append(famMembers[f], v)
		members = append(members, v)
	}
	if len(members) > 1 {
		for k := range p.backEdges {
			i, j := r.IntN(len(members)), r.IntN(len(members))
			if i < j {
				i, j = j, i
			}
			from, to := members[i], members[j]
			if k%2 == 0 {
				// A cycle inside one family: back to a tree ancestor.
				to = from
				for range 1 + r.IntN(6) {
					if tparent[to] >= 0 {
						to = tparent[to]
					}
				}
			}
			edges = append(edges, edge{NodeID(from), NodeID(to), label()})
		}
	}
	for range p.selfLoops {
		v := NodeID(r.IntN(n))
		edges = append(edges, edge{v, v, label()})
	}
	if len(edges) > 0 {
		for range p.dups {
			e := edges[r.IntN(len(edges))]
			e.lab = label()
			edges = append(edges, e)
		}
	}
	// Shuffle ids and the order edges are added in.
	perm := r.Perm(n)
	for i := range edges {
		edges[i].from, edges[i].to = NodeID(perm[edges[i].from]), NodeID(perm[edges[i].to])
	}
	r.Shuffle(len(edges), func(i, j int) { edges[i], edges[j] = edges[j], edges[i] })
	return n, edges
}

func buildEdges(n int, edges []edge) *Graph {
	b := NewBuilder(n)
	for _, e := range edges {
		b.AddEdge(e.from, e.to, e.lab)
	}
	return b.Build()
}
