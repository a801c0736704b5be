package hub

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/lineage-project/lineage/lineage/safefile"
)

// Cache keeps Hub answers on disk, one file per request URL (and token
// identity), so that a fetch cut short resumes from where it stopped: the
// pages and records it already has are read back instead of asked for
// again. Entries older than MaxAge are ignored. Writes are atomic
// (temporary file and rename), so an interrupted run never leaves a torn
// entry. A nil *Cache caches nothing.
type Cache struct {
	dir         string
	maxAge      time.Duration
	now         func() time.Time
	writeErrors atomic.Int64 // entries that could not be written (see WriteErrors)
}

// WriteErrors returns how many entries could not be written (a full disk,
// a read-only directory): each costs a request on a later run, nothing
// more.
func (c *Cache) WriteErrors() int64 {
	if c == nil {
		return 0
	}
	return c.writeErrors.Load()
}

// OpenCache opens (creating it when needed) a cache in dir whose entries
// stay valid for maxAge (0 or less: forever).
func OpenCache(dir string, maxAge time.Duration) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open hub cache: %w", err)
	}
	return &Cache{dir: dir, maxAge: maxAge, now: time.Now}, nil
}

// Dir returns the cache's directory.
func (c *Cache) Dir() string { return c.dir }

// cacheEntry is one cached answer: a 200 with its body and next-page link,
// or a 404.
type cacheEntry struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
	Next   string `json:"next,omitempty"`
	Time   int64  `json:"time"`
	Body   []byte `json:"-"`
}

func (c *Cache) path(u, tokenKey string) string {
	sum := sha256.Sum256([]byte(u + "\x00" + tokenKey))
	h := hex.EncodeToString(sum[:])
	return filepath.Join(c.dir, h[:2], h+".entry")
}

// get returns the entry for u, if there is a fresh one.
func (c *Cache) get(u, tokenKey string) (cacheEntry, bool) {
	if c == nil {
		return cacheEntry{}, false
	}
	data, err := os.ReadFile(c.path(u, tokenKey))
	if err != nil {
		return cacheEntry{}, false
	}
	head, body, ok := bytes.Cut(data, []byte{'\n'})
	if !ok {
		return cacheEntry{}, false
	}
	var e cacheEntry
	if json.Unmarshal(head, &e) != nil || e.URL != u {
		return cacheEntry{}, false
	}
	if c.maxAge > 0 && c.now().Sub(time.Unix(e.Time, 0)) > c.maxAge {
		return cacheEntry{}, false
	}
	e.Body = body
	return e, true
}

// put stores e for u. A failure to write only loses the caching.
func (c *Cache) put(u, tokenKey string, e cacheEntry) {
	if c == nil {
		return
	}
	e.URL, e.Time = u, c.now().Unix()
	p := c.path(u, tokenKey)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return
	}
	head, _ := json.Marshal(e)
	err := safefile.Write(p, func(f io.Writer) error {
		w := bufio.NewWriter(f)
		w.Write(head)
		w.WriteByte('\n')
		w.Write(e.Body)
		return w.Flush()
	})
	if err != nil {
		// The cache only saves requests: a failed write costs one later.
		c.writeErrors.Add(1)
	}
}
