package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
)

// collected is a Sink that keeps everything (reads without Options.Reuse
// never reuse what they hand over).
type collected struct {
	recs  []lineage.Record
	diags []lineage.Diagnostic
}

func (c *collected) Emit(recs []lineage.Record, diags []lineage.Diagnostic) {
	c.recs = append(c.recs, recs...)
	c.diags = append(c.diags, diags...)
}

// collect reads src with opt and keeps what it gives; cancellation is the
// only error ReadSource returns, and there is none here.
func collect(t testing.TB, src Source, opt Options) collected {
	t.Helper()
	var c collected
	if err := ReadSource(context.Background(), src, opt, &c); err != nil {
		t.Fatalf("ReadSource(%s): %v", src.Name(), err)
	}
	return c
}

// fault returns the detail of the first file-level problem (skipped_input
// or input_fault), or "".
func (c collected) fault() string {
	for _, d := range c.diags {
		if d.Kind == lineage.KindSkippedInput || d.Kind == lineage.KindInputFault {
			return d.Detail
		}
	}
	return ""
}

// memSrc is an in-memory Source.
type memSrc struct {
	name string
	data []byte
}

func (m memSrc) Name() string                 { return m.name }
func (m memSrc) Open() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(m.data)), nil }

func mustLookup(t testing.TB, s *lineage.Store, id string) graph.NodeID {
	t.Helper()
	v, err := s.Lookup(id)
	if err != nil {
		t.Fatalf("Lookup(%q): %v", id, err)
	}
	return v
}

func hopIDs(hs []lineage.Hop) string {
	ids := make([]string, len(hs))
	for i, h := range hs {
		ids[i] = h.ID
	}
	return strings.Join(ids, " ")
}

// writeIndexBytes returns the index file of s.
func writeIndexBytes(t testing.TB, s *lineage.Store) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.lidx")
	if err := s.WriteIndex(p); err != nil {
		t.Fatalf("WriteIndex: %v", err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var sampleOnce = sync.OnceValues(func() (*lineage.Store, error) {
	return BuildSources(context.Background(), Sample(), Options{})
})

// sampleStore is the embedded sample, built once.
func sampleStore(t testing.TB) *lineage.Store {
	t.Helper()
	s, err := sampleOnce()
	if err != nil {
		t.Fatalf("BuildSources(Sample()): %v", err)
	}
	return s
}

func rankString(es []lineage.RankEntry) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = fmt.Sprintf("%s=%d", e.ID, e.Descendants)
	}
	return strings.Join(parts, " ")
}
