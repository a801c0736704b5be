package graph

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// ErrCycle is wrapped by the errors of path counts that meet a cycle: a
// cycle on the paths being counted makes their number unbounded as walks
// and intractable as simple paths, so it is refused rather than guessed.
var ErrCycle = errors.New("cycle on the paths")

// CycleError reports the cycle a path count met. It wraps ErrCycle.
type CycleError struct {
	// Cycle is the members of one strongly connected component with a
	// cycle that lies on the counted paths, ascending: of those components,
	// the one with the smallest member.
	Cycle []NodeID
}

func (e *CycleError) Error() string {
	return fmt.Sprintf("cycle on the paths: %d nodes, node %d among them", len(e.Cycle), e.Cycle[0])
}

func (e *CycleError) Unwrap() error { return ErrCycle }

// MaxPathCount is the largest number of paths a PathCount holds; a count
// that reaches it is saturated.
const MaxPathCount = math.MaxInt64

// PathCount is a number of distinct paths. N is exact when Saturated is
// false. When there are MaxPathCount paths or more (a lattice of merges
// doubles the count at every level, so 63 levels are enough), N is
// MaxPathCount and Saturated is true: the count is at least that.
type PathCount struct {
	N         int64
	Saturated bool
}

func (c PathCount) add(d PathCount) PathCount {
	s, carry := bits.Add64(uint64(c.N), uint64(d.N), 0)
	if carry != 0 || s >= MaxPathCount {
		return PathCount{MaxPathCount, true}
	}
	return PathCount{int64(s), false}
}

// EndPaths is the number of paths from a start to one end node.
type EndPaths struct {
	Node  NodeID
	Paths PathCount
}

// CountPaths returns the number of distinct paths from from to to that
// follow edges in direction dir with labels in labels (for Down, paths from
// an ancestor down to a descendant; for Up, the same paths read upwards).
// A path from a node to itself is the path of no edges: from == to counts
// 1. When to is unreachable the count is 0.
//
// The count covers the corridor: the nodes reachable from from that reach
// to. If the corridor holds a cycle the count is refused with a
// *CycleError (wrapping ErrCycle); a cycle elsewhere does not matter. It
// is a dynamic program in topological order over the corridor. The work
// is a walk over the ancestors of the lower end (to, for Down) and their
// in-edges, in which the corridor is found: time and memory follow that
// ancestry (a hash index numbers its nodes; nothing is sized by the graph,
// and a foundation's thousands of children are never scanned).
func (g *Graph) CountPaths(from, to NodeID, dir Direction, labels LabelSet) (PathCount, error) {
	if from == to {
		return PathCount{N: 1}, nil
	}
	c := g.corridor(from, to, dir, labels)
	if c == nil {
		return PathCount{}, nil
	}
	counts, ok := c.count()
	if !ok {
		return PathCount{}, c.cycleError(g)
	}
	return counts[c.idx.get(to)], nil
}

// CountPathsToEnds returns the number of distinct paths from from, along
// edges in direction dir with labels in labels, to the end nodes: the
// nodes with no neighbour in that direction along those labels (the
// foundations above from, for Up; the leaves below it, for Down). It
// returns the total and the count for every end reached, ends ascending.
// An end node has one path to itself: when from is an end the total is 1.
//
// For Up the work follows the ancestry of from, as for CountPaths; for
// Down it walks every descendant of from.
//
// Paths that can reach no end (into a root cycle, say) are not counted,
// and a cycle on them does not matter; a cycle on a path to an end is
// refused with a *CycleError. Paths lists maximal simple paths instead,
// and on a cycle with no way out it also lists paths that end inside the
// cycle; on a graph without cycles the two agree, except that Paths lists
// no path for an end node.
func (g *Graph) CountPathsToEnds(from NodeID, dir Direction, labels LabelSet) (total PathCount, ends []EndPaths, err error) {
	c := g.corridorToEnds(from, dir, labels)
	if c == nil {
		return PathCount{}, nil, nil
	}
	counts, ok := c.count()
	if !ok {
		return PathCount{}, nil, c.cycleError(g)
	}
	for _, v := range c.targets {
		n := counts[c.idx.get(v)]
		ends = append(ends, EndPaths{v, n})
		total = total.add(n)
	}
	slices.SortFunc(ends, func(a, b EndPaths) int { return cmp.Compare(a.Node, b.Node) })
	return total, ends, nil
}

// corridorSet is the set of nodes on paths from a start to a set of
// targets, numbered densely, with its edges as a local CSR in the
// direction of the paths: the neighbours of the node numbered i are
// nb[off[i]:off[i+1]] (numbers) with labels lab, ascending by NodeID.
type corridorSet struct {
	from    NodeID
	dir     Direction
	labels  LabelSet
	idx     *nodeIndex // the corridor
	targets []NodeID   // the targets reached
	off     []int32
	nb      []int32
	lab     []Label
}

// walk adds to seen every node reachable from starts (included) in
// direction dir along labels, staying inside within when it is not nil, in
// breadth-first order.
func (g *Graph) walk(starts []NodeID, dir Direction, labels LabelSet, within, seen *nodeIndex) {
	first := seen.len()
	for _, s := range starts {
		seen.add(s)
	}
	for i := first; i < seen.len(); i++ {
		nb, lab := g.adj(seen.nodes[i], dir)
		for j, w := range nb {
			if labels.Has(lab[j]) && (within == nil || within.has(w)) {
				seen.add(w)
			}
		}
	}
}

// downWithin returns the nodes of outer reachable from starts (included)
// going down inside it, where outer is closed under parents along labels
// (a set of ancestors). The edges inside outer are found from the
// children's side, each node's parents: in a derivation graph in-degrees
// are small where a foundation can have tens of thousands of children.
func (g *Graph) downWithin(starts []NodeID, labels LabelSet, outer *nodeIndex) *nodeIndex {
	k := outer.len()
	head := make([]int32, k) // first local edge out of each node; -1 none
	for i := range head {
		head[i] = -1
	}
	var next, to []int32
	for i, x := range outer.nodes {
		src, lab := g.In(x)
		for j, p := range src {
			if !labels.Has(lab[j]) {
				continue
			}
			if ip := outer.get(p); ip >= 0 {
				to, next = append(to, int32(i)), append(next, head[ip])
				head[ip] = int32(len(to) - 1)
			}
		}
	}
	seen := newNodeIndex(k)
	var queue []int32
	for _, s := range starts {
		if _, added := seen.add(s); added {
			queue = append(queue, outer.get(s))
		}
	}
	for q := 0; q < len(queue); q++ {
		for e := head[queue[q]]; e >= 0; e = next[e] {
			if w := to[e]; !seen.has(outer.nodes[w]) {
				seen.add(outer.nodes[w])
				queue = append(queue, w)
			}
		}
	}
	return seen
}

// corridor returns the nodes on paths from start to target in direction
// dir along labels, or nil when target is unreachable: the ancestors of
// the lower end that are descendants of the upper one, found by walking up
// from the lower end and then down from the upper end inside that walk.
func (g *Graph) corridor(start, target NodeID, dir Direction, labels LabelSet) *corridorSet {
	low, high := start, target
	if dir == Down {
		low, high = target, start
	}
	outer := newNodeIndex(64)
	g.walk([]NodeID{low}, Up, labels, nil, outer)
	if !outer.has(high) {
		return nil
	}
	c := &corridorSet{from: start, dir: dir, labels: labels, targets: []NodeID{target}}
	c.idx = g.downWithin([]NodeID{high}, labels, outer)
	c.link(g)
	return c
}

// corridorToEnds returns the nodes on paths from start in direction dir
// along labels to the end nodes (no neighbour that way along labels), or
// nil when no end is reachable.
func (g *Graph) corridorToEnds(start NodeID, dir Direction, labels LabelSet) *corridorSet {
	outer := newNodeIndex(64)
	g.walk([]NodeID{start}, dir, labels, nil, outer)
	var ends []NodeID
	for _, v := range outer.nodes {
		if !g.hasEdge(v, dir, labels) {
			ends = append(ends, v)
		}
	}
	if len(ends) == 0 {
		return nil
	}
	c := &corridorSet{from: start, dir: dir, labels: labels, targets: ends}
	if dir == Up {
		c.idx = g.downWithin(ends, labels, outer)
	} else {
		c.idx = newNodeIndex(outer.len())
		g.walk(ends, Up, labels, outer, c.idx)
	}
	c.link(g)
	return c
}

// link builds the corridor's local CSR from the parents of its nodes.
func (c *corridorSet) link(g *Graph) {
	k := c.idx.len()
	type e struct {
		a, b int32
		l    Label
	}
	var es []e
	for i, x := range c.idx.nodes {
		src, lab := g.In(x)
		for j, p := range src {
			if !c.labels.Has(lab[j]) {
				continue
			}
			if ip := c.idx.get(p); ip >= 0 {
				if c.dir == Down {
					es = append(es, e{ip, int32(i), lab[j]})
				} else {
					es = append(es, e{int32(i), ip, lab[j]})
				}
			}
		}
	}
	c.off = make([]int32, k+1)
	for _, x := range es {
		c.off[x.a+1]++
	}
	for i := range k {
		c.off[i+1] += c.off[i]
	}
	c.nb, c.lab = make([]int32, len(es)), make([]Label, len(es))
	fill := slices.Clone(c.off[:k])
	for _, x := range es {
		c.nb[fill[x.a]], c.lab[fill[x.a]] = x.b, x.l
		fill[x.a]++
	}
	for i := range k {
		a, b := c.off[i], c.off[i+1]
		if b-a > 1 {
			row, rl := c.nb[a:b], c.lab[a:b]
			// Rows from In are sorted already (Up); Down rows are not.
			sortByNode(row, rl, c.idx.nodes)
		}
	}
}

// sortByNode sorts a local row (numbers, with their labels) by NodeID.
func sortByNode(row []int32, lab []Label, nodes []NodeID) {
	if slices.IsSortedFunc(row, func(a, b int32) int { return cmp.Compare(nodes[a], nodes[b]) }) {
		return
	}
	type e struct {
		v NodeID
		n int32
		l Label
	}
	es := make([]e, len(row))
	for i := range row {
		es[i] = e{nodes[row[i]], row[i], lab[i]}
	}
	slices.SortFunc(es, func(a, b e) int { return cmp.Compare(a.v, b.v) })
	for i, x := range es {
		row[i], lab[i] = x.n, x.l
	}
}

// count returns the number of paths from the start to every corridor node,
// by number, or false when the corridor has a cycle. Every corridor node
// is reachable from the start through the corridor, so a topological order
// from the start alone covers the corridor exactly when it has no cycle.
func (c *corridorSet) count() ([]PathCount, bool) {
	k := c.idx.len()
	indeg := make([]int32, k)
	for _, w := range c.nb {
		indeg[w]++
	}
	counts := make([]PathCount, k)
	is := c.idx.get(c.from)
	if indeg[is] != 0 {
		return nil, false
	}
	counts[is] = PathCount{N: 1}
	queue := append(make([]int32, 0, k), is)
	for q := 0; q < len(queue); q++ {
		v := queue[q]
		for _, w := range c.nb[c.off[v]:c.off[v+1]] {
			counts[w] = counts[w].add(counts[v])
			if indeg[w]--; indeg[w] == 0 {
				queue = append(queue, w)
			}
		}
	}
	return counts, len(queue) == k
}

// cycleError names a cycle of the corridor: its components are the
// graph's, for a cycle through a corridor node is reachable from the start
// and reaches the targets, so it lies in the corridor.
func (c *corridorSet) cycleError(g *Graph) error {
	cycles := c.idx.cycles(g, c.labels)
	if len(cycles) == 0 {
		panic("graph: path count found no topological order but no cycle")
	}
	return &CycleError{Cycle: cycles[0]}
}
