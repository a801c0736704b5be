package hub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultEndpoint is the Hub used when HF_ENDPOINT is not set.
const DefaultEndpoint = "https://huggingface.co"

// Expand lists the model properties requested with expand[]: the ones
// lineage reads, plus childrenModelCount, which lets Down skip leaves.
var Expand = []string{"author", "baseModels", "cardData", "childrenModelCount", "createdAt", "downloads",
	"downloadsAllTime", "lastModified", "library_name", "likes", "pipeline_tag", "tags"}

// Errors callers branch on.
var (
	// ErrNotFound marks a model the Hub does not know, or does not show
	// without a token (private or gated).
	ErrNotFound = errors.New("not found on the hub")
	// ErrAuth marks a request the Hub refused for its credentials.
	ErrAuth = errors.New("hub refused the credentials")
	// ErrRequestCap marks a run that reached Options.MaxRequests.
	ErrRequestCap = errors.New("request cap reached")
	// ErrRateLimited marks a Retry-After longer than Options.MaxRetryAfter,
	// or rate limiting that outlasted every retry.
	ErrRateLimited = errors.New("rate limited by the hub")
)

// StatusError is an HTTP answer the client does not retry or map to a
// sentinel, or the last answer after the retries ran out.
type StatusError struct {
	Method, URL string
	Code        int
	Message     string // the Hub's X-Error-Message, else the start of the body
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Code, http.StatusText(e.Code))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Query selects models in a listing (GET /api/models). Empty fields are
// not sent.
type Query struct {
	// Filter is a tag the models must carry, such as base_model:org/name.
	Filter string
	// Author is a user or organisation name.
	Author string
	// Search is a substring of the model id.
	Search string
}

// API is the part of the Hub API that Fetcher uses. Implementations must
// be safe for concurrent use.
type API interface {
	// Model returns the record of one model (GET /api/models/ID with the
	// Expand properties) as a JSON object. An unknown model yields an error
	// wrapping ErrNotFound.
	Model(ctx context.Context, id string) (json.RawMessage, error)
	// Models lists the models matching q (GET /api/models), calling fn
	// once per page, in order, until the last page or an error from fn,
	// which Models returns.
	Models(ctx context.Context, q Query, fn func(page []json.RawMessage) error) error
}

// Options configures a Client. The zero value of each field means its
// default.
type Options struct {
	// Endpoint is the Hub's base URL; default DefaultEndpoint.
	Endpoint string
	// Token is sent as "Authorization: Bearer TOKEN" when not empty.
	Token string
	// HTTP is the client requests go through; default one with a 60 s
	// timeout per request.
	HTTP *http.Client
	// Concurrency bounds the requests in flight; default 4.
	Concurrency int
	// MaxRequests caps the network requests of this client, retries
	// included (cache hits are free); 0 means no cap.
	MaxRequests int
	// MaxRetries is how often a request answered 429 or 5xx, or failed by
	// a network error, is retried; default 5, negative for none.
	MaxRetries int
	// BaseBackoff is the first wait between retries, doubled each time up
	// to MaxBackoff (defaults 1 s and 16 s), with jitter.
	BaseBackoff, MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After honoured (default 5 min);
	// a longer one fails the request with ErrRateLimited.
	MaxRetryAfter time.Duration
	// PageSize is the limit sent with listings; default 1000 (the Hub's
	// maximum).
	PageSize int
	// MaxBody caps a response body; default 64 MiB.
	MaxBody int64
	// Cache keeps responses on disk; nil means no cache.
	Cache *Cache
	// Sleep waits between retries; default a timer that honours ctx.
	// Tests replace it to run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnWait, when set, is told about every wait before a retry.
	OnWait func(d time.Duration, why string)
	// UserAgent is sent with every request.
	UserAgent string
}

// Client is the HTTP implementation of API. It is safe for concurrent use.
type Client struct {
	opt      Options
	base     *url.URL
	sem      chan struct{}
	tokenKey string

	requests, hits, retries atomic.Int64
}

// ClientStats counts what a Client did.
type ClientStats struct {
	Requests  int64 // network requests sent, retries included
	CacheHits int64 // answers taken from the cache
	Retries   int64 // requests repeated after a 429, a 5xx or a network error
}

// NewClient returns a client for opt.Endpoint.
func NewClient(opt Options) (*Client, error) {
	if opt.Endpoint == "" {
		opt.Endpoint = DefaultEndpoint
	}
	base, err := url.Parse(strings.TrimRight(opt.Endpoint, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("hub endpoint %q: want an http(s) URL such as %s", opt.Endpoint, DefaultEndpoint)
	}
	if opt.HTTP == nil {
		opt.HTTP = &http.Client{Timeout: 60 * time.Second}
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 4
	}
	if opt.MaxRetries == 0 {
		opt.MaxRetries = 5
	}
	if opt.BaseBackoff <= 0 {
		opt.BaseBackoff = time.Second
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = 16 * time.Second
	}
	if opt.MaxRetryAfter <= 0 {
		opt.MaxRetryAfter = 5 * time.Minute
	}
	if opt.PageSize <= 0 {
		opt.PageSize = 1000
	}
	if opt.MaxBody <= 0 {
		opt.MaxBody = 64 << 20
	}
	if opt.Sleep == nil {
		opt.Sleep = sleepCtx
	}
	if opt.UserAgent == "" {
		opt.UserAgent = "lineage-fetch/1 (github.com/lineage-project/lineage)"
	}
	c := &Client{opt: opt, base: base, sem: make(chan struct{}, opt.Concurrency)}
	if opt.Token != "" {
		sum := sha256.Sum256([]byte(opt.Token))
		c.tokenKey = hex.EncodeToString(sum[:8])
	}
	return c, nil
}

// EnvOptions returns Options with the endpoint and token of the
// environment, as huggingface_hub reads them: HF_ENDPOINT, then HF_TOKEN
// (or the older HUGGING_FACE_HUB_TOKEN). getenv is os.Getenv in programs.
func EnvOptions(getenv func(string) string) Options {
	o := Options{Endpoint: getenv("HF_ENDPOINT"), Token: strings.TrimSpace(getenv("HF_TOKEN"))}
	if o.Token == "" {
		o.Token = strings.TrimSpace(getenv("HUGGING_FACE_HUB_TOKEN"))
	}
	return o
}

// Stats returns the client's counters so far.
func (c *Client) Stats() ClientStats {
	return ClientStats{Requests: c.requests.Load(), CacheHits: c.hits.Load(), Retries: c.retries.Load()}
}

// Endpoint returns the base URL requests go to.
func (c *Client) Endpoint() string { return c.base.String() }

func (c *Client) expandParams(v url.Values) {
	for _, e := range Expand {
		v.Add("expand[]", e)
	}
}

// Model implements API.
func (c *Client) Model(ctx context.Context, id string) (json.RawMessage, error) {
	segs := strings.Split(id, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	v := url.Values{}
	c.expandParams(v)
	u := c.base.String() + "/api/models/" + strings.Join(segs, "/") + "?" + v.Encode()
	body, _, err := c.get(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", id, err)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil, fmt.Errorf("model %s: the hub answered %q, not a JSON object", id, snippet(body))
	}
	return json.RawMessage(body), nil
}

// Models implements API.
func (c *Client) Models(ctx context.Context, q Query, fn func(page []json.RawMessage) error) error {
	v := url.Values{}
	if q.Filter != "" {
		v.Set("filter", q.Filter)
	}
	if q.Author != "" {
		v.Set("author", q.Author)
	}
	if q.Search != "" {
		v.Set("search", q.Search)
	}
	v.Set("limit", strconv.Itoa(c.opt.PageSize))
	c.expandParams(v)
	next := c.base.String() + "/api/models?" + v.Encode()
	for page := 1; next != ""; page++ {
		body, n, err := c.get(ctx, next)
		if err != nil {
			return fmt.Errorf("list models (page %d): %w", page, err)
		}
		var models []json.RawMessage
		if err := json.Unmarshal(body, &models); err != nil {
			return fmt.Errorf("list models (page %d): the hub answered %q, not a JSON array: %w", page, snippet(body), err)
		}
		if err := fn(models); err != nil {
			return err
		}
		next = n
	}
	return nil
}

// get returns the body of a 200 answer to GET u and the next page's URL
// from its Link header, from the cache when it holds u.
func (c *Client) get(ctx context.Context, u string) (body []byte, next string, err error) {
	if e, ok := c.opt.Cache.get(u, c.tokenKey); ok {
		c.hits.Add(1)
		if e.Status == http.StatusNotFound {
			return nil, "", fmt.Errorf("%w (cached answer; %s)", ErrNotFound, c.notFoundHint())
		}
		return e.Body, e.Next, nil
	}
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, "", err
		}
		if n := c.requests.Add(1); c.opt.MaxRequests > 0 && n > int64(c.opt.MaxRequests) {
			c.requests.Add(-1)
			return nil, "", fmt.Errorf("%w (%d requests)", ErrRequestCap, c.opt.MaxRequests)
		}
		resp, body, err := c.do(ctx, u)
		var wait time.Duration
		var why string
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, "", ctx.Err()
			}
			if !retryable(err) {
				return nil, "", fmt.Errorf("get %s: %w", u, err)
			}
			wait, why = c.backoff(attempt), "network error: "+err.Error()
		case resp.StatusCode == http.StatusOK:
			next, err := c.nextLink(u, resp.Header)
			if err != nil {
				return nil, "", err
			}
			c.opt.Cache.put(u, c.tokenKey, cacheEntry{Status: http.StatusOK, Next: next, Body: body})
			return body, next, nil
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			ra, ok := retryAfter(resp.Header, time.Now())
			if ok && ra > c.opt.MaxRetryAfter {
				return nil, "", fmt.Errorf("get %s: %w: the hub asks to wait %s (Retry-After), more than %s; try again later", u, ErrRateLimited, ra.Round(time.Second), c.opt.MaxRetryAfter)
			}
			wait = c.backoff(attempt)
			if ok {
				wait = ra
			}
			why = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
			if attempt >= c.opt.MaxRetries || c.opt.MaxRetries < 0 {
				se := c.statusError(u, resp, body)
				if resp.StatusCode == http.StatusTooManyRequests {
					return nil, "", fmt.Errorf("%w after %d retries: %v", ErrRateLimited, attempt, se)
				}
				return nil, "", fmt.Errorf("after %d retries: %w", attempt, se)
			}
		default:
			return nil, "", c.mapStatus(u, resp, body)
		}
		if attempt >= c.opt.MaxRetries || c.opt.MaxRetries < 0 {
			return nil, "", fmt.Errorf("get %s: after %d retries: %s", u, attempt, why)
		}
		c.retries.Add(1)
		if c.opt.OnWait != nil {
			c.opt.OnWait(wait, why)
		}
		if err := c.opt.Sleep(ctx, wait); err != nil {
			return nil, "", err
		}
	}
}

// do sends one request, holding a concurrency slot while it runs.
func (c *Client) do(ctx context.Context, u string) (*http.Response, []byte, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.opt.UserAgent)
	if c.opt.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.opt.Token)
	}
	resp, err := c.opt.HTTP.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opt.MaxBody+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(body)) > c.opt.MaxBody {
		return nil, nil, fmt.Errorf("response body over %d MiB", c.opt.MaxBody>>20)
	}
	return resp, body, nil
}

func (c *Client) notFoundHint() string {
	if c.opt.Token == "" {
		return "if it is private or gated, set HF_TOKEN"
	}
	return "check the id, and that the token in HF_TOKEN can read it"
}

// mapStatus turns a non-retryable answer into an error.
func (c *Client) mapStatus(u string, resp *http.Response, body []byte) error {
	se := c.statusError(u, resp, body)
	code := resp.StatusCode
	repoNotFound := resp.Header.Get("X-Error-Code") == "RepoNotFound"
	switch {
	case code == http.StatusNotFound || repoNotFound:
		c.opt.Cache.put(u, c.tokenKey, cacheEntry{Status: http.StatusNotFound})
		return fmt.Errorf("%w (%s)", ErrNotFound, c.notFoundHint())
	case code == http.StatusUnauthorized && c.opt.Token == "":
		return fmt.Errorf("%w: the hub requires a token for this request; set HF_TOKEN (create one at %s/settings/tokens): %v", ErrAuth, c.base, se)
	case code == http.StatusUnauthorized:
		return fmt.Errorf("%w: the token in HF_TOKEN was rejected (invalid or expired; create one at %s/settings/tokens): %v", ErrAuth, c.base, se)
	case code == http.StatusForbidden:
		return fmt.Errorf("%w: the token in HF_TOKEN may not read this (403; gated models need their terms accepted on the model page): %v", ErrAuth, se)
	}
	return se
}

func (c *Client) statusError(u string, resp *http.Response, body []byte) *StatusError {
	msg := resp.Header.Get("X-Error-Message")
	if msg == "" {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			msg = e.Error
		} else {
			msg = snippet(body)
		}
	}
	return &StatusError{Method: http.MethodGet, URL: u, Code: resp.StatusCode, Message: msg}
}

// nextLink returns the rel="next" URL of a Link header, moved onto the
// client's endpoint (as huggingface_hub's fix_hf_endpoint_in_url does), so
// that the token never leaves for another host.
func (c *Client) nextLink(reqURL string, h http.Header) (string, error) {
	raw := parseLinkNext(h.Values("Link"))
	if raw == "" {
		return "", nil
	}
	ref, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("get %s: bad Link header %q: %w", reqURL, raw, err)
	}
	cur, _ := url.Parse(reqURL)
	abs := cur.ResolveReference(ref)
	abs.Scheme, abs.Host = c.base.Scheme, c.base.Host
	return abs.String(), nil
}

// parseLinkNext finds the URL with rel="next" in Link header values of
// the form <URL>; rel="next", <URL>; rel="last".
func parseLinkNext(values []string) string {
	for _, v := range values {
		for len(v) > 0 {
			i := strings.IndexByte(v, '<')
			if i < 0 {
				break
			}
			j := strings.IndexByte(v[i:], '>')
			if j < 0 {
				break
			}
			target := v[i+1 : i+j]
			rest := v[i+j+1:]
			params := rest
			if k := strings.IndexByte(rest, '<'); k >= 0 {
				params = rest[:k]
			}
			for _, p := range strings.Split(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(p), ",")), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for _, r := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(r, "next") {
						return target
					}
				}
			}
			v = rest
		}
	}
	return ""
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
		return time.Duration(n * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now)), true
	}
	return 0, false
}

// backoff is BaseBackoff doubled per attempt, capped at MaxBackoff, with
// up to 25% jitter.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.opt.BaseBackoff << min(attempt, 20)
	if d > c.opt.MaxBackoff || d <= 0 {
		d = c.opt.MaxBackoff
	}
	return d + time.Duration(rand.Int64N(int64(d)/4+1))
}

// retryable reports whether a transport error is worth another try.
func retryable(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "connection reset")
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func snippet(b []byte) string {
	s := string(bytes.TrimSpace(b[:min(len(b), 200)]))
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}
