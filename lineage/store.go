package lineage

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// Store is a frozen lineage graph with its node table: names, dates,
// downloads and the case-insensitive name index, all indexed by
// graph.NodeID. It is built by a Builder or loaded from an index file, and
// is safe for concurrent readers.
type Store struct {
	G *graph.Graph

	names   []byte   // every display name, concatenated
	nameOff []uint32 // name of v is names[nameOff[v]:nameOff[v+1]]
	table   []int32  // open-addressing table of NodeIDs by foldHash(name); -1 empty
	// lazyTable, when not nil, builds table on the first lookup (a
	// graph-only store: rank never looks a name up).
	lazyTable *sync.Once

	created, modified, downloads, downloadsAll, likes []int64
	library, pipeline, license                        []uint16
	formats                                           []Formats
	hintNodes                                         []int32  // models with hints, sorted
	hintOff                                           []uint32 // hints of hintNodes[i] are hintData[hintOff[i]:hintOff[i+1]]
	hintData                                          []byte
	strs                                              []string
	flags                                             []uint8

	info    storeInfo
	diags   []Diagnostic // only for a freshly built store
	mapping []byte       // the index file's mapping, released by Close
	rec     *recovered   // confidences of recovered edges (WithEdges); nil otherwise
	// aliasOf maps an earlier id of a renamed model (an edgeless node) to
	// the model; lookups follow it. An index keeps it in its info section.
	aliasOf map[graph.NodeID]graph.NodeID
}

// storeInfo is the JSON section of an index file.
type storeInfo struct {
	Stats    Stats        `json:"stats"`
	Sources  []string     `json:"sources"`
	Examples []Diagnostic `json:"examples"`
	Digest   string       `json:"digest,omitempty"`
	Aliases  [][2]int32   `json:"aliases,omitempty"` // (earlier id, model) node pairs
}

// Stats summarises a store. Its JSON form is part of the stats contract.
type Stats struct {
	Models                     int            `json:"models"`
	ModelsWithRecord           int            `json:"models_with_record"`
	Records                    int            `json:"records"`
	Edges                      int            `json:"edges"`
	EdgesByRelation            map[string]int `json:"edges_by_relation"`
	Declared                   int            `json:"declared"`
	Inferred                   int            `json:"inferred"`
	Foundations                int            `json:"foundations"`
	FoundationsWithDescendants int            `json:"foundations_with_descendants"`
	SelfReferences             int            `json:"self_references"`
	Cycles                     int            `json:"cycles"`
	ModelsInCycles             int            `json:"models_in_cycles"`
	DanglingParents            int            `json:"dangling_parents"`
	Duplicates                 int            `json:"duplicates"`
	MergedRecords              int            `json:"merged_records"`
	Superseded                 int            `json:"superseded_statements"`
	Rejected                   int            `json:"rejected_values"`
	Diagnostics                map[string]int `json:"diagnostics"`
}

// NumModels returns the number of models (nodes).
func (s *Store) NumModels() int { return s.G.NumNodes() }

// Name returns the display name of v: the spelling of its own record, else
// the first spelling seen.
func (s *Store) Name(v graph.NodeID) string {
	b := s.names[s.nameOff[v]:s.nameOff[v+1]]
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// HasRecord reports whether v has a record of its own (it is not only
// referenced as a parent or named in an edge list).
func (s *Store) HasRecord(v graph.NodeID) bool { return s.flags[v]&flagRecord != 0 }

// InCycle reports whether v is on a derivation cycle.
func (s *Store) InCycle(v graph.NodeID) bool { return s.flags[v]&flagInCycle != 0 }

// IsFoundation reports whether v has no valid parent.
func (s *Store) IsFoundation(v graph.NodeID) bool { return s.G.InDegree(v) == 0 }

// Created returns v's creation time, or the zero time when unknown.
func (s *Store) Created(v graph.NodeID) time.Time {
	if s.createdAt(v) == 0 {
		return time.Time{}
	}
	return time.Unix(s.createdAt(v), 0).UTC()
}

// Downloads returns v's download count, or -1 when unknown.
func (s *Store) Downloads(v graph.NodeID) int64 { return meta(s.downloads, v, -1) }

// Likes returns v's like count, or -1 when unknown.
func (s *Store) Likes(v graph.NodeID) int64 { return meta(s.likes, v, -1) }

// Library, Pipeline and License return v's library_name, pipeline_tag and
// license, or "" when unknown.
func (s *Store) Library(v graph.NodeID) string  { return s.strs[meta(s.library, v, 0)] }
func (s *Store) Pipeline(v graph.NodeID) string { return s.strs[meta(s.pipeline, v, 0)] }
func (s *Store) License(v graph.NodeID) string  { return s.strs[meta(s.license, v, 0)] }

// GraphOnly reports whether the store was built without model metadata
// (BuildOptions.GraphOnly): dates, downloads, likes, library, pipeline and
// license are then unknown for every model.
func (s *Store) GraphOnly() bool { return s.created == nil && s.G.NumNodes() > 0 }

// meta returns column[v], or unknown when the store has no such column
// (a graph-only store).
func meta[T any](column []T, v graph.NodeID, unknown T) T {
	if column == nil {
		return unknown
	}
	return column[v]
}

func (s *Store) createdAt(v graph.NodeID) int64  { return meta(s.created, v, 0) }
func (s *Store) modifiedAt(v graph.NodeID) int64 { return meta(s.modified, v, 0) }

// Stats returns the store's summary counts.
func (s *Store) Stats() Stats { return s.info.Stats }

// Digest returns the input digest: "sha256:" and the SHA-256 over the sorted
// (file name, SHA-256 of its bytes) lines of every input read.
func (s *Store) Digest() string { return s.info.Digest }

// Sources returns the inputs the store was built from.
func (s *Store) Sources() []string { return s.info.Sources }

// Examples returns the first few diagnostics of each kind.
func (s *Store) Examples() []Diagnostic { return s.info.Examples }

// Diagnostics returns every diagnostic of a freshly built store (nil for a
// store loaded from an index, which keeps only counts and examples).
func (s *Store) Diagnostics() []Diagnostic { return s.diags }

// NotFoundError is returned for an unknown model; it carries suggestions.
type NotFoundError struct {
	Query       string
	Suggestions []string
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("model %q not found", e.Query)
	if len(e.Suggestions) > 0 {
		msg += "; did you mean " + strings.Join(e.Suggestions, ", ") + "?"
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// Lookup finds a model by id, case-insensitively, accepting the URL and
// revision forms NormalizeID accepts. An unknown id yields a *NotFoundError
// with the closest ids.
func (s *Store) Lookup(query string) (graph.NodeID, error) {
	id, _, problem := modelid.Normalize(query)
	if problem == "" {
		if v, ok := s.find(id); ok {
			return v, nil
		}
	}
	return -1, &NotFoundError{Query: query, Suggestions: s.Suggest(query, 5)}
}

func (s *Store) find(id string) (graph.NodeID, bool) {
	v, ok := s.findName(id)
	if ok && s.flags[v]&flagAlias != 0 {
		if t, found := s.aliasOf[v]; found {
			return t, true
		}
	}
	return v, ok
}

// findName finds the node named id (case-insensitively), aliases included.
func (s *Store) findName(id string) (graph.NodeID, bool) {
	if s.lazyTable != nil {
		s.lazyTable.Do(func() { s.table = nameTable(s.names, s.nameOff) })
	}
	if len(s.table) == 0 {
		return -1, false
	}
	mask := uint64(len(s.table) - 1)
	i := foldHash(id) & mask
	for probes := 0; probes < len(s.table); probes++ {
		v := s.table[i]
		if v < 0 {
			return -1, false
		}
		if strings.EqualFold(s.Name(graph.NodeID(v)), id) {
			return graph.NodeID(v), true
		}
		i = (i + 1) & mask
	}
	return -1, false
}

// nameTable lays out the name table of the index format for the names in
// names/nameOff (distinct ignoring case): a power of two of slots, at most
// 70% full, each name at its foldHash slot or the next free one after it.
func nameTable(names []byte, nameOff []uint32) []int32 {
	size := 1 << 16
	for 7*size < 10*(len(nameOff)-1) {
		size *= 2
	}
	return nameTableSized(names, nameOff, size)
}

// nameTableSized is nameTable at size slots (a power of two above the
// number of names).
func nameTableSized(names []byte, nameOff []uint32, size int) []int32 {
	n := len(nameOff) - 1
	table := make([]int32, size)
	for i := range table {
		table[i] = -1
	}
	mask := uint64(size - 1)
	for v := 0; v < n; v++ {
		i := foldHash(unsafe.String(unsafe.SliceData(names[nameOff[v]:]), int(nameOff[v+1]-nameOff[v]))) & mask
		for table[i] >= 0 {
			i = (i + 1) & mask
		}
		table[i] = int32(v)
	}
	return table
}

// Suggest returns up to k ids close to query: ids containing the query's
// name part, then ids within a small edit distance, closest first.
func (s *Store) Suggest(query string, k int) []string {
	q := strings.ToLower(strings.TrimSpace(query))
	if id, _, p := modelid.Normalize(query); p == "" {
		q = strings.ToLower(id)
	}
	if q == "" {
		return nil
	}
	namePart := q
	if i := strings.LastIndexByte(q, '/'); i >= 0 {
		namePart = q[i+1:]
	}
	type cand struct {
		d    int
		name string
	}
	var cands []cand
	maxD := max(2, min(4, len(q)/5))
	for v := 0; v < s.G.NumNodes(); v++ {
		name := s.Name(graph.NodeID(v))
		if len(name) < len(q)-maxD && !(len(namePart) >= 4 && len(name) >= len(namePart)) {
			continue
		}
		ln := strings.ToLower(name)
		if d := boundedLevenshtein(q, ln, maxD); d <= maxD {
			cands = append(cands, cand{d, name})
			continue
		}
		if len(namePart) >= 4 && strings.Contains(ln, namePart) {
			cands = append(cands, cand{maxD + 1 + len(ln) - len(namePart), name})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.d, b.d), modelid.Compare(a.name, b.name))
	})
	var out []string
	for _, c := range cands[:min(k, len(cands))] {
		out = append(out, c.name)
	}
	return out
}

// boundedLevenshtein returns the edit distance of a and b, or max+1 when it
// exceeds max.
func boundedLevenshtein(a, b string, maxD int) int {
	if d := len(a) - len(b); d > maxD || -d > maxD {
		return maxD + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c = 1 + min(prev[j-1], prev[j], cur[j-1])
			}
			cur[j] = c
			best = min(best, c)
		}
		if best > maxD {
			return maxD + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
