package web

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	size := 4*(len(ix.desc)+len(ix.byName)+len(ix.order)+len(ix.tokOff)+len(ix.postOff)+len(ix.post)+len(ix.leadOff)+len(ix.lead)+len(ix.triOff)+len(ix.triTok)) +
		8*len(ix.nameKeys) + len(ix.toks)
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
		// A first visit of the largest family's page: tree parameters no
		// earlier request used, so its caption is selected (or waited for
		// at most captionWait).
		b.Run(fmt.Sprintf("n=%d/model-largest-first", n), func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				u := fmt.Sprintf("/model/%s?dir=%s&max=%d&fold=%d", escapeID(top), []string{"both", "up", "down"}[i%3], 1+i%300, i/900%2)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, u, nil))
			}
		})
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

// benchQueries are the searches of BenchmarkSearchLatency: for random
// models, the id, the name, a prefix, one word, two words in another
// order and an inner piece; and short, common, contradictory and absent
// words, the worst cases for a token index.
func benchQueries(srv *Server, n int) []string {
	qs := []string{"a", "e", "1", "ab", "the", "model", "v1", "7b", "a b", "1 2", "llama bert", "gguf q4", "instruct", "llama 3.1 8b instruct",
		"mistral 7b", "1776", "Mistral-7B", "qwen2.5", "zzzz-qqqq", "x y z w", "bert gguf 70b", "lora adapter", "-", "org/"}
	r := rand.New(rand.NewPCG(5, 6))
	s := srv.s
	for range n {
		id := s.Name(graph.NodeID(r.IntN(s.NumModels())))
		words := queryWords(string(foldInto(nil, id)))
		i := r.IntN(len(id))
		j := min(len(id), i+3+r.IntN(4))
		q := []string{id, namePart(id), id[:1+r.IntN(len(id))], words[r.IntN(len(words))], id[i:j]}
		if len(words) > 1 {
			q = append(q, words[r.IntN(len(words))]+" "+words[r.IntN(len(words))])
		}
		qs = append(qs, q...)
	}
	return qs
}

// BenchmarkSearchLatency runs every query of benchQueries once per
// iteration and reports the median, p90, p99 and largest latency of one
// search (the index, not HTTP).
func BenchmarkSearchLatency(b *testing.B) {
	for _, n := range benchSizes() {
		srv := benchServer(b, n)
		qs := benchQueries(srv, 1000)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			lat := make([]time.Duration, 0, len(qs)*b.N)
			partial := 0
			for b.Loop() {
				for _, q := range qs {
					start := time.Now()
					res := srv.index.search(q, maxSearchHits)
					lat = append(lat, time.Since(start))
					if res.Partial {
						partial++
					}
				}
			}
			slices.Sort(lat)
			pct := func(p float64) float64 { return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) }
			b.ReportMetric(pct(.5), "p50-us")
			b.ReportMetric(pct(.9), "p90-us")
			b.ReportMetric(pct(.99), "p99-us")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-us")
			b.ReportMetric(float64(partial)/float64(len(lat)), "partial/op")
			b.ReportMetric(0, "ns/op")
		})
	}
}
