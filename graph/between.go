package graph

// ShortestPath returns a shortest path from from to to that follows edges
// in direction dir with labels in labels: path[0] is from, the last node is
// to, and hops[i] is the label of the edge between path[i] and path[i+1].
// Of all shortest paths it returns the least in lexicographic order of
// NodeIDs (at every step, the lowest NodeID that still lies on a shortest
// path), so the answer depends on the graph alone and never flaps. from ==
// to gives the path [from] with no hops; ok is false when to is
// unreachable. Cycles are harmless: a shortest path never repeats a node.
//
// It is a breadth-first search from from that stops at to's level, a walk
// back over the levels marking the nodes on shortest paths, and a greedy
// walk forward over the marks: O(nodes and edges within the distance of
// to), in time and memory (a hash index numbers the nodes seen; nothing is
// sized by the graph).
func (g *Graph) ShortestPath(from, to NodeID, dir Direction, labels LabelSet) (path []NodeID, hops []Label, ok bool) {
	if from == to {
		return []NodeID{from}, nil, true
	}
	// Levels: seen.nodes[lvl[k]:lvl[k+1]] are the nodes at distance k.
	seen := newNodeIndex(64)
	seen.add(from)
	lvl := []int{0, 1}
	found := false
	for !found && lvl[len(lvl)-2] < lvl[len(lvl)-1] {
		a, b := lvl[len(lvl)-2], lvl[len(lvl)-1]
	level:
		for i := a; i < b; i++ {
			nb, lab := g.adj(seen.nodes[i], dir)
			for j, w := range nb {
				if !labels.Has(lab[j]) {
					continue
				}
				if _, added := seen.add(w); added && w == to {
					found = true
					break level
				}
			}
		}
		lvl = append(lvl, seen.len())
	}
	if !found {
		return nil, nil, false
	}
	d := len(lvl) - 2 // to's distance; it is the last node of level d
	// Mark the nodes on shortest paths, level by level from to back to
	// from. When level k is scanned only levels above k are marked, and a
	// neighbour of a level-k node is at level k+1 at most, so a marked
	// neighbour is one level on: a step along a shortest path.
	on := make([]bool, seen.len()) // by index
	on[seen.len()-1] = true        // to
	isOn := func(w NodeID) bool {
		i := seen.get(w)
		return i >= 0 && on[i]
	}
	for k := d - 1; k >= 0; k-- {
		for i := lvl[k]; i < lvl[k+1]; i++ {
			nb, lab := g.adj(seen.nodes[i], dir)
			for j, w := range nb {
				if labels.Has(lab[j]) && isOn(w) {
					on[i] = true
					break
				}
			}
		}
	}
	// Walk forward taking the lowest marked neighbour. Unmarking each level
	// once it is left keeps the marks ahead only, so a marked neighbour is
	// again exactly one level on.
	path = append(make([]NodeID, 0, d+1), from)
	hops = make([]Label, 0, d)
	v := from
	for k := 0; k < d; k++ {
		clear(on[lvl[k]:lvl[k+1]])
		nb, lab := g.adj(v, dir)
		for j, w := range nb { // ascending: the first marked is the lowest
			if labels.Has(lab[j]) && isOn(w) {
				path, hops, v = append(path, w), append(hops, lab[j]), w
				break
			}
		}
	}
	return path, hops, true
}

// PathsBetween returns the distinct paths from from to to that follow
// edges in direction dir with labels in labels, in lexicographic order of
// NodeIDs, at most limit of them; truncated reports whether more exist.
// CountPaths gives their number. A path never visits a node twice; from ==
// to gives the one path [from]. limit must be positive: PathsBetween
// panics otherwise, for there is no "unlimited" (a lattice of merges has
// more paths than memory).
//
// Nodes that cannot reach to are pruned before the enumeration, which so
// never explores a dead branch: on a corridor without cycles every partial
// path extends to to; on one with a cycle, a step is taken only after a
// search confirms that to is still reachable without revisiting the path.
// The cost is output-sensitive: about limit times the path length times
// the degree, plus one corridor search per step where there are cycles.
func (g *Graph) PathsBetween(from, to NodeID, dir Direction, labels LabelSet, limit int) (paths [][]NodeID, truncated bool) {
	if limit <= 0 {
		panic("graph: PathsBetween: limit must be positive")
	}
	if from == to {
		return [][]NodeID{{from}}, false
	}
	c := g.corridor(from, to, dir, labels)
	if c == nil {
		return nil, false
	}
	k := c.idx.len()
	var onPath []bool // by corridor index
	var st stamps
	var queue []NodeID
	_, acyclic := c.count(g)
	cyclic := !acyclic
	if cyclic {
		onPath = make([]bool, k)
		st.s = make([]int32, k)
	}
	// open reports whether to is reachable from w without passing a node of
	// the current path (a search inside the corridor).
	open := func(w NodeID) bool {
		st.reset()
		st.testAndSet(NodeID(c.idx.get(w)))
		queue = append(queue[:0], w)
		for i := 0; i < len(queue); i++ {
			v := queue[i]
			if v == to {
				return true
			}
			nb, lab := g.adj(v, dir)
			for j, x := range nb {
				if !labels.Has(lab[j]) {
					continue
				}
				if ix := c.idx.get(x); ix >= 0 && !onPath[ix] && !st.testAndSet(NodeID(ix)) {
					queue = append(queue, x)
				}
			}
		}
		return false
	}
	type frame struct {
		v    NodeID
		i, n int32 // next neighbour, neighbour count
	}
	path := []NodeID{from}
	if cyclic {
		onPath[c.idx.get(from)] = true
	}
	nb, _ := g.adj(from, dir)
	call := []frame{{from, 0, int32(len(nb))}}
	for len(call) > 0 {
		f := &call[len(call)-1]
		nb, lab := g.adj(f.v, dir)
		descended := false
		for f.i < f.n {
			w, l := nb[f.i], lab[f.i]
			f.i++
			if !labels.Has(l) {
				continue
			}
			iw := c.idx.get(w)
			if iw < 0 || cyclic && (onPath[iw] || !open(w)) {
				continue
			}
			if w == to {
				if len(paths) == limit {
					return paths, true
				}
				p := make([]NodeID, len(path)+1)
				copy(p, path)
				p[len(path)] = to
				paths = append(paths, p)
				continue
			}
			path = append(path, w)
			if cyclic {
				onPath[iw] = true
			}
			wn, _ := g.adj(w, dir)
			call = append(call, frame{w, 0, int32(len(wn))})
			descended = true
			break
		}
		if !descended {
			if cyclic {
				onPath[c.idx.get(f.v)] = false
			}
			path = path[:len(path)-1]
			call = call[:len(call)-1]
		}
	}
	return paths, false
}
