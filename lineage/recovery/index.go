package recovery

import (
	"slices"
	"strings"

	"github.com/lineage-project/lineage/graph"
)

// FNV-1a over lower-cased ASCII: the key of a name or id, case-insensitive
// as Hub ids are.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func foldByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func hashFold(s string) uint64 { return hashMore(fnvOffset, s) }

func hashMore(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(foldByte(s[i]))) * fnvPrime
	}
	return h
}

// mix scrambles h so that the low bits of a slot index use every bit.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

// strIndex files nodes under a string key (an id, or the name part of an
// id), case-insensitively, in flat arrays: an open-addressing table holding
// the first node of each distinct key, and a chain through next for the
// other nodes of that key. Keys are compared as strings, so hash collisions
// cost a comparison, never a wrong answer.
type strIndex struct {
	slots []int32 // a node filed under the key hashing here, or -1
	next  []int32 // next node with the same key, or -1
	mask  uint64
	key   func(graph.NodeID) string
}

// newStrIndex files every node v with ok(v) under key(v).
func newStrIndex(n int, key func(graph.NodeID) string, ok func(graph.NodeID) bool) *strIndex {
	size := 16
	for size < 2*n {
		size *= 2
	}
	ix := &strIndex{slots: make([]int32, size), next: make([]int32, n), mask: uint64(size - 1), key: key}
	for i := range ix.slots {
		ix.slots[i] = -1
	}
	// Insert in reverse so that each chain lists nodes in ascending order.
	for v := n - 1; v >= 0; v-- {
		ix.next[v] = -1
		if !ok(graph.NodeID(v)) {
			continue
		}
		k := key(graph.NodeID(v))
		j := mix(hashFold(k)) & ix.mask
		for {
			u := ix.slots[j]
			if u < 0 {
				ix.slots[j] = int32(v)
				break
			}
			if strings.EqualFold(key(graph.NodeID(u)), k) {
				ix.next[v] = u
				ix.slots[j] = int32(v)
				break
			}
			j = (j + 1) & ix.mask
		}
	}
	return ix
}

// first returns the first node filed under k (with hash h = hashFold(k)),
// or -1; next(v) walks on.
func (ix *strIndex) first(k string, h uint64) graph.NodeID {
	j := mix(h) & ix.mask
	for {
		u := ix.slots[j]
		if u < 0 {
			return -1
		}
		if strings.EqualFold(ix.key(graph.NodeID(u)), k) {
			return graph.NodeID(u)
		}
		j = (j + 1) & ix.mask
	}
}

// pairCounts counts (key, node) pairs: how many declared children of a
// node have a name that starts with a key (the sibling votes).
type pairCounts struct {
	keys []uint64 // pairKey(key, parent), sorted
}

func pairKey(key uint64, v graph.NodeID) uint64 { return mix(key ^ mix(uint64(uint32(v))+1)) }

func (pc *pairCounts) count(key uint64, v graph.NodeID) int {
	k := pairKey(key, v)
	i, ok := slices.BinarySearch(pc.keys, k)
	if !ok {
		return 0
	}
	j := i
	for j < len(pc.keys) && pc.keys[j] == k {
		j++
	}
	return j - i
}

// groupIndex files nodes under a string key (the name part of an id),
// case-insensitively, with the nodes of each key contiguous: a lookup
// returns them as a slice of one array, without walking or copying (names
// shared by thousands of models are common at Hub scale).
type groupIndex struct {
	slots []int32  // group index, or -1
	hash  []uint64 // per group
	rep   []int32  // per group: a node filed under it (its key is the group's key)
	start []int32  // nodes of group g are nodes[start[g]:start[g+1]]
	nodes []graph.NodeID
	mask  uint64
	key   func(graph.NodeID) string
}

// newGroupIndex files every node v with ok(v) under key(v), in ascending
// node order within a key.
func newGroupIndex(n int, key func(graph.NodeID) string, ok func(graph.NodeID) bool) *groupIndex {
	members := 0
	for v := 0; v < n; v++ {
		if ok(graph.NodeID(v)) {
			members++
		}
	}
	size := 16
	for size < 2*members {
		size *= 2
	}
	ix := &groupIndex{slots: make([]int32, size), mask: uint64(size - 1), key: key}
	for i := range ix.slots {
		ix.slots[i] = -1
	}
	groupOf := make([]int32, 0, members)
	var count []int32
	for v := 0; v < n; v++ {
		if !ok(graph.NodeID(v)) {
			continue
		}
		k := key(graph.NodeID(v))
		h := hashFold(k)
		j := mix(h) & ix.mask
		for {
			g := ix.slots[j]
			if g < 0 {
				g = int32(len(ix.rep))
				ix.slots[j] = g
				ix.rep = append(ix.rep, int32(v))
				ix.hash = append(ix.hash, h)
				count = append(count, 0)
			} else if ix.hash[g] != h || !strings.EqualFold(key(graph.NodeID(ix.rep[g])), k) {
				j = (j + 1) & ix.mask
				continue
			}
			groupOf = append(groupOf, g)
			count[g]++
			break
		}
	}
	ix.start = make([]int32, len(count)+1)
	for g, c := range count {
		ix.start[g+1] = ix.start[g] + c
	}
	ix.nodes = make([]graph.NodeID, members)
	fill := slices.Clone(ix.start[:len(count)])
	i := 0
	for v := 0; v < n; v++ {
		if !ok(graph.NodeID(v)) {
			continue
		}
		g := groupOf[i]
		i++
		ix.nodes[fill[g]] = graph.NodeID(v)
		fill[g]++
	}
	return ix
}

// get returns the nodes filed under k (h = hashFold(k)); the slice is
// shared, not to be modified.
func (ix *groupIndex) get(k string, h uint64) []graph.NodeID {
	j := mix(h) & ix.mask
	for {
		g := ix.slots[j]
		if g < 0 {
			return nil
		}
		if ix.hash[g] == h && strings.EqualFold(ix.key(graph.NodeID(ix.rep[g])), k) {
			return ix.nodes[ix.start[g]:ix.start[g+1]]
		}
		j = (j + 1) & ix.mask
	}
}
