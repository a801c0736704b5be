// Package synth generates a deterministic, synthetic Hugging Face Hub model
// listing in the JSON Lines shape of the Hub API (one model per line), for
// benchmarks and tests of lineage at Hub scale. cmd/hubsynth is its command.
//
// The listing is calibrated to the published shape of the Hub: about 30% of
// models name a parent; edges are adapter 42.6%, finetune 35.9%, quantized
// 19.2%, merge 2.3%; family sizes are Zipf-like with a few huge foundations
// (meta-llama/Llama-3.1-8B, Qwen/Qwen2.5-7B, black-forest-labs/FLUX.1-dev, ...)
// and many synthetic ones; finetune chains reach depth 5 and more; merges
// have 2-4 parents, often from different families. It also contains the
// defects real listings have: parents referenced with other letter case,
// self-references, short cycles and parents without a record (dangling).
//
// Lineage is written the way the Hub writes it: tags "base_model:ID" and
// "base_model:REL:ID" (one pair per parent), for a fraction of models also
// cardData.base_model (string or list) and cardData.base_model_relation.
// Records come out in createdAt order (as a listing sorted by createdAt);
// every child is created after its parents except in the cycles. Field
// names are those of package hubapi.
//
// The output depends only on Options.Models and Options.Seed. Records are
// streamed; the generator keeps only the ids of models that can be
// parents, a hash set of all ids (for uniqueness) and per-family attachment
// lists, so two million models take about 130 MB.
//
// What it does not model: card text, repository files, model sizes beyond
// a name's "8B", organisations' real release histories (beyond the dates
// of the named foundations), or downloads that follow a model's age.
// The package must not import package lineage: lineage's own tests and
// benchmarks use it.
package synth

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Options selects the listing to generate.
type Options struct {
	Models int    // number of records
	Seed   uint64 // seed of the PCG generator
}

// Relations, in the order of Stats.Edges.
const (
	relAdapter = iota
	relFinetune
	relQuantized
	relMerge
	numRels
)

// RelationNames are the relations in the order of Stats.Edges.
var RelationNames = [numRels]string{"adapter", "finetune", "quantized", "merge"}

// Stats summarises a generated listing.
type Stats struct {
	Models       int          // records written
	WithParents  int          // records naming at least one parent (self included)
	Edges        [numRels]int // parent references by relation (one per base_model tag pair), in RelationNames order
	SelfRefs     int          // records naming themselves
	Cycles       int          // cycles of 2-3 records written
	Dangling     int          // references to ids that have no record
	CaseVariants int          // references spelled in other letter case than the record
	Foundations  int          // parentless records that received at least one child
	MaxDepth     int          // longest parent chain (edges) ignoring cycles
}

// String is the one-line summary hubsynth prints.
func (s Stats) String() string {
	var b strings.Builder
	total := 0
	for _, e := range s.Edges {
		total += e
	}
	fmt.Fprintf(&b, "hubsynth: models=%d with_parents=%d (%.1f%%) edges=%d", s.Models, s.WithParents, pct(s.WithParents, s.Models), total)
	for r, e := range s.Edges {
		fmt.Fprintf(&b, " %s=%d (%.1f%%)", RelationNames[r], e, pct(e, total))
	}
	fmt.Fprintf(&b, " foundations=%d max_depth=%d self_refs=%d cycles=%d dangling_refs=%d case_variants=%d",
		s.Foundations, s.MaxDepth, s.SelfRefs, s.Cycles, s.Dangling, s.CaseVariants)
	return b.String()
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// Generate writes opt.Models records to w as JSON Lines and returns what
// it wrote. The bytes depend only on opt.
func Generate(w io.Writer, opt Options) (Stats, error) {
	if opt.Models < 0 {
		return Stats{}, fmt.Errorf("synth: %d models; want 0 or more", opt.Models)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var buf []byte
	st, err := run(opt, func(g *gen, m *model) error {
		buf = g.appendRecord(buf[:0], m)
		_, err := bw.Write(buf)
		return err
	})
	if err != nil {
		return st, err
	}
	return st, bw.Flush()
}
