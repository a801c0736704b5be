package graph

import "slices"

// CommonAncestor is a node that is an ancestor of every node of a query
// (each query node counting as its own ancestor).
type CommonAncestor struct {
	Node NodeID
	// Depths holds, for each query node in query order, the fewest hops
	// from it up to Node (0 when Node is that query node).
	Depths []int32
	// Nearest reports that no common ancestor lies below Node: every
	// common ancestor that Node reaches (downwards, along the labels)
	// reaches Node back. Without cycles: no child of Node is a common
	// ancestor. A cycle of common ancestors with no common ancestor below
	// it is nearest as a whole: all its members are.
	Nearest bool
	// Root reports that Node has no parent along the labels: a shared
	// foundation.
	Root bool
}

// CommonAncestors returns the nodes that are ancestors, along edges with
// labels in labels, of every node in nodes (each node being its own
// ancestor), ascending by NodeID, with each one's depth from every query
// node and whether it is nearest and a root. It returns nil for no nodes.
//
// One breadth-first search upwards per query node, each stopping as soon
// as it has met every candidate left; the candidates are the first node's
// ancestors, numbered by a hash index, with a table of depths. Time and
// memory follow the ancestries walked, not the size of the graph. Cycles
// are allowed.
func (g *Graph) CommonAncestors(nodes []NodeID, labels LabelSet) []CommonAncestor {
	k := len(nodes)
	if k == 0 {
		return nil
	}
	cand := newNodeIndex(64)
	var firstDepth []int32
	g.depthsUp(nodes[0], labels, cand, func(_ NodeID, _ int32, d int32) bool {
		firstDepth = append(firstDepth, d)
		return true
	})
	m := cand.len()
	depth := make([]int32, k*m) // depth[i*m+j]: from nodes[i] to candidate j; -1 unseen
	copy(depth, firstDepth)
	for i := m; i < len(depth); i++ {
		depth[i] = -1
	}
	alive := make([]bool, m)
	for j := range alive {
		alive[j] = true
	}
	left := m
	for i := 1; i < k && left > 0; i++ {
		row := depth[i*m : (i+1)*m]
		found := 0
		g.depthsUp(nodes[i], labels, newNodeIndex(64), func(v NodeID, _ int32, d int32) bool {
			if j := cand.get(v); j >= 0 && alive[j] {
				row[j] = d
				found++
			}
			return found < left
		})
		left = 0
		for j, a := range alive {
			if a && row[j] < 0 {
				alive[j] = false
			} else if a {
				left++
			}
		}
	}
	if left == 0 {
		return nil
	}
	found := make([]NodeID, 0, left)
	for j, a := range alive {
		if a {
			found = append(found, cand.nodes[j])
		}
	}
	slices.Sort(found)
	out := make([]CommonAncestor, left)
	ds := make([]int32, left*k)
	common := newNodeIndex(left) // numbered in ascending order, as out
	for o, v := range found {
		common.add(v)
		j := int(cand.get(v))
		d := ds[o*k : (o+1)*k : (o+1)*k]
		for i := range k {
			d[i] = depth[i*m+j]
		}
		out[o] = CommonAncestor{Node: v, Depths: d, Root: !g.hasEdge(v, Up, labels)}
	}
	g.markNearest(out, common, labels)
	return out
}

// depthsUp walks upwards from start along labels (start included, at
// depth 0) in breadth-first order, adding each node to seen (empty) and
// calling visit(v, its index in seen, depth) until visit returns false.
func (g *Graph) depthsUp(start NodeID, labels LabelSet, seen *nodeIndex, visit func(NodeID, int32, int32) bool) {
	seen.add(start)
	if !visit(start, 0, 0) {
		return
	}
	for a, d := 0, int32(1); a < seen.len(); d++ {
		b := seen.len()
		for i := a; i < b; i++ {
			src, lab := g.In(seen.nodes[i])
			for j, w := range src {
				if !labels.Has(lab[j]) {
					continue
				}
				if iw, added := seen.add(w); added && !visit(w, iw, d) {
					return
				}
			}
		}
		a = b
	}
}

// markNearest sets Nearest on the common ancestors out (ascending, indexed
// in that order by common): the members of the sink components of the
// graph they induce. The common ancestors are closed under ancestors: every
// parent of one is one, so the edges among them are exactly their
// in-edges (walked here; a common ancestor can have tens of thousands of
// children but has few parents), and a cycle through one lies among them,
// so the components are the graph's. Without a cycle among them (checked
// first, by Kahn's algorithm from the childless end), the sinks are the
// nodes with no common child.
func (g *Graph) markNearest(out []CommonAncestor, common *nodeIndex, labels LabelSet) {
	k := len(out)
	children := make([]int32, k) // common children of each
	for i := range out {
		src, lab := g.In(out[i].Node)
		for j, p := range src {
			if labels.Has(lab[j]) {
				children[common.get(p)]++
			}
		}
	}
	left := slices.Clone(children)
	var queue []int32
	for i, c := range left {
		if c == 0 {
			queue = append(queue, int32(i))
		}
	}
	for q := 0; q < len(queue); q++ {
		src, lab := g.In(out[queue[q]].Node)
		for j, p := range src {
			if !labels.Has(lab[j]) {
				continue
			}
			ip := common.get(p)
			if left[ip]--; left[ip] == 0 {
				queue = append(queue, ip)
			}
		}
	}
	if len(queue) == k {
		for i := range out {
			out[i].Nearest = children[i] == 0
		}
		return
	}
	comp := make([]int32, k) // by index: 1 + cycle index, 0 for none
	cycles := common.cycles(g, labels)
	for i, c := range cycles {
		for _, v := range c {
			comp[common.get(v)] = int32(i + 1)
		}
	}
	// blocked: a node with a common child outside its own component.
	blocked := make([]bool, k)
	for i := range out {
		src, lab := g.In(out[i].Node)
		for j, p := range src {
			if !labels.Has(lab[j]) {
				continue
			}
			if ip := common.get(p); comp[ip] == 0 || comp[ip] != comp[i] {
				blocked[ip] = true
			}
		}
	}
	// below[c]: some member of cycle c has a common child outside it.
	below := make([]bool, len(cycles)+1)
	for i := range out {
		if blocked[i] && comp[i] != 0 {
			below[comp[i]] = true
		}
	}
	for i := range out {
		if cv := comp[i]; cv != 0 {
			out[i].Nearest = !below[cv]
		} else {
			out[i].Nearest = !blocked[i]
		}
	}
}
