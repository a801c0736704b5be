package lineage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
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

type digestKey struct{}

// digestSet collects a SHA-256 per input file while it is read.
type digestSet struct {
	mu      sync.Mutex
	entries map[string]string
}

func withDigests(ctx context.Context) (context.Context, *digestSet) {
	d := &digestSet{entries: map[string]string{}}
	return context.WithValue(ctx, digestKey{}, d), d
}

func digestsOf(ctx context.Context) *digestSet {
	d, _ := ctx.Value(digestKey{}).(*digestSet)
	return d
}

func (d *digestSet) add(name string, sum []byte) {
	if d == nil {
		return
	}
	d.mu.Lock()
	d.entries[name] = hex.EncodeToString(sum)
	d.mu.Unlock()
}

// total returns "sha256:" and the SHA-256 of the sorted "name sha256" lines
// of every input: the input digest quoted in manifests ("" for a nil set).
func (d *digestSet) total() string {
	if d == nil {
		return "" // not computed (BuildOptions.NoDigest)
	}
	names := make([]string, 0, len(d.entries))
	for n := range d.entries {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s %s\n", n, d.entries[n])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
