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
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lineage-project/lineage/lineage/hubapi"
)

// DefaultEndpoint is the Hub used when HF_ENDPOINT is not set.
const DefaultEndpoint = "https://huggingface.co"

func fieldNames(fs ...hubapi.Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name()
	}
	return out
}

// ModelExpand lists the properties the model route (GET /api/models/ID) is
// asked for with expand[]: the ones lineage reads, plus childrenModelCount
// (an object of counts by relation, {"adapter":N,"finetune":N,...}), which
// lets Down skip leaves.
var ModelExpand = fieldNames(hubapi.FieldAuthor, hubapi.FieldBaseModels, hubapi.FieldCardData, hubapi.FieldChildrenModelCount,
	hubapi.FieldCreatedAt, hubapi.FieldDownloads, hubapi.FieldDownloadsAllTime, hubapi.FieldLastModified, hubapi.FieldLibrary,
	hubapi.FieldLikes, hubapi.FieldPipeline, hubapi.FieldTags)

// ListExpand lists the properties the list route (GET /api/models?...) is
// asked for. The list route answers 400 to baseModels, childrenModelCount
// and usedStorage (huggingface_hub pull request #3182: they are "only
// accepted when using the /api/models/repo_id endpoint"), so a listed
// record's parents and relations come from its base_model:ID and
// base_model:RELATION:ID tags and its cardData.
var ListExpand = fieldNames(hubapi.FieldAuthor, hubapi.FieldCardData, hubapi.FieldCreatedAt, hubapi.FieldDownloads,
	hubapi.FieldDownloadsAllTime, hubapi.FieldLastModified, hubapi.FieldLibrary, hubapi.FieldLikes, hubapi.FieldPipeline,
	hubapi.FieldTags)

// expandSiblings asks the model route for the repository's file list.
const expandSiblings = "siblings"

// Errors callers branch on.
var (
	// ErrNotFound marks a model (or file) the Hub does not know, or does
	// not show without a token (private).
	ErrNotFound = errors.New("not found on the hub")
	// ErrDisabled marks a repository the Hub has disabled (403 "Access to
	// this resource is disabled."): it exists but cannot be read.
	ErrDisabled = errors.New("disabled on the hub")
	// ErrGated marks a file of a gated model read without access (the
	// Hub's X-Error-Code GatedRepo). A gated model's metadata is public.
	ErrGated = errors.New("gated: the model's files need its terms accepted")
	// ErrAuth marks a request the Hub refused for its credentials.
	ErrAuth = errors.New("hub refused the credentials")
	// ErrRequestCap marks a run that reached Options.MaxRequests.
	ErrRequestCap = errors.New("request cap reached")
	// ErrRateLimited marks a rate-limit wait longer than
	// Options.MaxRetryAfter, or rate limiting that outlasted every retry.
	ErrRateLimited = errors.New("rate limited by the hub")
	// ErrUnreachable marks a host that refused the connection or whose
	// name does not resolve; it is retried at most once.
	ErrUnreachable = errors.New("cannot reach")
)

// disabledMessage is the Hub's X-Error-Message for a disabled repository
// (huggingface_hub utils/_http.py raises DisabledRepoError on it).
const disabledMessage = "Access to this resource is disabled."

// StatusError is an HTTP answer the client does not retry or map to a
// sentinel, or the last answer after the retries ran out.
type StatusError struct {
	Method, URL string // URL without its query
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
	// ModelExpand properties) as a JSON object. A renamed model's record
	// carries its new id. An unknown model yields an error wrapping
	// ErrNotFound, a disabled one ErrDisabled.
	Model(ctx context.Context, id string) (json.RawMessage, error)
	// Models lists the models matching q (GET /api/models with the
	// ListExpand properties), calling fn once per page, in order, until the
	// last page or an error from fn, which Models returns.
	Models(ctx context.Context, q Query, fn func(page []json.RawMessage) error) error
}

// FileAPI reads the files of a model's repository, for Fetcher.Evidence.
// Implementations must be safe for concurrent use.
type FileAPI interface {
	// Files lists the paths of the files in the model's repository.
	Files(ctx context.Context, id string) ([]string, error)
	// ReadRange returns up to n bytes of the file at path in the model's
	// repository (main revision) from offset off, and the file's size (-1
	// when the Hub did not say). Fewer than n bytes means the file ended.
	ReadRange(ctx context.Context, id, path string, off, n int64) (data []byte, size int64, err error)
}

// Options configures a Client. The zero value of each field means its
// default.
type Options struct {
	// Endpoint is the Hub's base URL; default DefaultEndpoint.
	Endpoint string
	// Token is sent as "Authorization: Bearer TOKEN" when not empty, to the
	// endpoint's host only (never to a host a redirect leads to).
	Token string
	// HTTP is the client requests go through; default one with a 60 s
	// timeout per request (downloads use its Transport without the
	// timeout). Its CheckRedirect is not used: the client follows
	// redirects itself.
	HTTP *http.Client
	// Concurrency bounds the requests in flight; default 4.
	Concurrency int
	// MaxRequests caps the network requests of this client, retries
	// included (cache hits are free); 0 means no cap.
	MaxRequests int
	// MaxRetries is how often a request answered 408, 429 or 5xx, or failed
	// by a network error, is retried; default 5, negative for none. A
	// refused connection or an unknown host is retried at most once.
	MaxRetries int
	// BaseBackoff is the first wait between retries, doubled each time up
	// to MaxBackoff (defaults 1 s and 16 s), with jitter.
	BaseBackoff, MaxBackoff time.Duration
	// MaxRetryAfter is the longest rate-limit wait honoured (default
	// 5 min, the Hub's window); a longer one fails the request with
	// ErrRateLimited.
	MaxRetryAfter time.Duration
	// PageSize is the limit sent with listings; default 1000 (the Hub's
	// maximum).
	PageSize int
	// MaxBody caps a response body read into memory; default 64 MiB.
	MaxBody int64
	// Cache keeps responses on disk; nil means no cache.
	Cache *Cache
	// Sleep waits between retries and while pacing; default a timer that
	// honours ctx. Tests replace it (and Now) to run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now returns the current time; default time.Now.
	Now func() time.Time
	// OnWait, when set, is told about every wait: before a retry, and
	// while pacing under the Hub's rate limit.
	OnWait func(d time.Duration, why string)
	// UserAgent is sent with every request.
	UserAgent string
}

// Client is the HTTP implementation of API and FileAPI, and downloads
// files (Download). It is safe for concurrent use.
type Client struct {
	opt      Options
	base     *url.URL
	http     *http.Client // opt.HTTP, following no redirects
	stream   *http.Client // the same without its overall timeout, for downloads
	sem      chan struct{}
	tokenKey string
	limits   limiter

	requests, hits, retries, paced atomic.Int64
}

// ClientStats counts what a Client did.
type ClientStats struct {
	Requests  int64 // network requests sent, retries and redirects included
	CacheHits int64 // answers taken from the cache
	Retries   int64 // requests repeated after a 408, 429, 5xx or a network error
	Paced     int64 // requests held back to stay under the Hub's rate limit
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
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.UserAgent == "" {
		opt.UserAgent = "lineage-fetch/1 (github.com/lineage-project/lineage)"
	}
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	hc := *opt.HTTP
	hc.CheckRedirect = noRedirect
	sc := hc
	sc.Timeout = 0
	c := &Client{opt: opt, base: base, http: &hc, stream: &sc, sem: make(chan struct{}, opt.Concurrency)}
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
	return ClientStats{Requests: c.requests.Load(), CacheHits: c.hits.Load(), Retries: c.retries.Load(), Paced: c.paced.Load()}
}

// Endpoint returns the base URL requests go to.
func (c *Client) Endpoint() string { return c.base.String() }

func expandParams(v url.Values, props []string) {
	for _, e := range props {
		v.Add("expand[]", e)
	}
}

// repoPath escapes each segment of a repository id or file path.
func repoPath(id string) string {
	segs := strings.Split(id, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// Model implements API.
func (c *Client) Model(ctx context.Context, id string) (json.RawMessage, error) {
	v := url.Values{}
	expandParams(v, ModelExpand)
	body, err := c.getObject(ctx, "/api/models/"+repoPath(id)+"?"+v.Encode())
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", id, err)
	}
	return body, nil
}

func (c *Client) getObject(ctx context.Context, pathQuery string) (json.RawMessage, error) {
	body, _, err := c.get(ctx, c.base.String()+pathQuery)
	if err != nil {
		return nil, err
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil, fmt.Errorf("the hub answered %q, not a JSON object", snippet(body))
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
	expandParams(v, ListExpand)
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

// Files implements FileAPI: the model route's siblings.
func (c *Client) Files(ctx context.Context, id string) ([]string, error) {
	v := url.Values{}
	expandParams(v, []string{expandSiblings})
	body, err := c.getObject(ctx, "/api/models/"+repoPath(id)+"?"+v.Encode())
	if err != nil {
		return nil, fmt.Errorf("files of %s: %w", id, err)
	}
	var rec struct {
		Siblings []struct {
			Name string `json:"rfilename"`
		} `json:"siblings"`
	}
	if err := json.Unmarshal(body, &rec); err != nil {
		return nil, fmt.Errorf("files of %s: %w", id, err)
	}
	out := make([]string, 0, len(rec.Siblings))
	for _, s := range rec.Siblings {
		if s.Name != "" {
			out = append(out, s.Name)
		}
	}
	return out, nil
}

// ReadRange implements FileAPI: GET /ID/resolve/main/PATH with a Range
// header, following the Hub's redirects (to its file store, without the
// token). Answers are cached by URL and range.
func (c *Client) ReadRange(ctx context.Context, id, path string, off, n int64) ([]byte, int64, error) {
	if off < 0 || n <= 0 || n > c.opt.MaxBody {
		return nil, 0, fmt.Errorf("read %s/%s: bad range %d+%d (at most %d bytes)", id, path, off, n, c.opt.MaxBody)
	}
	u := c.base.String() + "/" + repoPath(id) + "/resolve/main/" + repoPath(path)
	key := fmt.Sprintf("%s#bytes=%d-%d", u, off, off+n-1)
	if e, ok := c.opt.Cache.get(key, c.tokenKey); ok {
		c.hits.Add(1)
		if err := cachedError(e); err != nil {
			return nil, 0, fmt.Errorf("read %s/%s: %w", id, path, err)
		}
		size, _ := strconv.ParseInt(e.Next, 10, 64)
		return e.Body, size, nil
	}
	hdr := http.Header{"Range": {fmt.Sprintf("bytes=%d-%d", off, off+n-1)}}
	var data []byte
	size := int64(-1)
	err := c.fetch(ctx, u, key, hdr, func(resp *http.Response) error {
		var err error
		switch resp.StatusCode {
		case http.StatusPartialContent:
			start, _, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
			if !ok || start != off {
				return fmt.Errorf("the hub answered range %q to bytes=%d-", resp.Header.Get("Content-Range"), off)
			}
			size = total
			data, err = readCapped(resp.Body, n)
		case http.StatusOK: // the Range was ignored: skip to off
			size = resp.ContentLength
			if _, err = io.CopyN(io.Discard, resp.Body, off); err == io.EOF {
				data, err = nil, nil
				break
			}
			if err == nil {
				data, err = readCapped(resp.Body, n)
			}
		case http.StatusRequestedRangeNotSatisfiable: // off is at or past the end
			_, _, size, _ = parseContentRange(resp.Header.Get("Content-Range"))
			data = nil
		}
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read %s/%s: %w", id, path, err)
	}
	c.opt.Cache.put(key, c.tokenKey, cacheEntry{Status: http.StatusOK, Next: strconv.FormatInt(size, 10), Body: data})
	return data, size, nil
}

// readCapped reads up to n bytes of r.
func readCapped(r io.Reader, n int64) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, n))
}

// parseContentRange reads "bytes START-END/TOTAL" (TOTAL may be *, then
// -1) and "bytes */TOTAL" (start and end -1).
func parseContentRange(v string) (start, end, total int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, 0, false
	}
	total = -1
	if tot != "*" {
		t, err := strconv.ParseInt(tot, 10, 64)
		if err != nil || t < 0 {
			return 0, 0, 0, false
		}
		total = t
	}
	if rng == "*" {
		return -1, -1, total, true
	}
	a, b, found := strings.Cut(rng, "-")
	s, err1 := strconv.ParseInt(a, 10, 64)
	e, err2 := strconv.ParseInt(b, 10, 64)
	if !found || err1 != nil || err2 != nil || s < 0 || e < s || (total >= 0 && e >= total) {
		return 0, 0, 0, false
	}
	return s, e, total, true
}

// get returns the body of a 200 answer to GET u (following redirects) and
// the next page's URL from its Link header, from the cache when it holds
// u.
func (c *Client) get(ctx context.Context, u string) (body []byte, next string, err error) {
	if e, ok := c.opt.Cache.get(u, c.tokenKey); ok {
		c.hits.Add(1)
		if err := cachedError(e); err != nil {
			return nil, "", err
		}
		return e.Body, e.Next, nil
	}
	hdr := http.Header{"Accept": {"application/json"}}
	err = c.fetch(ctx, u, u, hdr, func(resp *http.Response) error {
		if resp.StatusCode != http.StatusOK {
			return &StatusError{Method: http.MethodGet, URL: shortURL(resp.Request.URL), Code: resp.StatusCode, Message: "unexpected answer"}
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, c.opt.MaxBody+1))
		if err != nil {
			return err
		}
		if int64(len(b)) > c.opt.MaxBody {
			return fmt.Errorf("response body over %d MiB", c.opt.MaxBody>>20)
		}
		if next, err = c.nextLink(resp.Request.URL, resp.Header); err != nil {
			return err
		}
		body = b
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	c.opt.Cache.put(u, c.tokenKey, cacheEntry{Status: http.StatusOK, Next: next, Body: body})
	return body, next, nil
}

// fetch sends GET u with hdr, follows redirects (the token stays on the
// endpoint's host; a redirect without a query keeps the request's, as a
// renamed repository's answer drops it), retries what is worth retrying,
// maps refusals to errors (caching a not-found or disabled answer under
// cacheKey unless it is empty), and hands a 2xx or 416 answer to read. An
// error from read that is a network error while reading the body is
// retried as well.
func (c *Client) fetch(ctx context.Context, u, cacheKey string, hdr http.Header, read func(*http.Response) error) error {
	cur, err := url.Parse(u)
	if err != nil {
		return err
	}
	hops, unreachableTries := 0, 0
	for attempt := 0; ; {
		resp, err := c.send(ctx, c.http, cur, hdr)
		var wait time.Duration
		var why string
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, ErrRequestCap) {
				return err
			}
			if isUnreachable(err) {
				if unreachableTries++; unreachableTries > 1 || c.opt.MaxRetries < 0 {
					return unreachableError(cur, err)
				}
			} else if !retryable(err) {
				return fmt.Errorf("GET %s: %w", shortURL(cur), unwrapURLError(err))
			}
			wait, why = c.backoff(attempt), "network error: "+unwrapURLError(err).Error()
		case isRedirect(resp.StatusCode):
			loc := resp.Header.Get("Location")
			resp.Body.Close()
			target, err := cur.Parse(loc)
			if loc == "" || err != nil {
				return fmt.Errorf("GET %s: %d without a usable Location (%q)", shortURL(cur), resp.StatusCode, loc)
			}
			if hops++; hops > 10 {
				return fmt.Errorf("GET %s: more than 10 redirects", shortURL(cur))
			}
			if target.RawQuery == "" && sameHost(target, c.base) {
				target.RawQuery = cur.RawQuery
			}
			cur = target
			continue
		case resp.StatusCode/100 == 2 || resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
			err := read(resp)
			resp.Body.Close()
			if err == nil {
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if !retryable(err) {
				return err
			}
			wait, why = c.backoff(attempt), "transfer cut off: "+err.Error()
		case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			var rerr error
			wait, why, rerr = c.statusWait(resp, attempt)
			if rerr != nil {
				return fmt.Errorf("GET %s: %w", shortURL(cur), rerr)
			}
			if attempt >= c.opt.MaxRetries || c.opt.MaxRetries < 0 {
				se := c.statusError(cur, resp, body)
				if resp.StatusCode == http.StatusTooManyRequests {
					return fmt.Errorf("%w after %d retries: %v", ErrRateLimited, attempt, se)
				}
				return fmt.Errorf("after %d retries: %w", attempt, se)
			}
		default:
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			return c.mapStatus(cacheKey, cur, resp, body)
		}
		if attempt >= c.opt.MaxRetries || c.opt.MaxRetries < 0 {
			return fmt.Errorf("GET %s: after %d retries: %s", shortURL(cur), attempt, why)
		}
		attempt++
		if err := c.wait(ctx, wait, why); err != nil {
			return err
		}
		c.retries.Add(1)
	}
}

// statusWait decides the wait before retrying a 408, 429 or 5xx answer:
// for a 429, the reset time t of its RateLimit header when nothing is left
// (plus a second, as huggingface_hub waits), else Retry-After, else the
// exponential backoff.
func (c *Client) statusWait(resp *http.Response, attempt int) (time.Duration, string, error) {
	why := fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	wait, src := c.backoff(attempt), ""
	if rl, ok := parseRateLimit(resp.Header); ok && resp.StatusCode == http.StatusTooManyRequests && rl.Remaining == 0 {
		wait, src = rl.Reset+time.Second, "RateLimit"
		why += fmt.Sprintf(" (%q bucket", rl.Bucket)
		if rl.Quota > 0 {
			why += fmt.Sprintf(", %d requests per %s", rl.Quota, rl.Window)
		}
		why += ")"
	} else if ra, ok := retryAfter(resp.Header, c.opt.Now()); ok {
		wait, src = ra, "Retry-After"
	}
	if src != "" && wait > c.opt.MaxRetryAfter {
		return 0, why, fmt.Errorf("%w: the hub asks to wait %s (%s), more than %s; try again later", ErrRateLimited, wait.Round(time.Second), src, c.opt.MaxRetryAfter)
	}
	return wait, why, nil
}

// wait sleeps d, telling OnWait why.
func (c *Client) wait(ctx context.Context, d time.Duration, why string) error {
	if c.opt.OnWait != nil {
		c.opt.OnWait(d, why)
	}
	return c.opt.Sleep(ctx, d)
}

// send sends one GET without following redirects: paced under the Hub's
// rate limits, within the request cap, holding a concurrency slot until
// the body is closed, with the token only when u is on the endpoint's
// host. It records the rate-limit headers of the answer.
func (c *Client) send(ctx context.Context, hc *http.Client, u *url.URL, hdr http.Header) (*http.Response, error) {
	if n := c.requests.Add(1); c.opt.MaxRequests > 0 && n > int64(c.opt.MaxRequests) {
		c.requests.Add(-1)
		return nil, fmt.Errorf("%w (%d requests)", ErrRequestCap, c.opt.MaxRequests)
	}
	own := sameHost(u, c.base)
	bucket := bucketOf(u.Path)
	if own {
		d := c.limits.reserve(bucket, c.opt.Now())
		if d > 0 {
			c.paced.Add(1)
			if err := c.wait(ctx, d, "pacing under the hub's rate limit"); err != nil {
				c.limits.done(bucket, rateLimit{}, false, c.opt.Now())
				return nil, err
			}
		}
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		if own {
			c.limits.done(bucket, rateLimit{}, false, c.opt.Now())
		}
		return nil, ctx.Err()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		<-c.sem
		if own {
			c.limits.done(bucket, rateLimit{}, false, c.opt.Now())
		}
		return nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", c.opt.UserAgent)
	if own && c.opt.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.opt.Token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		<-c.sem
		if own {
			c.limits.done(bucket, rateLimit{}, false, c.opt.Now())
		}
		return nil, err
	}
	if own {
		rl, ok := parseRateLimit(resp.Header)
		c.limits.done(bucket, rl, ok, c.opt.Now())
	}
	resp.Body = &releaseBody{ReadCloser: resp.Body, release: func() { <-c.sem }}
	return resp, nil
}

// releaseBody frees a concurrency slot when the body is closed.
type releaseBody struct {
	io.ReadCloser
	release func()
	done    atomic.Bool
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	if b.done.CompareAndSwap(false, true) {
		b.release()
	}
	return err
}

// sameHost reports whether a and b are the same scheme, host and port:
// where the token may go.
func sameHost(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// shortURL is u without its query, for messages.
func shortURL(u *url.URL) string {
	v := *u
	v.RawQuery, v.ForceQuery = "", false
	return v.String()
}

func (c *Client) notFoundHint() string {
	if c.opt.Token == "" {
		return "if it is private, set HF_TOKEN"
	}
	return "check the id, and that the token in HF_TOKEN can read it"
}

// cachedError is the error a cached refusal stands for.
func cachedError(e cacheEntry) error {
	switch e.Status {
	case http.StatusNotFound:
		return fmt.Errorf("%w (cached answer)", ErrNotFound)
	case http.StatusForbidden:
		return fmt.Errorf("%w (cached answer)", ErrDisabled)
	}
	return nil
}

// mapStatus turns a non-retryable answer into an error, after
// huggingface_hub's hf_raise_for_status: X-Error-Code RepoNotFound,
// EntryNotFound or RevisionNotFound (and any 404) is not found, GatedRepo
// is gated, a 403 "Access to this resource is disabled." is a disabled
// repository; other 401 and 403 answers are credential problems. The Hub
// answers a private or missing repository 401 with RepoNotFound without a
// token and 404 with one.
func (c *Client) mapStatus(key string, u *url.URL, resp *http.Response, body []byte) error {
	se := c.statusError(u, resp, body)
	code := resp.StatusCode
	xcode := resp.Header.Get("X-Error-Code")
	remember := func(status int) {
		if key != "" {
			c.opt.Cache.put(key, c.tokenKey, cacheEntry{Status: status})
		}
	}
	switch {
	case xcode == "EntryNotFound" || xcode == "RevisionNotFound":
		remember(http.StatusNotFound)
		return fmt.Errorf("%w (%s: %s)", ErrNotFound, shortURL(u), se.Message)
	case code == http.StatusNotFound || xcode == "RepoNotFound":
		remember(http.StatusNotFound)
		return fmt.Errorf("%w (%s)", ErrNotFound, c.notFoundHint())
	case xcode == "GatedRepo":
		return fmt.Errorf("%w (%d: %s)", ErrGated, code, se.Message)
	case code == http.StatusForbidden && se.Message == disabledMessage:
		remember(http.StatusForbidden)
		return fmt.Errorf("%w (%s)", ErrDisabled, disabledMessage)
	case code == http.StatusUnauthorized && c.opt.Token == "":
		return fmt.Errorf("%w: the hub requires a token for this request; set HF_TOKEN (create one at %s/settings/tokens): %v", ErrAuth, c.base, se)
	case code == http.StatusUnauthorized:
		return fmt.Errorf("%w: the token in HF_TOKEN was rejected (invalid or expired; create one at %s/settings/tokens): %v", ErrAuth, c.base, se)
	case code == http.StatusForbidden:
		return fmt.Errorf("%w: the token in HF_TOKEN may not read this (403): %v", ErrAuth, se)
	}
	return se
}

// hubMessage is the Hub's error message: X-Error-Message, else the
// "error" of a JSON body, else the start of the body.
func hubMessage(resp *http.Response, body []byte) string {
	if msg := resp.Header.Get("X-Error-Message"); msg != "" {
		return msg
	}
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && len(e.Error) > 0 {
		var s string
		if json.Unmarshal(e.Error, &s) == nil {
			return s
		}
		var list []string
		if json.Unmarshal(e.Error, &list) == nil {
			return strings.Join(list, "; ")
		}
	}
	return snippet(body)
}

func (c *Client) statusError(u *url.URL, resp *http.Response, body []byte) *StatusError {
	return &StatusError{Method: http.MethodGet, URL: shortURL(u), Code: resp.StatusCode, Message: capString(hubMessage(resp, body), 300)}
}

// nextLink returns the rel="next" URL of a Link header, moved onto the
// client's endpoint (as huggingface_hub's fix_hf_endpoint_in_url does), so
// that the token never leaves for another host.
func (c *Client) nextLink(reqURL *url.URL, h http.Header) (string, error) {
	raw := parseLinkNext(h.Values("Link"))
	if raw == "" {
		return "", nil
	}
	ref, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("GET %s: bad Link header %q: %w", shortURL(reqURL), raw, err)
	}
	abs := reqURL.ResolveReference(ref)
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
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) ||
		strings.Contains(err.Error(), "connection reset")
}

// isUnreachable reports whether err says the host is not there: a name
// that does not resolve, a refused connection, no route.
func isUnreachable(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH)
}

// unreachableError is one short line: the host and the system's reason.
func unreachableError(u *url.URL, err error) error {
	reason := unwrapURLError(err).Error()
	var dns *net.DNSError
	var sys *os.SyscallError
	switch {
	case errors.As(err, &dns):
		reason = "cannot resolve " + dns.Name + ": " + dns.Err
	case errors.As(err, &sys):
		reason = sys.Err.Error()
	}
	return fmt.Errorf("%w %s://%s: %s", ErrUnreachable, u.Scheme, u.Host, reason)
}

// unwrapURLError drops the *url.Error wrapper, whose message repeats the
// whole URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
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
	return capString(string(bytes.TrimSpace(b[:min(len(b), 200)])), 120)
}

func capString(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
