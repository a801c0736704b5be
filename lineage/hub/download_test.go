package hub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lineage-project/lineage/lineage/safefile"
)

// snapshot is a hub-stats-like dataset file: random bytes in LFS.
func snapshot(h *fakeHub, n int, seed uint64) []byte {
	data := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	h.addFile("datasets/cfahlgren1/hub-stats", "models.parquet", data, true)
	return data
}

var hubStats = FileRef{Type: "dataset", Repo: "cfahlgren1/hub-stats", Path: "models.parquet"}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// exists reports whether path exists.
func exists(path string) bool { _, err := os.Lstat(path); return err == nil }

func TestDownload(t *testing.T) {
	h, srv := newFakeHub(t, family)
	data := snapshot(h, 300_000, 1)
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Token = "hf_secret" })
	dst := filepath.Join(t.TempDir(), "models.parquet")
	var last int64
	d, err := c.Download(context.Background(), hubStats, dst, DownloadOptions{Progress: func(done, total int64) {
		if total != int64(len(data)) || done < last {
			t.Errorf("progress %d of %d after %d", done, total, last)
		}
		last = done
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(dst)
	if !bytes.Equal(got, data) || d.Size != int64(len(data)) || !d.Verified || d.SHA256 != sha(data) || d.ETag != sha(data) || d.Path != dst {
		t.Errorf("Download = %+v, %d bytes (equal %v), want the file, verified", d, len(got), bytes.Equal(got, data))
	}
	if last != int64(len(data)) {
		t.Errorf("progress ended at %d", last)
	}
	if d.Commit != "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00" {
		t.Errorf("commit %q", d.Commit)
	}
	// The hub got the token; the store it redirected to did not.
	if !slices.Equal(h.storeAuth, []string{""}) {
		t.Errorf("the store received Authorization %q, want one request without it", h.storeAuth)
	}
	if i := slices.IndexFunc(h.paths, func(p string) bool {
		return strings.HasPrefix(p, "/datasets/cfahlgren1/hub-stats/resolve/main/models.parquet")
	}); i < 0 || h.hubAuth[i] != "Bearer hf_secret" {
		t.Errorf("the resolve request did not carry the token (paths %q)", h.paths)
	}
	if exists(dst+".part") || exists(dst+".part.json") {
		t.Errorf("the .part file or its sidecar is left behind")
	}
	if fi, _ := os.Stat(dst); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want -rw-r--r--", fi.Mode())
	}
}

// A transfer cut off is resumed with a Range request within the run.
func TestDownloadResumesWithinRun(t *testing.T) {
	h, srv := newFakeHub(t, family)
	data := snapshot(h, 300_000, 2)
	f := h.files["datasets/cfahlgren1/hub-stats"]["models.parquet"]
	f.cutAfter, f.cuts = 100_000, 2
	c, _ := newTestClient(t, srv.URL, nil)
	dst := filepath.Join(t.TempDir(), "m.parquet")
	d, err := c.Download(context.Background(), hubStats, dst, DownloadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) || !d.Verified || d.Restarts != 0 {
		t.Errorf("Download after two cuts = %+v, want the file, verified, no restart", d)
	}
	want := []string{"/datasets/cfahlgren1/hub-stats/models.parquet", "/datasets/cfahlgren1/hub-stats/models.parquet bytes=100000-", "/datasets/cfahlgren1/hub-stats/models.parquet bytes=200000-"}
	for i := range h.storeReqs {
		h.storeReqs[i], _, _ = strings.Cut(h.storeReqs[i], ` "`) // drop If-Range
	}
	if !slices.Equal(h.storeReqs, want) {
		t.Errorf("store requests %q, want %q", h.storeReqs, want)
	}
	if st := c.Stats(); st.Retries != 2 {
		t.Errorf("stats %+v, want 2 retries", st)
	}
}

// A transfer that stalls is given up after IdleTimeout and resumed.
func TestDownloadStalled(t *testing.T) {
	h, srv := newFakeHub(t, family)
	data := snapshot(h, 300_000, 9)
	f := h.files["datasets/cfahlgren1/hub-stats"]["models.parquet"]
	f.cutAfter, f.cuts, f.stall = 100_000, 1, true
	c, _ := newTestClient(t, srv.URL, nil)
	var whys []string
	c.opt.OnWait = func(_ time.Duration, why string) { whys = append(whys, why) }
	dst := filepath.Join(t.TempDir(), "m.parquet")
	d, err := c.Download(context.Background(), hubStats, dst, DownloadOptions{IdleTimeout: 100 * time.Millisecond})
	if got, _ := os.ReadFile(dst); err != nil || !bytes.Equal(got, data) || !d.Verified {
		t.Fatalf("Download after a stall = %+v, %v", d, err)
	}
	// The stall is given up once and resumed where it stopped; on a
	// loaded machine a slow moment elsewhere may trip the 100 ms idle timer
	// again (each resumes where the file stands, and the result is checked
	// above), so only the first resumption's place is exact.
	if len(whys) < 1 || whys[0] != "no data for 100ms" || len(h.storeReqs) < 2 || !strings.Contains(h.storeReqs[1], "bytes=100000-") {
		t.Errorf("waits %q, store requests %q; want a retry after 100ms without data, resuming at 100000", whys, h.storeReqs)
	}
}

// A run cut off leaves FILE.part and its sidecar; the next run resumes.
func TestDownloadResumesAcrossRuns(t *testing.T) {
	h, srv := newFakeHub(t, family)
	data := snapshot(h, 300_000, 3)
	f := h.files["datasets/cfahlgren1/hub-stats"]["models.parquet"]
	f.cutAfter, f.cuts = 120_000, 1
	dst := filepath.Join(t.TempDir(), "m.parquet")
	once, _ := newTestClient(t, srv.URL, func(o *Options) { o.MaxRetries = -1 })
	if _, err := once.Download(context.Background(), hubStats, dst, DownloadOptions{}); err == nil {
		t.Fatal("a cut transfer without retries succeeded")
	}
	if fi, err := os.Stat(dst + ".part"); err != nil || fi.Size() != 120_000 || !exists(dst+".part.json") || exists(dst) {
		t.Fatalf("after a cut run: .part %v %v, sidecar %v, file %v; want 120000 bytes, a sidecar, no file", fi, err, exists(dst+".part.json"), exists(dst))
	}
	var notes []string
	c, _ := newTestClient(t, srv.URL, nil)
	d, err := c.Download(context.Background(), hubStats, dst, DownloadOptions{Note: func(s string) { notes = append(notes, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) || !d.Verified || d.Resumed != 120_000 || d.Restarts != 0 {
		t.Errorf("resumed Download = %+v, want the file, verified, 120000 bytes resumed", d)
	}
	if last := h.storeReqs[len(h.storeReqs)-1]; !strings.Contains(last, "bytes=120000-") || !strings.Contains(last, `"s3-`) {
		t.Errorf("resuming store request %q, want bytes=120000- with If-Range", last)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "resuming m.parquet.part at byte 120000") {
		t.Errorf("notes %q", notes)
	}
}

// A file that changed on the hub between runs (a new ETag) is downloaded
// again from the first byte.
func TestDownloadRestartsWhenChanged(t *testing.T) {
	h, srv := newFakeHub(t, family)
	snapshot(h, 300_000, 4)
	f := h.files["datasets/cfahlgren1/hub-stats"]["models.parquet"]
	f.cutAfter, f.cuts = 150_000, 1
	dst := filepath.Join(t.TempDir(), "m.parquet")
	once, _ := newTestClient(t, srv.URL, func(o *Options) { o.MaxRetries = -1 })
	once.Download(context.Background(), hubStats, dst, DownloadOptions{})
	if fi, err := os.Stat(dst + ".part"); err != nil || fi.Size() != 150_000 {
		t.Fatalf("no half .part after the cut run: %v", err)
	}
	newData := snapshot(h, 250_000, 5) // the next day's snapshot
	var notes []string
	c, _ := newTestClient(t, srv.URL, nil)
	d, err := c.Download(context.Background(), hubStats, dst, DownloadOptions{Note: func(s string) { notes = append(notes, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, newData) || !d.Verified || d.Restarts != 1 || d.ETag != sha(newData) {
		t.Errorf("Download after the file changed = %+v, want the new file, verified, one restart", d)
	}
	if last := h.storeReqs[len(h.storeReqs)-1]; last != "/datasets/cfahlgren1/hub-stats/models.parquet" {
		t.Errorf("last store request %q, want the whole file (no Range)", last)
	}
	if want := "the file changed on the hub (ETag " + sha(f.data) + ", now " + sha(newData) + "); starting over"; !slices.Contains(notes, want) {
		t.Errorf("notes %q do not say the file changed", notes)
	}
}

// A store that answers a resumed request with the whole file (its If-Range
// no longer matches) starts the transfer over.
func TestDownloadRangeIgnored(t *testing.T) {
	h, srv := newFakeHub(t, family)
	data := snapshot(h, 200_000, 6)
	f := h.files["datasets/cfahlgren1/hub-stats"]["models.parquet"]
	f.cutAfter, f.cuts = 50_000, 1
	dst := filepath.Join(t.TempDir(), "m.parquet")
	once, _ := newTestClient(t, srv.URL, func(o *Options) { o.MaxRetries = -1 })
	once.Download(context.Background(), hubStats, dst, DownloadOptions{})
	side, _ := os.ReadFile(dst + ".part.json")
	side = bytes.Replace(side, []byte(`"s3-`), []byte(`"stale-`), 1)
	os.WriteFile(dst+".part.json", side, 0o644)
	c, _ := newTestClient(t, srv.URL, nil)
	d, err := c.Download(context.Background(), hubStats, dst, DownloadOptions{})
	if got, _ := os.ReadFile(dst); err != nil || !bytes.Equal(got, data) || d.Restarts != 1 {
		t.Errorf("Download with a stale If-Range = %+v, %v; want the file after one restart", d, err)
	}
}

// Bytes that do not match X-Linked-Etag are an error; nothing is kept.
func TestDownloadChecksumMismatch(t *testing.T) {
	h, srv := newFakeHub(t, family)
	snapshot(h, 100_000, 7)
	h.files["datasets/cfahlgren1/hub-stats"]["models.parquet"].badSHA = true
	c, _ := newTestClient(t, srv.URL, nil)
	dst := filepath.Join(t.TempDir(), "m.parquet")
	_, err := c.Download(context.Background(), hubStats, dst, DownloadOptions{})
	if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), "X-Linked-Etag") {
		t.Errorf("Download of corrupted bytes = %v, want ErrChecksum", err)
	}
	if exists(dst) || exists(dst+".part") || exists(dst+".part.json") {
		t.Errorf("files left behind after a checksum mismatch")
	}
}

func TestDownloadTargets(t *testing.T) {
	h, srv := newFakeHub(t, family)
	data := snapshot(h, 10_000, 8)
	c, _ := newTestClient(t, srv.URL, nil)
	dir := t.TempDir()
	ctx := context.Background()

	// Through a symlink: the target is written, the link stays.
	real := filepath.Join(dir, "real.parquet")
	os.WriteFile(real, []byte("old"), 0o644)
	link := filepath.Join(dir, "link.parquet")
	os.Symlink("real.parquet", link)
	d, err := c.Download(ctx, hubStats, link, DownloadOptions{})
	if got, _ := os.ReadFile(real); err != nil || !bytes.Equal(got, data) || d.Path != real {
		t.Errorf("Download through a symlink: %v, wrote %s", err, d.Path)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced")
	}
	// A directory is refused.
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	if _, err := c.Download(ctx, hubStats, sub, DownloadOptions{}); !errors.Is(err, safefile.ErrNotRegular) || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("Download onto a directory = %v", err)
	}
	// To a writer.
	var buf bytes.Buffer
	if d, err := c.DownloadTo(ctx, hubStats, &buf, DownloadOptions{}); err != nil || !bytes.Equal(buf.Bytes(), data) || !d.Verified {
		t.Errorf("DownloadTo = %+v, %v", d, err)
	}
	// A file kept in git comes from the hub itself: its size is checked,
	// its ETag is no SHA-256.
	small := []byte(`{"small": true}`)
	h.addFile("datasets/cfahlgren1/hub-stats", "README.json", small, false)
	d, err = c.Download(ctx, FileRef{Type: "dataset", Repo: "cfahlgren1/hub-stats", Path: "README.json"}, filepath.Join(dir, "r.json"), DownloadOptions{})
	if got, _ := os.ReadFile(filepath.Join(dir, "r.json")); err != nil || !bytes.Equal(got, small) || d.Verified || d.Size != int64(len(small)) {
		t.Errorf("Download of a git file = %+v, %v", d, err)
	}
	// Missing files and repositories.
	if _, err := c.Download(ctx, FileRef{Type: "dataset", Repo: "cfahlgren1/hub-stats", Path: "nope.parquet"}, filepath.Join(dir, "n"), DownloadOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Download of a missing file = %v, want ErrNotFound", err)
	}
	if exists(filepath.Join(dir, "n")) {
		t.Errorf("a missing file left an output")
	}
}

func TestFileRefResolvePath(t *testing.T) {
	cases := []struct {
		ref  FileRef
		want string
	}{
		{FileRef{Type: "dataset", Repo: "cfahlgren1/hub-stats", Path: "models.parquet"}, "/datasets/cfahlgren1/hub-stats/resolve/main/models.parquet"},
		{FileRef{Repo: "org/m", Revision: "refs/pr/1", Path: "a b/c.gguf"}, "/org/m/resolve/refs%2Fpr%2F1/a%20b/c.gguf"},
		{FileRef{Type: "space", Repo: "o/s", Revision: "v1", Path: "app.py"}, "/spaces/o/s/resolve/v1/app.py"},
	}
	for _, c := range cases {
		if got, err := c.ref.resolvePath(); err != nil || got != c.want {
			t.Errorf("resolvePath(%v) = %q, %v; want %q", c.ref, got, err, c.want)
		}
	}
	for _, bad := range []FileRef{{Type: "bucket", Repo: "a/b", Path: "x"}, {Repo: "a/b"}, {Repo: "a/b", Path: "/etc/passwd"}} {
		if _, err := bad.resolvePath(); err == nil {
			t.Errorf("resolvePath(%v) accepted", bad)
		}
	}
}

func TestParseContentRange(t *testing.T) {
	cases := []struct {
		in               string
		start, end, size int64
		ok               bool
	}{
		{"bytes 0-99/200", 0, 99, 200, true},
		{"bytes 100-199/*", 100, 199, -1, true},
		{"bytes */200", -1, -1, 200, true},
		{"bytes 100-99/200", 0, 0, 0, false},
		{"bytes 0-200/200", 0, 0, 0, false},
		{"items 0-1/2", 0, 0, 0, false},
		{"bytes 0-1", 0, 0, 0, false},
	}
	for _, c := range cases {
		s, e, n, ok := parseContentRange(c.in)
		if ok != c.ok || ok && (s != c.start || e != c.end || n != c.size) {
			t.Errorf("parseContentRange(%q) = %d %d %d %v", c.in, s, e, n, ok)
		}
	}
}
