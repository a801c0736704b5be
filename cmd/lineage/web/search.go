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
	byName []int32 // rank positions, sorted by modelid.Compare of their ids
	order  []int32 // node ids in rank order

	toks    []byte   // the distinct tokens in order, each followed by a 0 byte
	tokOff  []uint32 // token t is toks[tokOff[t] : tokOff[t+1]-1]
	triOff  []uint32 // the tokens holding trigram g are triTok[triOff[g]:triOff[g+1]]
	triTok  []uint32
	postOff []uint32 // token t's postings are post[postOff[t]:postOff[t+1]]
	post    []int32
	leadOff []uint32 // token t's lead postings are lead[leadOff[t]:leadOff[t+1]]
	lead    []int32

	// nameKeys holds, for every model, the hash of its folded name part
	// (high 32 bits) above its rank position, sorted: the models of one
	// name are a range, best first.
	nameKeys []uint64

	maxScan int // postings one group of a query examines at most

	bitsets sync.Pool // of *[]uint64, one bit per rank position, cleared
}

// Search limits.
const (
	maxQueryParts  = 16      // parts of a prefix beyond these are checked on the id only
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

// queryWords splits a folded query into its distinct words.
func queryWords(fq string) []string {
	var words []string
	for i := 0; i < len(fq); {
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
	pos := make([]int32, n)
	for i, k := range keys {
		v := ix.byName[k.namePos]
		ix.order[i] = v
		pos[v] = int32(i)
	}
	for i, v := range ix.byName {
		ix.byName[i] = pos[v]
	}
	pos = nil
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
	ix.buildTrigrams()
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
	cmpTok := func(off uint32, w string) int {
		return bytes.Compare(ix.toks[off:bytes.IndexByte(ix.toks[off:], 0)+int(off)], []byte(w))
	}
	lo, _ = slices.BinarySearchFunc(ix.tokOff[:nt], w, cmpTok)
	// Tokens are letters and digits, all below '{': every token starting
	// with w sorts before w+"{", and no other after lo does.
	hi, _ = slices.BinarySearchFunc(ix.tokOff[:nt], w+"{", cmpTok)
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

// Trigrams: a token of three or more characters is listed under each
// distinct run of three of its characters. Tokens are letters and digits,
// so a trigram is a number below 36^3 and the lists are one array.
const numTrigrams = 36 * 36 * 36

func trigramDigit(c byte) int {
	if c <= '9' {
		return int(c - '0')
	}
	return int(c-'a') + 10
}

func trigram(b string) int {
	return (trigramDigit(b[0])*36+trigramDigit(b[1]))*36 + trigramDigit(b[2])
}

// buildTrigrams lists every token of three or more characters under its
// trigrams, in token order.
func (ix *searchIndex) buildTrigrams() {
	nt := len(ix.tokOff) - 1
	ix.triOff = make([]uint32, numTrigrams+1)
	var seen []int
	each := func(t int, f func(g int)) {
		tok := ix.tok(t)
		seen = seen[:0]
		for i := 0; i+3 <= len(tok); i++ {
			g := trigram(string(tok[i : i+3]))
			if !slices.Contains(seen, g) {
				seen = append(seen, g)
				f(g)
			}
		}
	}
	for t := range nt {
		each(t, func(g int) { ix.triOff[g+1]++ })
	}
	for g := range numTrigrams {
		ix.triOff[g+1] += ix.triOff[g]
	}
	ix.triTok = make([]uint32, ix.triOff[numTrigrams])
	next := slices.Clone(ix.triOff[:numTrigrams])
	for t := range nt {
		each(t, func(g int) { ix.triTok[next[g]] = uint32(t); next[g]++ })
	}
}

// containing returns the numbers of the tokens that contain w (of three or
// more characters), in order: the tokens listed under each of w's
// trigrams, starting from the shortest list, each checked on its text.
func (ix *searchIndex) containing(w string) []int {
	lists := make([][]uint32, 0, len(w)-2)
	for i := 0; i+3 <= len(w); i++ {
		g := trigram(w[i : i+3])
		lists = append(lists, ix.triTok[ix.triOff[g]:ix.triOff[g+1]])
	}
	slices.SortFunc(lists, func(a, b []uint32) int { return cmp.Compare(len(a), len(b)) })
	var out []int
	pat := []byte(w)
	for _, t := range lists[0] {
		ok := true
		for _, l := range lists[1:min(len(lists), 3)] {
			if _, found := slices.BinarySearch(l, t); !found {
				ok = false
				break
			}
		}
		if ok && bytes.Contains(ix.tok(int(t)), pat) {
			out = append(out, int(t))
		}
	}
	return out
}

// exactPos finds the rank position of the model whose id is id.
func (ix *searchIndex) exactPos(id string) (int32, bool) {
	id, _, problem := modelid.Normalize(id)
	if problem != "" {
		return -1, false
	}
	// Ids are unique ignoring case, and modelid.Compare orders by the
	// folded id first: the one match, if any, sits just before or at
	// the place id would take.
	name := func(i int) string { return ix.s.Name(graph.NodeID(ix.order[ix.byName[i]])) }
	i, _ := slices.BinarySearchFunc(ix.byName, id, func(p int32, id string) int {
		return modelid.Compare(ix.s.Name(graph.NodeID(ix.order[p])), id)
	})
	for _, at := range []int{i, i - 1} {
		if at >= 0 && at < len(ix.byName) && strings.EqualFold(name(at), id) {
			return ix.byName[at], true
		}
	}
	return -1, false
}

// exact finds the model whose id is id, case-insensitively (URL and
// revision forms accepted, as Store.Lookup accepts them).
func (ix *searchIndex) exact(id string) (graph.NodeID, bool) {
	if p, ok := ix.exactPos(id); ok {
		return graph.NodeID(ix.order[p]), true
	}
	return -1, false
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
	for i := 0; i < len(fq) && len(parts) < maxQueryParts; {
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

// tokenSet is the tokens one query word or part matches, as a range of
// token numbers or a list of them, with the postings they hold in off/post
// (the lead or the full postings).
type tokenSet struct {
	word   string // the query word or part
	lo, hi int    // tokens lo..hi-1, when list is nil
	list   []int  // else these tokens
	off    []uint32
	post   []int32
	n      int // postings in all
}

func (ix *searchIndex) rangeSet(word string, lo, hi int, lead bool) tokenSet {
	t := tokenSet{word: word, lo: lo, hi: hi, off: ix.postOff, post: ix.post}
	if lead {
		t.off, t.post = ix.leadOff, ix.lead
	}
	t.n = int(t.off[hi] - t.off[lo])
	return t
}

func (ix *searchIndex) listSet(word string, list []int) tokenSet {
	t := tokenSet{word: word, list: list, off: ix.postOff, post: ix.post}
	for _, tok := range list {
		t.n += int(t.off[tok+1] - t.off[tok])
	}
	return t
}

// each calls f with the postings of each token of t.
func (t tokenSet) each(f func([]int32)) {
	if t.list == nil {
		for tok := t.lo; tok < t.hi; tok++ {
			f(t.post[t.off[tok]:t.off[tok+1]])
		}
		return
	}
	for _, tok := range t.list {
		f(t.post[t.off[tok]:t.off[tok+1]])
	}
}

func (t tokenSet) lists() [][]int32 {
	var out [][]int32
	t.each(func(l []int32) {
		if len(l) > 0 {
			out = append(out, l)
		}
	})
	return out
}

// Intersection limits: besides the set whose postings are walked, up to
// maxFilterSets sets of at most maxFilterPostings postings each become
// bitsets over rank positions, so that a candidate is tested against them
// without reading its id; sets beyond are tested on the id.
const (
	maxFilterSets     = 3
	maxFilterPostings = 2_000_000
	filterRatio       = 64
	filterProbe       = 512
)

// filter is a conjunction of bitsets over rank positions.
type filter struct {
	sets [][]uint64
	pool *sync.Pool
}

func (ix *searchIndex) newFilter() *filter { return &filter{pool: &ix.bitsets} }

// add makes t one of the filter's sets.
func (f *filter) add(t tokenSet, n int) {
	var bits []uint64
	if b, ok := f.pool.Get().(*[]uint64); ok {
		bits = *b
	} else {
		bits = make([]uint64, (n+63)/64)
	}
	t.each(func(l []int32) {
		for _, p := range l {
			bits[p>>6] |= 1 << (uint(p) & 63)
		}
	})
	f.sets = append(f.sets, bits)
}

func (f *filter) has(p int32) bool {
	for _, bits := range f.sets {
		if bits[p>>6]&(1<<(uint(p)&63)) == 0 {
			return false
		}
	}
	return true
}

// release clears the bitsets and returns them to the pool.
func (f *filter) release() {
	for _, bits := range f.sets {
		clear(bits)
		f.pool.Put(&bits)
	}
	f.sets = nil
}

// idChars reports whether q holds only characters a model id can hold
// (folded): else no id starts with it.
func idChars(q string) bool {
	for i := 0; i < len(q); i++ {
		if c := q[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' && c != '/' {
			return false
		}
	}
	return true
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
	if p, ok := ix.exactPos(q); ok {
		add(p, groupExactID)
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
	// Prefix of the id or of the name part: the candidates every part
	// allows, then the id itself.
	if len(res.Hits) < k && isAlnum(fq[0]) && idChars(fq) {
		var sets []tokenSet
		for i, qp := range queryParts(fq) {
			lo, hi := ix.prefixRange(qp.w)
			if qp.complete {
				if t, ok := ix.tokenOf(qp.w); ok {
					lo, hi = t, t+1
				} else {
					lo, hi = 0, 0
				}
			}
			sets = append(sets, ix.rangeSet(qp.w, lo, hi, i == 0))
		}
		res.Partial = ix.intersect(sets, k-len(res.Hits), taken, func(p int32, _ []string) bool {
			nm := name(p)
			return hasPrefixFold(nm, fq) || hasPrefixFold(namePart(nm), fq)
		}, func(p int32) { add(p, groupPrefix) }) || res.Partial
	}
	// Every word, each matching as wordMatches says: the tokens of the
	// rarest words (by their prefix postings, a lower bound), the rest
	// tested on the id.
	if len(res.Hits) < k {
		type word struct {
			w      string
			lo, hi int
			n      int
		}
		ws := make([]word, len(words))
		for i, w := range words {
			lo, hi := ix.prefixRange(w)
			ws[i] = word{w, lo, hi, int(ix.postOff[hi] - ix.postOff[lo])}
		}
		slices.SortStableFunc(ws, func(a, b word) int { return cmp.Compare(a.n, b.n) })
		set := func(w word) tokenSet {
			if len(w.w) >= minSubstring {
				return ix.listSet(w.w, ix.containing(w.w))
			}
			return ix.rangeSet(w.w, w.lo, w.hi, false)
		}
		sets := []tokenSet{set(ws[0])}
		var rest []string
		for i, w := range ws[1:] {
			// Only words that may become bitsets need their tokens (the
			// prefix postings are a lower bound of the count).
			if i < maxFilterSets && w.n <= min(maxFilterPostings, filterRatio*sets[0].n) {
				sets = append(sets, set(w))
			} else {
				rest = append(rest, w.w)
			}
		}
		res.Partial = ix.intersect(sets, k-len(res.Hits), taken, func(p int32, unfiltered []string) bool {
			nm := name(p)
			for _, w := range rest {
				if !wordMatches(nm, w) {
					return false
				}
			}
			for _, w := range unfiltered {
				if !wordMatches(nm, w) {
					return false
				}
			}
			return true
		}, func(p int32) { add(p, groupWords) }) || res.Partial
	}
	return res
}

// intersect walks, in rank order, the postings of the set with the
// fewest, tests each position against the other sets (as bitsets, when
// they are small enough), then with ok, which also gets the words of the
// sets left out of the bitsets, and calls hit for up to want of them. It
// reports whether it gave up after maxScan postings.
func (ix *searchIndex) intersect(sets []tokenSet, want int, taken map[int32]bool, ok func(p int32, unfiltered []string) bool, hit func(int32)) bool {
	if len(sets) == 0 || want <= 0 {
		return false
	}
	slices.SortStableFunc(sets, func(a, b tokenSet) int { return cmp.Compare(a.n, b.n) })
	if sets[0].n == 0 {
		return false // a word or part nothing holds
	}
	// The first candidates are tested on their ids; a query that has not
	// found its page after filterProbe of them is selective, and the other
	// sets become bitsets, when the walk left is long enough to repay
	// them (a bitset costs a write per posting; a test on the id, a cache
	// miss or two).
	f := ix.newFilter()
	defer f.release()
	unfiltered := make([]string, 0, len(sets)-1)
	for _, t := range sets[1:] {
		unfiltered = append(unfiltered, t.word)
	}
	examined := 0
	check := func(p int32) bool {
		if examined++; examined == filterProbe {
			unfiltered = unfiltered[:0]
			for _, t := range sets[1:] {
				if len(f.sets) < maxFilterSets && t.n <= maxFilterPostings && t.n <= filterRatio*(sets[0].n-examined) {
					f.add(t, len(ix.order))
				} else {
					unfiltered = append(unfiltered, t.word)
				}
			}
		}
		return f.has(p) && ok(p, unfiltered)
	}
	return ix.scan(sets[0].lists(), want, taken, check, hit)
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
