package graph

// nodeIndex numbers a set of nodes densely in the order they are added: an
// open-addressing hash table (linear probing, Fibonacci hashing) from
// NodeID to index. The queries between a few nodes (path counts, shortest
// paths, common ancestors) use it instead of N-bit sets so that their
// memory follows what they reach, not the size of the graph: at Hub scale
// an ancestry is tens of nodes, and zeroing a 2M-bit set alone would cost
// more than walking it.
type nodeIndex struct {
	slots []slot   // key -1: empty
	nodes []NodeID // by index
	shift uint8    // 32 - log2(len(slots))
}

type slot struct {
	key NodeID
	val int32
}

// newNodeIndex returns an empty index with room for about hint nodes.
func newNodeIndex(hint int) *nodeIndex {
	x := &nodeIndex{}
	x.init(max(hint, 8))
	return x
}

func (x *nodeIndex) init(hint int) {
	size, shift := 16, uint8(28)
	for size < 2*hint {
		size, shift = size*2, shift-1
	}
	x.slots = make([]slot, size)
	for i := range x.slots {
		x.slots[i].key = -1
	}
	x.shift = shift
	x.nodes = make([]NodeID, 0, hint)
}

func (x *nodeIndex) home(v NodeID) int { return int(uint32(v) * 0x9e3779b1 >> x.shift) }

// get returns the index of v, or -1 when v is not in the set.
func (x *nodeIndex) get(v NodeID) int32 {
	mask := len(x.slots) - 1
	for i := x.home(v); ; i = (i + 1) & mask {
		s := x.slots[i]
		if s.key == v {
			return s.val
		}
		if s.key < 0 {
			return -1
		}
	}
}

// has reports whether v is in the set.
func (x *nodeIndex) has(v NodeID) bool { return x.get(v) >= 0 }

// add adds v if it is new and reports whether it was; either way it
// returns v's index.
func (x *nodeIndex) add(v NodeID) (int32, bool) {
	mask := len(x.slots) - 1
	i := x.home(v)
	for ; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s.key == v {
			return s.val, false
		}
		if s.key < 0 {
			break
		}
	}
	k := int32(len(x.nodes))
	x.slots[i] = slot{v, k}
	x.nodes = append(x.nodes, v)
	if 2*len(x.nodes) > len(x.slots) {
		x.grow()
	}
	return k, true
}

// grow doubles the table, keeping every node's index.
func (x *nodeIndex) grow() {
	old := x.slots
	x.slots = make([]slot, 2*len(old))
	for i := range x.slots {
		x.slots[i].key = -1
	}
	x.shift--
	mask := len(x.slots) - 1
	for _, s := range old {
		if s.key < 0 {
			continue
		}
		i := x.home(s.key)
		for x.slots[i].key >= 0 {
			i = (i + 1) & mask
		}
		x.slots[i] = s
	}
}

// len returns the number of nodes in the set.
func (x *nodeIndex) len() int { return len(x.nodes) }

// cycles returns the cycles (as Cycles defines them) of the sub-graph of g
// induced by the set along labels, as Cycles orders them. It builds that
// sub-graph over the set's indices and runs Cycles on it, so its memory
// follows the set, not g. Edges are found from the parents' side: in a
// derivation graph in-degrees are small where a foundation can have tens
// of thousands of children.
func (x *nodeIndex) cycles(g *Graph, labels LabelSet) [][]NodeID {
	b := NewBuilder(x.len())
	for i, v := range x.nodes {
		src, lab := g.In(v)
		for j, p := range src {
			if !labels.Has(lab[j]) {
				continue
			}
			if k := x.get(p); k >= 0 {
				b.AddEdge(NodeID(k), NodeID(i), 0)
			}
		}
	}
	cycles := b.Build().Cycles(AllLabels)
	for _, c := range cycles {
		for i, k := range c {
			c[i] = x.nodes[k]
		}
		sortNodes(c)
	}
	sortCycles(cycles)
	return cycles
}
