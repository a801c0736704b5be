package hub

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

const family = `
base/llm
org/chat: base/llm finetune
org/chat-GGUF: org/chat quantized
org/chat-lora: org/chat adapter
org/mix: org/chat merge other/tune merge
other/tune: base/llm finetune?
other/deep: other/tune finetune
lone/model
`

// sleeper records the waits a client asks for instead of sleeping.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func newTestClient(t *testing.T, endpoint string, mod func(*Options)) (*Client, *sleeper) {
	t.Helper()
	sl := &sleeper{}
	opt := Options{Endpoint: endpoint, Sleep: sl.sleep, BaseBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond}
	if mod != nil {
		mod(&opt)
	}
	c, err := NewClient(opt)
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}

func TestModelSendsExpandAndToken(t *testing.T) {
	h, srv := newFakeHub(t, family)
	var gotAuth string
	h.private["org/chat"] = true
	c, _ := newTestClient(t, srv.URL, func(o *Options) {
		o.Token = "hf_secret"
		o.HTTP = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			gotAuth = r.Header.Get("Authorization")
			return http.DefaultTransport.RoundTrip(r)
		})}
	})
	raw, err := c.Model(context.Background(), "org/chat")
	if err != nil {
		t.Fatalf("Model(org/chat) with token: %v", err)
	}
	if gotAuth != "Bearer hf_secret" {
		t.Errorf("Authorization = %q, want Bearer hf_secret", gotAuth)
	}
	var rec struct {
		ID         string `json:"id"`
		BaseModels struct {
			Relation string `json:"relation"`
			Models   []struct{ ID string }
		} `json:"baseModels"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil || rec.ID != "org/chat" || rec.BaseModels.Models[0].ID != "base/llm" {
		t.Errorf("Model(org/chat) = %s (%v), want the record with baseModels base/llm", raw, err)
	}
	if p := h.paths[0]; !strings.Contains(p, "expand%5B%5D=baseModels") || !strings.HasPrefix(p, "/api/models/org/chat?") {
		t.Errorf("request = %s, want /api/models/org/chat?...expand[]=baseModels...", p)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestModelsFollowsLinkPaging(t *testing.T) {
	h, srv := newFakeHub(t, family)
	c, _ := newTestClient(t, srv.URL, nil)
	var ids []string
	pages := 0
	err := c.Models(context.Background(), Query{Filter: "base_model:org/chat"}, func(page []json.RawMessage) error {
		pages++
		for _, r := range page {
			var m struct{ ID string }
			json.Unmarshal(r, &m)
			ids = append(ids, m.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(ids, " "), "org/chat-GGUF org/chat-lora org/mix"; got != want || pages != 2 {
		t.Errorf("Models(base_model:org/chat) = %q in %d pages, want %q in 2 pages (server pages by 2)", got, pages, want)
	}
	if h.requests.Load() != 2 {
		t.Errorf("requests = %d, want 2", h.requests.Load())
	}
	if !strings.Contains(h.paths[1], "cursor=2") {
		t.Errorf("second request %s does not follow the Link cursor", h.paths[1])
	}
}

func TestLinkToOtherHostStaysOnEndpoint(t *testing.T) {
	h, srv := newFakeHub(t, family)
	h.linkHost = "https://elsewhere.invalid"
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Token = "t" })
	n := 0
	err := c.Models(context.Background(), Query{Search: "org"}, func(page []json.RawMessage) error { n += len(page); return nil })
	if err != nil || n != 4 {
		t.Fatalf("Models(search org) = %d models, %v; want 4, nil (next links rewritten onto the endpoint)", n, err)
	}
}

func TestRetry429HonoursRetryAfter(t *testing.T) {
	h, srv := newFakeHub(t, family)
	h.script("/api/models/base/llm", 1, http.StatusTooManyRequests, map[string]string{"Retry-After": "7"})
	h.script("/api/models/base/llm", 2, http.StatusServiceUnavailable, nil)
	var waits []string
	c, sl := newTestClient(t, srv.URL, func(o *Options) { o.OnWait = func(d time.Duration, why string) { waits = append(waits, why) } })
	if _, err := c.Model(context.Background(), "base/llm"); err != nil {
		t.Fatalf("Model after 429 and 503: %v", err)
	}
	if len(sl.waits) != 2 || sl.waits[0] != 7*time.Second || sl.waits[1] > 10*time.Millisecond {
		t.Errorf("waits = %v, want [7s (Retry-After) then a short backoff]", sl.waits)
	}
	if st := c.Stats(); st.Requests != 3 || st.Retries != 2 {
		t.Errorf("stats = %+v, want 3 requests, 2 retries", st)
	}
	if len(waits) != 2 || !strings.HasPrefix(waits[0], "429") {
		t.Errorf("OnWait reasons = %q", waits)
	}
}

func TestRetryAfterDate(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	h := http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}
	if d, ok := retryAfter(h, now); !ok || d != 90*time.Second {
		t.Errorf("retryAfter(date +90s) = %v, %v; want 1m30s, true", d, ok)
	}
	if _, ok := retryAfter(http.Header{"Retry-After": {"soon"}}, now); ok {
		t.Errorf("retryAfter(soon) accepted")
	}
}

func TestTooLongRetryAfterFails(t *testing.T) {
	h, srv := newFakeHub(t, family)
	h.script("/api/models/base/llm", 1, http.StatusTooManyRequests, map[string]string{"Retry-After": "3600"})
	c, _ := newTestClient(t, srv.URL, nil)
	_, err := c.Model(context.Background(), "base/llm")
	if !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "1h0m0s") {
		t.Errorf("Model with Retry-After 3600 = %v, want ErrRateLimited naming the wait", err)
	}
}

func TestPersistent500Fails(t *testing.T) {
	h, srv := newFakeHub(t, family)
	for i := 1; i <= 10; i++ {
		h.script("/api/models", i, http.StatusInternalServerError, nil)
	}
	c, sl := newTestClient(t, srv.URL, func(o *Options) { o.MaxRetries = 3 })
	err := c.Models(context.Background(), Query{Author: "org"}, func([]json.RawMessage) error { return nil })
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 500 || !strings.Contains(err.Error(), "after 3 retries") {
		t.Fatalf("Models with a failing server = %v, want a 500 StatusError after 3 retries", err)
	}
	if len(sl.waits) != 3 || h.requests.Load() != 4 {
		t.Errorf("waits %v, requests %d; want 3 waits, 4 requests", sl.waits, h.requests.Load())
	}
	for i := 1; i < len(sl.waits); i++ {
		if sl.waits[i] < sl.waits[i-1]/2 {
			t.Errorf("backoff does not grow: %v", sl.waits)
		}
	}
}

func TestAuthErrors(t *testing.T) {
	h, srv := newFakeHub(t, family)
	h.token = "hf_good"
	h.private["org/chat"] = true
	ctx := context.Background()

	bad, _ := newTestClient(t, srv.URL, func(o *Options) { o.Token = "hf_bad" })
	_, err := bad.Model(ctx, "base/llm")
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "HF_TOKEN was rejected") || strings.Contains(err.Error(), "hf_bad") {
		t.Errorf("bad token: %v; want ErrAuth saying HF_TOKEN was rejected, without the token", err)
	}

	none, _ := newTestClient(t, srv.URL, nil)
	_, err = none.Model(ctx, "org/chat")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "set HF_TOKEN") {
		t.Errorf("private model without a token: %v; want ErrNotFound suggesting HF_TOKEN", err)
	}
	_, err = none.Model(ctx, "no/such")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown model: %v; want ErrNotFound", err)
	}

	h.script("/api/models", 1, http.StatusUnauthorized, nil)
	err = none.Models(ctx, Query{Author: "org"}, func([]json.RawMessage) error { return nil })
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "set HF_TOKEN") {
		t.Errorf("401 without a token: %v; want ErrAuth asking for HF_TOKEN", err)
	}
	h.script("/api/models/base/llm", h.hits["/api/models/base/llm"]+1, http.StatusForbidden, nil)
	good, _ := newTestClient(t, srv.URL, func(o *Options) { o.Token = "hf_good" })
	if _, err = good.Model(ctx, "base/llm"); !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "403") {
		t.Errorf("403: %v; want ErrAuth naming 403", err)
	}
}

func TestRequestCap(t *testing.T) {
	_, srv := newFakeHub(t, family)
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.MaxRequests = 1 })
	err := c.Models(context.Background(), Query{Search: "o"}, func([]json.RawMessage) error { return nil })
	if !errors.Is(err, ErrRequestCap) {
		t.Errorf("Models over a cap of 1 request = %v, want ErrRequestCap", err)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	h, srv := newFakeHub(t, family)
	h.gate = make(chan struct{})
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Concurrency = 2 })
	var wg sync.WaitGroup
	for _, id := range []string{"base/llm", "org/chat", "org/mix", "other/tune", "lone/model", "other/deep"} {
		wg.Add(1)
		go func() { defer wg.Done(); c.Model(context.Background(), id) }()
	}
	deadline := time.Now().Add(5 * time.Second)
	for h.inFlight.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // give a third request the chance to slip through
	if n := h.inFlight.Load(); n != 2 {
		t.Errorf("in flight = %d, want 2 (the limit)", n)
	}
	close(h.gate)
	wg.Wait()
	if m := h.maxFlight.Load(); m > 2 {
		t.Errorf("max in flight = %d, want <= 2", m)
	}
}

func TestCacheServesAgain(t *testing.T) {
	h, srv := newFakeHub(t, family)
	cache, err := OpenCache(t.TempDir(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for run := 0; run < 2; run++ {
		c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Cache = cache })
		n := 0
		if err := c.Models(context.Background(), Query{Search: "o"}, func(p []json.RawMessage) error { n += len(p); return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Model(context.Background(), "no/such"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("run %d: unknown model = %v", run, err)
		}
		st := c.Stats()
		if run == 1 && (st.Requests != 0 || st.CacheHits != 5) {
			t.Errorf("second run: %+v, want 0 requests and 5 cache hits", st)
		}
		if n != 7 {
			t.Errorf("run %d: %d models, want 7", run, n)
		}
	}
	if h.requests.Load() != 5 {
		t.Errorf("server saw %d requests over two runs, want 5", h.requests.Load())
	}
	cache.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Cache = cache })
	c.Model(context.Background(), "base/llm")
	if c.Stats().Requests != 1 {
		t.Errorf("expired entry was served from the cache")
	}
}

func TestParseLinkNext(t *testing.T) {
	cases := []struct{ in, want string }{
		{`<https://huggingface.co/api/models?cursor=abc&limit=1000>; rel="next"`, "https://huggingface.co/api/models?cursor=abc&limit=1000"},
		{`<https://h/a?p=1>; rel="prev", <https://h/a?p=3>; rel="next"`, "https://h/a?p=3"},
		{`<https://h/a?p=3>; rel=next`, "https://h/a?p=3"},
		{`<https://h/a?p=9>; rel="last"`, ""},
		{`garbage`, ""},
		{``, ""},
	}
	for _, c := range cases {
		if got := parseLinkNext([]string{c.in}); got != c.want {
			t.Errorf("parseLinkNext(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestEnvOptions(t *testing.T) {
	env := map[string]string{"HF_ENDPOINT": "https://mirror.example", "HUGGING_FACE_HUB_TOKEN": " old "}
	o := EnvOptions(func(k string) string { return env[k] })
	if o.Endpoint != "https://mirror.example" || o.Token != "old" {
		t.Errorf("EnvOptions = %+v", o)
	}
	env["HF_TOKEN"] = "new"
	if o := EnvOptions(func(k string) string { return env[k] }); o.Token != "new" {
		t.Errorf("HF_TOKEN does not take precedence: %+v", o)
	}
	if _, err := NewClient(Options{Endpoint: "ftp://x"}); err == nil {
		t.Errorf("NewClient accepted an ftp endpoint")
	}
}
