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
// Only the corridor is visited: the nodes reachable from from that reach
// to. If the corridor holds a cycle the count is refused with a
// *CycleError (wrapping ErrCycle); a cycle elsewhere does not matter. The
// count is a dynamic program in topological order over the corridor, in
// O(nodes and edges reached) time and memory (a hash index numbers the
// nodes; nothing is sized by the graph).
func (g *Graph) CountPaths(from, to NodeID, dir Direction, labels LabelSet) (PathCount, error) {
	if from == to {
		return PathCount{N: 1}, nil
	}
	c := g.corridor(from, to, dir, labels)
	if c == nil {
		return PathCount{}, nil
	}
	counts, ok := c.count(g)
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
	counts, ok := c.count(g)
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
// targets, numbered densely.
type corridorSet struct {
	from    NodeID
	dir     Direction
	labels  LabelSet
	idx     *nodeIndex // the corridor
	targets []NodeID   // the targets reached
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

// corridor returns the nodes on paths from start to target in direction
// dir along labels, or nil when target is unreachable. The upward side is
// walked first, unrestricted, and the downward side inside it: ancestors
// are few where descendants can be a whole family.
func (g *Graph) corridor(start, target NodeID, dir Direction, labels LabelSet) *corridorSet {
	first, second := start, target
	if dir == Down {
		first, second = target, start
	}
	outer := newNodeIndex(64)
	g.walk([]NodeID{first}, Up, labels, nil, outer)
	if !outer.has(second) {
		return nil
	}
	c := &corridorSet{from: start, dir: dir, labels: labels, targets: []NodeID{target}, idx: newNodeIndex(outer.len())}
	g.walk([]NodeID{second}, Down, labels, outer, c.idx)
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
	c := &corridorSet{from: start, dir: dir, labels: labels, targets: ends, idx: newNodeIndex(outer.len())}
	g.walk(ends, dir^1, labels, outer, c.idx)
	return c
}

// count returns the number of paths from the start to every corridor node,
// by index, or false when the corridor has a cycle. Every corridor
// node is reachable from the start through the corridor, so a topological
// order from the start alone covers the corridor exactly when it has no
// cycle.
func (c *corridorSet) count(g *Graph) ([]PathCount, bool) {
	k := c.idx.len()
	indeg := make([]int32, k)
	for _, v := range c.idx.nodes {
		nb, lab := g.adj(v, c.dir)
		for j, w := range nb {
			if !c.labels.Has(lab[j]) {
				continue
			}
			if i := c.idx.get(w); i >= 0 {
				indeg[i]++
			}
		}
	}
	counts := make([]PathCount, k)
	is := c.idx.get(c.from)
	if indeg[is] != 0 {
		return nil, false
	}
	counts[is] = PathCount{N: 1}
	queue := append(make([]int32, 0, k), is)
	for q := 0; q < len(queue); q++ {
		iv := queue[q]
		cv := counts[iv]
		nb, lab := g.adj(c.idx.nodes[iv], c.dir)
		for j, w := range nb {
			if !c.labels.Has(lab[j]) {
				continue
			}
			iw := c.idx.get(w)
			if iw < 0 {
				continue
			}
			counts[iw] = counts[iw].add(cv)
			if indeg[iw]--; indeg[iw] == 0 {
				queue = append(queue, iw)
			}
		}
	}
	return counts, len(queue) == k
}

// cycleError names a cycle of the corridor. The components of a set of
// nodes closed under "on a cycle with a member" are those of the graph,
// and a corridor is: a cycle through a corridor node is reachable from the
// start and reaches the targets.
func (c *corridorSet) cycleError(g *Graph) error {
	rs := c.idx.rankSet(g.n)
	cycles := g.cyclesWithin(&rs, c.labels)
	if len(cycles) == 0 {
		panic("graph: path count found no topological order but no cycle")
	}
	return &CycleError{Cycle: cycles[0]}
}
