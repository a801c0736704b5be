package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
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

// fakeClock is a clock that Sleep moves on: concurrent sleeps overlap, as
// they would in real time (the clock ends at the latest wake-up).
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	// A sleeper started at the clock's current time wakes at t+d; the
	// clock is the latest wake-up so far.
	if wake := c.t.Add(d); wake.After(c.t) {
		c.t = wake
	}
	return ctx.Err()
}

// The list route is sent its own expand set: the strict server refuses
// childrenModelCount and baseModels there, with the Hub's error JSON.
func TestListRouteExpand(t *testing.T) {
	h, srv := newFakeHub(t, family)
	c, _ := newTestClient(t, srv.URL, nil)
	n := 0
	if err := c.Models(context.Background(), Query{Filter: "base_model:base/llm"}, func(p []json.RawMessage) error {
		for _, r := range p {
			if strings.Contains(string(r), "baseModels") || strings.Contains(string(r), "childrenModelCount") {
				t.Errorf("listed record carries a model-route property: %s", r)
			}
		}
		n += len(p)
		return nil
	}); err != nil || n != 2 {
		t.Fatalf("Models(base_model:base/llm) = %d models, %v; want 2", n, err)
	}
	for _, p := range h.paths {
		if strings.HasPrefix(p, "/api/models?") && (strings.Contains(p, "childrenModelCount") || strings.Contains(p, "baseModels")) {
			t.Errorf("list request names a model-route property: %s", p)
		}
	}
	// The server enforces it: the old expand set on the list route is a 400.
	for _, bad := range []string{"childrenModelCount", "baseModels", "usedStorage", "nonsense"} {
		_, _, err := c.get(context.Background(), srv.URL+"/api/models?expand%5B%5D=author&expand%5B%5D="+bad)
		var se *StatusError
		if !errors.As(err, &se) || se.Code != 400 || !strings.Contains(se.Message, bad) || strings.Contains(err.Error(), "expand%5B") {
			t.Errorf("list route with expand[]=%s: %v; want a 400 naming it (and no query in the message)", bad, err)
		}
	}
	// The model route serves childrenModelCount, as an object.
	raw, err := c.Model(context.Background(), "base/llm")
	var rec struct {
		Children map[string]int `json:"childrenModelCount"`
	}
	if err != nil || json.Unmarshal(raw, &rec) != nil || rec.Children["finetune"] != 2 {
		t.Errorf("Model(base/llm) = %s, %v; want childrenModelCount {finetune: 2, ...}", raw, err)
	}
}

func TestParseRateLimit(t *testing.T) {
	cases := []struct {
		rl, policy string
		want       rateLimit
		ok         bool
	}{
		// hub-docs rate-limits.md and huggingface_hub's docstring examples.
		{`"api";r=0;t=55`, `"fixed window";"api";q=500;w=300`, rateLimit{"api", 0, 55 * time.Second, 500, 300 * time.Second}, true},
		{`"resolvers";r=2999;t=12`, `"fixed window";"resolvers";q=3000;w=300`, rateLimit{"resolvers", 2999, 12 * time.Second, 3000, 300 * time.Second}, true},
		{`"api"; r=10; t=3`, ``, rateLimit{"api", 10, 3 * time.Second, 0, 0}, true},
		{`"api";t=3;r=1`, `"fixed window";"api";w=300;q=1000`, rateLimit{"api", 1, 3 * time.Second, 1000, 300 * time.Second}, true},
		{`"api";r=1`, ``, rateLimit{}, false},
		{`"api";r=x;t=3`, ``, rateLimit{}, false},
		{``, ``, rateLimit{}, false},
	}
	for _, c := range cases {
		h := http.Header{}
		if c.rl != "" {
			h.Set("RateLimit", c.rl)
		}
		if c.policy != "" {
			h.Set("RateLimit-Policy", c.policy)
		}
		got, ok := parseRateLimit(h)
		if ok != c.ok || got != c.want {
			t.Errorf("parseRateLimit(%q, %q) = %+v, %v; want %+v, %v", c.rl, c.policy, got, ok, c.want, c.ok)
		}
	}
}

// A 429 with the Hub's RateLimit header (no Retry-After) waits its t, plus
// the second huggingface_hub adds; without one, Retry-After; without
// either, the backoff.
func TestRetry429RateLimitHeader(t *testing.T) {
	h, srv := newFakeHub(t, family)
	h.script("/api/models/base/llm", 1, http.StatusTooManyRequests, map[string]string{"RateLimit": `"api";r=0;t=42`, "RateLimit-Policy": `"fixed window";"api";q=500;w=300`})
	h.script("/api/models/base/llm", 2, http.StatusTooManyRequests, nil)
	h.script("/api/models/base/llm", 3, http.StatusRequestTimeout, nil)
	var whys []string
	clock := newFakeClock()
	h.now = clock.Now
	c, _ := newTestClient(t, srv.URL, func(o *Options) {
		o.Sleep, o.Now = clock.Sleep, clock.Now
		o.OnWait = func(d time.Duration, why string) { whys = append(whys, why) }
	})
	if _, err := c.Model(context.Background(), "base/llm"); err != nil {
		t.Fatalf("Model after 429, 429, 408: %v", err)
	}
	if w := clock.slept; len(w) != 3 || w[0] != 43*time.Second || w[1] > 10*time.Millisecond || w[2] > 10*time.Millisecond {
		t.Errorf("waits = %v, want [43s (t=42 + 1s), a backoff, a backoff (408 is retried)]", w)
	}
	if len(whys) != 3 || !strings.Contains(whys[0], `"api" bucket, 500 requests per 5m0s`) || !strings.HasPrefix(whys[2], "408") {
		t.Errorf("wait reasons = %q", whys)
	}
	h.script("/api/models/org/chat", 1, http.StatusTooManyRequests, map[string]string{"RateLimit": `"api";r=0;t=900`})
	if _, err := c.Model(context.Background(), "org/chat"); !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "15m1s (RateLimit)") {
		t.Errorf("a 900 s reset: %v, want ErrRateLimited naming the wait", err)
	}
}

// scaledClock runs time fast: a second of it is a millisecond of real
// time, for every goroutine alike (concurrent requests and sleeps overlap
// as they would).
type scaledClock struct {
	start time.Time // real
	base  time.Time // the clock's time at start
}

const timeScale = 1000

func newScaledClock() *scaledClock {
	return &scaledClock{start: time.Now(), base: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *scaledClock) Now() time.Time { return c.base.Add(time.Since(c.start) * timeScale) }

func (c *scaledClock) Sleep(ctx context.Context, d time.Duration) error {
	return sleepCtx(ctx, d/timeScale)
}

// The client paces itself under the policy the headers announce: a walk
// of three windows' worth of requests gets no 429 from a server that
// counts strictly, and takes about three windows of time.
func TestPacingUnderRateLimit(t *testing.T) {
	for _, conc := range []int{1, 4} {
		h, srv := newFakeHub(t, family)
		clock := newScaledClock()
		h.now, h.quota, h.window = clock.Now, 12, 300*time.Second
		c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Sleep, o.Now, o.Concurrency = clock.Sleep, clock.Now, conc })
		start := clock.Now()
		var wg sync.WaitGroup
		errs := make(chan error, 30)
		for w := 0; w < conc; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < 30; i += conc {
					if _, err := c.Model(context.Background(), "base/llm"); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrency %d: %v", conc, err)
		}
		elapsed := clock.Now().Sub(start)
		if n := h.limited.Load(); n != 0 {
			t.Errorf("concurrency %d: %d answers were 429: the client did not pace itself", conc, n)
		}
		// 30 requests at 12 per window need the third window: at least
		// two resets; a well-paced run needs no more than three windows.
		// (Requests take real time too, a second of the clock per
		// millisecond: the upper bound leaves room for a slow machine.)
		if elapsed < 600*time.Second || elapsed > 4*300*time.Second {
			t.Errorf("concurrency %d: 30 requests took %s of the clock, want 10m0s..20m0s", conc, elapsed.Round(time.Second))
		}
		if st := c.Stats(); st.Paced == 0 || st.Retries != 0 {
			t.Errorf("concurrency %d: stats %+v, want paced requests and no retries", conc, st)
		}
	}
}

// Without pacing (a client that ignores the headers) the same server
// answers 429: the test above is not vacuous.
func TestStrictServerLimits(t *testing.T) {
	h, srv := newFakeHub(t, family)
	clock := newFakeClock()
	h.now, h.quota = clock.Now, 3
	for i := 0; i < 5; i++ {
		resp, err := http.Get(srv.URL + "/api/models/base/llm?expand[]=author")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		rl := resp.Header.Get("RateLimit")
		if i < 3 && (resp.StatusCode != 200 || rl != fmt.Sprintf(`"api";r=%d;t=300`, 2-i)) {
			t.Errorf("request %d: %d, RateLimit %q", i+1, resp.StatusCode, rl)
		}
		if i >= 3 && (resp.StatusCode != 429 || rl != `"api";r=0;t=300` || resp.Header.Get("Retry-After") != "") {
			t.Errorf("request %d over the quota: %d, RateLimit %q, Retry-After %q; want 429 with r=0 and no Retry-After", i+1, resp.StatusCode, rl, resp.Header.Get("Retry-After"))
		}
	}
}

func TestStatusCodes(t *testing.T) {
	h, srv := newFakeHub(t, family+"\nfan/x: org/chat finetune\n")
	h.token = "hf_good"
	h.private["org/chat-lora"] = true
	h.disabled["org/chat"] = true
	h.gated["other/tune"] = true
	ctx := context.Background()
	anon, _ := newTestClient(t, srv.URL, nil)
	authed, _ := newTestClient(t, srv.URL, func(o *Options) { o.Token = "hf_good" })
	cases := []struct {
		name string
		c    *Client
		id   string
		want error
		text string
	}{
		{"disabled", anon, "org/chat", ErrDisabled, "Access to this resource is disabled."},
		{"disabled with a token", authed, "org/chat", ErrDisabled, ""},
		{"private without a token: 401 RepoNotFound", anon, "org/chat-lora", ErrNotFound, "if it is private, set HF_TOKEN"},
		{"missing without a token: 401 RepoNotFound", anon, "no/such", ErrNotFound, ""},
		{"missing with a token: 404", authed, "no/such", ErrNotFound, "check the id"},
		{"private with a token", authed, "org/chat-lora", nil, ""},
		{"gated metadata is public", anon, "other/tune", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.c.Model(ctx, c.id)
			if c.want == nil && err != nil || c.want != nil && (!errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text)) {
				t.Errorf("Model(%s) = %v, want %v mentioning %q", c.id, err, c.want, c.text)
			}
		})
	}
	// A disabled parent is recorded, not an error that ends the walk.
	f := fetcher(t, anon, nil)
	if err := f.Up(ctx, "fan/x"); err != nil {
		t.Fatalf("Up(fan/x) with a disabled parent: %v", err)
	}
	if got := f.Disabled(); !slices.Equal(got, []string{"org/chat"}) || f.Len() != 1 || len(f.Missing()) != 0 {
		t.Errorf("Up(fan/x): disabled %v, missing %v, %d models; want [org/chat], none, 1", got, f.Missing(), f.Len())
	}
	// The server enforces the codes (independently of the client).
	for _, c := range []struct {
		path, auth string
		code       int
		xcode      string
	}{
		{"/api/models/no/such?expand[]=author", "", 401, "RepoNotFound"},
		{"/api/models/no/such?expand[]=author", "Bearer hf_good", 404, "RepoNotFound"},
		{"/api/models/org/chat?expand[]=author", "", 403, ""},
		{"/other/tune/resolve/main/config.json", "", 401, "GatedRepo"},
		{"/other/tune/resolve/main/config.json", "Bearer hf_good", 403, "GatedRepo"},
		{"/base/llm/resolve/main/nothing.json", "", 404, "EntryNotFound"},
	} {
		req, _ := http.NewRequest("GET", srv.URL+c.path, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.code || resp.Header.Get("X-Error-Code") != c.xcode {
			t.Errorf("GET %s (auth %q) = %d %q, want %d %q", c.path, c.auth, resp.StatusCode, resp.Header.Get("X-Error-Code"), c.code, c.xcode)
		}
	}
}

// A renamed repository answers 307 to its new id: the walk keys the record
// by the new id, lists the old one in lineageAliases, and asks no more.
func TestRenamedRepository(t *testing.T) {
	h, srv := newFakeHub(t, family)
	h.rename("org/chat", "neworg/chat-v2")
	c, _ := newTestClient(t, srv.URL, nil)
	f := fetcher(t, c, nil)
	if err := f.Up(context.Background(), "org/mix"); err != nil {
		t.Fatal(err)
	}
	// org/mix still names org/chat; the Hub redirects it.
	want := []string{"base/llm", "neworg/chat-v2", "org/mix", "other/tune"}
	if got := ids(t, f); !slices.Equal(got, want) {
		t.Errorf("Up(org/mix) after a rename = %v, want %v", got, want)
	}
	var buf bytes.Buffer
	f.WriteJSONL(&buf)
	var rec struct {
		ID      string   `json:"id"`
		Aliases []string `json:"lineageAliases"`
	}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		json.Unmarshal([]byte(line), &rec)
		if rec.ID == "neworg/chat-v2" {
			break
		}
	}
	if !slices.Equal(rec.Aliases, []string{"org/chat"}) {
		t.Errorf("record of neworg/chat-v2 has aliases %v, want [org/chat]", rec.Aliases)
	}
	if a := f.Aliases(); len(a) != 1 || a[0] != (Alias{"org/chat", "neworg/chat-v2"}) {
		t.Errorf("Aliases() = %v", a)
	}
	// A later walk through the old id is answered from what was collected.
	n := h.requests.Load()
	if err := f.Up(context.Background(), "org/chat"); err != nil || h.requests.Load() != n {
		t.Errorf("Up(org/chat) again: %v, %d requests; want none", err, h.requests.Load()-n)
	}
	// The redirect dropped the query; the client asked the new id with it.
	var redirected string
	for _, p := range h.paths {
		if strings.HasPrefix(p, "/api/models/neworg/chat-v2") {
			redirected = p
		}
	}
	if !strings.Contains(redirected, "expand%5B%5D=baseModels") {
		t.Errorf("request after the redirect = %q, want the model route's expand set", redirected)
	}
}

// A refused connection or an unknown host fails at once (one retry), in a
// short message without the query or a cache hint.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dnsFail := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "hub.invalid", IsNotFound: true}}
	}}}
	for _, c := range []struct {
		endpoint string
		http     *http.Client
		reason   string
	}{
		{"http://" + addr, nil, "connection refused"},
		{"http://hub.invalid", dnsFail, "cannot resolve hub.invalid: no such host"},
	} {
		var sent int
		c0, sl := newTestClient(t, c.endpoint, func(o *Options) {
			o.HTTP = c.http
			if o.HTTP == nil {
				o.HTTP = &http.Client{}
			}
			tr := o.HTTP.Transport
			if tr == nil {
				tr = http.DefaultTransport
			}
			o.HTTP.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) { sent++; return tr.RoundTrip(r) })
		})
		_, err := c0.Model(context.Background(), "base/llm")
		if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), c.reason) || len(err.Error()) > 120 || strings.Contains(err.Error(), "expand") {
			t.Errorf("%s: %v; want ErrUnreachable saying %q in under 120 characters", c.endpoint, err, c.reason)
		}
		if sent != 2 || len(sl.waits) != 1 {
			t.Errorf("%s: %d requests, waits %v; want 2 requests (one retry)", c.endpoint, sent, sl.waits)
		}
	}
}

// Files are read with a Range request; an LFS file's bytes come from the
// store the Hub redirects to, which never sees the token.
func TestReadRangeTokenStaysHome(t *testing.T) {
	h, srv := newFakeHub(t, family)
	data := bytes.Repeat([]byte("0123456789"), 1000)
	h.addFile("org/chat", "model.gguf", data, true)
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Token = "hf_secret" })
	got, size, err := c.ReadRange(context.Background(), "org/chat", "model.gguf", 100, 50)
	if err != nil || !bytes.Equal(got, data[100:150]) || size != int64(len(data)) {
		t.Fatalf("ReadRange(100, 50) = %q, %d, %v", got, size, err)
	}
	got, _, err = c.ReadRange(context.Background(), "org/chat", "config.json", 0, 1<<20)
	if err != nil || string(got) != `{"model_type":"llama"}` {
		t.Errorf("ReadRange(config.json) = %q, %v", got, err)
	}
	if len(h.storeAuth) != 1 || h.storeAuth[0] != "" {
		t.Errorf("the store got Authorization %q, want one request without it", h.storeAuth)
	}
	if len(h.storeReqs) != 1 || !strings.Contains(h.storeReqs[0], "bytes=100-149") {
		t.Errorf("store requests %q, want one for bytes=100-149", h.storeReqs)
	}
	if _, _, err := c.ReadRange(context.Background(), "org/chat", "missing.json", 0, 10); !errors.Is(err, ErrNotFound) {
		t.Errorf("ReadRange(missing) = %v, want ErrNotFound", err)
	}
}
