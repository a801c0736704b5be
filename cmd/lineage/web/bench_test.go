package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/ingest"
)

// Benchmarks serve pages from an index of a Hub-shaped listing made by
// cmd/hubsynth: 100k models by default, and 2M as well when
// LINEAGE_BENCH_2M=1. The listing and its index are generated once into
// $TMPDIR/lineage-bench and reused; the server loads the index as
// "lineage serve --index" does.
//
//	LINEAGE_BENCH_2M=1 go test -run '^$' -bench . -count 6 ./cmd/lineage/web

func benchSizes() []int {
	if os.Getenv("LINEAGE_BENCH_2M") != "" {
		return []int{100_000, 2_000_000}
	}
	return []int{100_000}
}

var (
	benchMu      sync.Mutex
	benchServers = map[int]*Server{}
)

// benchServer returns a server over the index of a generated listing of n
// models.
func benchServer(b *testing.B, n int) *Server {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if srv, ok := benchServers[n]; ok {
		return srv
	}
	dir := filepath.Join(os.TempDir(), "lineage-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	listing := filepath.Join(dir, fmt.Sprintf("hub-%d-seed1.jsonl", n))
	if _, err := os.Stat(listing); err != nil {
		cmd := exec.Command("go", "run", "../../hubsynth", "--models", fmt.Sprint(n), "--seed", "1", "--quiet", "-o", listing+".tmp")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("generate listing: %v", err)
		}
		if err := os.Rename(listing+".tmp", listing); err != nil {
			b.Fatal(err)
		}
	}
	idx := filepath.Join(dir, fmt.Sprintf("hub-%d-seed1.web.idx", n))
	if _, err := os.Stat(idx); err != nil {
		s, err := ingest.Build(context.Background(), []string{listing}, ingest.Options{NoDigest: true})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.WriteIndex(idx); err != nil {
			b.Fatal(err)
		}
	}
	s, err := lineage.LoadIndex(idx)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	srv, err := New(Options{Store: s})
	if err != nil {
		b.Fatal(err)
	}
	ix := srv.index
	size := 4*(len(ix.desc)+len(ix.byName)+len(ix.order)+len(ix.pos)+len(ix.tokOff)+len(ix.postOff)+len(ix.post)+len(ix.leadOff)+len(ix.lead)) + 8*len(ix.nameKeys) + len(ix.toks)
	b.Logf("n=%d: New took %s; search index %.1f MiB (%d tokens in %.1f MiB, %d postings, %d lead postings)",
		n, time.Since(start).Round(time.Millisecond), float64(size)/(1<<20), len(ix.tokOff)-1, float64(len(ix.toks))/(1<<20), len(ix.post), len(ix.lead))
	benchServers[n] = srv
	return srv
}

// BenchmarkPages times one request of each kind against a warm server:
// the pages of the largest family's foundation (the most work a model
// page does), a deep model, the home page, searches and the API.
func BenchmarkPages(b *testing.B) {
	for _, n := range benchSizes() {
		srv := benchServer(b, n)
		h := srv.Handler()
		top := srv.rankAll()[0].ID
		// The deepest ancestry among the top family's models.
		deep, depth := top, 0
		d := srv.s.Descendants(srv.rankAll()[0].Node(), 0, graph.AllLabels, 0)
		for _, hop := range d.Descendants {
			if hop.Depth > depth {
				deep, depth = hop.ID, hop.Depth
			}
		}
		urls := []struct{ name, url string }{
			{"home", "/"},
			{"model-largest", "/model/" + escapeID(top)},
			{"api-model-largest", "/api/model/" + escapeID(top)},
			{"model-deep", "/model/" + escapeID(deep)},
			{"search-prefix", "/search?q=llama"},
			{"search-words", "/search?q=mistral+7b"},
			{"search-digits", "/search?q=1776"},
			{"api-complete", "/api/complete?q=lla"},
			{"model-miss", "/model/no-such/model-x"},
		}
		for _, u := range urls {
			b.Run(fmt.Sprintf("n=%d/%s", n, u.name), func(b *testing.B) {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, u.url, nil))
				if w.Code >= 500 {
					b.Fatalf("GET %s = %d", u.url, w.Code)
				}
				for b.Loop() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, u.url, nil))
				}
			})
		}
	}
}
