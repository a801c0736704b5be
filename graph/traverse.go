package graph

import (
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
)

// Bitset is a fixed-size set of node ids.
type Bitset []uint64

// NewBitset returns a bitset able to hold ids 0..n-1.
func NewBitset(n int) Bitset { return written[uint64]((n + 63) / 64) }

// written returns a zeroed slice of n elements whose memory has been
// written. A large allocation is fresh memory from the operating system,
// and reading an untouched page of it maps the shared zero page: the first
// write then faults a second time, copies, and flushes the page from the
// TLB of every core the process runs on (an interrupt to each; costly in a
// virtual machine). The visited sets and discovery arrays here are read
// before they are written, so they are written once up front: one fault
// per page, no flush. (At two million nodes this took about 70 ms of CPU
// from a whole-Hub rank.)
func written[T any](n int) []T {
	s := make([]T, n)
	clear(s)
	return s
}

// Has reports whether v is in the set.
func (b Bitset) Has(v NodeID) bool { return b[v>>6]&(1<<(uint(v)&63)) != 0 }

// Set adds v to the set.
func (b Bitset) Set(v NodeID) { b[v>>6] |= 1 << (uint(v) & 63) }

// Clear removes v from the set.
func (b Bitset) Clear(v NodeID) { b[v>>6] &^= 1 << (uint(v) & 63) }

// TestAndSet adds v and reports whether it was already present.
func (b Bitset) TestAndSet(v NodeID) bool {
	w, m := &b[v>>6], uint64(1)<<(uint(v)&63)
	if *w&m != 0 {
		return true
	}
	*w |= m
	return false
}

// Direction selects which edges a traversal follows.
type Direction uint8

const (
	// Down follows edges from parent to child (descendants).
	Down Direction = iota
	// Up follows edges from child to parent (ancestors).
	Up
)

func (g *Graph) adj(v NodeID, dir Direction) ([]NodeID, []Label) {
	if dir == Up {
		return g.In(v)
	}
	return g.Out(v)
}

// Hit is one node reached by a traversal.
type Hit struct {
	Node  NodeID // the node reached
	Depth int32  // shortest number of hops from the start
	Via   NodeID // the node it was first reached from (its BFS tree neighbour)
	Label Label  // the label of the edge between Via and Node
}

// Reach returns every node reachable from start in direction dir along edges
// whose label is in labels, start excluded (even when a cycle leads back to
// it), in breadth-first order: by depth, then by discovery order, which
// follows the ascending NodeID order of each adjacency row. maxDepth <= 0
// means unlimited. Every node appears once, with its shortest depth.
func (g *Graph) Reach(start NodeID, dir Direction, labels LabelSet, maxDepth int) []Hit {
	seen := NewBitset(g.n)
	seen.Set(start)
	var out []Hit
	frontier := []NodeID{start}
	for depth := int32(1); len(frontier) > 0 && (maxDepth <= 0 || int(depth) <= maxDepth); depth++ {
		var next []NodeID
		for _, v := range frontier {
			nb, lab := g.adj(v, dir)
			for i, w := range nb {
				if !labels.Has(lab[i]) || seen.TestAndSet(w) {
					continue
				}
				out = append(out, Hit{Node: w, Depth: depth, Via: v, Label: lab[i]})
				next = append(next, w)
			}
		}
		frontier = next
	}
	return out
}

// CountReach returns the number of distinct nodes reachable from start in
// direction dir along edges with labels in labels, start excluded.
func (g *Graph) CountReach(start NodeID, dir Direction, labels LabelSet) int {
	seen := NewBitset(g.n)
	seen.Set(start)
	stack := []NodeID{start}
	count := 0
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		nb, lab := g.adj(v, dir)
		for i, w := range nb {
			if labels.Has(lab[i]) && !seen.TestAndSet(w) {
				count++
				stack = append(stack, w)
			}
		}
	}
	return count
}

// countDown is CountReach downwards, marking only the nodes of merges
// (in-degree two or more, numbered densely by rank in merges) in the
// worker's stamps. Every other node has at most one parent, so it is
// reached only when that parent is expanded, and by induction each node
// is expanded at most once: a chain of unmarked single parents that never
// ends would be a cycle of single-parent nodes, which nothing outside it
// can reach. The start is never re-entered (it may be on a cycle). Merges
// are a few percent of a Hub-scale graph, so the stamps stay in cache
// where a visited set over every node would be a miss per node.
func (g *Graph) countDown(start NodeID, labels LabelSet, merges *rankSet, st *stamps) int {
	stack := append(st.stack[:0], start) // reuse the worker's stack
	count := 0
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		dst, lab := g.Out(v)
		for i, w := range dst {
			if !labels.Has(lab[i]) || w == start {
				continue
			}
			if merges.bits.Has(w) && st.testAndSet(NodeID(merges.rank(w))) {
				continue
			}
			count++
			stack = append(stack, w)
		}
	}
	st.stack = stack
	return count
}

// sumDown is countDown that also sums weight over the nodes it counts.
// It is countDown's loop line for line plus the weight: one traversal
// serving both through a nil check or a generic weigher cost counting 12
// to 14% of its CPU at 2M nodes (benchstat, n=8, p <= 0.05), and plain
// rank is the hot path.
func (g *Graph) sumDown(start NodeID, labels LabelSet, merges *rankSet, st *stamps, weight func(NodeID) int64) (count int, sum int64) {
	stack := append(st.stack[:0], start)
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		dst, lab := g.Out(v)
		for i, w := range dst {
			if !labels.Has(lab[i]) || w == start {
				continue
			}
			if merges.bits.Has(w) && st.testAndSet(NodeID(merges.rank(w))) {
				continue
			}
			count++
			sum += weight(w)
			stack = append(stack, w)
		}
	}
	st.stack = stack
	return count, sum
}

// mergeNodes returns the nodes with two or more in-edges (of any label).
func (g *Graph) mergeNodes() rankSet {
	s := rankSet{bits: NewBitset(g.n), cum: make([]int32, (g.n+63)/64)}
	for v := 0; v < g.n; v++ {
		if g.revOff[v+1]-g.revOff[v] >= 2 {
			s.bits[v>>6] |= 1 << (uint(v) & 63)
		}
	}
	s.number()
	return s
}

// stamps is a visited set that is cleared in O(1) by bumping a generation,
// with a traversal stack to reuse.
type stamps struct {
	gen   int32
	s     []int32
	stack []NodeID
}

func (s *stamps) reset() {
	s.gen++
	if s.gen == 0 { // wrapped: clear for real
		clear(s.s)
		s.gen = 1
	}
}

func (s *stamps) testAndSet(v NodeID) bool {
	if s.s[v] == s.gen {
		return true
	}
	s.s[v] = s.gen
	return false
}

// Roots returns the nodes with no parent along edges in labels, ascending.
func (g *Graph) Roots(labels LabelSet) []NodeID {
	var out []NodeID
	for v := 0; v < g.n; v++ {
		if !g.hasEdge(NodeID(v), Up, labels) {
			out = append(out, NodeID(v))
		}
	}
	return out
}

// hasEdge reports whether v has an edge in direction dir with a label in
// labels.
func (g *Graph) hasEdge(v NodeID, dir Direction, labels LabelSet) bool {
	_, lab := g.adj(v, dir)
	for _, l := range lab {
		if labels.Has(l) {
			return true
		}
	}
	return false
}

// CountDescendants returns, for each node in starts, the exact number of
// distinct nodes reachable from it along edges with labels in labels (the
// node itself excluded), in the order of starts.
//
// Families are mostly disjoint trees, so the plain way is also the fast
// one: each start is counted by its own traversal, with an O(1)-reset
// visited set, split across CPUs (at Hub scale this beats any whole-graph
// pre-pass: a union-find proof of tree-shaped families took 55-60 ms where
// all the traversals take 15-35 ms). Merges make families overlap, and a
// family shared by many starts would be walked once per start; so the
// traversals run on a budget of about twice the graph's size, and when
// they exceed it the counting switches to countWithTrees, which walks
// every shared tree once however many starts reach it.
func (g *Graph) CountDescendants(starts []NodeID, labels LabelSet) []int {
	counts, _ := g.sumDescendants(starts, labels, nil)
	return counts
}

// SumDescendants returns, for each node in starts, the sum of weight(w)
// over the distinct nodes w reachable from it along edges with labels in
// labels (the node itself excluded, each reachable node once however many
// paths lead to it), in the order of starts. It is CountDescendants with a
// weight: the same traversals, the same budget and the same switch to
// shared trees, so it runs at the speed of counting plus the calls to
// weight.
//
// weight is called from several goroutines at once and must be safe for
// that (a pure function of the node, such as a lookup in a column). It may
// be called for nodes that no start reaches (the shared-tree walk sums
// whole trees) and more than once for a node; only the sums are defined.
// The sums are exact in int64; weights summing past it overflow.
func (g *Graph) SumDescendants(starts []NodeID, labels LabelSet, weight func(NodeID) int64) []int64 {
	if weight == nil {
		panic("graph: SumDescendants: nil weight")
	}
	_, sums := g.sumDescendants(starts, labels, weight)
	return sums
}

// sumDescendants counts, and with a weight sums, the descendants of every
// start: the traversals of CountDescendants on a budget, then the
// shared-tree walk when they exceed it.
func (g *Graph) sumDescendants(starts []NodeID, labels LabelSet, weight func(NodeID) int64) ([]int, []int64) {
	n := g.n
	counts := make([]int, len(starts))
	var sums []int64
	if weight != nil {
		sums = make([]int64, len(starts))
	}
	var slow []int // indices into starts needing traversal
	for i, s := range starts {
		if g.hasEdge(s, Down, labels) {
			slow = append(slow, i)
		}
	}
	if len(slow) == 0 {
		return counts, sums
	}
	budget := int64(2*len(g.fwdDst) + n)
	var used atomic.Int64
	var over atomic.Bool
	merges := g.mergeNodes()
	eachWithStamps(merges.count(), len(slow), func(k int, st *stamps) bool {
		if over.Load() {
			return false
		}
		i := slow[k]
		var c int
		if weight == nil {
			c = g.countDown(starts[i], labels, &merges, st)
		} else {
			c, sums[i] = g.sumDown(starts[i], labels, &merges, st, weight)
		}
		counts[i] = c
		if used.Add(int64(c)) > budget {
			over.Store(true)
		}
		return true
	})
	if over.Load() {
		return g.sumWithTrees(starts, labels, weight)
	}
	return counts, sums
}

// countWithTrees is CountDescendants by the shared-tree walk alone.
func (g *Graph) countWithTrees(starts []NodeID, labels LabelSet) []int {
	counts, _ := g.sumWithTrees(starts, labels, nil)
	return counts
}

// sumWithTrees is sumDescendants for families shared by many starts.
// One depth-first pass over what the starts reach finds every node below
// which a tree hangs (each of its descendants has exactly one parent, and
// none is on a cycle): such a node's count is the size of its tree, its
// sum the weight of the tree. A start that is such a node is answered at
// once; any other is traversed, and the traversal stops at every tree node
// it meets, adding the tree's size and weight (its nodes can be reached
// only through it, so none is counted twice). A thousand foundations
// merged into one large family then cost the nodes above the trees, not a
// thousand walks of the family.
func (g *Graph) sumWithTrees(starts []NodeID, labels LabelSet, weight func(NodeID) int64) ([]int, []int64) {
	n := g.n
	counts := make([]int, len(starts))
	var sums []int64
	if weight != nil {
		sums = make([]int64, len(starts))
	}
	tree, treeSum := g.treeSizes(starts, labels, weight)
	var slow []int // indices into starts needing traversal
	for i, s := range starts {
		if t := tree[s]; t > 0 {
			counts[i] = int(t - 1)
			if sums != nil {
				sums[i] = treeSum[s] - weight(s)
			}
		} else {
			slow = append(slow, i)
		}
	}
	if len(slow) == 0 {
		return counts, sums
	}
	eachWithStamps(n, len(slow), func(k int, st *stamps) bool {
		i := slow[k]
		st.testAndSet(starts[i])
		stack := append(st.stack[:0], starts[i])
		count := 0
		var sum int64
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			dst, lab := g.Out(v)
			for j, w := range dst {
				if !labels.Has(lab[j]) || st.testAndSet(w) {
					continue
				}
				if t := tree[w]; t > 0 {
					count += int(t) // w and the tree below it
					if weight != nil {
						sum += treeSum[w]
					}
					continue
				}
				count++
				if weight != nil {
					sum += weight(w)
				}
				stack = append(stack, w)
			}
		}
		st.stack = stack
		counts[i] = count
		if sums != nil {
			sums[i] = sum
		}
		return true
	})
	return counts, sums
}

// eachWithStamps calls visit(k, st) for every k in [0, count), on every
// CPU; each worker has its own O(1)-reset visited set over n nodes, reset
// before each call. A worker stops when visit returns false.
func eachWithStamps(n, count int, visit func(k int, st *stamps) bool) {
	workers := min(runtime.GOMAXPROCS(0), count)
	var wg sync.WaitGroup
	var next atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := &stamps{s: written[int32](n)}
			for {
				k := next.Add(1) - 1
				if int(k) >= count {
					return
				}
				st.reset()
				if !visit(int(k), st) {
					return
				}
			}
		}()
	}
	wg.Wait()
}

// treeSizes returns, for every node reachable from starts (starts
// included) along edges with labels in labels, 1 + the number of its
// descendants when a tree hangs below it (every descendant has exactly one
// selected parent, and no descendant is on a cycle), or 0 otherwise; for a
// node not reachable, 0 or the value for a node it reaches. One iterative
// post-order walk, each node once. With a weight, treeSum holds, for every
// node whose tree holds, the sum of weight over the tree (the node
// included); it is nil without one.
func (g *Graph) treeSizes(starts []NodeID, labels LabelSet, weight func(NodeID) int64) (tree []int32, treeSum []int64) {
	const (
		unseen = iota
		open   // on the walk's stack: meeting it again closes a cycle
		done
	)
	tree = written[int32](g.n) // 1 + tree size; 0: not a tree (or not reached)
	if weight != nil {
		treeSum = written[int64](g.n)
	}
	state := written[uint8](g.n)
	type frame struct {
		v    NodeID
		i    int32
		size int32 // descendants so far; -1 once known not to be a tree
		sum  int64 // their weight (with a weight, while size >= 0)
	}
	var call []frame
	singleParent := func(w NodeID) bool {
		if labels == AllLabels {
			return g.InDegree(w) == 1
		}
		_, lab := g.In(w)
		k := 0
		for _, l := range lab {
			if labels.Has(l) {
				k++
			}
		}
		return k == 1
	}
	for _, s := range starts {
		if state[s] != unseen {
			continue
		}
		state[s] = open
		call = append(call[:0], frame{v: s})
		for len(call) > 0 {
			f := &call[len(call)-1]
			dst, lab := g.Out(f.v)
			descended := false
			for int(f.i) < len(dst) {
				w, l := dst[f.i], lab[f.i]
				f.i++
				if !labels.Has(l) {
					continue
				}
				switch state[w] {
				case unseen:
					state[w] = open
					call = append(call, frame{v: w})
					descended = true
				case open: // a cycle through w and f.v
					f.size = -1
				case done:
					if f.size >= 0 && tree[w] > 0 && singleParent(w) {
						f.size += tree[w]
						if treeSum != nil {
							f.sum += treeSum[w]
						}
					} else {
						f.size = -1
					}
				}
				if descended {
					break
				}
			}
			if descended {
				continue
			}
			// f.v is finished: hand its verdict to its parent on the walk.
			v, size := f.v, f.size
			state[v] = done
			if size >= 0 {
				tree[v] = size + 1
				if treeSum != nil {
					treeSum[v] = f.sum + weight(v)
				}
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := &call[len(call)-1]
				if p.size >= 0 && size >= 0 && singleParent(v) {
					p.size += size + 1
					if treeSum != nil {
						p.sum += treeSum[v]
					}
				} else {
					p.size = -1
				}
			}
		}
	}
	return tree, treeSum
}

// SCC computes the strongly connected components over edges with labels in
// labels (iterative Tarjan, O(N+E), no recursion). It returns, for every
// node, the index of its cyclic component in cycles, or -1 when the node is
// on no cycle; cycles lists each component that is a real cycle (two or
// more nodes, or one node with a self-loop), members ascending, components
// ordered by their smallest member.
func (g *Graph) SCC(labels LabelSet) (compOf []int32, cycles [][]NodeID) {
	cycles = g.Cycles(labels)
	compOf = make([]int32, g.n)
	for i := range compOf {
		compOf[i] = -1
	}
	for i, c := range cycles {
		for _, v := range c {
			compOf[v] = int32(i)
		}
	}
	return compOf, cycles
}

// Cycles returns the cycles SCC returns, without the per-node component
// array: the strongly connected components over edges with labels in
// labels that are real cycles (two or more nodes, or one node with a
// self-loop), members ascending, ordered by their smallest member.
//
// A node without out-edges or without in-edges cannot be on a cycle (most
// of a Hub-scale graph: leaves and foundations). Only the others, the inner
// nodes, are numbered, densely by their rank in a bitset, so the discovery
// arrays hold a few percent of the nodes and stay in cache.
func (g *Graph) Cycles(labels LabelSet) (cycles [][]NodeID) {
	inner := g.innerNodes()
	return g.cyclesWithin(&inner, labels)
}

// cyclesWithin returns the cycles of the sub-graph induced by the members
// of inner (edges with labels in labels between two members), as Cycles
// orders them. Cycles passes the nodes with both in- and out-edges; any
// set closed under "is on a cycle with a member" gives the cycles of the
// whole graph among its members.
func (g *Graph) cyclesWithin(inner *rankSet, labels LabelSet) (cycles [][]NodeID) {
	m := inner.count()
	index := make([]int32, m) // 1 + discovery order; 0: not visited
	low := make([]int32, m)
	onStack := NewBitset(m)
	var stack []NodeID
	type frame struct {
		v NodeID
		i int32
	}
	var call []frame
	next := int32(1)
	for wi, word := range inner.bits {
		for ; word != 0; word &= word - 1 {
			s := NodeID(wi<<6 | bits.TrailingZeros64(word))
			rs := inner.rank(s)
			if index[rs] != 0 {
				continue
			}
			call = append(call[:0], frame{v: s})
			index[rs], low[rs] = next, next
			next++
			stack = append(stack, s)
			onStack.Set(NodeID(rs))
			for len(call) > 0 {
				f := &call[len(call)-1]
				v := f.v
				rv := inner.rank(v)
				dst, lab := g.Out(v)
				descended := false
				for int(f.i) < len(dst) {
					w := dst[f.i]
					l := lab[f.i]
					f.i++
					if !labels.Has(l) || !inner.bits.Has(w) {
						// A leaf is a component of its own and on no
						// cycle (most children are leaves): nothing to
						// record.
						continue
					}
					rw := inner.rank(w)
					if index[rw] == 0 {
						index[rw], low[rw] = next, next
						next++
						stack = append(stack, w)
						onStack.Set(NodeID(rw))
						call = append(call, frame{v: w})
						descended = true
						break
					} else if onStack.Has(NodeID(rw)) && index[rw] < low[rv] {
						low[rv] = index[rw]
					}
				}
				if descended {
					continue
				}
				// v is finished.
				if low[rv] == index[rv] {
					if stack[len(stack)-1] == v {
						// A component of one node (nearly all of them): a
						// cycle only with a self-loop. Allocate nothing
						// otherwise.
						stack = stack[:len(stack)-1]
						onStack.Clear(NodeID(rv))
						if l, ok := g.EdgeLabel(v, v); ok && labels.Has(l) {
							cycles = append(cycles, []NodeID{v})
						}
					} else {
						var comp []NodeID
						for {
							w := stack[len(stack)-1]
							stack = stack[:len(stack)-1]
							onStack.Clear(NodeID(inner.rank(w)))
							comp = append(comp, w)
							if w == v {
								break
							}
						}
						sortNodes(comp)
						cycles = append(cycles, comp)
					}
				}
				call = call[:len(call)-1]
				if len(call) > 0 {
					ru := inner.rank(call[len(call)-1].v)
					if low[rv] < low[ru] {
						low[ru] = low[rv]
					}
				}
			}
		}
	}
	// Order components by smallest member for determinism.
	sortCycles(cycles)
	return cycles
}

// rankSet is a set of nodes that numbers its members densely: rank(v) is
// the number of members below v.
type rankSet struct {
	bits Bitset
	cum  []int32 // members in the words before each word
}

func (s *rankSet) count() int {
	if len(s.bits) == 0 {
		return 0
	}
	last := len(s.bits) - 1
	return int(s.cum[last]) + bits.OnesCount64(s.bits[last])
}

// number fills cum from bits.
func (s *rankSet) number() {
	c := int32(0)
	for i, w := range s.bits {
		s.cum[i] = c
		c += int32(bits.OnesCount64(w))
	}
}

// rank returns the number of members below v (v's number, for a member).
func (s *rankSet) rank(v NodeID) int32 {
	w := v >> 6
	return s.cum[w] + int32(bits.OnesCount64(s.bits[w]&(1<<(uint(v)&63)-1)))
}

// innerNodes returns the nodes with both out-edges and in-edges (of any
// label): the only ones that can be on a cycle.
func (g *Graph) innerNodes() rankSet {
	s := rankSet{bits: NewBitset(g.n), cum: make([]int32, (g.n+63)/64)}
	for v := 0; v < g.n; v++ {
		if g.fwdOff[v+1] > g.fwdOff[v] && g.revOff[v+1] > g.revOff[v] {
			s.bits[v>>6] |= 1 << (uint(v) & 63)
		}
	}
	s.number()
	return s
}

// Paths returns the paths from start to every node that has no further
// neighbour in direction dir (its roots, for Up), following edges with labels
// in labels. A path never visits a node twice, so cycles terminate. Paths
// are listed in depth-first order over ascending NodeIDs; at most limit paths
// are returned and truncated reports whether more exist. A start with no
// neighbours yields no paths. limit must be positive: Paths panics
// otherwise, for there is no "unlimited" (a lattice of merges has more
// paths than memory; CountPathsToEnds counts them).
func (g *Graph) Paths(start NodeID, dir Direction, labels LabelSet, limit int) (paths [][]NodeID, truncated bool) {
	if limit <= 0 {
		panic("graph: Paths: limit must be positive")
	}
	onPath := NewBitset(g.n)
	path := []NodeID{start}
	onPath.Set(start)
	var walk func(v NodeID) bool
	walk = func(v NodeID) bool {
		nb, lab := g.adj(v, dir)
		extended := false
		for i, w := range nb {
			if !labels.Has(lab[i]) || onPath.Has(w) {
				continue
			}
			extended = true
			onPath.Set(w)
			path = append(path, w)
			if !walk(w) {
				return false
			}
			path = path[:len(path)-1]
			onPath[w>>6] &^= 1 << (uint(w) & 63)
		}
		if !extended && len(path) > 1 {
			if len(paths) >= limit {
				truncated = true
				return false
			}
			paths = append(paths, append([]NodeID(nil), path...))
		}
		return true
	}
	walk(start)
	return paths, truncated
}
