package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/ingest"
)

// TestLoad sends a fixed number of requests over loopback to a server on
// the embedded sample (43k models), from several clients at once, mixing
// pages, API calls and tree drawings (through a fake renderer with a small
// delay: the real one runs in its own process). It wants no error, logs
// latency percentiles, and checks that the heap does not grow with the
// number of requests.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	const requests, clients = 2000, 8
	s, err := ingest.BuildSources(context.Background(), ingest.Sample(), ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fr := &fakeRender{delay: 2 * time.Millisecond}
	srv, err := New(Options{Store: s, Render: fr.render})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	// A mix of URLs: the foundations, models with long ancestries, misses.
	var urls []string
	for _, e := range s.Rank(20, graph.AllLabels) {
		urls = append(urls, "/model/"+escapeID(e.ID), "/api/model/"+escapeID(e.ID), "/tree/"+escapeID(e.ID)+"?max=30")
	}
	for v := 0; v < s.NumModels() && len(urls) < 200; v += 997 {
		id := s.Name(graph.NodeID(v))
		urls = append(urls, "/model/"+escapeID(id), "/api/complete?q="+id[:min(len(id), 6)])
	}
	urls = append(urls, "/", "/?top=100", "/api/rank?top=100", "/search?q=llama", "/search?q=perplexity-ai/r1-1776",
		"/search?q=deepseek-ai/deepseek-r2", "/api/search?q=gemma", "/model/no/such-model", "/static/app.js")

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	var ms runtime.MemStats
	run := func(n int) (lat []time.Duration, errs []string) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		next := make(chan int)
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					u := urls[i%len(urls)]
					start := time.Now()
					resp, err := client.Get(ts.URL + u)
					var code int
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						code = resp.StatusCode
					}
					d := time.Since(start)
					mu.Lock()
					lat = append(lat, d)
					want := 200
					switch {
					case u == "/model/no/such-model":
						want = 404
					case u == "/search?q=perplexity-ai/r1-1776":
						want = 303
					}
					if err != nil || code != want {
						errs = append(errs, fmt.Sprintf("GET %s: %d %v", u, code, err))
					}
					mu.Unlock()
				}
			}()
		}
		for i := 0; i < n; i++ {
			next <- i
		}
		close(next)
		wg.Wait()
		return lat, errs
	}
	run(len(urls)) // warm up: the ranking, the caches
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	start := time.Now()
	lat, errs := run(requests)
	elapsed := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&ms)
	after := ms.HeapAlloc

	if len(errs) > 0 {
		t.Errorf("%d of %d requests failed; first: %s", len(errs), requests, errs[0])
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	t.Logf("load: %d requests from %d clients in %s (%.0f req/s); latency p50 %s, p90 %s, p99 %s, max %s; renders %d; heap %.1f MiB -> %.1f MiB",
		requests, clients, elapsed.Round(time.Millisecond), float64(requests)/elapsed.Seconds(),
		pct(.50).Round(time.Microsecond), pct(.90).Round(time.Microsecond), pct(.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond),
		fr.calls.Load(), float64(before)/(1<<20), float64(after)/(1<<20))
	if growth := int64(after) - int64(before); growth > 16<<20 {
		t.Errorf("heap grew by %d MiB over %d requests; want it flat", growth>>20, requests)
	}
}
