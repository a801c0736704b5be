package web

import (
	"cmp"
	"net/url"
	"slices"
	"strings"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/modelid"
	"github.com/lineage-project/lineage/render"
)

// nameIndex finds models by the start of their id ("meta-llama/Ll") or of
// their name part ("llama-3"), case-insensitively, by binary search over
// two sorted arrays of node ids: memory is two int32 per model, and a
// lookup costs a few dozen comparisons plus the matches it scans.
type nameIndex struct {
	s          *lineage.Store
	full, part []graph.NodeID
}

// scanCap bounds the prefix matches a lookup ranks.
const scanCap = 2000

func namePart(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

func newNameIndex(s *lineage.Store) *nameIndex {
	n := s.NumModels()
	full := make([]graph.NodeID, n)
	keys := make([]string, n)
	for v := range full {
		full[v] = graph.NodeID(v)
		keys[v] = modelid.Fold(s.Name(graph.NodeID(v)))
	}
	part := slices.Clone(full)
	slices.SortFunc(full, func(a, b graph.NodeID) int { return cmp.Or(cmp.Compare(keys[a], keys[b]), cmp.Compare(a, b)) })
	slices.SortFunc(part, func(a, b graph.NodeID) int {
		return cmp.Or(cmp.Compare(namePart(keys[a]), namePart(keys[b])), cmp.Compare(keys[a], keys[b]), cmp.Compare(a, b))
	})
	return &nameIndex{s: s, full: full, part: part}
}

// cmpLower compares the ASCII-lower-cased a with q (already lower case)
// without allocating.
func cmpLower(a, q string) int {
	for i := 0; i < len(a) && i < len(q); i++ {
		c := a[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != q[i] {
			return cmp.Compare(c, q[i])
		}
	}
	return cmp.Compare(len(a), len(q))
}

func hasPrefixLower(a, q string) bool { return len(a) >= len(q) && cmpLower(a[:len(q)], q) == 0 }

// prefix appends to out the nodes of sorted whose key (by key) starts with
// q, at most scanCap of them.
func (ix *nameIndex) prefix(sorted []graph.NodeID, key func(graph.NodeID) string, q string, out []graph.NodeID) []graph.NodeID {
	i, _ := slices.BinarySearchFunc(sorted, q, func(v graph.NodeID, q string) int { return cmpLower(key(v), q) })
	for n := 0; i < len(sorted) && n < scanCap; i, n = i+1, n+1 {
		if !hasPrefixLower(key(sorted[i]), q) {
			break
		}
		out = append(out, sorted[i])
	}
	return out
}

// exact finds the model whose id is id, case-insensitively, without the
// suggestions Store.Lookup computes on a miss.
func (ix *nameIndex) exact(id string) (graph.NodeID, bool) {
	id, _, problem := modelid.Normalize(id)
	if problem != "" {
		return -1, false
	}
	q := modelid.Fold(id)
	i, _ := slices.BinarySearchFunc(ix.full, q, func(v graph.NodeID, q string) int { return cmpLower(ix.s.Name(v), q) })
	if i < len(ix.full) && cmpLower(ix.s.Name(ix.full[i]), q) == 0 {
		return ix.full[i], true
	}
	return -1, false
}

// complete returns up to limit models whose id or name part starts with q:
// an exact match first, then by downloads (descending), then by id.
func (ix *nameIndex) complete(q string, limit int) []graph.NodeID {
	q = modelid.Fold(strings.TrimSpace(q))
	if q == "" || limit <= 0 {
		return nil
	}
	name := ix.s.Name
	part := func(v graph.NodeID) string { return namePart(name(v)) }
	hits := ix.prefix(ix.full, name, q, nil)
	if !strings.Contains(q, "/") {
		hits = ix.prefix(ix.part, part, q, hits)
	}
	slices.Sort(hits)
	hits = slices.Compact(hits)
	type cand struct {
		v     graph.NodeID
		exact bool
		dl    int64
		key   string
	}
	cs := make([]cand, len(hits))
	for i, v := range hits {
		cs[i] = cand{v, cmpLower(name(v), q) == 0, ix.s.Downloads(v), name(v)}
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if a.exact != b.exact {
			if a.exact {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.dl, a.dl), cmpFold(a.key, b.key), cmp.Compare(a.v, b.v))
	})
	out := make([]graph.NodeID, 0, min(limit, len(cs)))
	for _, c := range cs[:min(limit, len(cs))] {
		out = append(out, c.v)
	}
	return out
}

// cmpFold compares ids case-insensitively (ASCII), then by bytes.
func cmpFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
}

// maxSuggestModels bounds the stores on which a miss is answered with
// Store.Suggest (a scan of every id); larger ones suggest by prefix only.
const maxSuggestModels = 200_000

// suggest returns up to k ids close to q for a miss.
func (ix *nameIndex) suggest(q string, k int) []string {
	var out []string
	if ix.s.NumModels() <= maxSuggestModels {
		return ix.s.Suggest(q, k)
	}
	p := q
	if id, _, problem := modelid.Normalize(q); problem == "" {
		p = id
	}
	for _, v := range ix.complete(namePart(p), k) {
		out = append(out, ix.s.Name(v))
	}
	return out
}

// escapeID path-escapes each segment of a model id.
func escapeID(id string) string {
	segs := strings.Split(id, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// modelURL is the UI page of a model.
func modelURL(id string) string { return "/model/" + escapeID(id) }

func humanCount(n int64) string {
	if n < 0 {
		return "unknown"
	}
	return render.HumanCount(n)
}
