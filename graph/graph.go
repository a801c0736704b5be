// Package graph is the topology store of lineage: a frozen directed graph
// over dense integer node ids with a small opaque label on every edge.
//
// Nodes are NodeID values 0..N-1 (slice indices); the caller keeps whatever
// payload belongs to a node (names, dates, counts) in its own tables indexed
// by NodeID. Edges are stored twice, as forward and reverse compressed sparse
// rows (CSR), so both "children of" and "parents of" are a slice lookup.
// A Graph is immutable once built and safe for concurrent readers.
//
// The package assumes nothing about what nodes or labels mean. It does not
// assume the graph is acyclic: every traversal uses a visited set, so cycles
// never make a query loop or count a node twice; counting paths is the one
// thing a cycle makes meaningless, and CountPaths refuses it (ErrCycle)
// rather than guess. Labels are small integers (0..63) so that label
// filters are a single bit mask.
//
// The package imports only the standard library and gonum (for the
// algorithm adapter in gonum.go).
package graph

import (
	"errors"
	"fmt"
	"slices"
)

// NodeID is a dense node identifier: an index into the caller's node tables.
type NodeID int32

// Label is an opaque small edge label in the range 0..63.
type Label uint8

// MaxLabel is the largest allowed label value.
const MaxLabel Label = 63

// LabelSet is a set of labels as a bit mask; bit i set means label i is in the set.
type LabelSet uint64

// AllLabels is the set of every label.
const AllLabels LabelSet = ^LabelSet(0)

// LabelsOf returns the set holding the given labels.
func LabelsOf(ls ...Label) LabelSet {
	var s LabelSet
	for _, l := range ls {
		s |= 1 << (l & 63)
	}
	return s
}

// Has reports whether l is in s.
func (s LabelSet) Has(l Label) bool { return s&(1<<(l&63)) != 0 }

// Graph is a frozen directed graph in forward and reverse CSR form.
// The out-edges of v are Dst[Off[v]:Off[v+1]] with labels Lab[Off[v]:Off[v+1]],
// sorted by destination; likewise for in-edges.
type Graph struct {
	n      int
	fwdOff []int32
	fwdDst []NodeID
	fwdLab []Label
	revOff []int32
	revDst []NodeID
	revLab []Label
}

// ErrInvalid reports a graph whose arrays are inconsistent (for example a
// corrupted index file handed to FromCSR).
var ErrInvalid = errors.New("invalid graph")

// NumNodes returns the number of nodes.
func (g *Graph) NumNodes() int { return g.n }

// NumEdges returns the number of edges.
func (g *Graph) NumEdges() int { return len(g.fwdDst) }

// Out returns the children of v and the labels of the edges to them.
// The slices alias the graph and must not be modified.
func (g *Graph) Out(v NodeID) ([]NodeID, []Label) {
	a, b := g.fwdOff[v], g.fwdOff[v+1]
	return g.fwdDst[a:b], g.fwdLab[a:b]
}

// In returns the parents of v and the labels of the edges from them.
// The slices alias the graph and must not be modified.
func (g *Graph) In(v NodeID) ([]NodeID, []Label) {
	a, b := g.revOff[v], g.revOff[v+1]
	return g.revDst[a:b], g.revLab[a:b]
}

// OutDegree returns the number of children of v.
func (g *Graph) OutDegree(v NodeID) int { return int(g.fwdOff[v+1] - g.fwdOff[v]) }

// InDegree returns the number of parents of v.
func (g *Graph) InDegree(v NodeID) int { return int(g.revOff[v+1] - g.revOff[v]) }

// EdgeLabel returns the label of the edge from -> to and whether it exists.
func (g *Graph) EdgeLabel(from, to NodeID) (Label, bool) {
	dst, lab := g.Out(from)
	i, ok := slices.BinarySearch(dst, to)
	if !ok {
		return 0, false
	}
	return lab[i], true
}

// CSR exposes the forward and reverse arrays, for serialisation. The slices
// alias the graph and must not be modified.
func (g *Graph) CSR() (fwdOff []int32, fwdDst []NodeID, fwdLab []Label, revOff []int32, revDst []NodeID, revLab []Label) {
	return g.fwdOff, g.fwdDst, g.fwdLab, g.revOff, g.revDst, g.revLab
}

// FromCSR wraps existing CSR arrays (as written by CSR) without copying them.
// It validates the arrays in O(N+E) and returns an error wrapping ErrInvalid
// when they are inconsistent: offsets, bounds, sorted duplicate-free rows
// and labels are checked exactly, so no accepted graph can make a query
// index out of range; that the reverse arrays hold exactly the forward
// edges is checked by comparing 64-bit sums of per-edge hashes, which
// catches any accidental corruption (a deliberately crafted pair of arrays
// could collide; an index file also carries checksums).
func FromCSR(n int, fwdOff []int32, fwdDst []NodeID, fwdLab []Label, revOff []int32, revDst []NodeID, revLab []Label) (*Graph, error) {
	if n < 0 || len(fwdOff) != n+1 || len(revOff) != n+1 {
		return nil, fmt.Errorf("%w: offsets have %d and %d entries for %d nodes", ErrInvalid, len(fwdOff), len(revOff), n)
	}
	m := len(fwdDst)
	if len(fwdLab) != m || len(revDst) != m || len(revLab) != m {
		return nil, fmt.Errorf("%w: edge arrays disagree in length", ErrInvalid)
	}
	// Each direction is checked, and its edges hashed, on its own
	// goroutine: this runs on every index load.
	//
	// Every forward edge must have its reverse twin with the same label.
	// Rows are sorted and duplicate-free (checked here), so the two edge
	// sets are equal exactly when their multisets are; compare a
	// commutative sum of strong per-edge hashes (linear, no searching). A
	// mismatch is certain to be caught unless two different edge sets
	// collide in 64 bits.
	check := func(off []int32, dst []NodeID, lab []Label, reverse bool) (uint64, error) {
		if off[0] != 0 || int(off[n]) != m {
			return 0, fmt.Errorf("%w: offsets do not span the edge array", ErrInvalid)
		}
		var sum uint64
		for v := 0; v < n; v++ {
			a, b := off[v], off[v+1]
			if b < a || int(b) > m {
				return 0, fmt.Errorf("%w: offsets decrease or pass the edge array at node %d", ErrInvalid, v)
			}
			for i := a; i < b; i++ {
				d := dst[i]
				if d < 0 || int(d) >= n || (i > a && dst[i-1] >= d) {
					return 0, fmt.Errorf("%w: bad or unsorted edge target at node %d", ErrInvalid, v)
				}
				if lab[i] > MaxLabel {
					return 0, fmt.Errorf("%w: label %d out of range", ErrInvalid, lab[i])
				}
				if reverse {
					sum += edgeHash(d, NodeID(v), lab[i])
				} else {
					sum += edgeHash(NodeID(v), d, lab[i])
				}
			}
		}
		return sum, nil
	}
	var rsum uint64
	var rerr error
	done := make(chan struct{})
	go func() {
		rsum, rerr = check(revOff, revDst, revLab, true)
		close(done)
	}()
	fsum, ferr := check(fwdOff, fwdDst, fwdLab, false)
	<-done
	if ferr != nil {
		return nil, ferr
	}
	if rerr != nil {
		return nil, rerr
	}
	if fsum != rsum {
		return nil, fmt.Errorf("%w: forward and reverse edges disagree", ErrInvalid)
	}
	return &Graph{n: n, fwdOff: fwdOff, fwdDst: fwdDst, fwdLab: fwdLab, revOff: revOff, revDst: revDst, revLab: revLab}, nil
}

// Builder accumulates edges for a graph with a fixed number of nodes.
// The zero value is not usable; call NewBuilder.
type Builder struct {
	n    int
	from []NodeID
	to   []NodeID
	lab  []Label
}

// NewBuilder returns a builder for a graph of n nodes.
func NewBuilder(n int) *Builder { return &Builder{n: n} }

// Grow sets the number of nodes to n if n is larger than the current count.
func (b *Builder) Grow(n int) {
	if n > b.n {
		b.n = n
	}
}

// NumNodes returns the current number of nodes.
func (b *Builder) NumNodes() int { return b.n }

// ReserveEdges makes room for m more edges, so that adding them does not
// regrow the edge arrays.
func (b *Builder) ReserveEdges(m int) {
	b.from = slices.Grow(b.from, m)
	b.to = slices.Grow(b.to, m)
	b.lab = slices.Grow(b.lab, m)
}

// AddEdge adds the edge from -> to with label l. Self-loops are kept (the
// caller decides whether to drop them); a repeated (from, to) pair keeps the
// first label added. It panics if an endpoint is out of range or the label
// exceeds MaxLabel: those are programming errors, not input errors.
func (b *Builder) AddEdge(from, to NodeID, l Label) {
	if from < 0 || int(from) >= b.n || to < 0 || int(to) >= b.n {
		panic(fmt.Sprintf("graph: edge %d->%d out of range [0,%d)", from, to, b.n))
	}
	if l > MaxLabel {
		panic(fmt.Sprintf("graph: label %d > MaxLabel", l))
	}
	b.from = append(b.from, from)
	b.to = append(b.to, to)
	b.lab = append(b.lab, l)
}

// Build freezes the builder into a Graph. Duplicate (from, to) pairs are
// merged, keeping the label of the first one added.
func (b *Builder) Build() *Graph {
	n := b.n
	// Forward and reverse are built from the same edge list, one per core:
	// both keep the first label added for a repeated pair, so reverse is
	// exactly forward transposed.
	var revOff []int32
	var revDst []NodeID
	var revLab []Label
	done := make(chan struct{})
	go func() {
		revOff, revDst, revLab = buildCSR(n, b.to, b.from, b.lab)
		close(done)
	}()
	fwdOff, fwdDst, fwdLab := buildCSR(n, b.from, b.to, b.lab)
	<-done
	return &Graph{n: n, fwdOff: fwdOff, fwdDst: fwdDst, fwdLab: fwdLab, revOff: revOff, revDst: revDst, revLab: revLab}
}

// buildCSR groups edges by key (counting sort, stable in insertion order),
// sorts each row by value and removes repeated values keeping the first.
// It allocates one offset array for the n nodes (fresh memory is paid in
// page faults at Hub scale): the counts, the scatter positions and the
// final offsets all live in it.
func buildCSR(n int, key, val []NodeID, lab []Label) ([]int32, []NodeID, []Label) {
	m := len(key)
	off := make([]int32, n+1)
	for _, k := range key {
		off[k+1]++
	}
	for i := 0; i < n; i++ {
		off[i+1] += off[i]
	}
	// off[k+1] is the end of row k. Scattering in reverse moves it back to
	// the row's start, keeping insertion order within the row.
	dst := make([]NodeID, m)
	lb := make([]Label, m)
	seq := make([]int32, m) // insertion order, to keep the first duplicate
	for i := m - 1; i >= 0; i-- {
		k := key[i]
		off[k+1]--
		p := off[k+1]
		dst[p], lb[p], seq[p] = val[i], lab[i], int32(i)
	}
	// Row v is [off[v+1], off[v+2]) (the last ends at m). Sort rows and
	// compact duplicates in place; off[v] becomes the final start of row v
	// (written after off[v+1] and off[v+2] are read, and never read again).
	w := int32(0)
	for v := 0; v < n; v++ {
		a, b := off[v+1], int32(m)
		if v+2 <= n {
			b = off[v+2]
		}
		if b-a > 1 {
			sortRow(dst[a:b], lb[a:b], seq[a:b])
		}
		off[v] = w
		for i := a; i < b; i++ {
			if i > a && dst[i] == dst[i-1] {
				continue
			}
			dst[w], lb[w] = dst[i], lb[i]
			w++
		}
	}
	off[n] = w
	return off, dst[:w:w], lb[:w:w]
}

// sortRow sorts a row by (dst, seq) with insertion sort for short rows and a
// permutation sort for long ones.
func sortRow(dst []NodeID, lab []Label, seq []int32) {
	if len(dst) <= 16 {
		for i := 1; i < len(dst); i++ {
			for j := i; j > 0 && (dst[j] < dst[j-1] || dst[j] == dst[j-1] && seq[j] < seq[j-1]); j-- {
				dst[j], dst[j-1] = dst[j-1], dst[j]
				lab[j], lab[j-1] = lab[j-1], lab[j]
				seq[j], seq[j-1] = seq[j-1], seq[j]
			}
		}
		return
	}
	type e struct {
		d NodeID
		s int32
		l Label
	}
	es := make([]e, len(dst))
	for i := range es {
		es[i] = e{dst[i], seq[i], lab[i]}
	}
	slices.SortFunc(es, func(a, b e) int {
		if a.d != b.d {
			if a.d < b.d {
				return -1
			}
			return 1
		}
		return int(a.s - b.s)
	})
	for i, x := range es {
		dst[i], seq[i], lab[i] = x.d, x.s, x.l
	}
}

// edgeHash mixes an edge into 64 bits (splitmix64 finaliser).
func edgeHash(from, to NodeID, l Label) uint64 {
	x := uint64(uint32(from))<<32 | uint64(uint32(to))
	x ^= uint64(l) * 0x9e3779b97f4a7c15
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
