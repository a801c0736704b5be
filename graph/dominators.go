package graph

import "slices"

// VirtualRoot stands for the virtual root that Dominators puts above every
// entry node (see DomTree). It is never a real node.
const VirtualRoot NodeID = -1

// DomTree is the dominator tree of a graph, rooted at a virtual root placed
// above the graph's entry nodes, following edges parent -> child.
//
// The entry nodes are the roots (nodes with no parent along the selected
// labels: lineage's foundations) and the members of every root cycle: a
// strongly connected component with a cycle and no edge into it from
// outside, which no root reaches (bad data, such as two models each
// declaring the other as its base). Each member of a root cycle hangs from
// the virtual root directly, as a root does, so every node of the graph is
// in the tree and none is left unreachable; a root cycle is never treated
// as owned by one of its members. A cycle that a root reaches is no
// special case: its members are dominated like any other node (through the
// node where paths enter it, if they all enter at one).
//
// Node d dominates node w when every path from the virtual root to w
// passes through d; every node dominates itself. The immediate dominator
// of w is its nearest strict dominator, its parent in the tree. A node
// whose immediate dominator is the virtual root is a root, a member of a
// root cycle, or reachable from two entry nodes by paths that share no
// node. The nodes d strictly dominates are those all of whose paths from
// every entry node pass through d: the nodes that removing d would cut off
// from every root (for lineage, the models that exist only through d).
//
// A DomTree is immutable and safe for concurrent readers.
type DomTree struct {
	idom  []NodeID // by node; VirtualRoot under the virtual root
	pos   []int32  // by node: its index in order
	size  []int32  // by node: the nodes it dominates, itself included
	order []NodeID // the nodes in a preorder of the tree
	roots [][]NodeID
}

// Dominators computes the dominator tree over the edges with labels in
// labels, with the virtual root described at DomTree.
//
// It runs the Lengauer-Tarjan algorithm with path compression
// (O(E log N), iterative, no recursion) over flat int32 arrays indexed by
// depth-first number. Nodes without any selected edge (most of a Hub-scale
// graph) hang from the virtual root and are placed without entering it.
// Root cycles, if any, are found by a strongly connected components pass
// over the nodes no foundation reaches.
func (g *Graph) Dominators(labels LabelSet) *DomTree {
	n := g.n
	// pre[v]: v's depth-first number (0 is the virtual root); -1 before
	// numbering; -2 for a node with no selected edge.
	pre := written[int32](n)
	alone := 0
	for v := range NodeID(n) {
		if labels == AllLabels && g.fwdOff[v] == g.fwdOff[v+1] && g.revOff[v] == g.revOff[v+1] ||
			labels != AllLabels && !g.hasEdge(v, Down, labels) && !g.hasEdge(v, Up, labels) {
			pre[v] = -2
			alone++
		} else {
			pre[v] = -1
		}
	}
	total := n - alone + 1
	vertex := make([]NodeID, total) // number -> node
	parent := make([]int32, total)
	entry := NewBitset(total) // by number: has an edge from the virtual root
	vertex[0] = VirtualRoot
	next := int32(1)
	var stack []domFrame
	for v := range NodeID(n) {
		if pre[v] == -1 && !g.hasEdge(v, Up, labels) {
			entry.Set(NodeID(next))
			next, stack = g.domDFS(v, next, labels, pre, vertex, parent, stack)
		}
	}
	var roots [][]NodeID
	if int(next) < total {
		roots = g.rootCycles(pre, labels)
		for _, c := range roots {
			for _, v := range c {
				if pre[v] < 0 {
					next, stack = g.domDFS(v, next, labels, pre, vertex, parent, stack)
				}
				entry.Set(NodeID(pre[v]))
			}
		}
	}
	if int(next) != total {
		panic("graph: Dominators: a node is unreachable from the entry nodes") // cannot happen: see rootCycles
	}

	// Lengauer-Tarjan, in depth-first numbers.
	semi := make([]int32, total)
	label := make([]int32, total)
	ancestor := make([]int32, total)
	dom := make([]int32, total)
	bucket := make([]int32, total) // head of the bucket of each number
	link := make([]int32, total)   // next in the same bucket
	for i := range total {
		semi[i], label[i], ancestor[i], bucket[i] = int32(i), int32(i), -1, -1
	}
	var path []int32
	for w := int32(total - 1); w > 0; w-- {
		if entry.Has(NodeID(w)) {
			semi[w] = 0 // the edge from the virtual root; 0 is the least number
		}
		src, lab := g.In(vertex[w])
		for i, p := range src {
			if !labels.Has(lab[i]) {
				continue
			}
			var u int32
			if u, path = domEval(pre[p], ancestor, label, semi, path); semi[u] < semi[w] {
				semi[w] = semi[u]
			}
		}
		s := semi[w]
		link[w], bucket[s] = bucket[s], w
		pw := parent[w]
		ancestor[w] = pw
		for v := bucket[pw]; v >= 0; v = link[v] {
			var u int32
			if u, path = domEval(v, ancestor, label, semi, path); semi[u] < semi[v] {
				dom[v] = u
			} else {
				dom[v] = pw
			}
		}
		bucket[pw] = -1
	}
	for w := int32(1); w < int32(total); w++ {
		if dom[w] != semi[w] {
			dom[w] = dom[dom[w]]
		}
	}

	// The tree in a preorder: dom[w] < w (a dominator is a depth-first
	// ancestor), so sizes add up in descending numbers and positions are
	// handed out in ascending ones; the nodes without edges come last.
	// semi, label and ancestor are reused.
	size, start, cursor := semi, label, ancestor
	for i := range size {
		size[i] = 1
	}
	for w := int32(total - 1); w > 0; w-- {
		size[dom[w]] += size[w]
	}
	cursor[0] = 0 // the virtual root takes no position
	for w := int32(1); w < int32(total); w++ {
		p := dom[w]
		start[w] = cursor[p]
		cursor[p] += size[w]
		cursor[w] = start[w] + 1
	}
	t := &DomTree{
		idom:  make([]NodeID, n),
		pos:   make([]int32, n),
		size:  make([]int32, n),
		order: make([]NodeID, n),
		roots: roots,
	}
	last := int32(total - 1)
	for v := range NodeID(n) {
		w := pre[v]
		if w < 0 {
			t.idom[v], t.pos[v], t.size[v] = VirtualRoot, last, 1
			t.order[last] = v
			last++
			continue
		}
		t.idom[v] = vertex[dom[w]]
		t.pos[v] = start[w]
		t.size[v] = size[w]
		t.order[start[w]] = v
	}
	return t
}

type domFrame struct {
	v    NodeID
	e, b int32 // next edge to look at, end of the row
}

// domDFS numbers everything reachable from s (a child of the virtual
// root) that is not numbered yet, from next on, in a true depth-first
// order: Lengauer-Tarjan needs a depth-first tree, not a stack order. It
// returns the next free number and the stack, for reuse.
func (g *Graph) domDFS(s NodeID, next int32, labels LabelSet, pre []int32, vertex []NodeID, parent []int32, stack []domFrame) (int32, []domFrame) {
	pre[s], vertex[next], parent[next] = next, s, 0
	next++
	stack = append(stack[:0], domFrame{s, g.fwdOff[s], g.fwdOff[s+1]})
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		descended := false
		for f.e < f.b {
			w, l := g.fwdDst[f.e], g.fwdLab[f.e]
			f.e++
			if !labels.Has(l) || pre[w] >= 0 {
				continue
			}
			pre[w], vertex[next], parent[next] = next, w, pre[f.v]
			next++
			stack = append(stack, domFrame{w, g.fwdOff[w], g.fwdOff[w+1]})
			descended = true
			break
		}
		if !descended {
			stack = stack[:len(stack)-1]
		}
	}
	return next, stack
}

// domEval is Lengauer-Tarjan's EVAL with path compression: the node of
// least semidominator on the forest path from v to the root of its tree
// (v itself at a root). The recursion of the textbook's COMPRESS is
// unwound over path, which it returns for reuse.
func domEval(v int32, ancestor, label, semi, path []int32) (int32, []int32) {
	if ancestor[v] < 0 {
		return v, path
	}
	path = path[:0]
	for x := v; ancestor[ancestor[x]] >= 0; x = ancestor[x] {
		path = append(path, x)
	}
	for j := len(path) - 1; j >= 0; j-- {
		y := path[j]
		a := ancestor[y]
		if semi[label[a]] < semi[label[y]] {
			label[y] = label[a]
		}
		ancestor[y] = ancestor[a]
	}
	return label[v], path
}

// rootCycles returns the root cycles among the nodes not yet numbered in
// pre (-1: those no foundation reaches; -2 marks nodes without edges), members ascending, ordered by their
// smallest member. Every such node has a root cycle among its ancestors:
// its ancestors are not numbered either, and a source component of them
// can be neither a foundation (it would have been numbered) nor a single
// node without a self-loop (it would have a parent outside itself).
func (g *Graph) rootCycles(pre []int32, labels LabelSet) [][]NodeID {
	s := rankSet{bits: NewBitset(g.n), cum: make([]int32, (g.n+63)/64)}
	for v, p := range pre {
		if p == -1 {
			s.bits.Set(NodeID(v))
		}
	}
	s.number()
	// The unreached nodes are closed under ancestors, so the components
	// within them are components of the whole graph.
	cycles := g.cyclesWithin(&s, labels)
	in := NewBitset(g.n)
	var roots [][]NodeID
	for _, c := range cycles {
		for _, v := range c {
			in.Set(v)
		}
		closed := true
		for _, v := range c {
			src, lab := g.In(v)
			for i, p := range src {
				if labels.Has(lab[i]) && !in.Has(p) {
					closed = false
				}
			}
		}
		for _, v := range c {
			in.Clear(v)
		}
		if closed {
			roots = append(roots, c)
		}
	}
	return roots
}

// IDom returns the immediate dominator of v: its parent in the tree, or
// VirtualRoot when no single node dominates it (v is a foundation, is on a
// root cycle, or is reached from two entry nodes by disjoint paths).
func (t *DomTree) IDom(v NodeID) NodeID { return t.idom[v] }

// Dominates reports whether d dominates w: every path from the virtual
// root to w passes through d. Every node dominates itself. O(1).
func (t *DomTree) Dominates(d, w NodeID) bool {
	return t.pos[d] <= t.pos[w] && t.pos[w] < t.pos[d]+t.size[d]
}

// NumDominated returns the number of nodes v strictly dominates: the size
// of its subtree, v excluded. O(1); the counts of every node come out of
// the one pass that built the tree.
func (t *DomTree) NumDominated(v NodeID) int { return int(t.size[v]) - 1 }

// Dominated returns the nodes v strictly dominates, ascending: the nodes
// all of whose paths from any entry node pass through v.
func (t *DomTree) Dominated(v NodeID) []NodeID {
	p := t.pos[v]
	out := slices.Clone(t.order[p+1 : p+t.size[v]])
	slices.Sort(out)
	return out
}

// Chain returns the strict dominators of v, nearest first: v's ancestors in
// the tree, the virtual root excluded. It is empty when IDom(v) is
// VirtualRoot.
func (t *DomTree) Chain(v NodeID) []NodeID {
	var out []NodeID
	for d := t.idom[v]; d != VirtualRoot; d = t.idom[d] {
		out = append(out, d)
	}
	return out
}

// RootCycles returns the root cycles whose members hang from the virtual
// root (see DomTree): members ascending, ordered by smallest member. It is
// empty when every node is reachable from a foundation.
func (t *DomTree) RootCycles() [][]NodeID { return t.roots }
