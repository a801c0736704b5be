package lineage

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// DiffOptions says what Diff counts and how much it lists.
type DiffOptions struct {
	// Labels selects the relations along which descendants are counted for
	// the foundations (as Rank's labels do); zero selects every relation.
	// Models, edges, re-parentings and relation changes are compared over
	// every relation whatever it holds.
	Labels graph.LabelSet
	// Top bounds the foundations that grew most (<= 0: all that grew).
	Top int
	// Limit bounds each other list (<= 0: all). Counts always cover all.
	Limit int
}

// SnapshotSize is the size of one side of a diff. Models are graph nodes,
// models with a record and referenced parents alike (as in Stats);
// foundations are the models with no parent.
type SnapshotSize struct {
	Models      int `json:"models"`
	Edges       int `json:"edges"`
	Foundations int `json:"foundations"`
}

// DiffEdge is an edge present on one side only, named as that side spells
// its models.
type DiffEdge struct {
	Parent   string `json:"parent"`
	Child    string `json:"child"`
	Relation string `json:"relation"`
}

// RelationChange is an edge present on both sides with another relation.
type RelationChange struct {
	Parent string `json:"parent"`
	Child  string `json:"child"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Reparented is a model present on both sides whose set of parents
// changed (gaining its first parent or losing its last included). Before
// and After are sorted by id.
type Reparented struct {
	ID     string   `json:"id"`
	Before []string `json:"before"`
	After  []string `json:"after"`
}

// FoundationGrowth is a foundation of the new side with its distinct
// descendant counts on both sides (Before is 0 when it was absent).
type FoundationGrowth struct {
	ID     string `json:"id"`
	Before int    `json:"before"`
	After  int    `json:"after"`
	Delta  int    `json:"delta"`
}

// NewFoundation is a model that is a foundation with descendants on the
// new side and was absent, or had a parent, on the old side.
type NewFoundation struct {
	ID          string `json:"id"`
	Descendants int    `json:"descendants"`
}

// DiffResult is what changed between two snapshots. The counts cover every
// change; each list is cut at DiffOptions.Limit (Foundations at Top).
// Models and edges are identified case-insensitively (modelid.Fold), and
// a model present on both sides is named as the new side spells it.
type DiffResult struct {
	Old             SnapshotSize `json:"old"`
	New             SnapshotSize `json:"new"`
	ModelsAdded     int          `json:"models_added"`
	ModelsRemoved   int          `json:"models_removed"`
	EdgesAdded      int          `json:"edges_added"`
	EdgesRemoved    int          `json:"edges_removed"`
	Reparented      int          `json:"reparented"`
	RelationChanged int          `json:"relation_changed"`
	NewFoundations  int          `json:"new_foundations"`
	// Foundations are the foundations of the new side whose distinct
	// descendant count grew, by growth descending, then id.
	Foundations []FoundationGrowth `json:"foundations"`
	// Added and Removed are the models on one side only, by id.
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	// AddedEdges and RemovedEdges are the edges on one side only, by child
	// id then parent id (an edge whose parent or child is on one side only
	// is among them).
	AddedEdges   []DiffEdge `json:"added_edges"`
	RemovedEdges []DiffEdge `json:"removed_edges"`
	// ReparentedModels and RelationChanges are by (child) id, then parent id.
	ReparentedModels []Reparented     `json:"reparented_models"`
	RelationChanges  []RelationChange `json:"relation_changes"`
	// NewFoundationModels are by descendants descending, then id.
	NewFoundationModels []NewFoundation `json:"new_foundation_models"`
}

// Diff compares two snapshots of the graph: the models added and removed,
// the edges added and removed, the models re-parented and the edges whose
// relation changed, the new foundations and the foundations that grew
// most.
//
// It runs on the CSR arrays: old NodeIDs are mapped to new ones by looking
// every old name up in the new store's case-insensitive name table (a hash
// join over both cores; no per-node strings are made), then each model's
// parent row on the old side, mapped to new NodeIDs and sorted, is merged
// against its parent row on the new side. Descendants are counted with
// graph.CountDescendants on each side. Names are read only to order and
// name the lists (a list cut at a limit is selected with a bounded heap).
func Diff(old, new *Store, opt DiffOptions) DiffResult {
	labels := opt.Labels
	if labels == 0 {
		labels = graph.AllLabels
	}
	og, ng := old.G, new.G
	on, nn := og.NumNodes(), ng.NumNodes()
	oldToNew := mapNodes(old, new)
	newToOld := make([]int32, nn)
	for i := range newToOld {
		newToOld[i] = -1
	}
	for v, w := range oldToNew {
		if w >= 0 {
			newToOld[w] = int32(v)
		}
	}
	res := DiffResult{
		Old: SnapshotSize{Models: on, Edges: og.NumEdges(), Foundations: countRoots(og)},
		New: SnapshotSize{Models: nn, Edges: ng.NumEdges(), Foundations: countRoots(ng)},
	}

	// Models on one side only.
	var added, removed []graph.NodeID
	for w, v := range newToOld {
		if v < 0 {
			added = append(added, graph.NodeID(w))
		}
	}
	for v, w := range oldToNew {
		if w < 0 {
			removed = append(removed, graph.NodeID(v))
		}
	}
	res.ModelsAdded, res.ModelsRemoved = len(added), len(removed)

	// Edges, child by child. Edges are kept as (parent, child, label) in
	// the NodeIDs of their side (old or new) until they are listed.
	type edge struct {
		p, c graph.NodeID
		l    graph.Label
	}
	type change struct {
		p, c   graph.NodeID // new side
		lo, ln graph.Label
	}
	var addedE, removedE []edge // removedE in old NodeIDs
	var changed []change
	var reparented []graph.NodeID // new side
	type mapped struct {
		w, p graph.NodeID // the parent on the new side, on the old side
		l    graph.Label
	}
	var row []mapped
	for c := range graph.NodeID(nn) {
		src, lab := ng.In(c)
		oc := newToOld[c]
		if oc < 0 {
			for i, p := range src {
				addedE = append(addedE, edge{p, c, lab[i]})
			}
			continue
		}
		osrc, olab := og.In(graph.NodeID(oc))
		if len(osrc) == 0 && len(src) == 0 {
			continue
		}
		row = row[:0]
		moved := false
		for i, p := range osrc {
			if w := oldToNew[p]; w >= 0 {
				row = append(row, mapped{graph.NodeID(w), p, olab[i]})
			} else {
				removedE = append(removedE, edge{p, graph.NodeID(oc), olab[i]})
				moved = true
			}
		}
		if len(row) > 1 {
			slices.SortFunc(row, func(a, b mapped) int { return cmp.Compare(a.w, b.w) })
		}
		i, j := 0, 0
		for i < len(row) || j < len(src) {
			switch {
			case j == len(src) || i < len(row) && row[i].w < src[j]:
				removedE = append(removedE, edge{row[i].p, graph.NodeID(oc), row[i].l})
				moved = true
				i++
			case i == len(row) || src[j] < row[i].w:
				addedE = append(addedE, edge{src[j], c, lab[j]})
				moved = true
				j++
			default:
				ro, _ := LabelRelation(row[i].l)
				rn, _ := LabelRelation(lab[j])
				if ro != rn {
					changed = append(changed, change{src[j], c, row[i].l, lab[j]})
				}
				i++
				j++
			}
		}
		if moved {
			reparented = append(reparented, c)
		}
	}
	for _, v := range removed {
		src, lab := og.In(v)
		for i, p := range src {
			removedE = append(removedE, edge{p, v, lab[i]})
		}
	}
	res.EdgesAdded, res.EdgesRemoved = len(addedE), len(removedE)
	res.Reparented, res.RelationChanged = len(reparented), len(changed)

	// Foundations: the new side's foundations with children, counted on
	// both sides.
	var roots []graph.NodeID
	for v := range graph.NodeID(nn) {
		if ng.InDegree(v) == 0 && ng.OutDegree(v) > 0 {
			roots = append(roots, v)
		}
	}
	after := ng.CountDescendants(roots, labels)
	var before []int
	{
		var starts []graph.NodeID
		for _, v := range roots {
			if o := newToOld[v]; o >= 0 {
				starts = append(starts, graph.NodeID(o))
			}
		}
		counts := og.CountDescendants(starts, labels)
		before = make([]int, len(roots))
		k := 0
		for i, v := range roots {
			if newToOld[v] >= 0 {
				before[i] = counts[k]
				k++
			}
		}
	}
	var grew []FoundationGrowth
	var founded []NewFoundation
	for i, v := range roots {
		if after[i] > before[i] {
			grew = append(grew, FoundationGrowth{Before: before[i], After: after[i], Delta: after[i] - before[i]})
			grew[len(grew)-1].ID = new.Name(v)
		}
		if o := newToOld[v]; after[i] > 0 && (o < 0 || og.InDegree(graph.NodeID(o)) > 0) {
			founded = append(founded, NewFoundation{ID: new.Name(v), Descendants: after[i]})
		}
	}
	res.NewFoundations = len(founded)
	res.Foundations = firstSorted(grew, opt.Top, func(a, b FoundationGrowth) int {
		return cmp.Or(cmp.Compare(b.Delta, a.Delta), modelid.Compare(a.ID, b.ID))
	})
	res.NewFoundationModels = firstSorted(founded, opt.Limit, func(a, b NewFoundation) int {
		return cmp.Or(cmp.Compare(b.Descendants, a.Descendants), modelid.Compare(a.ID, b.ID))
	})

	// The lists, named.
	res.Added = namesSorted(new, added, opt.Limit)
	res.Removed = namesSorted(old, removed, opt.Limit)
	edges := func(s *Store, es []edge) []DiffEdge {
		out := make([]DiffEdge, len(es))
		for i, e := range es {
			rel, _ := LabelRelation(e.l)
			out[i] = DiffEdge{Parent: s.Name(e.p), Child: s.Name(e.c), Relation: rel.String()}
		}
		return firstSorted(out, opt.Limit, func(a, b DiffEdge) int {
			return cmp.Or(modelid.Compare(a.Child, b.Child), modelid.Compare(a.Parent, b.Parent))
		})
	}
	res.AddedEdges = edges(new, addedE)
	res.RemovedEdges = edges(old, removedE)
	rc := make([]RelationChange, len(changed))
	for i, c := range changed {
		ro, _ := LabelRelation(c.lo)
		rn, _ := LabelRelation(c.ln)
		rc[i] = RelationChange{Parent: new.Name(c.p), Child: new.Name(c.c), Before: ro.String(), After: rn.String()}
	}
	res.RelationChanges = firstSorted(rc, opt.Limit, func(a, b RelationChange) int {
		return cmp.Or(modelid.Compare(a.Child, b.Child), modelid.Compare(a.Parent, b.Parent))
	})
	rp := namesSorted(new, reparented, opt.Limit)
	res.ReparentedModels = make([]Reparented, len(rp))
	for i, id := range rp {
		c, _ := new.find(id)
		osrc, _ := og.In(graph.NodeID(newToOld[c]))
		src, _ := ng.In(c)
		res.ReparentedModels[i] = Reparented{ID: id, Before: names(old, osrc), After: names(new, src)}
	}
	return res
}

// mapNodes returns, for every node of old, the node of new with the same
// id ignoring ASCII case (modelid.Fold's identity; ids are ASCII), or -1.
// Ids are unique ignoring case on each side, so the map is one-to-one.
//
// It looks every old name up in new's name table, on every core, in
// windows of 64 names: the hashes, first table slots and the offsets of the
// names found there are read for the whole window before any name is
// compared, so that their cache misses overlap instead of following one
// another (a quarter less CPU and time than one lookup after the other,
// on two indexes of two million models: BENCHMARKS.md).
func mapNodes(old, new *Store) []int32 {
	n := old.G.NumNodes()
	out := make([]int32, n)
	if new.lazyTable != nil {
		new.lazyTable.Do(func() { new.table = nameTable(new.names, new.nameOff) })
	}
	if len(new.table) == 0 { // an empty store
		for v := range out {
			out[v] = -1
		}
		return out
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), n/4096))
	var wg sync.WaitGroup
	for k := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			const win = 64
			var slot [win]uint64
			var first [win]int32
			var start [win]uint32 // only read, to bring the offsets in
			table := new.table
			mask := uint64(len(table) - 1)
			for base := k * n / workers; base < (k+1)*n/workers; base += win {
				m := min(win, (k+1)*n/workers-base)
				for j := range m {
					slot[j] = foldHash(old.Name(graph.NodeID(base+j))) & mask
					first[j] = table[slot[j]]
				}
				for j := range m {
					if v := first[j]; v >= 0 {
						start[j] = new.nameOff[v]
					}
				}
				for j := range m {
					out[base+j] = new.probeFold(old.Name(graph.NodeID(base+j)), slot[j])
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// probeFold returns the node of s named id ignoring ASCII case, or -1,
// probing s's name table from slot i (foldHash(id) masked to the table),
// as Store.find does, but comparing names eight bytes at a time.
func (s *Store) probeFold(id string, i uint64) int32 {
	mask := uint64(len(s.table) - 1)
	for probes := 0; probes < len(s.table); i, probes = (i+1)&mask, probes+1 {
		v := s.table[i]
		if v < 0 {
			return -1
		}
		if a, b := s.nameOff[v], s.nameOff[v+1]; int(b-a) == len(id) && equalFoldASCII(s.names[a:b], id) {
			return v
		}
	}
	return -1
}

// equalFoldASCII reports whether a and b (of equal length) are equal when
// ASCII capitals are lower-cased, eight bytes at a time.
func equalFoldASCII(a []byte, b string) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if fold8(le64(string(a[i:i+8]))) != fold8(le64(b[i:])) {
			return false
		}
	}
	for ; i < len(b); i++ {
		if modelid.Lower(a[i]) != modelid.Lower(b[i]) {
			return false
		}
	}
	return true
}

func countRoots(g *graph.Graph) int {
	n := 0
	for v := range graph.NodeID(g.NumNodes()) {
		if g.InDegree(v) == 0 {
			n++
		}
	}
	return n
}

// names returns the names of vs, sorted by id.
func names(s *Store, vs []graph.NodeID) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = s.Name(v)
	}
	slices.SortFunc(out, modelid.Compare)
	return out
}

// namesSorted returns the names of vs sorted by id, the first limit of
// them (limit <= 0: all).
func namesSorted(s *Store, vs []graph.NodeID, limit int) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = s.Name(v)
	}
	return firstSorted(out, limit, modelid.Compare)
}

// firstSorted returns the first limit of xs in the order of cmp (limit <=
// 0: all of them, sorted), never nil. It may reorder xs.
func firstSorted[T any](xs []T, limit int, cmp func(a, b T) int) []T {
	if limit > 0 && len(xs) > 2*limit {
		xs = smallest(xs, limit, cmp)
	}
	slices.SortFunc(xs, cmp)
	if limit > 0 && len(xs) > limit {
		xs = xs[:limit:limit]
	}
	if xs == nil {
		xs = []T{}
	}
	return xs
}

// smallest moves the k smallest of xs (0 < k < len(xs)) in the order of
// cmp to the front of xs, unsorted, and returns them: a max-heap of k, so
// that a list of n entries costs about n comparisons, not n log n (names
// compared from all over the name table are cache misses).
func smallest[T any](xs []T, k int, cmp func(a, b T) int) []T {
	h := xs[:k]
	down := func(i int) {
		for {
			l, big := 2*i+1, i
			if l < k && cmp(h[l], h[big]) > 0 {
				big = l
			}
			if r := l + 1; r < k && cmp(h[r], h[big]) > 0 {
				big = r
			}
			if big == i {
				return
			}
			h[i], h[big] = h[big], h[i]
			i = big
		}
	}
	for i := k/2 - 1; i >= 0; i-- {
		down(i)
	}
	for _, x := range xs[k:] {
		if cmp(x, h[0]) < 0 {
			h[0] = x
			down(0)
		}
	}
	return h
}

// IsIndexFile reports whether path is a regular file that starts with
// "LNGIDX", the start of the magic of an index written by WriteIndex, for
// callers that take either an index or inputs to read (such a file that is
// not a valid index is then refused by LoadIndex, not misread as input). A
// directory is not one; a file that cannot be opened is an error.
func IsIndexFile(path string) (bool, error) {
	st, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	if !st.Mode().IsRegular() {
		return false, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, len(indexMagic[:6]))
	if _, err := io.ReadFull(f, head); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return false, nil
		}
		return false, fmt.Errorf("read %s: %w", path, err)
	}
	return string(head) == indexMagic[:6], nil
}
