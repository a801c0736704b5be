// Package synth generates a deterministic, synthetic Hugging Face Hub model
// listing in the JSON Lines shape of the Hub API (one model per line), for
// benchmarks and tests of lineage at Hub scale. cmd/hubsynth is its command.
//
// The listing is calibrated to the published shape of the Hub: about 28% of
// models declare a parent; edges are adapter 42.6%, finetune 35.9%, quantized
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
//
// Most of the Hub declares nothing, and many of those models are
// derivatives all the same. A share of the records (Options.Undeclared,
// DefaultUndeclared) are such undeclared derivatives: no base_model tag
// and no cardData.base_model, but named and tagged by the conventions of
// their kind. Quantizations follow the quantizers' naming
// (bartowski/Org_Name-GGUF, mradermacher/Name-GGUF and Name-i1-GGUF,
// TheBloke/Name-GPTQ, -AWQ, -GGUF until 2024, QuantFactory/Name-GGUF,
// lmstudio-community/Name-GGUF, unsloth/Name-bnb-4bit,
// mlx-community/Name-4bit, user/Name-Q4_K_M-GGUF from the gguf-my-repo
// space, user/Name-6.0bpw-h6-exl2, -fp8, -MLX, -AWQ, -GPTQ; GGML before
// GGUF existed) with the tags such repositories carry (gguf, awq, gptq,
// exl2, mlx, 4-bit, bitsandbytes, fp8 ...); adapters are library_name peft
// (diffusers for images) with the tag lora, named after their base or by a
// trainer's random id; merges carry the tags merge and mergekit; fine-tunes
// are named base-finetuned-task or base-suffix. Each is created after its
// parents, which all have records. Options.Truth receives the hidden edges.
// Records come out in createdAt order (as a listing sorted by createdAt);
// every child is created after its parents except in the cycles. Field
// names are those of package hubapi.
//
// The output depends only on the Options. Records are
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
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// Options selects the listing to generate.
type Options struct {
	Models int    // number of records
	Seed   uint64 // seed of the PCG generator

	// Undeclared is the share of all records that are derivatives stating
	// no parent: 0 selects DefaultUndeclared, a negative value none. At
	// most MaxUndeclared.
	Undeclared float64

	// Truth, when not nil, receives the true parents of the undeclared
	// derivatives as CSV: a header "parent,child,relation", then one row
	// per hidden edge in listing order (ids as their records spell them).
	Truth io.Writer

	// RowGroup is the number of rows per row group of a parquet listing
	// (GenerateParquet); 0 selects DefaultRowGroup.
	RowGroup int
}

// MaxUndeclared is the largest Options.Undeclared: every record that
// declares no parent is then an undeclared derivative.
const MaxUndeclared = 1 - pChild

// undeclared returns the share Options.Undeclared selects.
func (o Options) undeclared() float64 {
	switch {
	case o.Undeclared == 0:
		return DefaultUndeclared
	case o.Undeclared < 0:
		return 0
	}
	return o.Undeclared
}

func (o Options) check() error {
	if o.Models < 0 {
		return fmt.Errorf("synth: %d models; want 0 or more", o.Models)
	}
	if u := o.undeclared(); u > MaxUndeclared || math.IsNaN(o.Undeclared) {
		return fmt.Errorf("synth: undeclared share %v; want at most %.3f", o.Undeclared, MaxUndeclared)
	}
	if o.RowGroup < 0 {
		return fmt.Errorf("synth: %d rows per row group; want 1 or more (0 for the default)", o.RowGroup)
	}
	return nil
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

	Undeclared      int          // undeclared derivatives (records stating no parent that have one)
	UndeclaredEdges [numRels]int // their hidden parent references by relation
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
	hidden := 0
	for _, e := range s.UndeclaredEdges {
		hidden += e
	}
	fmt.Fprintf(&b, " undeclared=%d (%.1f%%) hidden_edges=%d", s.Undeclared, pct(s.Undeclared, s.Models), hidden)
	for r, e := range s.UndeclaredEdges {
		fmt.Fprintf(&b, " %s=%d", RelationNames[r], e)
	}
	return b.String()
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// Generate writes opt.Models records to w as JSON Lines and returns what
// it wrote. The bytes depend only on opt (Truth aside).
func Generate(w io.Writer, opt Options) (Stats, error) {
	if err := opt.check(); err != nil {
		return Stats{}, err
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

// truthWriter returns the function that writes hidden edges to w as CSV,
// and the function that flushes it; both nil when w is nil.
func truthWriter(w io.Writer) (func(parent, child string, rel int) error, func() error) {
	if w == nil {
		return nil, nil
	}
	cw := csv.NewWriter(w)
	header := false
	write := func(parent, child string, rel int) error {
		if !header {
			header = true
			if err := cw.Write([]string{"parent", "child", "relation"}); err != nil {
				return err
			}
		}
		return cw.Write([]string{parent, child, RelationNames[rel]})
	}
	flush := func() error {
		if !header {
			header = true
			cw.Write([]string{"parent", "child", "relation"})
		}
		cw.Flush()
		return cw.Error()
	}
	return write, flush
}

// WriteFile generates the listing into the named file: a hub-stats parquet
// file when the name ends in .parquet (GenerateParquet), else JSON Lines,
// gzip-compressed (fastest level) when the name ends in .gz.
func WriteFile(name string, opt Options) (Stats, error) {
	if err := opt.check(); err != nil {
		return Stats{}, err
	}
	f, err := os.Create(name)
	if err != nil {
		return Stats{}, err
	}
	var w io.Writer = f
	var zw *gzip.Writer
	if strings.HasSuffix(name, ".gz") {
		zw, _ = gzip.NewWriterLevel(f, gzip.BestSpeed)
		w = zw
	}
	generate := Generate
	var bw *bufio.Writer
	if strings.HasSuffix(name, ".parquet") {
		generate = GenerateParquet
		bw = bufio.NewWriterSize(w, 1<<20)
		w = bw
	}
	st, err := generate(w, opt)
	if bw != nil {
		err = errors.Join(err, bw.Flush())
	}
	if zw != nil {
		err = errors.Join(err, zw.Close())
	}
	if cerr := f.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil {
		return st, fmt.Errorf("write %s: %w", name, err)
	}
	return st, nil
}
