package graph

import (
	"slices"
)

// Brute-force references for dominators, path counts, paths between two
// nodes, shortest paths and common ancestors, written from the definitions
// over refGraph (adjacency lists, no CSR, no shared helpers with the code
// under test). Most are exponential or O(N*(N+E)): small graphs only.

// entries returns the nodes the virtual root of Dominators points at: the
// roots, and every member of a cycle (strongly connected component with a
// cycle, by mutual reachability) with no edge into it from outside.
func (r *refGraph) entries(ls LabelSet) []bool {
	e := make([]bool, r.n)
	for _, v := range r.roots(ls) {
		e[v] = true
	}
	for _, c := range r.cycles(ls) {
		closed := true
		for _, v := range c {
			for _, in := range r.in[v] {
				if ls.Has(in.lab) && !slices.Contains(c, in.to) {
					closed = false
				}
			}
		}
		if closed {
			for _, v := range c {
				e[v] = true
			}
		}
	}
	return e
}

// reachFromEntries returns the nodes reachable from the virtual root
// (through the entries) when the node cut is removed (cut < 0: none).
func (r *refGraph) reachFromEntries(entries []bool, ls LabelSet, cut NodeID) []bool {
	seen := make([]bool, r.n)
	var queue []NodeID
	for v, e := range entries {
		if e && NodeID(v) != cut {
			seen[v] = true
			queue = append(queue, NodeID(v))
		}
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, e := range r.out[v] {
			if ls.Has(e.lab) && e.to != cut && !seen[e.to] {
				seen[e.to] = true
				queue = append(queue, e.to)
			}
		}
	}
	return seen
}

// dominators returns, for every node, the nodes that strictly dominate it,
// by definition: d strictly dominates w when w is reachable from the
// virtual root but not once d is removed. It also returns the immediate
// dominator of each node: the strict dominator that all the others
// dominate (the one with the most strict dominators of its own), or
// VirtualRoot.
func (r *refGraph) dominators(ls LabelSet) (strict [][]NodeID, idom []NodeID, all []bool) {
	entries := r.entries(ls)
	all = r.reachFromEntries(entries, ls, -1)
	strict = make([][]NodeID, r.n)
	for d := range NodeID(r.n) {
		without := r.reachFromEntries(entries, ls, d)
		for w := range NodeID(r.n) {
			if w != d && all[w] && !without[w] {
				strict[w] = append(strict[w], d)
			}
		}
	}
	idom = make([]NodeID, r.n)
	for w := range idom {
		idom[w] = VirtualRoot
		for _, d := range strict[w] {
			if len(strict[d]) == len(strict[w])-1 {
				idom[w] = d
			}
		}
	}
	return strict, idom, all
}

// simplePaths returns every path from start that never repeats a node and
// stops where stop says so (the path is then reported and not extended),
// sorted lexicographically; it gives up, returning nil and false, past max
// paths.
func (r *refGraph) simplePaths(start NodeID, dir Direction, ls LabelSet, stop func(NodeID) bool, max int) ([][]NodeID, bool) {
	var out [][]NodeID
	var grow func(p []NodeID) bool
	grow = func(p []NodeID) bool {
		v := p[len(p)-1]
		if stop(v) {
			out = append(out, slices.Clone(p))
			return len(out) <= max
		}
		for _, e := range r.adj(v, dir) {
			if ls.Has(e.lab) && !slices.Contains(p, e.to) {
				if !grow(append(p, e.to)) {
					return false
				}
			}
		}
		return true
	}
	if !grow([]NodeID{start}) {
		return nil, false
	}
	slices.SortFunc(out, slices.Compare)
	return out, true
}

// onCycleBetween reports whether some node reachable from start (start
// included) that reaches a target lies on a cycle.
func (r *refGraph) onCycleBetween(start NodeID, dir Direction, ls LabelSet, target func(NodeID) bool) bool {
	from := r.reachable(start, dir, ls)
	from[start] = true
	for u := range NodeID(r.n) {
		if !from[u] {
			continue
		}
		reach := r.reachable(u, dir, ls)
		if !reach[u] {
			continue
		}
		reach[u] = true
		for t := range NodeID(r.n) {
			if reach[t] && target(t) {
				return true
			}
		}
	}
	return false
}

// isEnd reports whether v has no neighbour in direction dir along ls.
func (r *refGraph) isEnd(v NodeID, dir Direction, ls LabelSet) bool {
	for _, e := range r.adj(v, dir) {
		if ls.Has(e.lab) {
			return false
		}
	}
	return true
}

// shortest returns the lexicographically least of the shortest paths from
// from to to, by enumerating every simple path, or nil.
func (r *refGraph) shortest(from, to NodeID, dir Direction, ls LabelSet) []NodeID {
	paths, _ := r.simplePaths(from, dir, ls, func(v NodeID) bool { return v == to }, 1<<30)
	var best []NodeID
	for _, p := range paths {
		if p[len(p)-1] != to {
			continue
		}
		if best == nil || len(p) < len(best) || len(p) == len(best) && slices.Compare(p, best) < 0 {
			best = p
		}
	}
	return best
}

// refCommon is a common ancestor by the reference.
type refCommon struct {
	node    NodeID
	depths  []int32
	nearest bool
	root    bool
}

// common intersects the Reach results of the nodes (each with itself at
// depth 0); a common ancestor is nearest when every common ancestor it
// reaches reaches it back.
func (r *refGraph) common(nodes []NodeID, ls LabelSet) []refCommon {
	if len(nodes) == 0 {
		return nil
	}
	depth := make([]map[NodeID]int32, len(nodes))
	for i, v := range nodes {
		depth[i] = map[NodeID]int32{v: 0}
		for _, h := range r.reach(v, Up, ls, 0) {
			depth[i][h.Node] = h.Depth
		}
	}
	isRoot := make([]bool, r.n)
	for _, v := range r.roots(ls) {
		isRoot[v] = true
	}
	var out []refCommon
	for a := range NodeID(r.n) {
		c := refCommon{node: a, root: isRoot[a]}
		for i := range nodes {
			d, ok := depth[i][a]
			if !ok {
				c.depths = nil
				break
			}
			c.depths = append(c.depths, d)
		}
		if c.depths != nil {
			out = append(out, c)
		}
	}
	down := map[NodeID][]bool{}
	for _, c := range out {
		down[c.node] = r.reachable(c.node, Down, ls)
	}
	for i, c := range out {
		out[i].nearest = true
		for w, dw := range down {
			if w != c.node && down[c.node][w] && !dw[c.node] {
				out[i].nearest = false
			}
		}
	}
	return out
}
