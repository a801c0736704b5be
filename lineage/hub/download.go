package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lineage-project/lineage/lineage/safefile"
)

// ErrChecksum marks a download whose bytes do not match the size or the
// SHA-256 the Hub gave for the file.
var ErrChecksum = errors.New("download does not match the hub's checksum")

// FileRef names a file in a Hub repository.
type FileRef struct {
	// Type is "model" (or ""), "dataset" or "space".
	Type string
	// Repo is the repository id, org/name.
	Repo string
	// Revision is a branch, tag or commit; default "main".
	Revision string
	// Path is the file's path in the repository.
	Path string
}

// String names the file as REPO@REVISION:PATH, with the repository type
// first unless it is a model.
func (r FileRef) String() string {
	rev := r.Revision
	if rev == "" {
		rev = "main"
	}
	kind := ""
	if r.Type != "" && r.Type != "model" {
		kind = r.Type + " "
	}
	return fmt.Sprintf("%s%s@%s:%s", kind, r.Repo, rev, r.Path)
}

// resolvePath is the file's resolve route: [/datasets|/spaces]/REPO/
// resolve/REVISION/PATH, the revision escaped whole (refs/pr/1 ->
// refs%2Fpr%2F1), as huggingface_hub's hf_hub_url writes it.
func (r FileRef) resolvePath() (string, error) {
	prefix := ""
	switch r.Type {
	case "", "model":
	case "dataset":
		prefix = "/datasets"
	case "space":
		prefix = "/spaces"
	default:
		return "", fmt.Errorf("repository type %q: want model, dataset or space", r.Type)
	}
	if r.Repo == "" || r.Path == "" || strings.HasPrefix(r.Path, "/") {
		return "", fmt.Errorf("file %s: want a repository and a relative path", r)
	}
	rev := r.Revision
	if rev == "" {
		rev = "main"
	}
	return prefix + "/" + repoPath(r.Repo) + "/resolve/" + url.PathEscape(rev) + "/" + repoPath(r.Path), nil
}

// DownloadOptions configures Download and DownloadTo.
type DownloadOptions struct {
	// Progress, when set, is called as bytes arrive with the bytes so far
	// and the file's size (-1 when unknown).
	Progress func(done, total int64)
	// Note, when set, is told when a transfer resumes or starts over, and
	// why.
	Note func(msg string)
	// IdleTimeout gives up a transfer attempt that receives nothing for
	// this long (it is retried); default 60 s.
	IdleTimeout time.Duration
}

// Downloaded describes a finished download.
type Downloaded struct {
	Path     string // the file written (the target of a symlink); "" for DownloadTo
	Size     int64
	SHA256   string // of the bytes written, hex
	Verified bool   // SHA256 equals the SHA-256 the Hub gave (X-Linked-Etag of an LFS file)
	ETag     string // the Hub's ETag for the file (X-Linked-Etag for LFS files), unquoted
	Commit   string // the commit the revision resolved to (X-Repo-Commit), when sent
	Resumed  int64  // bytes kept from an earlier run's .part file
	Restarts int    // transfers started over from the first byte
	Attempts int    // requests for the file's bytes
}

// sidecar is what FILE.part.json keeps beside a partial download, so that
// the next run resumes it only if the file on the Hub is still the same.
type sidecar struct {
	URL        string `json:"url"`
	ETag       string `json:"etag"`
	Size       int64  `json:"size"`
	Commit     string `json:"commit,omitempty"`
	TargetHost string `json:"target_host,omitempty"`
	TargetETag string `json:"target_etag,omitempty"`
}

// sink receives a download's bytes.
type sink interface {
	io.Writer
	// restart drops every byte written, or says why it cannot.
	restart() error
	// saveState records the transfer's identity (a no-op for streams).
	saveState(sidecar) error
}

// Download downloads a file of the Hub to path, as huggingface_hub's
// hf_hub_download fetches a file, and returns what it wrote:
//
//   - GET ENDPOINT/[datasets/]REPO/resolve/REV/PATH with the token; the
//     Hub answers an LFS file with a redirect to its file store (a CDN or
//     the Xet bridge), which is followed without the token (the token goes
//     to the endpoint's host only), and relative redirects (a renamed
//     repository) on the endpoint with it;
//   - the bytes go to PATH.part, beside a small PATH.part.json holding the
//     Hub's ETag (X-Linked-Etag for LFS files) and size (X-Linked-Size); a
//     transfer cut off is resumed with a Range request, within the run
//     (Options.MaxRetries attempts without progress) and by the next run,
//     unless the ETag or size changed, when it starts over from the first
//     byte (a server that ignores the Range, or an If-Range that no longer
//     matches, restarts it as well);
//   - the size and, for LFS files (whose X-Linked-Etag is the SHA-256 of
//     the content), the SHA-256 are verified: a mismatch removes the
//     partial file and returns an error wrapping ErrChecksum;
//   - the file is synced and renamed into place. A path that is a symlink
//     writes to its target; a path that is not a regular file (a
//     directory, a device) is refused.
//
// Two runs writing the same path at once are not guarded against.
func (c *Client) Download(ctx context.Context, ref FileRef, path string, opt DownloadOptions) (Downloaded, error) {
	target, err := safefile.Target(path)
	if err != nil {
		return Downloaded{}, fmt.Errorf("download to %s: %w", path, err)
	}
	if _, err := os.Stat(filepath.Dir(target)); err != nil {
		return Downloaded{}, fmt.Errorf("download to %s: %w", path, err)
	}
	rp, err := ref.resolvePath()
	if err != nil {
		return Downloaded{}, err
	}
	resolveURL := c.base.String() + rp
	part, meta := target+".part", target+".part.json"
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return Downloaded{}, fmt.Errorf("download %s: %w", ref, err)
	}
	defer f.Close()
	fsink := &fileSink{f: f, meta: meta}
	st := newTransfer(opt)
	// An earlier run's .part is kept only when its sidecar names the same
	// file; its bytes are hashed again to continue the checksum.
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
		prev, ok := readSidecar(meta)
		switch {
		case !ok || prev.URL != resolveURL:
			st.note(fmt.Sprintf("%s has no record of what it holds; starting over", filepath.Base(part)))
			err = fsink.restart()
		case prev.Size >= 0 && fi.Size() > prev.Size:
			st.note(fmt.Sprintf("%s is longer than the file; starting over", filepath.Base(part)))
			err = fsink.restart()
		default:
			if _, err = io.Copy(st.hash, io.NewSectionReader(f, 0, fi.Size())); err == nil {
				_, err = f.Seek(fi.Size(), io.SeekStart)
			}
			st.offset, st.id, st.resumed = fi.Size(), prev, fi.Size()
			st.note(fmt.Sprintf("resuming %s at byte %d", filepath.Base(part), fi.Size()))
		}
		if err != nil {
			return Downloaded{}, fmt.Errorf("download %s: %s: %w", ref, part, err)
		}
	}
	d, err := c.transfer(ctx, resolveURL, fsink, st)
	if errors.Is(err, ErrChecksum) {
		f.Close()
		os.Remove(part)
		os.Remove(meta)
	}
	if err != nil {
		return d, fmt.Errorf("download %s: %w", ref, err)
	}
	if err := f.Sync(); err != nil {
		return d, fmt.Errorf("download %s: %s: %w", ref, part, err)
	}
	if err := f.Close(); err != nil {
		return d, fmt.Errorf("download %s: %s: %w", ref, part, err)
	}
	if err := os.Rename(part, target); err != nil {
		return d, fmt.Errorf("download %s: %w", ref, err)
	}
	syncDir(filepath.Dir(target))
	os.Remove(meta)
	d.Path = target
	return d, nil
}

// DownloadTo downloads a file of the Hub to w, as Download does, without
// the .part file: a transfer cut off resumes within the run, but a file
// that changed mid-way (or bytes that fail verification after being
// written) is an error.
func (c *Client) DownloadTo(ctx context.Context, ref FileRef, w io.Writer, opt DownloadOptions) (Downloaded, error) {
	rp, err := ref.resolvePath()
	if err != nil {
		return Downloaded{}, err
	}
	d, err := c.transfer(ctx, c.base.String()+rp, &streamSink{w: w}, newTransfer(opt))
	if err != nil {
		return d, fmt.Errorf("download %s: %w", ref, err)
	}
	return d, nil
}

// transfer is the state of one download.
type transfer struct {
	opt      DownloadOptions
	offset   int64 // bytes written
	hash     hash.Hash
	id       sidecar // what the bytes so far are part of
	resumed  int64
	restarts int
	attempts int
}

func newTransfer(opt DownloadOptions) *transfer {
	if opt.IdleTimeout <= 0 {
		opt.IdleTimeout = 60 * time.Second
	}
	return &transfer{opt: opt, hash: sha256.New(), id: sidecar{Size: -1}}
}

func (t *transfer) note(msg string) {
	if t.opt.Note != nil {
		t.opt.Note(msg)
	}
}

func (t *transfer) restart(s sink, why string) error {
	if t.offset == 0 {
		return nil
	}
	if err := s.restart(); err != nil {
		return fmt.Errorf("%s, and %w", why, err)
	}
	t.note(why + "; starting over")
	t.offset, t.restarts = 0, t.restarts+1
	t.hash.Reset()
	return nil
}

// transfer runs the requests of a download into s.
func (c *Client) transfer(ctx context.Context, resolveURL string, s sink, t *transfer) (Downloaded, error) {
	result := func() Downloaded {
		return Downloaded{Size: t.offset, SHA256: hex.EncodeToString(t.hash.Sum(nil)), ETag: t.id.ETag, Commit: t.id.Commit,
			Resumed: t.resumed, Restarts: t.restarts, Attempts: t.attempts}
	}
	stalls := 0 // attempts in a row without a byte received
	for {
		done, progressed, retryWhy, err := c.attempt(ctx, resolveURL, s, t)
		if err != nil {
			return result(), err
		}
		if done {
			break
		}
		if progressed {
			stalls = 0
		}
		if stalls >= c.opt.MaxRetries || c.opt.MaxRetries < 0 {
			return result(), fmt.Errorf("after %d retries: %s", stalls, retryWhy.why)
		}
		wait := retryWhy.wait
		if wait <= 0 {
			wait = c.backoff(stalls)
		}
		stalls++
		if err := c.wait(ctx, wait, retryWhy.why); err != nil {
			return result(), err
		}
		c.retries.Add(1)
	}
	d := result()
	if t.id.Size >= 0 && t.offset != t.id.Size {
		return d, fmt.Errorf("%w: %d bytes received, the hub gave the size as %d", ErrChecksum, t.offset, t.id.Size)
	}
	if isSHA256(t.id.ETag) {
		if d.SHA256 != strings.ToLower(t.id.ETag) {
			return d, fmt.Errorf("%w: SHA-256 %s, the hub gave %s (X-Linked-Etag)", ErrChecksum, d.SHA256, t.id.ETag)
		}
		d.Verified = true
	}
	return d, nil
}

// retryNote says why an attempt is retried and, when the Hub said, how
// long to wait.
type retryNote struct {
	why  string
	wait time.Duration
}

// attempt resolves the file on the Hub and reads its bytes from t.offset
// on. It returns done when every byte is there, progressed when bytes
// arrived, why to retry when the attempt failed in a way worth retrying,
// and an error when the download must stop.
func (c *Client) attempt(ctx context.Context, resolveURL string, s sink, t *transfer) (done, progressed bool, retry retryNote, err error) {
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	idle := time.AfterFunc(t.opt.IdleTimeout, cancel)
	defer idle.Stop()
	// stalled reports whether a failure is the idle timer's doing (the
	// attempt's context ended, the caller's did not).
	stalled := func() (retryNote, bool) {
		if actx.Err() != nil && ctx.Err() == nil {
			return retryNote{why: fmt.Sprintf("no data for %s", t.opt.IdleTimeout)}, true
		}
		return retryNote{}, false
	}

	// The Hub: follow its own redirects; stop at one to another host.
	cur, _ := url.Parse(resolveURL)
	hdr := http.Header{}
	if t.offset > 0 {
		hdr.Set("Range", fmt.Sprintf("bytes=%d-", t.offset))
		if t.id.ETag != "" {
			hdr.Set("If-Range", strconv.Quote(t.id.ETag))
		}
	}
	var resp *http.Response
	var hubHeader http.Header
	for hops := 0; ; hops++ {
		if hops > 10 {
			return false, false, retryNote{}, fmt.Errorf("GET %s: more than 10 redirects", shortURL(cur))
		}
		t.attempts++
		resp, err = c.send(actx, c.stream, cur, hdr)
		if err != nil {
			return c.transportFailure(ctx, stalled, cur, err)
		}
		idle.Reset(t.opt.IdleTimeout)
		if !isRedirect(resp.StatusCode) {
			hubHeader = resp.Header
			break
		}
		loc := resp.Header.Get("Location")
		resp.Body.Close()
		next, perr := cur.Parse(loc)
		if loc == "" || perr != nil {
			return false, false, retryNote{}, fmt.Errorf("GET %s: %d without a usable Location", shortURL(cur), resp.StatusCode)
		}
		if !sameHost(next, c.base) {
			// The file store: the Hub's headers on this redirect name the file.
			hubHeader = resp.Header
			if err := c.identify(s, t, resolveURL, hubHeader, nil); err != nil {
				return false, false, retryNote{}, err
			}
			if t.id.Size >= 0 && t.offset == t.id.Size {
				return true, false, retryNote{}, nil
			}
			resp, err = c.fromStore(actx, next, t)
			if err != nil {
				return c.transportFailure(ctx, stalled, next, err)
			}
			idle.Reset(t.opt.IdleTimeout)
			cur = next
			break
		}
		cur = next
	}
	defer resp.Body.Close()

	switch code := resp.StatusCode; {
	case code == http.StatusOK || code == http.StatusPartialContent:
		if sameHost(cur, c.base) {
			// The Hub serves the bytes itself (a file kept in git).
			if err := c.identify(s, t, resolveURL, hubHeader, resp); err != nil {
				return false, false, retryNote{}, err
			}
		}
		if code == http.StatusOK && t.offset > 0 {
			if err := t.restart(s, "the server sent the whole file instead of the range asked"); err != nil {
				return false, false, retryNote{}, err
			}
		}
		if code == http.StatusPartialContent {
			start, _, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
			if !ok || start != t.offset || (t.id.Size >= 0 && total >= 0 && total != t.id.Size) {
				if err := t.restart(s, fmt.Sprintf("the server sent range %q for bytes=%d-", resp.Header.Get("Content-Range"), t.offset)); err != nil {
					return false, false, retryNote{}, err
				}
				return false, false, retryNote{why: "unexpected range"}, nil
			}
		}
		if v := resp.Header.Get("ETag"); !sameHost(cur, c.base) && strongETag(v) && t.id.TargetETag != v {
			t.id.TargetHost, t.id.TargetETag = cur.Host, v
			if err := s.saveState(t.id); err != nil {
				return false, false, retryNote{}, err
			}
		}
		n, complete, err := t.copy(s, resp.Body, idle)
		progressed = n > 0
		if err != nil {
			var we writeError
			if errors.As(err, &we) {
				return false, progressed, retryNote{}, we.err
			}
			if errors.Is(err, ErrChecksum) {
				return false, progressed, retryNote{}, err
			}
			if r, ok := stalled(); ok {
				return false, progressed, r, nil
			}
			if ctx.Err() != nil {
				return false, progressed, retryNote{}, ctx.Err()
			}
			return false, progressed, retryNote{why: "transfer cut off: " + err.Error()}, nil
		}
		if !complete {
			return false, progressed, retryNote{why: fmt.Sprintf("transfer cut off at byte %d of %d", t.offset, t.id.Size)}, nil
		}
		return true, progressed, retryNote{}, nil
	case code == http.StatusRequestedRangeNotSatisfiable:
		_, _, total, _ := parseContentRange(resp.Header.Get("Content-Range"))
		if t.id.Size >= 0 && t.offset == t.id.Size || total >= 0 && t.offset == total {
			return true, false, retryNote{}, nil
		}
		if err := t.restart(s, fmt.Sprintf("the server has no byte %d", t.offset)); err != nil {
			return false, false, retryNote{}, err
		}
		return false, false, retryNote{why: "range not satisfiable"}, nil
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500 ||
		(code == http.StatusForbidden && !sameHost(cur, c.base)): // an expired signed URL of the store
		wait, why, err := c.statusWait(resp, 0)
		if err != nil {
			return false, false, retryNote{}, err
		}
		if code != http.StatusTooManyRequests {
			wait = 0 // the caller's backoff
		}
		return false, false, retryNote{why: why, wait: wait}, nil
	default:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return false, false, retryNote{}, c.mapStatus("", cur, resp, body)
	}
}

// transportFailure classifies a failed request of a download.
func (c *Client) transportFailure(ctx context.Context, stalled func() (retryNote, bool), u *url.URL, err error) (bool, bool, retryNote, error) {
	if errors.Is(err, ErrRequestCap) {
		return false, false, retryNote{}, err
	}
	if isUnreachable(err) {
		return false, false, retryNote{}, unreachableError(u, err)
	}
	if r, ok := stalled(); ok {
		return false, false, r, nil
	}
	if ctx.Err() != nil {
		return false, false, retryNote{}, ctx.Err()
	}
	if !retryable(err) {
		return false, false, retryNote{}, fmt.Errorf("GET %s: %w", shortURL(u), unwrapURLError(err))
	}
	return false, false, retryNote{why: "network error: " + unwrapURLError(err).Error()}, nil
}

// fromStore asks the file store for the bytes from t.offset on, without
// the token, following its redirects.
func (c *Client) fromStore(ctx context.Context, u *url.URL, t *transfer) (*http.Response, error) {
	hdr := http.Header{}
	if t.offset > 0 {
		hdr.Set("Range", fmt.Sprintf("bytes=%d-", t.offset))
		if t.id.TargetETag != "" && t.id.TargetHost == u.Host {
			hdr.Set("If-Range", t.id.TargetETag)
		}
	}
	for hops := 0; hops <= 10; hops++ {
		t.attempts++
		resp, err := c.send(ctx, c.stream, u, hdr)
		if err != nil || !isRedirect(resp.StatusCode) {
			return resp, err
		}
		loc := resp.Header.Get("Location")
		resp.Body.Close()
		if u, err = u.Parse(loc); loc == "" || err != nil {
			return nil, fmt.Errorf("GET %s: redirect without a usable Location", shortURL(u))
		}
	}
	return nil, fmt.Errorf("GET %s: more than 10 redirects", shortURL(u))
}

// identify reads the file's identity from the Hub's answer (h: the
// redirect's headers, or those of the answer carrying the bytes, resp) and
// starts over when it differs from the bytes already written.
func (c *Client) identify(s sink, t *transfer, resolveURL string, h http.Header, resp *http.Response) error {
	id := sidecar{URL: resolveURL, Size: -1, Commit: h.Get("X-Repo-Commit")}
	id.ETag = normalizeETag(h.Get("X-Linked-Etag"))
	if id.ETag == "" {
		id.ETag = normalizeETag(h.Get("ETag"))
	}
	if n, err := strconv.ParseInt(h.Get("X-Linked-Size"), 10, 64); err == nil && n >= 0 {
		id.Size = n
	} else if resp != nil {
		if resp.StatusCode == http.StatusPartialContent {
			if _, _, total, ok := parseContentRange(resp.Header.Get("Content-Range")); ok {
				id.Size = total
			}
		} else if resp.ContentLength >= 0 && resp.Header.Get("Content-Encoding") == "" {
			id.Size = resp.ContentLength
		}
	}
	changed := ""
	switch {
	case t.offset == 0:
	case t.id.ETag != "" && id.ETag != "" && t.id.ETag != id.ETag:
		changed = fmt.Sprintf("the file changed on the hub (ETag %s, now %s)", t.id.ETag, id.ETag)
	case t.id.Size >= 0 && id.Size >= 0 && t.id.Size != id.Size:
		changed = fmt.Sprintf("the file changed on the hub (size %d, now %d)", t.id.Size, id.Size)
	case id.Size >= 0 && t.offset > id.Size:
		changed = fmt.Sprintf("%d bytes written of a %d-byte file", t.offset, id.Size)
	}
	if changed != "" {
		if err := t.restart(s, changed); err != nil {
			return err
		}
	}
	if t.id.TargetHost != "" && changed == "" {
		id.TargetHost, id.TargetETag = t.id.TargetHost, t.id.TargetETag
	}
	t.id = id
	return s.saveState(id)
}

// writeError marks a failure to write the download, which is not retried.
type writeError struct{ err error }

func (e writeError) Error() string { return e.err.Error() }

// copy moves the body into s, hashing and counting; it returns the bytes
// copied and whether the file is complete (by its known size, or the end
// of a body of unknown size).
func (t *transfer) copy(s sink, body io.Reader, idle *time.Timer) (int64, bool, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		k, rerr := body.Read(buf)
		if k > 0 {
			idle.Reset(t.opt.IdleTimeout)
			if t.id.Size >= 0 && t.offset+int64(k) > t.id.Size {
				return n, false, fmt.Errorf("%w: the server sent more than the %d bytes the hub gave as the size", ErrChecksum, t.id.Size)
			}
			if _, err := s.Write(buf[:k]); err != nil {
				return n, false, writeError{err}
			}
			t.hash.Write(buf[:k])
			t.offset += int64(k)
			n += int64(k)
			if t.opt.Progress != nil {
				t.opt.Progress(t.offset, t.id.Size)
			}
		}
		if rerr == io.EOF {
			return n, t.id.Size < 0 || t.offset == t.id.Size, nil
		}
		if rerr != nil {
			return n, false, rerr
		}
	}
}

// normalizeETag strips a weak marker and quotes, as huggingface_hub's
// _normalize_etag does.
func normalizeETag(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "W/")
	return strings.Trim(v, `"`)
}

// strongETag reports whether v is a strong entity tag, usable in If-Range.
func strongETag(v string) bool {
	return len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"'
}

// isSHA256 reports whether an ETag is a SHA-256 in hex: the X-Linked-Etag
// of an LFS file.
func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// fileSink writes into a .part file and keeps its sidecar.
type fileSink struct {
	f    *os.File
	meta string
}

func (s *fileSink) Write(p []byte) (int, error) { return s.f.Write(p) }

func (s *fileSink) restart() error {
	if err := s.f.Truncate(0); err != nil {
		return err
	}
	_, err := s.f.Seek(0, io.SeekStart)
	return err
}

func (s *fileSink) saveState(id sidecar) error {
	b, _ := json.Marshal(id)
	tmp := s.meta + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return writeError{err}
	}
	if err := os.Rename(tmp, s.meta); err != nil {
		return writeError{err}
	}
	return nil
}

func readSidecar(path string) (sidecar, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return sidecar{}, false
	}
	var id sidecar
	if json.Unmarshal(b, &id) != nil || id.URL == "" {
		return sidecar{}, false
	}
	return id, true
}

// streamSink writes to a stream, which cannot take bytes back.
type streamSink struct {
	w       io.Writer
	written bool
}

func (s *streamSink) Write(p []byte) (int, error) {
	s.written = s.written || len(p) > 0
	return s.w.Write(p)
}

func (s *streamSink) restart() error {
	if s.written {
		return errors.New("the bytes already written to the output cannot be taken back; run again")
	}
	return nil
}

func (s *streamSink) saveState(sidecar) error { return nil }

// syncDir makes a rename in dir durable; filesystems that cannot sync a
// directory are left as they are.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
