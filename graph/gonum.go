package graph

import (
	"slices"

	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/simple"
)

func sortNodes(s []NodeID) { slices.Sort(s) }

func sortCycles(cs [][]NodeID) {
	slices.SortFunc(cs, func(a, b []NodeID) int { return int(a[0]) - int(b[0]) })
}

// Gonum returns a read-only gonum graph.Directed view of g, so gonum's
// algorithms (topological sort, strongly connected components, PageRank)
// run over the CSR without copying it. Node ids are the NodeIDs. Labels are
// not visible through the view.
func (g *Graph) Gonum() gonum.Directed { return gonumView{g: g, dir: Down, labels: AllLabels} }

// GonumDir is Gonum with a direction and a label filter: with Up every
// edge is reversed (it points from child to parent, so an algorithm that
// follows edges walks towards ancestors), and only edges with labels in
// labels are visible. GonumDir(Down, AllLabels) is Gonum. A filtered view
// allocates the adjacency it returns; the unfiltered one does not.
func (g *Graph) GonumDir(dir Direction, labels LabelSet) gonum.Directed {
	return gonumView{g: g, dir: dir, labels: labels}
}

type gonumView struct {
	g      *Graph
	dir    Direction
	labels LabelSet
}

// adj returns v's neighbours in direction dir (the view's From for
// dir == v.dir) along the view's labels.
func (v gonumView) adj(id int64, dir Direction) gonum.Nodes {
	if !v.valid(id) {
		return gonum.Empty
	}
	dst, lab := v.g.adj(NodeID(id), dir)
	if v.labels != AllLabels {
		var kept []NodeID
		for i, w := range dst {
			if v.labels.Has(lab[i]) {
				kept = append(kept, w)
			}
		}
		dst = kept
	}
	return &sliceNodes{s: dst, cur: -1}
}

func flip(d Direction) Direction {
	if d == Up {
		return Down
	}
	return Up
}

func (v gonumView) valid(id int64) bool { return id >= 0 && id < int64(v.g.n) }

func (v gonumView) Node(id int64) gonum.Node {
	if !v.valid(id) {
		return nil
	}
	return simple.Node(id)
}

func (v gonumView) Nodes() gonum.Nodes { return &rangeNodes{n: v.g.n, cur: -1} }

func (v gonumView) From(id int64) gonum.Nodes { return v.adj(id, v.dir) }

func (v gonumView) To(id int64) gonum.Nodes { return v.adj(id, flip(v.dir)) }

func (v gonumView) HasEdgeBetween(xid, yid int64) bool {
	return v.HasEdgeFromTo(xid, yid) || v.HasEdgeFromTo(yid, xid)
}

func (v gonumView) HasEdgeFromTo(uid, vid int64) bool {
	if !v.valid(uid) || !v.valid(vid) {
		return false
	}
	if v.dir == Up {
		uid, vid = vid, uid
	}
	l, ok := v.g.EdgeLabel(NodeID(uid), NodeID(vid))
	return ok && v.labels.Has(l)
}

func (v gonumView) Edge(uid, vid int64) gonum.Edge {
	if !v.HasEdgeFromTo(uid, vid) {
		return nil
	}
	return simple.Edge{F: simple.Node(uid), T: simple.Node(vid)}
}

type rangeNodes struct{ n, cur int }

func (r *rangeNodes) Next() bool {
	if r.cur+1 >= r.n {
		r.cur = r.n
		return false
	}
	r.cur++
	return true
}
func (r *rangeNodes) Len() int {
	if r.cur >= r.n {
		return 0
	}
	return r.n - r.cur - 1
}
func (r *rangeNodes) Reset()           { r.cur = -1 }
func (r *rangeNodes) Node() gonum.Node { return simple.Node(r.cur) }

type sliceNodes struct {
	s   []NodeID
	cur int
}

func (r *sliceNodes) Next() bool {
	if r.cur+1 >= len(r.s) {
		r.cur = len(r.s)
		return false
	}
	r.cur++
	return true
}
func (r *sliceNodes) Len() int {
	if r.cur >= len(r.s) {
		return 0
	}
	return len(r.s) - r.cur - 1
}
func (r *sliceNodes) Reset()           { r.cur = -1 }
func (r *sliceNodes) Node() gonum.Node { return simple.Node(r.s[r.cur]) }

// PageRank returns the PageRank of every node, indexed by NodeID, computed
// by gonum's sparse power iteration over the Gonum view (edges point from
// parent to child, so rank flows to derivatives; PageRankDir(Up, ...)
// lets it flow to what they are built on). damp is the damping factor
// (0.85 is usual) and tol the convergence tolerance.
func (g *Graph) PageRank(damp, tol float64) []float64 {
	return g.PageRankDir(Down, AllLabels, damp, tol)
}

// PageRankDir returns the PageRank of every node, indexed by NodeID, over
// the view GonumDir(dir, labels): gonum's network.PageRankSparse, a power
// iteration in which a node without out-edges (in the view) spreads its
// rank evenly over every node and a share 1-damp of all rank is spread
// evenly at every step. The ranks sum to 1. The iteration stops when the
// Euclidean norm of the change between two steps is below tol; the ranks
// are then within about tol*damp/(1-damp) of the fixed point. gonum starts
// from a random vector, so two runs agree to that precision, not to the
// bit: callers that sort by rank should round first. tol must be above
// the float64 round-off of one step over the graph (about 1e-13 at
// millions of nodes) or the iteration never stops.
//
// Most nodes of a Hub-scale graph have no edge at all (along labels).
// Such a node receives the even share u and nothing else, and gives
// nothing, so the iteration runs over the other nodes only (a third of
// them at Hub scale): there the ranks solve r = damp*H*r + u, so they are
// proportional to the ranks r' of that sub-graph alone, which solve the
// same equation with the sub-graph's own even share u'. With k nodes left
// out, the ranks sum to 1 when r = r'/(1 + k*u'), and u = u'/(1 + k*u').
func (g *Graph) PageRankDir(dir Direction, labels LabelSet, damp, tol float64) []float64 {
	out := make([]float64, g.n)
	if g.n == 0 {
		return out
	}
	view := gonumView{g: g, dir: dir, labels: labels}
	linked := NewBitset(g.n)
	k := 0 // nodes without an edge along labels
	for v := range NodeID(g.n) {
		if g.hasEdge(v, Down, labels) || g.hasEdge(v, Up, labels) {
			linked.Set(v)
		} else {
			k++
		}
	}
	if k == g.n {
		for v := range out {
			out[v] = 1 / float64(g.n)
		}
		return out
	}
	sub := subView{gonumView: view, in: linked, n: g.n - k}
	pr := network.PageRankSparse(sub, damp, tol)
	// u' from the sub-graph's ranks: its even share of the teleport and
	// of the rank of its nodes without out-edges. Summed in node order, not
	// the map's (a float sum's last bit depends on its order, and output
	// rounded to PageRankDigits flapped on it).
	dangling := 0.0
	for v := range NodeID(g.n) {
		if r, ok := pr[int64(v)]; ok && !view.hasOut(v) {
			dangling += r
		}
	}
	n1 := float64(g.n - k)
	u1 := (1-damp)/n1 + damp*dangling/n1
	scale := 1 / (1 + float64(k)*u1)
	for v := range out {
		out[v] = u1 * scale
	}
	for id, r := range pr {
		out[id] = r * scale
	}
	return out
}

// hasOut reports whether v has an edge in the view's direction.
func (v gonumView) hasOut(u NodeID) bool { return v.g.hasEdge(u, v.dir, v.labels) }

// subView is a view restricted to the nodes in in (n of them); edges
// between nodes outside and inside must not exist (PageRankDir leaves out
// only nodes without edges).
type subView struct {
	gonumView
	in Bitset
	n  int
}

func (v subView) Node(id int64) gonum.Node {
	if !v.valid(id) || !v.in.Has(NodeID(id)) {
		return nil
	}
	return simple.Node(id)
}

func (v subView) Nodes() gonum.Nodes { return &setNodes{in: v.in, n: v.n, next: 0, cur: -1} }

// setNodes iterates the members of a bitset in ascending order.
type setNodes struct {
	in        Bitset
	n, served int // members in all; served so far
	next, cur int // next id to look at; current member
}

func (r *setNodes) Next() bool {
	if r.served >= r.n {
		r.cur = -1
		return false
	}
	for !r.in.Has(NodeID(r.next)) {
		r.next++
	}
	r.cur = r.next
	r.next++
	r.served++
	return true
}
func (r *setNodes) Len() int         { return r.n - r.served }
func (r *setNodes) Reset()           { r.served, r.next, r.cur = 0, 0, -1 }
func (r *setNodes) Node() gonum.Node { return simple.Node(r.cur) }
