package recovery

import (
	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
)

// Corpus is what recovery reads of a set of models. Node ids are dense
// (0..Graph().NumNodes()-1). Implementations must be safe for concurrent
// readers and deterministic.
type Corpus interface {
	// Graph is the declared lineage: Out(v) are v's children, In(v) its
	// parents, labels as lineage.EdgeLabel encodes them.
	Graph() *graph.Graph
	// Name is the model's id as displayed ("org/name").
	Name(v graph.NodeID) string
	// Created is the model's creation time in Unix seconds, 0 when unknown.
	Created(v graph.NodeID) int64
	// Downloads is the model's download count, -1 when unknown.
	Downloads(v graph.NodeID) int64
	// Formats are the weight-format and publishing markers of the model's
	// tags and library_name.
	Formats(v graph.NodeID) lineage.Formats
	// Hints are the model's non-declared parent evidence from its card
	// body and repository files.
	Hints(v graph.NodeID) []lineage.Hint
}

// FromStore returns the Corpus view of a lineage store.
func FromStore(s *lineage.Store) Corpus { return storeCorpus{s} }

type storeCorpus struct{ s *lineage.Store }

func (c storeCorpus) Graph() *graph.Graph            { return c.s.G }
func (c storeCorpus) Name(v graph.NodeID) string     { return c.s.Name(v) }
func (c storeCorpus) Downloads(v graph.NodeID) int64 { return c.s.Downloads(v) }
func (c storeCorpus) Created(v graph.NodeID) int64 {
	t := c.s.Created(v)
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func (c storeCorpus) Formats(v graph.NodeID) lineage.Formats { return c.s.Formats(v) }
func (c storeCorpus) Hints(v graph.NodeID) []lineage.Hint    { return c.s.Hints(v) }

// hiddenCorpus is a corpus with another graph: the evaluation's view, in
// which some declarations were removed.
type hiddenCorpus struct {
	Corpus
	g *graph.Graph
}

func (h hiddenCorpus) Graph() *graph.Graph { return h.g }
