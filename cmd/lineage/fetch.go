package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lineage-project/lineage/lineage/hub"
	"github.com/lineage-project/lineage/lineage/modelid"
	"github.com/schollz/progressbar/v3"
)

// --- fetch ---

func cmdFetch(c *call) error {
	ctx, fs, stdout, stderr := c.ctx, c.fs, c.stdout, c.stderr
	var up, down, authors, searches stringList
	fs.Var(&up, "up", "fetch `MODEL` and its ancestors up to their foundations (repeatable)")
	fs.Var(&down, "down", "fetch `MODEL` and its descendants: the models tagged base_model:MODEL, recursively (repeatable)")
	fs.Var(&authors, "author", "fetch every model of user or organisation `NAME` (repeatable)")
	fs.Var(&searches, "search", "fetch every model whose id contains `TEXT` (repeatable)")
	out := fs.String("o", "", "write the JSON Lines listing to `FILE` (.gz compresses); default stdout. With --snapshot: the file (- for stdout)")
	depth := fs.Int("depth", 0, "with --down: at most `N` generations below the model (0: all)")
	ancestors := fs.Bool("with-ancestors", false, "also fetch the ancestors of every model fetched (for --author, --search, --down)")
	evidence := fs.Bool("evidence", false, "also read, for fetched models that declare no parent, the repository files that may name one (adapter_config.json, config.json, mergekit_config.yml, the header of the first .gguf; no weights) into each record's lineageEvidence")
	maxModels := fs.Int("max-models", 0, "stop after `N` models (0: no limit)")
	maxRequests := fs.Int("max-requests", 5000, "send at most `N` requests to the Hub in this run (0: no cap); a capped run resumes from the cache")
	concurrency := fs.Int("concurrency", 4, "at most `N` requests in flight")
	cacheDir := fs.String("cache", "", "cache Hub answers in `DIR` (default: the user cache directory, lineage/hub)")
	noCache := fs.Bool("no-cache", false, "neither read nor write the cache")
	cacheTTL := fs.Duration("cache-ttl", 24*time.Hour, "reuse cached answers younger than `D` (0: forever)")
	quiet := fs.Bool("quiet", false, "print no progress or summary on stderr")
	snapshot := fs.Bool("snapshot", false, "download a file of a Hub dataset instead (default the hub-stats models.parquet snapshot that --in reads), resuming a cut transfer and verifying its SHA-256")
	dataset := fs.String("dataset", "cfahlgren1/hub-stats", "with --snapshot: the dataset `REPO`")
	file := fs.String("file", "models.parquet", "with --snapshot: the file's `PATH` in the dataset")
	revision := fs.String("revision", "main", "with --snapshot: the branch, tag or commit `REV`")
	if err := c.parse(0, -1, ""); err != nil {
		return err
	}
	if len(c.pos) > 0 {
		return usagef("fetch takes no arguments; use --up MODEL, --down MODEL, --author NAME, --search TEXT or --snapshot")
	}
	snapshotOnly := map[string]bool{"dataset": true, "file": true, "revision": true}
	walkOnly := map[string]bool{"up": true, "down": true, "author": true, "search": true, "depth": true, "with-ancestors": true,
		"evidence": true, "max-models": true, "cache": true, "no-cache": true, "cache-ttl": true}
	var misplaced string
	fs.Visit(func(f *flag.Flag) {
		if *snapshot && walkOnly[f.Name] || !*snapshot && snapshotOnly[f.Name] {
			misplaced = f.Name
		}
	})
	if misplaced != "" && *snapshot {
		return usagef("--%s does not go with --snapshot", misplaced)
	}
	if misplaced != "" {
		return usagef("--%s goes with --snapshot", misplaced)
	}
	if *maxRequests < 0 || *concurrency < 1 {
		return usagef("--max-requests must be >= 0, --concurrency >= 1")
	}
	opt := hub.EnvOptions(os.Getenv)
	opt.Concurrency, opt.MaxRequests = *concurrency, *maxRequests
	if *snapshot {
		if *out == "" {
			return usagef("fetch --snapshot needs -o FILE (- for stdout)")
		}
		ref := hub.FileRef{Type: "dataset", Repo: *dataset, Revision: *revision, Path: *file}
		return fetchSnapshot(ctx, opt, ref, *out, *quiet, stdout, stderr)
	}
	if len(up)+len(down)+len(authors)+len(searches) == 0 {
		return usagef("fetch needs --up MODEL, --down MODEL, --author NAME, --search TEXT or --snapshot")
	}
	if *depth < 0 || *maxModels < 0 {
		return usagef("--depth and --max-models must be >= 0")
	}
	for _, id := range append(append(stringList{}, up...), down...) {
		if _, _, problem := modelid.Normalize(id); problem != "" {
			return usagef("%q is not a Hub model id (want org/name)", id)
		}
	}

	if !*noCache {
		dir := *cacheDir
		if dir == "" {
			base, err := os.UserCacheDir()
			if err != nil {
				return fmt.Errorf("fetch: no cache directory (%v); use --cache DIR or --no-cache", err)
			}
			dir = filepath.Join(base, "lineage", "hub")
		}
		var err error
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
		if *evidence {
			if err := f.Evidence(ctx, client); err != nil {
				return fmt.Errorf("fetch --evidence: %w", err)
			}
		}
		return nil
	}()
	if prog != nil {
		prog.stop()
	}
	capped := errors.Is(walkErr, hub.ErrRequestCap)
	if walkErr != nil && !capped {
		switch {
		case errors.Is(walkErr, hub.ErrUnreachable):
			return fmt.Errorf("%w; check HF_ENDPOINT and the network", walkErr)
		case errors.Is(walkErr, hub.ErrAuth), errors.Is(walkErr, hub.ErrNotFound), errors.Is(walkErr, hub.ErrDisabled),
			errors.Is(walkErr, hub.ErrRateLimited), errors.Is(walkErr, context.Canceled), opt.Cache == nil:
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
		fmt.Fprintf(stderr, "fetched %d models to %s (%d requests, %d answered from the cache, %d retried, %d paced under the rate limit)\n", f.Len(), dest, st.Requests, st.CacheHits, st.Retries, st.Paced)
		if m := f.Missing(); len(m) > 0 {
			fmt.Fprintf(stderr, "note: %d parent(s) not on the Hub or not visible without a token (deleted or private): %s\n", len(m), capList(m, 5))
		}
		if m := f.Disabled(); len(m) > 0 {
			fmt.Fprintf(stderr, "note: %d parent(s) disabled on the Hub (they exist but cannot be read): %s\n", len(m), capList(m, 5))
		}
		if a := f.Aliases(); len(a) > 0 {
			var pairs []string
			for _, x := range a {
				pairs = append(pairs, x.Old+" -> "+x.New)
			}
			fmt.Fprintf(stderr, "note: %d model(s) renamed on the Hub, written under the new id with the old in lineageAliases: %s\n", len(a), capList(pairs, 5))
		}
		if *evidence {
			es := f.EvidenceStats()
			fmt.Fprintf(stderr, "evidence: %d models without a declared parent, %d files read (%s), %d models with %d facts in lineageEvidence\n",
				es.Models, es.Files, byteSize(es.Bytes), es.WithFacts, es.Facts)
			if es.Failed > 0 {
				fmt.Fprintf(stderr, "note: %d evidence file(s) could not be read and were skipped: %s\n", es.Failed, capList(es.Problems, 3))
			}
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

// fetchSnapshot downloads one file of a Hub dataset to out (- for stdout),
// with a progress bar on a terminal.
func fetchSnapshot(ctx context.Context, opt hub.Options, ref hub.FileRef, out string, quiet bool, stdout, stderr io.Writer) error {
	var bar *progressbar.ProgressBar
	dopt := hub.DownloadOptions{}
	if !quiet {
		dopt.Note = func(msg string) { fmt.Fprintf(stderr, "note: %s\n", msg) }
		opt.OnWait = func(d time.Duration, why string) {
			fmt.Fprintf(stderr, "note: %s; waiting %s\n", why, d.Round(100*time.Millisecond))
		}
	}
	if !quiet && isTerminal(stderr) {
		dopt.Progress = func(done, total int64) {
			if bar == nil {
				bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(stderr), progressbar.OptionShowBytes(true),
					progressbar.OptionSetDescription(path.Base(ref.Path)), progressbar.OptionThrottle(100*time.Millisecond),
					progressbar.OptionClearOnFinish())
			}
			bar.Set64(done)
		}
		dopt.Note = func(msg string) {
			if bar != nil {
				bar.Clear()
			}
			fmt.Fprintf(stderr, "note: %s\n", msg)
		}
	}
	client, err := hub.NewClient(opt)
	if err != nil {
		return usagef("HF_ENDPOINT: %v", err)
	}
	var d hub.Downloaded
	if out == "-" {
		bw := bufio.NewWriterSize(stdout, 1<<20)
		d, err = client.DownloadTo(ctx, ref, bw, dopt)
		if ferr := bw.Flush(); err == nil && ferr != nil {
			err = fmt.Errorf("write stdout: %w", ferr)
		}
	} else {
		d, err = client.Download(ctx, ref, out, dopt)
	}
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		if errors.Is(err, hub.ErrUnreachable) {
			return fmt.Errorf("fetch --snapshot: %w; check HF_ENDPOINT and the network", err)
		}
		if out != "-" && !errors.Is(err, hub.ErrChecksum) && !errors.Is(err, hub.ErrNotFound) && !errors.Is(err, hub.ErrAuth) {
			return fmt.Errorf("fetch --snapshot: %w (what arrived is kept in %s.part; run the same command again to resume)", err, out)
		}
		return fmt.Errorf("fetch --snapshot: %w", err)
	}
	if !quiet {
		check := "size checked"
		if d.Verified {
			check = "SHA-256 verified"
		}
		dest := d.Path
		if out == "-" {
			dest = "stdout"
		}
		msg := fmt.Sprintf("downloaded %s to %s (%s, %s", ref, dest, byteSize(d.Size), check)
		if d.Commit != "" {
			msg += ", commit " + d.Commit[:min(len(d.Commit), 12)]
		}
		if d.Resumed > 0 {
			msg += fmt.Sprintf(", resumed at %s", byteSize(d.Resumed))
		}
		fmt.Fprintln(stderr, msg+")")
	}
	return nil
}

// byteSize writes n bytes in B, KiB, MiB or GiB.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
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
