package web

import (
	"bytes"
	"cmp"
	"container/heap"
	"slices"
	"strings"
	"sync"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// searchIndex finds models by id, by name, by the start of either, and by
// the words of their id, case-insensitively; it is built once per server
// and never scans every id for a query.
//
// A word (token) is a run of ASCII letters and digits: ids split on - _ .
// and /, queries on anything else as well ("mistral 7b", "Mistral-7B" and
// "mistral_7b" are the same two words). Each distinct token of every id is
// kept once, sorted, in one byte blob; each token's postings list the
// models whose id holds it as their positions in the rank order (distinct
// descendants descending, then downloads descending, then id by
// modelid.Compare), ascending, so walking a token's postings meets the
// best models first and a query stops as soon as it has its answer. The
// lead postings list, per token, only the models whose id or name part
// starts with it: the candidates of an exact name and of a prefix.
//
// A query word matches a model when the folded id contains it (words of
// three or more characters: "1776", "istral") or one of the id's words
// starts with it (shorter words: "7b", "r1"); a model matches when every
// query word does. Candidates come from the postings of the query word
// with the fewest, verified one by one against the others.
type searchIndex struct {
	s      *lineage.Store
	desc   []int32 // distinct descendants of each model
	byName []int32 // node ids sorted by modelid.Compare of their ids
	order  []int32 // node ids in rank order
	pos    []int32 // pos[v] is v's index in order

	toks    []byte   // the distinct tokens in order, each followed by a 0 byte
	tokOff  []uint32 // token t is toks[tokOff[t] : tokOff[t+1]-1]
	postOff []uint32 // token t's postings are post[postOff[t]:postOff[t+1]]
	post    []int32
	leadOff []uint32 // token t's lead postings are lead[leadOff[t]:leadOff[t+1]]
	lead    []int32

	// nameKeys holds, for every model, the hash of its folded name part
	// (high 32 bits) above its rank position, sorted: the models of one
	// name are a range, best first.
	nameKeys []uint64

	maxScan int // postings one group of a query examines at most
}

// Search limits.
const (
	maxQueryWords  = 16      // words of a query beyond these are ignored
	defaultMaxScan = 400_000 // postings a query examines before it gives up (it says so)
	minSubstring   = 3       // shorter query words must start one of the id's words
)

// isAlnum reports whether c (ASCII, folded) belongs to a token.
func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// foldInto appends the ASCII-lower-cased s to dst.
func foldInto(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = append(dst, modelid.Lower(s[i]))
	}
	return dst
}

// eachToken calls f with each token of the folded id b, its start offset,
// and whether it leads (starts the id or its name part).
func eachToken(b []byte, f func(tok []byte, lead bool)) {
	slash := bytes.LastIndexByte(b, '/')
	first, nameFirst := true, slash >= 0
	for i := 0; i < len(b); {
		if !isAlnum(b[i]) {
			i++
			continue
		}
		j := i
		for j < len(b) && isAlnum(b[j]) {
			j++
		}
		lead := first || nameFirst && i > slash
		if i > slash {
			nameFirst = false
		}
		first = false
		f(b[i:j], lead)
		i = j
	}
}

// queryWords splits a folded query into its distinct words, at most
// maxQueryWords.
func queryWords(fq string) []string {
	var words []string
	for i := 0; i < len(fq) && len(words) < maxQueryWords; {
		if !isAlnum(fq[i]) {
			i++
			continue
		}
		j := i
		for j < len(fq) && isAlnum(fq[j]) {
			j++
		}
		if w := fq[i:j]; !slices.Contains(words, w) {
			words = append(words, w)
		}
		i = j
	}
	return words
}

// newSearchIndex builds the index of s: the descendant counts, the name
// and rank orders, and the token postings.
func newSearchIndex(s *lineage.Store) *searchIndex {
	n := s.NumModels()
	ix := &searchIndex{s: s, maxScan: defaultMaxScan}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // descendant counts
		defer wg.Done()
		ix.desc = make([]int32, n)
		var starts []graph.NodeID
		for v := range n {
			if s.G.OutDegree(graph.NodeID(v)) > 0 {
				starts = append(starts, graph.NodeID(v))
			}
		}
		for i, c := range s.G.CountDescendants(starts, graph.AllLabels) {
			ix.desc[starts[i]] = int32(c)
		}
	}()
	go func() { // the name order
		defer wg.Done()
		ix.byName = sortByName(s)
	}()
	toks := tokenize(s) // on this goroutine meanwhile
	wg.Wait()

	// The rank order: descendants, downloads, then the name order (the
	// keys side by side, so that the sort reads no other array).
	type rankKey struct {
		desc, namePos int32
		dl            int64
	}
	keys := make([]rankKey, n)
	for i, v := range ix.byName {
		keys[i] = rankKey{ix.desc[v], int32(i), s.Downloads(graph.NodeID(v))}
	}
	slices.SortFunc(keys, func(a, b rankKey) int {
		if a.desc != b.desc {
			return cmp.Compare(b.desc, a.desc)
		}
		if a.dl != b.dl {
			return cmp.Compare(b.dl, a.dl)
		}
		return cmp.Compare(a.namePos, b.namePos)
	})
	ix.order = make([]int32, n)
	ix.pos = make([]int32, n)
	for i, k := range keys {
		v := ix.byName[k.namePos]
		ix.order[i] = v
		ix.pos[v] = int32(i)
	}
	keys = nil
	ix.nameKeys = make([]uint64, n)
	for p, v := range ix.order {
		ix.nameKeys[p] = uint64(hashFold(namePart(s.Name(graph.NodeID(v)))))<<32 | uint64(p)
	}
	slices.Sort(ix.nameKeys)

	// Postings, filled in rank order so that each list comes out sorted.
	nt := len(toks.sorted)
	ix.postOff = make([]uint32, nt+1)
	ix.leadOff = make([]uint32, nt+1)
	for _, t := range toks.nodeToks {
		ix.postOff[t&^leadBit+1]++
		if t&leadBit != 0 {
			ix.leadOff[t&^leadBit+1]++
		}
	}
	for t := range nt {
		ix.postOff[t+1] += ix.postOff[t]
		ix.leadOff[t+1] += ix.leadOff[t]
	}
	ix.post = make([]int32, ix.postOff[nt])
	ix.lead = make([]int32, ix.leadOff[nt])
	pc := slices.Clone(ix.postOff[:nt])
	lc := slices.Clone(ix.leadOff[:nt])
	for p, v := range ix.order {
		for _, t := range toks.nodeToks[toks.nodeOff[v]:toks.nodeOff[v+1]] {
			id := t &^ leadBit
			ix.post[pc[id]] = int32(p)
			pc[id]++
			if t&leadBit != 0 {
				ix.lead[lc[id]] = int32(p)
				lc[id]++
			}
		}
	}
	ix.toks, ix.tokOff = toks.blob, toks.off
	return ix
}

const leadBit = 1 << 31

// tokens is the tokenisation of every id: the distinct tokens sorted (as a
// blob and offsets) and each node's distinct token numbers (in that
// order), with leadBit set on a token that leads the id or its name part.
type tokens struct {
	sorted   []string
	blob     []byte
	off      []uint32
	nodeOff  []uint32
	nodeToks []uint32
}

func tokenize(s *lineage.Store) tokens {
	n := s.NumModels()
	ids := map[string]uint32{}
	var t tokens
	t.nodeOff = make([]uint32, n+1)
	t.nodeToks = make([]uint32, 0, 4*n)
	var buf []byte
	for v := range n {
		buf = foldInto(buf[:0], s.Name(graph.NodeID(v)))
		start := len(t.nodeToks)
		eachToken(buf, func(tok []byte, lead bool) {
			id, ok := ids[string(tok)]
			if !ok {
				id = uint32(len(t.sorted))
				t.sorted = append(t.sorted, string(tok))
				ids[t.sorted[id]] = id
			}
			for i := start; i < len(t.nodeToks); i++ {
				if t.nodeToks[i]&^leadBit == id {
					if lead {
						t.nodeToks[i] |= leadBit
					}
					return
				}
			}
			if lead {
				id |= leadBit
			}
			t.nodeToks = append(t.nodeToks, id)
		})
		t.nodeOff[v+1] = uint32(len(t.nodeToks))
	}
	ids = nil
	// Sort the tokens and renumber.
	perm := make([]uint32, len(t.sorted))
	for i := range perm {
		perm[i] = uint32(i)
	}
	slices.SortFunc(perm, func(a, b uint32) int { return strings.Compare(t.sorted[a], t.sorted[b]) })
	renum := make([]uint32, len(perm))
	size := 0
	for i, old := range perm {
		renum[old] = uint32(i)
		size += len(t.sorted[old]) + 1
	}
	t.blob = make([]byte, 0, size)
	t.off = make([]uint32, 0, len(perm)+1)
	for _, old := range perm {
		t.off = append(t.off, uint32(len(t.blob)))
		t.blob = append(append(t.blob, t.sorted[old]...), 0)
	}
	t.off = append(t.off, uint32(len(t.blob)))
	for i, x := range t.nodeToks {
		t.nodeToks[i] = renum[x&^leadBit] | x&leadBit
	}
	sorted := t.sorted[:0]
	for _, old := range perm {
		sorted = append(sorted, t.sorted[old])
	}
	t.sorted = sorted
	return t
}

// sortByName returns every node id sorted by modelid.Compare of its id. An
// eight-byte folded prefix per node settles most comparisons without
// reading the names.
func sortByName(s *lineage.Store) []int32 {
	type nameKey struct {
		prefix uint64
		v      int32
	}
	n := s.NumModels()
	keys := make([]nameKey, n)
	for v := range n {
		nm := s.Name(graph.NodeID(v))
		var k uint64
		for i := range 8 {
			k <<= 8
			if i < len(nm) {
				k |= uint64(modelid.Lower(nm[i]))
			}
		}
		keys[v] = nameKey{k, int32(v)}
	}
	slices.SortFunc(keys, func(a, b nameKey) int {
		if a.prefix != b.prefix {
			return cmp.Compare(a.prefix, b.prefix)
		}
		return modelid.Compare(s.Name(graph.NodeID(a.v)), s.Name(graph.NodeID(b.v)))
	})
	order := make([]int32, n)
	for i, k := range keys {
		order[i] = k.v
	}
	return order
}

// hashFold is FNV-1a of the ASCII-lower-cased s.
func hashFold(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(modelid.Lower(s[i]))) * 16777619
	}
	return h
}

// tok returns token t.
func (ix *searchIndex) tok(t int) []byte { return ix.toks[ix.tokOff[t] : ix.tokOff[t+1]-1] }

// prefixRange returns the tokens starting with w, as a range of numbers.
func (ix *searchIndex) prefixRange(w string) (lo, hi int) {
	nt := len(ix.tokOff) - 1
	lo, _ = slices.BinarySearchFunc(ix.tokOff[:nt], w, func(off uint32, w string) int {
		return bytes.Compare(ix.toks[off:bytes.IndexByte(ix.toks[off:], 0)+int(off)], []byte(w))
	})
	hi = lo
	for hi < nt && bytes.HasPrefix(ix.tok(hi), []byte(w)) {
		hi++
	}
	return lo, hi
}

// tokenOf returns the number of the token equal to w.
func (ix *searchIndex) tokenOf(w string) (int, bool) {
	lo, hi := ix.prefixRange(w)
	if lo < hi && string(ix.tok(lo)) == w {
		return lo, true
	}
	return 0, false
}

// containing returns the numbers of the tokens that contain w, in order.
func (ix *searchIndex) containing(w string) []int {
	var out []int
	pat := []byte(w)
	for i := 0; i < len(ix.toks); {
		j := bytes.Index(ix.toks[i:], pat)
		if j < 0 {
			break
		}
		at := uint32(i + j)
		t, found := slices.BinarySearch(ix.tokOff, at)
		if !found {
			t--
		}
		out = append(out, t)
		i = int(ix.tokOff[t+1]) // the next token
	}
	return out
}

// exact finds the model whose id is id, case-insensitively (URL and
// revision forms accepted, as Store.Lookup accepts them).
func (ix *searchIndex) exact(id string) (graph.NodeID, bool) {
	id, _, problem := modelid.Normalize(id)
	if problem != "" {
		return -1, false
	}
	i, _ := slices.BinarySearchFunc(ix.byName, id, func(v int32, id string) int {
		return compareFold(ix.s.Name(graph.NodeID(v)), id)
	})
	if i < len(ix.byName) && compareFold(ix.s.Name(graph.NodeID(ix.byName[i])), id) == 0 {
		return graph.NodeID(ix.byName[i]), true
	}
	return -1, false
}

// compareFold compares a and b ignoring ASCII case only: the first key of
// modelid.Compare, on which ids are unique.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if x, y := modelid.Lower(a[i]), modelid.Lower(b[i]); x != y {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(len(a), len(b))
}

// Match groups, best first.
const (
	groupExactID   = iota // the whole id, ignoring case
	groupExactName        // the name part (after '/')
	groupPrefix           // the start of the id or of the name part
	groupWords            // every word of the query, anywhere in the id
)

// searchResult is what a query found: models in group order, each group
// in rank order.
type searchResult struct {
	Hits []searchHit
	// Partial reports that a group stopped after maxScan candidates
	// without filling the page: a narrower query may find more.
	Partial bool
}

type searchHit struct {
	V     graph.NodeID
	Group int
}

// queryPart is one word of a query in order, and whether a non-word
// character follows it in the query (then, in an id the query is a prefix
// of, the word is a whole token).
type queryPart struct {
	w        string
	complete bool
}

func queryParts(fq string) []queryPart {
	var parts []queryPart
	for i := 0; i < len(fq) && len(parts) < maxQueryWords; {
		if !isAlnum(fq[i]) {
			i++
			continue
		}
		j := i
		for j < len(fq) && isAlnum(fq[j]) {
			j++
		}
		parts = append(parts, queryPart{fq[i:j], j < len(fq)})
		i = j
	}
	return parts
}

// search returns up to k models matching q.
func (ix *searchIndex) search(q string, k int) searchResult {
	var res searchResult
	q = strings.TrimSpace(q)
	if q == "" || k <= 0 {
		return res
	}
	fq := string(foldInto(nil, q))
	if id, _, problem := modelid.Normalize(q); problem == "" {
		fq = string(foldInto(nil, id))
	}
	words := queryWords(fq)
	if len(words) == 0 {
		return res
	}
	taken := map[int32]bool{}
	add := func(p int32, group int) {
		taken[p] = true
		res.Hits = append(res.Hits, searchHit{graph.NodeID(ix.order[p]), group})
	}
	name := func(p int32) string { return ix.s.Name(graph.NodeID(ix.order[p])) }
	if v, ok := ix.exact(q); ok {
		add(ix.pos[v], groupExactID)
	}
	// Exact name: the models whose name part hashes like the query.
	if !strings.Contains(fq, "/") {
		h := uint64(hashFold(fq)) << 32
		i, _ := slices.BinarySearch(ix.nameKeys, h)
		for ; i < len(ix.nameKeys) && ix.nameKeys[i]&^(1<<32-1) == h && len(res.Hits) < k; i++ {
			if p := int32(uint32(ix.nameKeys[i])); !taken[p] && equalFold(namePart(name(p)), fq) {
				add(p, groupExactName)
			}
		}
	}
	// Prefix of the id or of the name part.
	if len(res.Hits) < k && isAlnum(fq[0]) {
		lists := ix.prefixCandidates(queryParts(fq))
		res.Partial = ix.scan(lists, k-len(res.Hits), taken, func(p int32) bool {
			nm := name(p)
			return hasPrefixFold(nm, fq) || hasPrefixFold(namePart(nm), fq)
		}, func(p int32) { add(p, groupPrefix) }) || res.Partial
	}
	// Every word: candidates from the word with the fewest postings.
	if len(res.Hits) < k {
		best, bestN := "", -1
		for _, w := range words {
			lo, hi := ix.prefixRange(w)
			if n := int(ix.postOff[hi] - ix.postOff[lo]); bestN < 0 || n < bestN {
				best, bestN = w, n
			}
		}
		var lists [][]int32
		if len(best) >= minSubstring {
			for _, t := range ix.containing(best) {
				lists = append(lists, ix.post[ix.postOff[t]:ix.postOff[t+1]])
			}
		} else {
			lo, hi := ix.prefixRange(best)
			for t := lo; t < hi; t++ {
				lists = append(lists, ix.post[ix.postOff[t]:ix.postOff[t+1]])
			}
		}
		res.Partial = ix.scan(lists, k-len(res.Hits), taken, func(p int32) bool {
			nm := name(p)
			for _, w := range words {
				if !wordMatches(nm, w) {
					return false
				}
			}
			return true
		}, func(p int32) { add(p, groupWords) }) || res.Partial
	}
	return res
}

// prefixCandidates returns the postings that hold every model whose id or
// name part starts with the query of parts (its first character a word
// character): of the lists each part allows, the shortest. The first part
// leads the id or the name part (lead postings); a part followed by a
// separator in the query is a whole token there; the last part, unless
// followed by one, is the start of a token.
func (ix *searchIndex) prefixCandidates(parts []queryPart) [][]int32 {
	var best [][]int32
	bestN := -1
	for i, qp := range parts {
		off, post := ix.postOff, ix.post
		if i == 0 {
			off, post = ix.leadOff, ix.lead
		}
		lo, hi := ix.prefixRange(qp.w)
		if qp.complete {
			if t, ok := ix.tokenOf(qp.w); ok {
				lo, hi = t, t+1
			} else {
				lo, hi = 0, 0
			}
		}
		if n := int(off[hi] - off[lo]); bestN < 0 || n < bestN {
			bestN = n
			best = best[:0]
			for t := lo; t < hi; t++ {
				best = append(best, post[off[t]:off[t+1]])
			}
		}
	}
	return best
}

// wordMatches reports whether the query word w matches the id: the id
// contains it, ignoring case (for a word of minSubstring characters or
// more), or one of the id's words starts with it.
func wordMatches(id string, w string) bool {
	for i := 0; i+len(w) <= len(id); i++ {
		if modelid.Lower(id[i]) == w[0] && hasPrefixFold(id[i:], w) &&
			(len(w) >= minSubstring || i == 0 || !isAlnum(modelid.Lower(id[i-1]))) {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether s starts with the folded p, ignoring case.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if modelid.Lower(s[i]) != p[i] {
			return false
		}
	}
	return true
}

// equalFold reports whether s is the folded p, ignoring case.
func equalFold(s, p string) bool { return len(s) == len(p) && hasPrefixFold(s, p) }

// scan walks the union of lists (each ascending) in ascending order, each
// position once, skipping taken ones, and calls hit for each that ok
// accepts, until it has hit want of them. It reports whether it stopped at
// maxScan postings first.
func (ix *searchIndex) scan(lists [][]int32, want int, taken map[int32]bool, ok func(int32) bool, hit func(int32)) (partial bool) {
	if want <= 0 {
		return false
	}
	h := make(cursorHeap, 0, len(lists))
	for _, l := range lists {
		if len(l) > 0 {
			h = append(h, l)
		}
	}
	heap.Init(&h)
	last, scanned := int32(-1), 0
	for len(h) > 0 {
		p := h[0][0]
		if h[0] = h[0][1:]; len(h[0]) == 0 {
			heap.Pop(&h)
		} else {
			heap.Fix(&h, 0)
		}
		if p == last {
			continue
		}
		last = p
		if scanned++; scanned > ix.maxScan {
			return true
		}
		if taken[p] || !ok(p) {
			continue
		}
		hit(p)
		if want--; want == 0 {
			return false
		}
	}
	return false
}

// cursorHeap is a min-heap of non-empty ascending lists by their heads.
type cursorHeap [][]int32

func (h cursorHeap) Len() int           { return len(h) }
func (h cursorHeap) Less(i, j int) bool { return h[i][0] < h[j][0] }
func (h cursorHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)        { *h = append(*h, x.([]int32)) }
func (h *cursorHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// descendants returns v's distinct descendant count, precomputed.
func (ix *searchIndex) descendants(v graph.NodeID) int { return int(ix.desc[v]) }
