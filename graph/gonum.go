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
func (g *Graph) Gonum() gonum.Directed { return gonumView{g} }

type gonumView struct{ g *Graph }

func (v gonumView) valid(id int64) bool { return id >= 0 && id < int64(v.g.n) }

func (v gonumView) Node(id int64) gonum.Node {
	if !v.valid(id) {
		return nil
	}
	return simple.Node(id)
}

func (v gonumView) Nodes() gonum.Nodes { return &rangeNodes{n: v.g.n, cur: -1} }

func (v gonumView) From(id int64) gonum.Nodes {
	if !v.valid(id) {
		return gonum.Empty
	}
	dst, _ := v.g.Out(NodeID(id))
	return &sliceNodes{s: dst, cur: -1}
}

func (v gonumView) To(id int64) gonum.Nodes {
	if !v.valid(id) {
		return gonum.Empty
	}
	dst, _ := v.g.In(NodeID(id))
	return &sliceNodes{s: dst, cur: -1}
}

func (v gonumView) HasEdgeBetween(xid, yid int64) bool {
	return v.HasEdgeFromTo(xid, yid) || v.HasEdgeFromTo(yid, xid)
}

func (v gonumView) HasEdgeFromTo(uid, vid int64) bool {
	if !v.valid(uid) || !v.valid(vid) {
		return false
	}
	_, ok := v.g.EdgeLabel(NodeID(uid), NodeID(vid))
	return ok
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
// parent to child, so rank flows to derivatives; use it on a reversed view
// of interest accordingly). damp is the damping factor (0.85 is usual) and
// tol the convergence tolerance.
func (g *Graph) PageRank(damp, tol float64) []float64 {
	pr := network.PageRankSparse(g.Gonum(), damp, tol)
	out := make([]float64, g.n)
	for id, r := range pr {
		out[id] = r
	}
	return out
}
