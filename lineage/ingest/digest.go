package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"sort"
	"sync"
)

// digestSet collects a SHA-256 per input file while it is read.
type digestSet struct {
	mu      sync.Mutex
	entries map[string]string
}

func newDigestSet() *digestSet { return &digestSet{entries: map[string]string{}} }

func newHash() hash.Hash { return sha256.New() }

func (d *digestSet) add(name string, sum []byte) {
	if d == nil {
		return
	}
	d.mu.Lock()
	d.entries[name] = hex.EncodeToString(sum)
	d.mu.Unlock()
}

// total returns "sha256:" and the SHA-256 of the sorted "name sha256" lines
// of every input: the input digest quoted in manifests ("" for a nil set,
// Options.NoDigest).
func (d *digestSet) total() string {
	if d == nil {
		return ""
	}
	names := make([]string, 0, len(d.entries))
	for n := range d.entries {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s %s\n", n, d.entries[n])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
