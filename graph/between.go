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
// Either way it is a breadth-first search upwards from the lower end (from,
// for Up; to, for Down) that stops at the other end's level, over in-edges
// only: the work follows the ancestors of the lower end within the
// distance, and a foundation's thousands of children are never scanned (a
// hash index numbers the nodes seen; nothing is sized by the graph). For
// Up a walk back over the levels then marks the nodes on shortest paths
// and a greedy walk forward follows the marks; for Down the levels are
// distances to to, and the greedy walk from from takes at each step the
// lowest node one level closer that is a child of the last.
func (g *Graph) ShortestPath(from, to NodeID, dir Direction, labels LabelSet) (path []NodeID, hops []Label, ok bool) {
	if from == to {
		return []NodeID{from}, nil, true
	}
	if dir == Down {
		return g.shortestDown(from, to, labels)
	}
	seen, lvl, found := g.levelsUp(from, to, labels)
	if !found {
		return nil, nil, false
	}
	d := len(lvl) - 2 // to's distance; it is the last node of level d
	// Mark the nodes on shortest paths, level by level from to back to
	// from. When level k is scanned only levels above k are marked, and a
	// parent of a level-k node is at level k+1 at most, so a marked parent
	// is one level on: a step along a shortest path.
	on := make([]bool, seen.len()) // by index
	on[seen.len()-1] = true        // to
	isOn := func(w NodeID) bool {
		i := seen.get(w)
		return i >= 0 && on[i]
	}
	for k := d - 1; k >= 0; k-- {
		for i := lvl[k]; i < lvl[k+1]; i++ {
			src, lab := g.In(seen.nodes[i])
			for j, w := range src {
				if labels.Has(lab[j]) && isOn(w) {
					on[i] = true
					break
				}
			}
		}
	}
	// Walk forward taking the lowest marked parent. Unmarking each level
	// once it is left keeps the marks ahead only, so a marked parent is
	// again exactly one level on.
	path = append(make([]NodeID, 0, d+1), from)
	hops = make([]Label, 0, d)
	v := from
	for k := 0; k < d; k++ {
		clear(on[lvl[k]:lvl[k+1]])
		src, lab := g.In(v)
		for j, w := range src { // ascending: the first marked is the lowest
			if labels.Has(lab[j]) && isOn(w) {
				path, hops, v = append(path, w), append(hops, lab[j]), w
				break
			}
		}
	}
	return path, hops, true
}

// shortestDown is ShortestPath for Down. The levels are the distances down
// to to; from is at level d, and the next node of a shortest path from a
// node at level k+1 is a child of it at level k: the lowest such is taken.
func (g *Graph) shortestDown(from, to NodeID, labels LabelSet) (path []NodeID, hops []Label, ok bool) {
	seen, lvl, found := g.levelsUp(to, from, labels)
	if !found {
		return nil, nil, false
	}
	d := len(lvl) - 2
	path = append(make([]NodeID, 0, d+1), from)
	hops = make([]Label, 0, d)
	v := from
	for k := d - 1; k >= 0; k-- {
		best, bl := NodeID(-1), Label(0)
		for _, w := range seen.nodes[lvl[k]:lvl[k+1]] {
			if best >= 0 && w > best {
				continue
			}
			if l, ok := g.EdgeLabel(v, w); ok && labels.Has(l) {
				best, bl = w, l
			}
		}
		path, hops, v = append(path, best), append(hops, bl), best
	}
	return path, hops, true
}

// levelsUp walks upwards from start along labels, breadth first, until it
// meets stop. seen.nodes[lvl[k]:lvl[k+1]] are the nodes at distance k;
// when stop is found it is the last node of the last level, which may be
// partial, and all levels before it are complete.
func (g *Graph) levelsUp(start, stop NodeID, labels LabelSet) (seen *nodeIndex, lvl []int, found bool) {
	seen = newNodeIndex(64)
	seen.add(start)
	lvl = []int{0, 1}
	for !found && lvl[len(lvl)-2] < lvl[len(lvl)-1] {
		a, b := lvl[len(lvl)-2], lvl[len(lvl)-1]
	level:
		for i := a; i < b; i++ {
			src, lab := g.In(seen.nodes[i])
			for j, w := range src {
				if !labels.Has(lab[j]) {
					continue
				}
				if _, added := seen.add(w); added && w == stop {
					found = true
					break level
				}
			}
		}
		lvl = append(lvl, seen.len())
	}
	return seen, lvl, found
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
// The corridor is found as for CountPaths (a walk over the ancestors of
// the lower end) and then enumerated as a small local graph; the cost is
// output-sensitive: about limit times the path length times the degree
// within the corridor, plus one corridor search per step where it has
// cycles.
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
	// Everything below runs on the corridor's local CSR, in numbers.
	k := c.idx.len()
	src, dst := c.idx.get(from), c.idx.get(to)
	var onPath []bool // by number
	var st stamps
	var queue []int32
	_, acyclic := c.count()
	cyclic := !acyclic
	if cyclic {
		onPath = make([]bool, k)
		st.s = make([]int32, k)
	}
	// open reports whether to is reachable from w without passing a node of
	// the current path (a search inside the corridor).
	open := func(w int32) bool {
		st.reset()
		st.testAndSet(NodeID(w))
		queue = append(queue[:0], w)
		for i := 0; i < len(queue); i++ {
			v := queue[i]
			if v == dst {
				return true
			}
			for _, x := range c.nb[c.off[v]:c.off[v+1]] {
				if !onPath[x] && !st.testAndSet(NodeID(x)) {
					queue = append(queue, x)
				}
			}
		}
		return false
	}
	type frame struct {
		v, e int32 // the node, its next edge
	}
	path := []NodeID{from}
	if cyclic {
		onPath[src] = true
	}
	call := []frame{{src, c.off[src]}}
	for len(call) > 0 {
		f := &call[len(call)-1]
		descended := false
		for end := c.off[f.v+1]; f.e < end; {
			w := c.nb[f.e]
			f.e++
			if cyclic && (onPath[w] || !open(w)) {
				continue
			}
			if w == dst {
				if len(paths) == limit {
					return paths, true
				}
				p := make([]NodeID, len(path)+1)
				copy(p, path)
				p[len(path)] = to
				paths = append(paths, p)
				continue
			}
			path = append(path, c.idx.nodes[w])
			if cyclic {
				onPath[w] = true
			}
			call = append(call, frame{w, c.off[w]})
			descended = true
			break
		}
		if !descended {
			if cyclic {
				onPath[f.v] = false
			}
			path = path[:len(path)-1]
			call = call[:len(call)-1]
		}
	}
	return paths, false
}
