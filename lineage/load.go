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

// Build reads every path (see ReadPaths) into a new Store.
func Build(ctx context.Context, paths []string) (*Store, error) {
	b := NewBuilder()
	for _, p := range paths {
		b.AddSource(p)
	}
	// About one model per 400 bytes of a Hub listing: sizing up front
	// saves regrowing the node tables at Hub scale.
	b.Reserve(int(InputSize(paths) / 400))
	ctx, ds := withDigests(ctx)
	if err := ReadPaths(ctx, paths, b.Emit); err != nil {
		return nil, err
	}
	s := b.Finish()
	s.info.Digest = ds.total()
	return s, nil
}

// BuildSources reads sources (see ReadSource) into a new Store.
func BuildSources(ctx context.Context, srcs []Source) (*Store, error) {
	b := NewBuilder()
	ctx, ds := withDigests(ctx)
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
