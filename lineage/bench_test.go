package lineage_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/ingest"
	"github.com/lineage-project/lineage/lineage/synth"
)

// Benchmarks run on Hub-shaped listings made by package synth: 100k models
// by default, and 2M as well when LINEAGE_BENCH_2M=1. The listings are
// generated once into $TMPDIR/lineage-bench and reused.
//
//	go test -run '^$' -bench . -benchmem -count 6 ./lineage | tee new.txt
//	LINEAGE_BENCH_2M=1 go test -run '^$' -bench . -count 6 ./lineage
//	benchstat new.txt

func benchSizes() []int {
	if os.Getenv("LINEAGE_BENCH_2M") != "" {
		return []int{100_000, 2_000_000}
	}
	return []int{100_000}
}

var (
	listingMu sync.Mutex
	listings  = map[string]string{}
	stores    = map[int]*lineage.Store{}
)

// benchListing returns the path of a generated JSON Lines listing of n
// models.
func benchListing(b *testing.B, n int) string { return benchFile(b, n, "jsonl") }

// benchFile returns the path of the generated listing of n models in the
// form ext names (jsonl, or parquet: a hub-stats models.parquet).
func benchFile(b *testing.B, n int, ext string) string {
	b.Helper()
	listingMu.Lock()
	defer listingMu.Unlock()
	key := fmt.Sprintf("hub-%d-seed1.%s", n, ext)
	if p, ok := listings[key]; ok {
		return p
	}
	dir := filepath.Join(os.TempDir(), "lineage-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(dir, key)
	if _, err := os.Stat(p); err != nil {
		if err := generateListing(p, n); err != nil {
			b.Fatalf("generate listing: %v", err)
		}
	}
	listings[key] = p
	return p
}

// generateListing writes the n-model listing of seed 1 to path (its form
// by its extension), through a temporary file so an interrupted run leaves
// no partial listing behind.
func generateListing(path string, n int) error {
	ext := filepath.Ext(path)
	tmp := strings.TrimSuffix(path, ext) + ".tmp" + ext
	if _, err := synth.WriteFile(tmp, synth.Options{Models: n, Seed: 1}); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

func benchStore(b *testing.B, n int) *lineage.Store {
	b.Helper()
	p := benchListing(b, n)
	listingMu.Lock()
	defer listingMu.Unlock()
	if s, ok := stores[n]; ok {
		return s
	}
	s, err := ingest.Build(context.Background(), []string{p}, ingest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	stores[n] = s
	return s
}

func name(n int) string {
	if n >= 1_000_000 {
		return fmt.Sprintf("models=%dM", n/1_000_000)
	}
	return fmt.Sprintf("models=%dk", n/1000)
}

// BenchmarkParse decodes the listing without building (the parallel JSON
// Lines reader and the record parser).
func BenchmarkParse(b *testing.B) {
	for _, n := range benchSizes() {
		p := benchListing(b, n)
		b.Run(name(n), func(b *testing.B) {
			st, _ := os.Stat(p)
			b.SetBytes(st.Size())
			for b.Loop() {
				recs := 0
				if err := ingest.ReadSource(context.Background(), ingest.FileSource(p), ingest.Options{NoDigest: true}, ingest.SinkFunc(func(r []lineage.Record, _ []lineage.Diagnostic) { recs += len(r) })); err != nil {
					b.Fatal(err)
				}
				if recs != n {
					b.Fatalf("parsed %d records, want %d", recs, n)
				}
			}
		})
	}
}

// BenchmarkBuild parses, merges and freezes the graph.
func BenchmarkBuild(b *testing.B) {
	for _, n := range benchSizes() {
		p := benchListing(b, n)
		b.Run(name(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := ingest.Build(context.Background(), []string{p}, ingest.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBuildGraphOnly builds as rank --in does: no input digest, no
// metadata columns.
func BenchmarkBuildGraphOnly(b *testing.B) {
	for _, n := range benchSizes() {
		p := benchListing(b, n)
		b.Run(name(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := ingest.Build(context.Background(), []string{p}, ingest.Options{NoDigest: true, GraphOnly: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBuildParquet builds from the hub-stats models.parquet form of
// the same listing (package synth writes both).
func BenchmarkBuildParquet(b *testing.B) {
	for _, n := range benchSizes() {
		p := benchFile(b, n, "parquet")
		b.Run(name(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := ingest.Build(context.Background(), []string{p}, ingest.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWriteIndex writes the index file.
func BenchmarkWriteIndex(b *testing.B) {
	for _, n := range benchSizes() {
		s := benchStore(b, n)
		b.Run(name(n), func(b *testing.B) {
			p := filepath.Join(b.TempDir(), "x.idx")
			for b.Loop() {
				if err := s.WriteIndex(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadIndex maps, verifies and validates an index.
func BenchmarkLoadIndex(b *testing.B) {
	for _, n := range benchSizes() {
		s := benchStore(b, n)
		p := filepath.Join(b.TempDir(), "x.idx")
		if err := s.WriteIndex(p); err != nil {
			b.Fatal(err)
		}
		b.Run(name(n), func(b *testing.B) {
			st, _ := os.Stat(p)
			b.SetBytes(st.Size())
			for b.Loop() {
				if _, err := lineage.LoadIndex(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRank counts every foundation's distinct descendants and ranks them.
func BenchmarkRank(b *testing.B) {
	for _, n := range benchSizes() {
		s := benchStore(b, n)
		b.Run(name(n), func(b *testing.B) {
			for b.Loop() {
				if r := s.Rank(25, graph.AllLabels); len(r) != 25 {
					b.Fatalf("rank has %d entries", len(r))
				}
			}
		})
	}
}

// deepest returns the node with the most ancestors hops (a deep chain).
func deepest(s *lineage.Store) graph.NodeID {
	top := s.Rank(1, graph.AllLabels)[0].Node()
	hits := s.G.Reach(top, graph.Down, graph.AllLabels, 0)
	best := hits[0]
	for _, h := range hits {
		if h.Depth > best.Depth {
			best = h
		}
	}
	return best.Node
}

// BenchmarkAncestors answers "what is this built on" for a deep model.
func BenchmarkAncestors(b *testing.B) {
	for _, n := range benchSizes() {
		s := benchStore(b, n)
		v := deepest(s)
		b.Run(name(n), func(b *testing.B) {
			for b.Loop() {
				if r := s.Ancestors(v); len(r.Foundations) == 0 {
					b.Fatal("no foundations")
				}
			}
		})
	}
}

// BenchmarkDescendants lists the largest family (limit 50, counts for all).
func BenchmarkDescendants(b *testing.B) {
	for _, n := range benchSizes() {
		s := benchStore(b, n)
		top := s.Rank(1, graph.AllLabels)[0]
		b.Run(name(n), func(b *testing.B) {
			for b.Loop() {
				if r := s.Descendants(top.Node(), 0, graph.AllLabels, 50); r.Count != top.Descendants {
					b.Fatalf("count %d, rank says %d", r.Count, top.Descendants)
				}
			}
		})
	}
}

// TestLoadedStoreMemory reports the heap held by a loaded 2M index (it is
// a measurement, run with LINEAGE_BENCH_2M=1; it fails only above 300 MB).
func TestLoadedStoreMemory(t *testing.T) {
	if os.Getenv("LINEAGE_BENCH_2M") == "" {
		t.Skip("set LINEAGE_BENCH_2M=1 to measure the 2M-model store")
	}
	p := filepath.Join(os.TempDir(), "lineage-bench", "hub-2000000-seed1.jsonl")
	if _, err := os.Stat(p); err != nil {
		t.Skip("run the 2M benchmarks first to generate " + p)
	}
	s, err := ingest.Build(context.Background(), []string{p}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	idx := filepath.Join(t.TempDir(), "x.idx")
	if err := s.WriteIndex(idx); err != nil {
		t.Fatal(err)
	}
	s = nil
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	loaded, err := lineage.LoadIndex(idx)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	st, _ := os.Stat(idx)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	total := heap + st.Size() // the mapped file counts too
	t.Logf("loaded 2M store: index file %d MiB (mapped), heap %d MiB, total %d MiB", st.Size()>>20, heap>>20, total>>20)
	if total > 300<<20 {
		t.Errorf("loaded store uses %d MiB, want <= 300 MB", total>>20)
	}
	runtime.KeepAlive(loaded)
}
