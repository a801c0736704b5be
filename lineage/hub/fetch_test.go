package hub

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/ingest"
)

func fetcher(t *testing.T, c API, mod func(*Fetcher)) *Fetcher {
	f := &Fetcher{API: c, Concurrency: 3}
	if mod != nil {
		mod(f)
	}
	return f
}

// ids returns the ids of the listing f writes.
func ids(t *testing.T, f *Fetcher) []string {
	t.Helper()
	var buf bytes.Buffer
	if err := f.WriteJSONL(&buf); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		rec, ok := ingest.ParseListingRecord("t", 1, []byte(line), func(d lineage.Diagnostic) { t.Errorf("diagnostic on fetched record: %v", d) })
		if !ok {
			t.Fatalf("unreadable line %s", line)
		}
		out = append(out, rec.ID)
	}
	return out
}

func TestUp(t *testing.T) {
	_, srv := newFakeHub(t, family)
	c, _ := newTestClient(t, srv.URL, nil)
	f := fetcher(t, c, nil)
	if err := f.Up(context.Background(), "https://huggingface.co/org/mix"); err != nil {
		t.Fatal(err)
	}
	want := []string{"base/llm", "org/chat", "org/mix", "other/tune"}
	if got := ids(t, f); !slices.Equal(got, want) {
		t.Errorf("Up(org/mix) = %v, want %v", got, want)
	}
	if c.Stats().Requests != 4 {
		t.Errorf("Up(org/mix) made %d requests, want 4 (one per model)", c.Stats().Requests)
	}
}

func TestUpMissingParent(t *testing.T) {
	h, srv := newFakeHub(t, family+"\nfan/x: gone/model finetune\n")
	_ = h
	c, _ := newTestClient(t, srv.URL, nil)
	f := fetcher(t, c, nil)
	if err := f.Up(context.Background(), "fan/x"); err != nil {
		t.Fatal(err)
	}
	if got := f.Missing(); !slices.Equal(got, []string{"gone/model"}) {
		t.Errorf("Missing = %v, want [gone/model]", got)
	}
	if err := f.Up(context.Background(), "gone/model"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Up(unknown) = %v, want ErrNotFound", err)
	}
}

func TestDown(t *testing.T) {
	h, srv := newFakeHub(t, family)
	c, _ := newTestClient(t, srv.URL, nil)
	f := fetcher(t, c, nil)
	if err := f.Down(context.Background(), "base/llm"); err != nil {
		t.Fatal(err)
	}
	want := []string{"base/llm", "org/chat", "org/chat-GGUF", "org/chat-lora", "org/mix", "other/deep", "other/tune"}
	if got := ids(t, f); !slices.Equal(got, want) {
		t.Errorf("Down(base/llm) = %v, want %v", got, want)
	}
	// Only the root comes from the model route, which alone tells
	// childrenModelCount; listed models do not carry it (the list route
	// refuses it), so each of them is listed once, the root too (it has
	// children).
	var modelRoute, firstPages []string
	for _, p := range h.paths {
		switch {
		case strings.HasPrefix(p, "/api/models/"):
			modelRoute = append(modelRoute, p)
		case strings.HasPrefix(p, "/api/models?") && !strings.Contains(p, "cursor="):
			u, _ := url.Parse(p)
			firstPages = append(firstPages, u.Query().Get("filter"))
		}
	}
	slices.Sort(firstPages)
	wantPages := []string{}
	for _, id := range want {
		wantPages = append(wantPages, "base_model:"+id)
	}
	slices.Sort(wantPages)
	if len(modelRoute) != 1 || !slices.Equal(firstPages, wantPages) {
		t.Errorf("Down(base/llm) asked the model route %d times (want 1) and listed %v, want each model listed once: %v", len(modelRoute), firstPages, wantPages)
	}
	// A root without children (childrenModelCount all 0) is not listed.
	n := h.requests.Load()
	leaf := fetcher(t, c, nil)
	if err := leaf.Down(context.Background(), "org/mix"); err != nil || leaf.Len() != 1 || h.requests.Load() != n+1 {
		t.Errorf("Down(org/mix, a leaf) = %d models, %d requests, %v; want 1 model from 1 request", leaf.Len(), h.requests.Load()-n, err)
	}
	// The fetched listing builds the same family.
	s := build(t, f)
	v, _ := s.Lookup("base/llm")
	if d := s.Descendants(v, 0, graph.AllLabels, 0); d.Count != 6 || d.ByRelation["quantized"] != 1 || d.ByRelation["merge"] != 1 {
		t.Errorf("descendants of base/llm from the fetched listing = %d %v, want 6 with 1 quantized, 1 merge", d.Count, d.ByRelation)
	}
	m, _ := s.Lookup("org/mix")
	if a := s.Ancestors(m); len(a.Ancestors) != 3 {
		t.Errorf("ancestors of org/mix = %v, want 3", a.Ancestors)
	}
}

func build(t *testing.T, f *Fetcher) *lineage.Store {
	t.Helper()
	var buf bytes.Buffer
	f.WriteJSONL(&buf)
	s, err := ingest.BuildSources(context.Background(), []ingest.Source{memSource{"fetched.jsonl", buf.Bytes()}}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type memSource struct {
	name string
	data []byte
}

func (m memSource) Name() string                 { return m.name }
func (m memSource) Open() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(m.data)), nil }

func TestDownDepthAndMaxModels(t *testing.T) {
	_, srv := newFakeHub(t, family)
	c, _ := newTestClient(t, srv.URL, nil)
	f := fetcher(t, c, func(f *Fetcher) { f.MaxDepth = 1 })
	if err := f.Down(context.Background(), "base/llm"); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, f); !slices.Equal(got, []string{"base/llm", "org/chat", "other/tune"}) {
		t.Errorf("Down(base/llm, depth 1) = %v", got)
	}
	f = fetcher(t, c, func(f *Fetcher) { f.MaxModels = 4 })
	if err := f.Down(context.Background(), "base/llm"); err != nil {
		t.Fatal(err)
	}
	if f.Len() != 4 || !f.Truncated() {
		t.Errorf("Down with MaxModels 4: %d models, truncated %v", f.Len(), f.Truncated())
	}
}

func TestListWithAncestors(t *testing.T) {
	_, srv := newFakeHub(t, family)
	c, _ := newTestClient(t, srv.URL, nil)
	f := fetcher(t, c, nil)
	if err := f.List(context.Background(), Query{Author: "other"}); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, f); !slices.Equal(got, []string{"other/deep", "other/tune"}) {
		t.Errorf("List(author other) = %v", got)
	}
	if err := f.WithAncestors(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, f); !slices.Equal(got, []string{"base/llm", "other/deep", "other/tune"}) {
		t.Errorf("List(author other) + ancestors = %v", got)
	}
}

// TestResume: a walk stopped by the request cap resumes from the cache and
// asks the server only for what it did not have.
func TestResume(t *testing.T) {
	h, srv := newFakeHub(t, family)
	cache, _ := OpenCache(t.TempDir(), 0)
	c1, _ := newTestClient(t, srv.URL, func(o *Options) { o.Cache = cache; o.MaxRequests = 3 })
	err := fetcher(t, c1, nil).Down(context.Background(), "base/llm")
	if !errors.Is(err, ErrRequestCap) {
		t.Fatalf("first run: %v, want ErrRequestCap", err)
	}
	if h.requests.Load() == 0 {
		t.Fatal("the capped run asked the server nothing")
	}
	c2, _ := newTestClient(t, srv.URL, func(o *Options) { o.Cache = cache })
	f := fetcher(t, c2, nil)
	if err := f.Down(context.Background(), "base/llm"); err != nil {
		t.Fatal(err)
	}
	if f.Len() != 7 {
		t.Errorf("resumed run collected %d models, want 7", f.Len())
	}
	// A fresh, uncached run for comparison: the resumed run answers each of
	// its requests from the cache or the server, never both. (Not "capped +
	// resumed = whole": an answer in flight when the cap stopped the first
	// run is counted by the server but dropped, so it is asked again.)
	c3, _ := newTestClient(t, srv.URL, nil)
	fetcher(t, c3, nil).Down(context.Background(), "base/llm")
	st := c2.Stats()
	if total := c3.Stats().Requests; st.Requests+st.CacheHits != total || st.Requests >= total {
		t.Errorf("resumed run: %d requests + %d cache hits, want the %d requests of one whole run, fewer of them to the server", st.Requests, st.CacheHits, total)
	}
	if st.CacheHits == 0 {
		t.Errorf("resumed run used no cache")
	}
}

func TestTrimRecord(t *testing.T) {
	cases := []struct {
		raw, want string
		children  int
	}{
		{`{"_id":"1","modelId":"a/b","downloads":null,"likes":3,"cardData":{"base_model":"x/y","model-index":[{"big":1}],"license":"mit"},"siblings":[{"rfilename":"a"}],"childrenModelCount":12}`,
			`{"id":"a/b","likes":3,"cardData":{"base_model":"x/y","license":"mit"}}`, 12},
		// The model route's childrenModelCount is an object by relation;
		// huggingface_hub's snake_case spellings are read too.
		{`{"id":"a/b","created_at":"2024-01-01T00:00:00.000Z","card_data":{"base_model":"x/y"},"childrenModelCount":{"adapter":2,"finetune":1,"merge":0,"quantized":4}}`,
			`{"id":"a/b","createdAt":"2024-01-01T00:00:00.000Z","cardData":{"base_model":"x/y"}}`, 7},
		{`{"id":"a/b","childrenModelCount":{}}`, `{"id":"a/b"}`, 0},
		{`{"id":"a/b","childrenModelCount":{"finetune":"many"}}`, `{"id":"a/b"}`, -1},
		{`{"id":"a/b","tags":["base_model:quantized:x/y"]}`, `{"id":"a/b","tags":["base_model:quantized:x/y"]}`, -1},
		{`{"id":"a/b","gated":"manual","baseModels":{"relation":"quantized","models":[{"_id":"9","id":"x/y"}]},"lineageEvidence":[{"file":"f","key":"k","value":"v"}]}`,
			`{"id":"a/b","gated":"manual","baseModels":{"relation":"quantized","models":[{"id":"x/y"}]}}`, -1},
	}
	for _, c := range cases {
		m, n, err := trimRecord([]byte(c.raw))
		if err != nil {
			t.Errorf("trimRecord(%s): %v", c.raw, err)
			continue
		}
		got, _ := encodeRecord(m)
		if string(got) != c.want || n != c.children {
			t.Errorf("trimRecord(%s) = %s, %d\nwant %s, %d", c.raw, got, n, c.want, c.children)
		}
	}
	if _, _, err := trimRecord([]byte(`{"id":"a/b","tags":"x"}`)); err == nil {
		t.Errorf("trimRecord accepted tags that are not a list")
	}
}

func TestParallelStopsOnError(t *testing.T) {
	boom := errors.New("boom")
	ran := 0
	err := parallel(context.Background(), 100, 1, func(ctx context.Context, i int) error {
		ran++
		if i == 3 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || ran > 6 {
		t.Errorf("parallel = %v after %d calls, want boom soon after call 4", err, ran)
	}
}
