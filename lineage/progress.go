package lineage

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

type progressKey struct{}

// WithProgress returns a context under which readers report the number of
// input bytes consumed, as they go, to fn. fn is called from one goroutine
// at a time.
func WithProgress(ctx context.Context, fn func(delta int64)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

func progressOf(ctx context.Context) func(int64) {
	fn, _ := ctx.Value(progressKey{}).(func(int64))
	return fn
}

type countingReader struct {
	r  io.Reader
	fn func(int64)
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.fn(int64(n))
	}
	return n, err
}

// InputSize returns the total size in bytes of the files ReadPaths would
// read from paths (for a progress display).
func InputSize(paths []string) int64 {
	var total int64
	for _, p := range paths {
		filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if isCardName(q) || isDataName(q) {
				if st, err := os.Stat(q); err == nil {
					total += st.Size()
				}
			}
			return nil
		})
	}
	return total
}
