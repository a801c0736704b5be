package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lineage-project/lineage/lineage/hub"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// --- fetch ---

func cmdFetch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("fetch", "(--up MODEL | --down MODEL | --author NAME | --search TEXT)... [-o FILE]", stderr)
	var up, down, authors, searches stringList
	fs.Var(&up, "up", "fetch `MODEL` and its ancestors up to their foundations (repeatable)")
	fs.Var(&down, "down", "fetch `MODEL` and its descendants: the models tagged base_model:MODEL, recursively (repeatable)")
	fs.Var(&authors, "author", "fetch every model of user or organisation `NAME` (repeatable)")
	fs.Var(&searches, "search", "fetch every model whose id contains `TEXT` (repeatable)")
	out := fs.String("o", "", "write the JSON Lines listing to `FILE` (.gz compresses); default stdout")
	depth := fs.Int("depth", 0, "with --down: at most `N` generations below the model (0: all)")
	ancestors := fs.Bool("with-ancestors", false, "also fetch the ancestors of every model fetched (for --author, --search, --down)")
	maxModels := fs.Int("max-models", 0, "stop after `N` models (0: no limit)")
	maxRequests := fs.Int("max-requests", 5000, "send at most `N` requests to the Hub in this run (0: no cap); a capped run resumes from the cache")
	concurrency := fs.Int("concurrency", 4, "at most `N` requests in flight")
	cacheDir := fs.String("cache", "", "cache Hub answers in `DIR` (default: the user cache directory, lineage/hub)")
	noCache := fs.Bool("no-cache", false, "neither read nor write the cache")
	cacheTTL := fs.Duration("cache-ttl", 24*time.Hour, "reuse cached answers younger than `D` (0: forever)")
	quiet := fs.Bool("quiet", false, "print no progress or summary on stderr")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("fetch takes no arguments; use --up MODEL, --down MODEL, --author NAME or --search TEXT")
	}
	if len(up)+len(down)+len(authors)+len(searches) == 0 {
		return usagef("fetch needs --up MODEL, --down MODEL, --author NAME or --search TEXT")
	}
	if *depth < 0 || *maxModels < 0 || *maxRequests < 0 || *concurrency < 1 {
		return usagef("--depth, --max-models and --max-requests must be >= 0, --concurrency >= 1")
	}
	for _, id := range append(append(stringList{}, up...), down...) {
		if _, _, problem := modelid.Normalize(id); problem != "" {
			return usagef("%q is not a Hub model id (want org/name)", id)
		}
	}

	opt := hub.EnvOptions(os.Getenv)
	opt.Concurrency, opt.MaxRequests = *concurrency, *maxRequests
	if !*noCache {
		dir := *cacheDir
		if dir == "" {
			base, err := os.UserCacheDir()
			if err != nil {
				return fmt.Errorf("fetch: no cache directory (%v); use --cache DIR or --no-cache", err)
			}
			dir = filepath.Join(base, "lineage", "hub")
		}
		if opt.Cache, err = hub.OpenCache(dir, *cacheTTL); err != nil {
			return fmt.Errorf("fetch: %w", err)
		}
	}
	var prog *fetchProgress
	if !*quiet && isTerminal(stderr) {
		prog = newFetchProgress(stderr)
		opt.OnWait = prog.wait
		defer prog.stop()
	}
	client, err := hub.NewClient(opt)
	if err != nil {
		return usagef("HF_ENDPOINT: %v", err)
	}
	f := &hub.Fetcher{API: client, Concurrency: *concurrency, MaxDepth: *depth, MaxModels: *maxModels}
	if prog != nil {
		f.Progress = func(p hub.Progress) { prog.update(p, client.Stats()) }
	}
	walkErr := func() error {
		for _, id := range up {
			if err := f.Up(ctx, id); err != nil {
				return fmt.Errorf("fetch --up %s: %w", id, err)
			}
		}
		for _, id := range down {
			if err := f.Down(ctx, id); err != nil {
				return fmt.Errorf("fetch --down %s: %w", id, err)
			}
		}
		for _, a := range authors {
			if err := f.List(ctx, hub.Query{Author: a}); err != nil {
				return fmt.Errorf("fetch --author %s: %w", a, err)
			}
		}
		for _, s := range searches {
			if err := f.List(ctx, hub.Query{Search: s}); err != nil {
				return fmt.Errorf("fetch --search %s: %w", s, err)
			}
		}
		if *ancestors {
			if err := f.WithAncestors(ctx); err != nil {
				return fmt.Errorf("fetch --with-ancestors: %w", err)
			}
		}
		return nil
	}()
	if prog != nil {
		prog.stop()
	}
	capped := errors.Is(walkErr, hub.ErrRequestCap)
	if walkErr != nil && !capped {
		if errors.Is(walkErr, hub.ErrAuth) || errors.Is(walkErr, hub.ErrNotFound) || errors.Is(walkErr, hub.ErrRateLimited) {
			return walkErr
		}
		return fmt.Errorf("%w (answers so far are cached; run the same command again to resume)", walkErr)
	}
	if f.Len() > 0 || walkErr == nil {
		if err := writeOutput(*out, stdout, f.WriteJSONL); err != nil {
			return fmt.Errorf("fetch: %w", err)
		}
	}
	st := client.Stats()
	if !*quiet {
		dest := *out
		if dest == "" {
			dest = "stdout"
		}
		fmt.Fprintf(stderr, "fetched %d models to %s (%d requests, %d answered from the cache, %d retried)\n", f.Len(), dest, st.Requests, st.CacheHits, st.Retries)
		if m := f.Missing(); len(m) > 0 {
			fmt.Fprintf(stderr, "note: %d parent(s) not on the Hub or not visible without a token (deleted, private or gated): %s\n", len(m), capList(m, 5))
		}
		if f.Truncated() {
			fmt.Fprintf(stderr, "note: stopped at --max-models %d; the listing is partial\n", *maxModels)
		}
		if n := f.Skipped(); n > 0 {
			fmt.Fprintf(stderr, "note: %d record(s) from the Hub had no valid model id and were left out\n", n)
		}
	}
	if capped {
		return fmt.Errorf("fetch: stopped at --max-requests %d after %d models; the listing written is partial. Run the same command again to resume (answers so far are cached), or raise --max-requests", *maxRequests, f.Len())
	}
	return nil
}

func capList(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:n], ", ") + fmt.Sprintf(" and %d more", len(s)-n)
}

// fetchProgress draws one status line on a terminal, at most ten times a
// second.
type fetchProgress struct {
	w       io.Writer
	mu      sync.Mutex
	last    time.Time
	waiting string
	shown   bool
}

func newFetchProgress(w io.Writer) *fetchProgress { return &fetchProgress{w: w} }

func (p *fetchProgress) update(pr hub.Progress, st hub.ClientStats) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond && pr.Pending > 0 {
		return
	}
	p.last = time.Now()
	line := fmt.Sprintf("fetch: %d models, %d pending, %d requests (%d cached, %d retried)", pr.Models, pr.Pending, st.Requests, st.CacheHits, st.Retries)
	if pr.Missing > 0 {
		line += fmt.Sprintf(", %d missing", pr.Missing)
	}
	if p.waiting != "" {
		line += "; " + p.waiting
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
	p.shown = true
}

func (p *fetchProgress) wait(d time.Duration, why string) {
	p.mu.Lock()
	p.waiting = fmt.Sprintf("%s: waiting %s", why, d.Round(100*time.Millisecond))
	p.mu.Unlock()
}

func (p *fetchProgress) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
