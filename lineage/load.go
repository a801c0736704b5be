package lineage

import (
	"context"
	"embed"
	"io/fs"
)

//go:embed sample
var sampleFS embed.FS

// SampleSources returns the embedded default data: real Hugging Face
// lineage facts (ids, edges, relations, dates, downloads; no card text)
// drawn from public crawls of the Hub, as a listing plus an edge list.
func SampleSources() []Source {
	var out []Source
	fs.WalkDir(sampleFS, "sample", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && isDataName(p) {
			out = append(out, FSSource(sampleFS, p))
		}
		return nil
	})
	return out
}

// BuildOptions tune Build and BuildSources.
type BuildOptions struct {
	// NoDigest skips the SHA-256 of the inputs: Store.Digest is then "".
	// Hashing costs about half a second of CPU per gigabyte of input; a
	// caller that prints no manifest and writes no index can save it.
	NoDigest bool
	// GraphOnly keeps only what the derivation graph needs: ids, edges,
	// relations and problems (the same problems are reported). Dates,
	// downloads, likes, library, pipeline and license are not kept, which
	// saves about a third of the build's memory at Hub scale; such a store
	// answers graph queries (ancestors, descendants, rank, lint) but not
	// ones about time or metadata, and cannot be written as an index.
	GraphOnly bool
}

// Build reads every path (see ReadPaths) into a new Store.
func Build(ctx context.Context, paths []string) (*Store, error) {
	return BuildWith(ctx, paths, BuildOptions{})
}

// BuildWith is Build with options.
func BuildWith(ctx context.Context, paths []string, opt BuildOptions) (*Store, error) {
	b := NewBuilder()
	b.graphOnly = opt.GraphOnly
	for _, p := range paths {
		b.AddSource(p)
	}
	// About one model per 400 bytes of a Hub listing: sizing up front
	// saves regrowing the node tables at Hub scale.
	b.Reserve(int(InputSize(paths) / 400))
	ctx, ds := opt.digests(ctx)
	// The Builder keeps copies of what it keeps, so input chunks can be reused.
	ctx = withRecycling(ctx)
	if opt.GraphOnly {
		ctx = withGraphOnly(ctx)
	}
	if err := ReadPaths(ctx, paths, b.Emit); err != nil {
		return nil, err
	}
	s := b.Finish()
	s.info.Digest = ds.total()
	return s, nil
}

// BuildSources reads sources (see ReadSource) into a new Store.
func BuildSources(ctx context.Context, srcs []Source) (*Store, error) {
	return BuildSourcesWith(ctx, srcs, BuildOptions{})
}

// BuildSourcesWith is BuildSources with options.
func BuildSourcesWith(ctx context.Context, srcs []Source, opt BuildOptions) (*Store, error) {
	b := NewBuilder()
	b.graphOnly = opt.GraphOnly
	ctx, ds := opt.digests(ctx)
	ctx = withRecycling(ctx)
	if opt.GraphOnly {
		ctx = withGraphOnly(ctx)
	}
	for _, s := range srcs {
		b.AddSource(s.Name())
		if err := ReadSource(ctx, s, b.Emit); err != nil {
			return nil, err
		}
	}
	s := b.Finish()
	s.info.Digest = ds.total()
	return s, nil
}

// digests returns ctx carrying a digest set, or ctx and nil with NoDigest.
func (o BuildOptions) digests(ctx context.Context) (context.Context, *digestSet) {
	if o.NoDigest {
		return ctx, nil
	}
	return withDigests(ctx)
}
