package hub

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rateLimit is what the Hub's RateLimit and RateLimit-Policy headers say
// (IETF draft-ietf-httpapi-ratelimit-headers, as the Hub's rate-limits
// page documents them):
//
//	RateLimit: "api";r=0;t=55
//	RateLimit-Policy: "fixed window";"api";q=500;w=300
//
// The Hub sends them on its answers, not only on a 429, and answers a 429
// with them instead of Retry-After.
type rateLimit struct {
	Bucket    string        // "api", "resolvers" or "pages"
	Remaining int           // r: requests left in the window
	Reset     time.Duration // t: until the window resets
	Quota     int           // q: requests per window; 0 when not sent
	Window    time.Duration // w: the window; 0 when not sent
}

// parseRateLimit reads the RateLimit headers of an answer. It accepts what
// huggingface_hub's utils/_http.py reads (a quoted bucket name, then r and
// t parameters; q and w from the policy), in any parameter order.
func parseRateLimit(h http.Header) (rateLimit, bool) {
	v := h.Get("RateLimit")
	if v == "" {
		return rateLimit{}, false
	}
	// Several buckets may be listed, comma-separated; the first with r and
	// t is the one this answer counted against.
	for _, item := range strings.Split(v, ",") {
		name, params := sfParams(item)
		r, rok := params["r"]
		t, tok := params["t"]
		if !rok || !tok {
			continue
		}
		rl := rateLimit{Bucket: name, Remaining: int(r), Reset: time.Duration(t) * time.Second}
		for _, item := range strings.Split(h.Get("RateLimit-Policy"), ",") {
			_, p := sfParams(item)
			if q, ok := p["q"]; ok {
				rl.Quota = int(q)
				rl.Window = time.Duration(p["w"]) * time.Second
				break
			}
		}
		return rl, true
	}
	return rateLimit{}, false
}

// sfParams splits one item of a structured header ("name";k=v;k=v, with
// any number of leading quoted names) into its last name and its numeric
// parameters. Values that are not non-negative integers are left out.
func sfParams(item string) (string, map[string]int64) {
	params := map[string]int64{}
	name := ""
	for _, part := range strings.Split(item, ";") {
		part = strings.TrimSpace(part)
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			name = strings.Trim(part, `"`)
			continue
		}
		n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(v), `"`), 10, 64)
		if err == nil && n >= 0 && n < 1<<31 {
			params[strings.ToLower(strings.TrimSpace(k))] = n
		}
	}
	return name, params
}

// bucketOf names the Hub rate-limit bucket a request to u counts against:
// file downloads (/resolve/) are "resolvers", the rest of the endpoint
// "api". The Hub's own headers name the bucket of each answer; this is the
// guess made before sending.
func bucketOf(path string) string {
	if strings.Contains(path, "/resolve/") {
		return "resolvers"
	}
	return "api"
}

// limiter paces requests under the Hub's rate limits, from what the
// RateLimit headers of earlier answers said. While a window has plenty
// left, requests go out at once (the Hub's windows allow bursts); once
// fewer than a tenth of the quota is left, the rest is spread evenly over
// what remains of the window; with nothing left, requests wait for the
// window to reset. Requests in flight count against what is left, so that
// concurrent requests do not all take the last one; at a reset the count
// starts again from the quota, when the policy told it.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	known     bool          // an answer told remaining and resetAt
	remaining int           // left in the window as of the latest answer
	inFlight  int           // requests sent and not yet answered
	resetAt   time.Time     // when the window resets
	quota     int           // per window; 0 when unknown
	window    time.Duration // 0 when unknown
	next      time.Time     // the earliest start of the next paced request
}

// lowWater is how many requests left make the limiter spread the rest.
func (b *bucket) lowWater() int {
	if b.quota > 0 {
		return max(b.quota/10, 4)
	}
	return 50
}

func (l *limiter) bucket(name string) *bucket {
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	b := l.buckets[name]
	if b == nil {
		b = &bucket{}
		l.buckets[name] = b
	}
	return b
}

// reserve counts one request in flight against bucket name and returns
// how long to wait before sending it. The caller calls done once the
// request is answered or failed.
func (l *limiter) reserve(name string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(name)
	if b.known && !now.Before(b.resetAt) {
		// The window reset: the quota is there again, if we know it.
		if b.quota > 0 && b.window > 0 {
			for !now.Before(b.resetAt) {
				b.resetAt = b.resetAt.Add(b.window)
			}
			b.remaining, b.next = b.quota, time.Time{}
		} else {
			b.known = false
		}
	}
	b.inFlight++
	if !b.known {
		return 0
	}
	left := b.remaining - (b.inFlight - 1) // what this request may take
	var d time.Duration
	switch {
	case left <= 0:
		// Wait for the reset; huggingface_hub waits one second past it
		// "to avoid rounding issues" (t is whole seconds).
		d = b.resetAt.Sub(now) + time.Second
	case left <= b.lowWater():
		step := b.resetAt.Sub(now) / time.Duration(left+1)
		start := now
		if b.next.After(start) {
			start = b.next
		}
		d = start.Sub(now)
		b.next = start.Add(step)
	}
	return d
}

// done records the end of a reserved request and, when it was answered
// with RateLimit headers (ok), what they say.
func (l *limiter) done(name string, rl rateLimit, ok bool, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.bucket(name); b.inFlight > 0 {
		b.inFlight--
	}
	if !ok {
		return
	}
	// The answer names the bucket it counted against (the guess may be
	// wrong).
	b := l.bucket(cmp.Or(rl.Bucket, name))
	resetAt := now.Add(rl.Reset)
	if rl.Quota > 0 {
		b.quota = rl.Quota
	}
	if rl.Window > 0 {
		b.window = rl.Window
	}
	// Answers of one window give resets that differ by latency and the
	// rounding of t to whole seconds; windows are a window apart. Half a
	// window (2 s when the policy is unknown) tells them apart.
	same := 2 * time.Second
	if b.window > 0 {
		same = b.window / 2
	}
	switch {
	case !b.known || resetAt.Sub(b.resetAt) > same:
		// A first answer, or one from a later window.
		b.known, b.remaining, b.resetAt, b.next = true, rl.Remaining, resetAt, time.Time{}
	case b.resetAt.Sub(resetAt) > same:
		// An answer from an earlier window, arriving late: stale.
	default:
		// The same window: answers arrive out of order; the lowest
		// count is the latest, and the earliest reset the closest (each
		// is now + t rounded up, no earlier than the true one).
		b.remaining = min(b.remaining, rl.Remaining)
		if resetAt.Before(b.resetAt) {
			b.resetAt = resetAt
		}
	}
}
