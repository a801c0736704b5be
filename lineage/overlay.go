package lineage

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/lineage-project/lineage/graph"
)

// recoveredBit marks an edge label that recovered lineage added: an edge no
// input declared, proposed from evidence (package lineage/recovery).
const recoveredBit graph.Label = 1 << 3

// ErrCycle is returned when added edges would close a derivation cycle.
var ErrCycle = errors.New("edge would close a derivation cycle")

// RecoveredLabel returns the label of a recovered edge of relation r. Its
// inferred bit is set too, so LabelRelation reports it as not declared.
func RecoveredLabel(r Relation) graph.Label { return graph.Label(r) | inferredBit | recoveredBit }

// DeclaredLabels is every label but those of recovered edges: the edges
// the input states, declared or with an inferred relation.
const DeclaredLabels graph.LabelSet = graph.AllLabels &^ (1<<(graph.Label(Finetune)|inferredBit|recoveredBit) |
	1<<(graph.Label(Adapter)|inferredBit|recoveredBit) | 1<<(graph.Label(Quantized)|inferredBit|recoveredBit) |
	1<<(graph.Label(Merge)|inferredBit|recoveredBit))

// IsRecovered reports whether l is the label of a recovered edge.
func IsRecovered(l graph.Label) bool { return l&recoveredBit != 0 }

// RecoveredEdge is an edge that no input declared, to be added to a store:
// Parent -> Child with its relation and a confidence in [0, 1].
type RecoveredEdge struct {
	Parent, Child graph.NodeID
	Relation      Relation
	Confidence    float64
}

// recovered is the confidence of each recovered edge of an overlay store,
// sorted by key (parent<<32 | child).
type recovered struct {
	key  []uint64
	conf []float32
}

func edgeKey(p, c graph.NodeID) uint64 { return uint64(uint32(p))<<32 | uint64(uint32(c)) }

// WithEdges returns a store that shares s's node table (names, dates,
// downloads, flags) and whose graph is s's graph plus the edges extra, each
// labelled RecoveredLabel(e.Relation). An edge whose parent and child are
// already joined in s (either way round: s's edge wins) is skipped, as is a
// repeated pair (the first wins). With no edge to add it returns s itself,
// so nothing changes. It fails with ErrCycle when the added edges would
// close a cycle (the store's cycle flags would then be wrong), and on an
// endpoint outside the store or a self-loop. Stats, Sources and
// Diagnostics still describe the declared input. A store loaded from an
// index keeps its file mapped: the overlay reads it too, so it is usable
// until s is closed (closing the overlay releases nothing).
func (s *Store) WithEdges(extra []RecoveredEdge) (*Store, error) {
	g := s.G
	n := g.NumNodes()
	var add []RecoveredEdge
	seen := map[uint64]bool{}
	for _, e := range extra {
		if e.Parent < 0 || int(e.Parent) >= n || e.Child < 0 || int(e.Child) >= n {
			return nil, fmt.Errorf("recovered edge %d -> %d: node outside the store (%d models)", e.Parent, e.Child, n)
		}
		if e.Parent == e.Child {
			return nil, fmt.Errorf("recovered edge %s -> %s: a self-loop", s.Name(e.Parent), s.Name(e.Child))
		}
		if int(e.Relation) >= int(numRelations) {
			return nil, fmt.Errorf("recovered edge %s -> %s: unknown relation %d", s.Name(e.Parent), s.Name(e.Child), e.Relation)
		}
		if _, ok := g.EdgeLabel(e.Parent, e.Child); ok {
			continue
		}
		if _, ok := g.EdgeLabel(e.Child, e.Parent); ok {
			continue
		}
		k := edgeKey(e.Parent, e.Child)
		if seen[k] || seen[edgeKey(e.Child, e.Parent)] {
			continue
		}
		seen[k] = true
		add = append(add, e)
	}
	if len(add) == 0 {
		return s, nil
	}
	fwdOff, fwdDst, fwdLab, _, _, _ := g.CSR()
	b := graph.NewBuilder(n)
	b.ReserveEdges(len(fwdDst) + len(add))
	for v := 0; v < n; v++ {
		for i := fwdOff[v]; i < fwdOff[v+1]; i++ {
			b.AddEdge(graph.NodeID(v), fwdDst[i], fwdLab[i])
		}
	}
	for _, e := range add {
		b.AddEdge(e.Parent, e.Child, RecoveredLabel(e.Relation))
	}
	ng := b.Build()
	_, before := g.SCC(graph.AllLabels)
	_, after := ng.SCC(graph.AllLabels)
	if members(after) != members(before) {
		return nil, fmt.Errorf("add %d recovered edge(s): %w", len(add), ErrCycle)
	}
	if s.lazyTable != nil {
		// The copy shares the name table: build it once, here.
		s.lazyTable.Do(func() { s.table = nameTable(s.names, s.nameOff) })
	}
	o := *s
	o.lazyTable = nil
	o.mapping = nil // s owns an index mapping: the overlay is valid while s is open
	o.G = ng
	rec := recovered{key: make([]uint64, len(add)), conf: make([]float32, len(add))}
	slices.SortFunc(add, func(a, b RecoveredEdge) int {
		return cmp.Compare(edgeKey(a.Parent, a.Child), edgeKey(b.Parent, b.Child))
	})
	for i, e := range add {
		rec.key[i] = edgeKey(e.Parent, e.Child)
		rec.conf[i] = float32(min(max(e.Confidence, 0), 1))
	}
	if s.rec != nil {
		// Merge with the edges s already recovered.
		old := *s.rec
		rec = mergeRecovered(old, rec)
	}
	o.rec = &rec
	return &o, nil
}

func members(cycles [][]graph.NodeID) int {
	n := 0
	for _, c := range cycles {
		n += len(c)
	}
	return n
}

func mergeRecovered(a, b recovered) recovered {
	var out recovered
	i, j := 0, 0
	for i < len(a.key) || j < len(b.key) {
		if j == len(b.key) || (i < len(a.key) && a.key[i] < b.key[j]) {
			out.key, out.conf = append(out.key, a.key[i]), append(out.conf, a.conf[i])
			i++
		} else {
			out.key, out.conf = append(out.key, b.key[j]), append(out.conf, b.conf[j])
			j++
		}
	}
	return out
}

// RecoveredConfidence returns the confidence of the recovered edge
// parent -> child, to 4 decimals (it is kept as a float32), and false
// when the store has no such recovered edge.
func (s *Store) RecoveredConfidence(parent, child graph.NodeID) (float64, bool) {
	if s.rec == nil {
		return 0, false
	}
	k := edgeKey(parent, child)
	i, ok := slices.BinarySearch(s.rec.key, k)
	if !ok {
		return 0, false
	}
	return math.Round(float64(s.rec.conf[i])*1e4) / 1e4, true
}

// NumRecovered returns the number of recovered edges in the store's graph.
func (s *Store) NumRecovered() int {
	if s.rec == nil {
		return 0
	}
	return len(s.rec.key)
}
