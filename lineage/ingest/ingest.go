// Package ingest reads lineage inputs into a lineage.Builder: it walks
// paths (directories, symlinks, the Hugging Face cache layout), detects each
// file's format from its name and content, undoes gzip, and reads four
// formats, each in a file of its own:
//
//   - model cards (card.go): README.md files with YAML front matter, plus
//     the lineage hints in their bodies (mergekit configurations, "fine-tuned
//     from" links);
//   - Hub listings (listing.go, with the fast scanner in fastjson.go and the
//     readers in lines.go, array.go and mapped_linux.go): JSON Lines or JSON
//     arrays of Hub API model records;
//   - edge lists (edges.go): CSV or TSV with parent and child columns;
//   - hub-stats snapshots (parquet.go): the Hub's models.parquet.
//
// A listing record becomes a lineage.Record through lineage.AssembleListing,
// whatever its format; cards and edge rows through
// lineage.Record.ResolveParents. So the rules (ids, precedence, relations)
// live in package lineage, and the formats cannot disagree on meaning.
//
// One policy decides what a faulty file means (policy.go): a file that
// cannot be read at all is reported as a skipped_input problem and the run
// goes on; a file readable up to a point keeps every record before the
// fault, which is reported at its line as an input_fault; only when
// nothing at all could be read is it an error (ErrNothingRead). Every
// reader's memory is bounded by Limits, whatever the input.
//
// Options are explicit (Options); a context only cancels. The package does
// no network I/O and writes nothing but the Sink it is given.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/lineage-project/lineage/lineage"
)

// ErrNothingRead marks a read in which no input could be read at all: every
// input was skipped (unreadable, unrecognised, empty or damaged throughout).
var ErrNothingRead = errors.New("no input could be read")

// Options say how inputs are read. The zero value keeps every field,
// computes a SHA-256 digest of the inputs, shows no progress, lets readers
// reuse no buffer, and applies the default Limits.
type Options struct {
	// Progress, when not nil, is called with the number of input bytes
	// consumed as reading goes, from one goroutine at a time.
	Progress func(delta int64)
	// NoDigest skips the SHA-256 of the inputs (the input digest quoted in
	// manifests and kept in an index): about half a second of CPU per
	// gigabyte. The store's Digest is then "".
	NoDigest bool
	// GraphOnly keeps only what the derivation graph needs: ids, edges,
	// relations and problems (the same problems are reported). Readers then
	// check dates without converting them and leave library and pipeline
	// names uninterned; the Builder keeps no metadata columns.
	GraphOnly bool
	// Reuse lets readers reuse their input buffers and record slices once
	// the Sink has returned, instead of allocating new ones (at Hub scale
	// this saves zeroing and faulting in a megabyte per megabyte of input),
	// and read a plain JSON Lines file from a memory mapping in place. The
	// records a Sink is given then alias memory that is overwritten or
	// unmapped after Emit returns: set it only for a Sink that copies what it
	// keeps, as lineage.Builder does (Build and BuildSources set it).
	Reuse bool
	// Limits bound what one record or file may cost.
	Limits Limits
	// Stdin is read for the input "-" (a listing or an edge list, told by
	// its content). Nil: "-" is reported as unavailable.
	Stdin io.Reader
}

// Limits bound the memory any input can make a reader use; a zero field
// takes its default. What goes over a limit is reported with its source and
// line and skipped, and the rest of the input is read.
type Limits struct {
	// MaxRecordBytes bounds one JSON record (a line, an array element) and
	// one CSV row. Default 16 MiB.
	MaxRecordBytes int
	// MaxCardBytes bounds how much of one model card is read: its front
	// matter and the start of its body, where lineage hints are looked for.
	// A card's front matter must end within it. Default 1 MiB.
	MaxCardBytes int
	// MaxDepth bounds the nesting of JSON and YAML values. Default 64.
	MaxDepth int
}

// Default limits.
const (
	DefaultMaxRecordBytes = 16 << 20
	DefaultMaxCardBytes   = 1 << 20
	DefaultMaxDepth       = 64
)

func (l Limits) withDefaults() Limits {
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if l.MaxCardBytes <= 0 {
		l.MaxCardBytes = DefaultMaxCardBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// Sink receives what the readers parse: records and problems in input
// order, from one goroutine at a time. With Options.Reuse the records alias
// buffers that are reused once Emit returns (see Options.Reuse).
type Sink interface {
	Emit(recs []lineage.Record, diags []lineage.Diagnostic)
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(recs []lineage.Record, diags []lineage.Diagnostic)

// Emit calls f.
func (f SinkFunc) Emit(recs []lineage.Record, diags []lineage.Diagnostic) { f(recs, diags) }

// Summary counts what a read did.
type Summary struct {
	Files   int // files read, wholly or in part
	Skipped int // files that could not be read at all (reported as skipped_input)
	Records int // records delivered to the sink
}

// Build reads every input (see Read) into a new Store. It fails only on
// cancellation or when nothing at all could be read (ErrNothingRead); every
// other problem is a diagnostic of the store.
func Build(ctx context.Context, inputs []string, opt Options) (*lineage.Store, error) {
	b := lineage.NewBuilder(lineage.BuilderOptions{GraphOnly: opt.GraphOnly})
	for _, p := range inputs {
		b.AddSource(p)
	}
	// About one model per 400 bytes of a Hub listing: sizing up front
	// saves regrowing the node tables at Hub scale.
	b.Reserve(int(ExpandedSize(inputs) / 400))
	opt.Reuse = true // the Builder copies what it keeps
	r := newReader(ctx, opt, b)
	if _, err := r.readInputs(inputs); err != nil {
		return nil, err
	}
	b.SetDigest(r.digests.total())
	return b.Finish(), nil
}

// BuildSources reads sources (see ReadSource) into a new Store, as Build.
func BuildSources(ctx context.Context, srcs []Source, opt Options) (*lineage.Store, error) {
	b := lineage.NewBuilder(lineage.BuilderOptions{GraphOnly: opt.GraphOnly})
	opt.Reuse = true
	r := newReader(ctx, opt, b)
	for _, s := range srcs {
		b.AddSource(s.Name())
		r.readSource(s, true)
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	b.SetDigest(r.digests.total())
	return b.Finish(), nil
}

// Read reads every input in order into sink. An input is a file, a
// directory, or "-" for standard input. A directory is walked in lexical
// order, following symbolic links (each directory once): README.md files
// are model cards whose id is their folder relative to the directory (in a
// Hugging Face cache, models--ORG--NAME), listings, edge lists and parquet
// files are read by extension, other files are ignored, and special files
// (FIFOs, devices, sockets) are reported and never opened. A file is read
// by its format.
//
// Files that cannot be read are reported to sink and skipped (see the
// package doc); Read fails only on cancellation or when nothing could be
// read (ErrNothingRead).
func Read(ctx context.Context, inputs []string, opt Options, sink Sink) (Summary, error) {
	return newReader(ctx, opt, sink).readInputs(inputs)
}

// ReadSource reads one source into sink, as Read reads a file. A source
// that cannot be read at all is reported to sink; the error is only for
// cancellation.
func ReadSource(ctx context.Context, src Source, opt Options, sink Sink) error {
	r := newReader(ctx, opt, sink)
	r.readSource(src, true)
	return ctx.Err()
}

// reader is one read: its options, where the records go, and what it
// counted. Its methods are the readers of each format.
type reader struct {
	ctx       context.Context
	opt       Options
	lim       Limits
	sink      Sink
	workers   int
	digests   *digestSet // nil: no digest wanted
	sum       Summary
	delivered int      // records and problems delivered to the sink
	skipped   []string // why inputs were skipped, for ErrNothingRead
}

func newReader(ctx context.Context, opt Options, sink Sink) *reader {
	r := &reader{ctx: ctx, opt: opt, lim: opt.Limits.withDefaults(), workers: runtime.GOMAXPROCS(0)}
	r.sink = countingSink{sink, r}
	if !opt.NoDigest {
		r.digests = newDigestSet()
	}
	return r
}

// countingSink counts what it passes on.
type countingSink struct {
	s Sink
	r *reader
}

func (c countingSink) Emit(recs []lineage.Record, diags []lineage.Diagnostic) {
	c.r.sum.Records += len(recs)
	c.r.delivered += len(recs) + len(diags)
	c.s.Emit(recs, diags)
}

func (r *reader) readInputs(inputs []string) (Summary, error) {
	for _, p := range inputs {
		if r.ctx.Err() != nil {
			break
		}
		r.readPath(p)
	}
	return r.sum, r.finish()
}

// finish returns the read's error: cancellation, or nothing read at all.
func (r *reader) finish() error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if r.sum.Files == 0 && r.sum.Skipped > 0 {
		why := r.skipped
		more := ""
		if len(why) > 5 {
			more = fmt.Sprintf("; and %d more", len(why)-5)
			why = why[:5]
		}
		return fmt.Errorf("%w: %s%s", ErrNothingRead, joinReasons(why), more)
	}
	return nil
}

func joinReasons(why []string) string {
	s := ""
	for i, w := range why {
		if i > 0 {
			s += "; "
		}
		s += w
	}
	return s
}
