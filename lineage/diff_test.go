package lineage

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/graph"
)

func TestDSLDiff(t *testing.T) {
	const old = "a:; b: a finetune; c: b adapter; d: a quantized; m: b merge, d merge; gone: a finetune; x:"
	const cur = "A:; b: a finetune; c: b finetune; d: b quantized; m: b merge, d merge; new: c adapter; n2: new finetune; x:; y: x adapter; z: x finetune, y adapter"
	s := Diff(dslStore(t, old), dslStore(t, cur), DiffOptions{})
	check := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("Old", s.Old, SnapshotSize{Models: 7, Edges: 6, Foundations: 2})
	check("New", s.New, SnapshotSize{Models: 10, Edges: 10, Foundations: 2})
	check("Added", s.Added, []string{"n2", "new", "y", "z"})
	check("Removed", s.Removed, []string{"gone"})
	check("AddedEdges", s.AddedEdges, []DiffEdge{{"b", "d", "quantized"}, {"new", "n2", "finetune"}, {"c", "new", "adapter"}, {"x", "y", "adapter"}, {"x", "z", "finetune"}, {"y", "z", "adapter"}})
	check("RemovedEdges", s.RemovedEdges, []DiffEdge{{"a", "d", "quantized"}, {"a", "gone", "finetune"}})
	check("RelationChanges", s.RelationChanges, []RelationChange{{"b", "c", "adapter", "finetune"}})
	check("ReparentedModels", s.ReparentedModels, []Reparented{{"d", []string{"a"}, []string{"b"}}})
	check("NewFoundationModels", s.NewFoundationModels, []NewFoundation{})
	// a: 5 descendants before (b c d m gone), 6 after (b c d m new n2); x: 0, then 2.
	check("Foundations", s.Foundations, []FoundationGrowth{{"x", 0, 2, 2}, {"A", 5, 6, 1}})
	check("counts", []int{s.ModelsAdded, s.ModelsRemoved, s.EdgesAdded, s.EdgesRemoved, s.Reparented, s.RelationChanged, s.NewFoundations}, []int{4, 1, 6, 2, 1, 1, 0})

	// A model that loses its parent becomes a new foundation; limits cut
	// the lists, not the counts; the relation filter counts descendants
	// along those relations only.
	s = Diff(dslStore(t, "a:; b: a finetune; c: b adapter; d: b quantized"), dslStore(t, "a:; b:; c: b adapter; d: b quantized"), DiffOptions{Limit: 1, Top: 1, Labels: mustRelations(t, "adapter")})
	check("NewFoundationModels", s.NewFoundationModels, []NewFoundation{{"b", 1}})
	check("ReparentedModels", s.ReparentedModels, []Reparented{{"b", []string{"a"}, nil}})
	check("Foundations", s.Foundations, []FoundationGrowth{})
	check("counts", []int{s.NewFoundations, s.Reparented, s.EdgesRemoved}, []int{1, 1, 1})
}

func TestIsIndexFile(t *testing.T) {
	dir := t.TempDir()
	idx := filepath.Join(dir, "x.idx")
	if err := dslStore(t, "a:; b: a").WriteIndex(idx); err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("LNG"), 0o644)
	listing := filepath.Join(dir, "l.jsonl")
	os.WriteFile(listing, []byte(`{"id":"a/b"}`+"\n"), 0o644)
	for _, c := range []struct {
		path string
		want bool
	}{{idx, true}, {short, false}, {listing, false}, {dir, false}} {
		if got, err := IsIndexFile(c.path); got != c.want || err != nil {
			t.Errorf("IsIndexFile(%s) = %v, %v; want %v", c.path, got, err, c.want)
		}
	}
	if _, err := IsIndexFile(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("IsIndexFile(missing) error = %v, want not-exist", err)
	}
}

// refDiff is a naive diff of two reference graphs: maps of folded ids.
type refDiff struct {
	added, removed, addedE, removedE, changed, reparented, founded, grew []string
}

func naiveDiff(a, b *refGraph, rels map[string]bool) refDiff {
	var d refDiff
	for v := range b.nodes {
		if !a.nodes[v] {
			d.added = append(d.added, v)
		}
	}
	for v := range a.nodes {
		if !b.nodes[v] {
			d.removed = append(d.removed, v)
		}
	}
	for c, ps := range b.parents {
		for p, r := range ps {
			if ro, ok := a.parents[c][p]; !ok {
				d.addedE = append(d.addedE, p+">"+c+":"+r)
			} else if ro != r {
				d.changed = append(d.changed, p+">"+c+":"+ro+">"+r)
			}
		}
	}
	for c, ps := range a.parents {
		for p, r := range ps {
			if _, ok := b.parents[c][p]; !ok {
				d.removedE = append(d.removedE, p+">"+c+":"+r)
			}
		}
	}
	for v := range b.nodes {
		if !a.nodes[v] {
			continue
		}
		pa, pb := slices.Sorted(mapKeys(a.parents[v])), slices.Sorted(mapKeys(b.parents[v]))
		if !slices.Equal(pa, pb) {
			d.reparented = append(d.reparented, v+":"+strings.Join(pa, ",")+">"+strings.Join(pb, ","))
		}
	}
	for v := range b.nodes {
		if len(b.parents[v]) > 0 {
			continue
		}
		after := len(b.reach(v, true, rels, 0))
		before := 0
		if a.nodes[v] {
			before = len(a.reach(v, true, rels, 0))
		}
		if after > before {
			d.grew = append(d.grew, fmt.Sprintf("%s:%d>%d", v, before, after))
		}
		if after > 0 && (!a.nodes[v] || len(a.parents[v]) > 0) {
			d.founded = append(d.founded, fmt.Sprintf("%s:%d", v, after))
		}
	}
	for _, l := range [][]string{d.added, d.removed, d.addedE, d.removedE, d.changed, d.reparented, d.founded, d.grew} {
		sort.Strings(l)
	}
	return d
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// gotDiff renders a DiffResult in refDiff's terms, ids folded.
func gotDiff(r DiffResult) refDiff {
	f := strings.ToLower
	var d refDiff
	for _, id := range r.Added {
		d.added = append(d.added, f(id))
	}
	for _, id := range r.Removed {
		d.removed = append(d.removed, f(id))
	}
	for _, e := range r.AddedEdges {
		d.addedE = append(d.addedE, f(e.Parent+">"+e.Child+":"+e.Relation))
	}
	for _, e := range r.RemovedEdges {
		d.removedE = append(d.removedE, f(e.Parent+">"+e.Child+":"+e.Relation))
	}
	for _, c := range r.RelationChanges {
		d.changed = append(d.changed, f(c.Parent+">"+c.Child+":"+c.Before+">"+c.After))
	}
	for _, m := range r.ReparentedModels {
		d.reparented = append(d.reparented, f(m.ID+":"+strings.Join(m.Before, ",")+">"+strings.Join(m.After, ",")))
	}
	for _, n := range r.NewFoundationModels {
		d.founded = append(d.founded, fmt.Sprintf("%s:%d", f(n.ID), n.Descendants))
	}
	for _, g := range r.Foundations {
		d.grew = append(d.grew, fmt.Sprintf("%s:%d>%d", f(g.ID), g.Before, g.After))
		if g.Delta != g.After-g.Before {
			d.grew = append(d.grew, "bad delta")
		}
	}
	for _, l := range [][]string{d.added, d.removed, d.addedE, d.removedE, d.changed, d.reparented, d.founded, d.grew} {
		sort.Strings(l)
	}
	return d
}

// mutateDSL derives a second snapshot from DSL text: records dropped,
// re-parented, relations changed, records added, and ids respelt in
// other letter case (the same model on the Hub).
func mutateDSL(rng *rand.Rand, text string, n int) string {
	rels := []string{"finetune", "adapter", "quantized", "merge"}
	respell := func(id string) string {
		if rng.IntN(5) == 0 {
			return strings.ToUpper(id)
		}
		return id
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if line == "" {
			continue
		}
		child, rest, _ := strings.Cut(line, ":")
		switch rng.IntN(10) {
		case 0: // dropped
			continue
		case 1: // re-parented
			rest = fmt.Sprintf(" m%02d %s", rng.IntN(n+4), rels[rng.IntN(4)])
		case 2: // relations changed
			for _, r := range rels {
				rest = strings.ReplaceAll(rest, " "+r, " "+rels[rng.IntN(4)])
			}
		case 3: // lost its parents
			rest = ""
		}
		if strings.TrimSpace(rest) == " "+child || strings.Contains(rest, " "+child+" ") {
			rest = "" // no self-reference
		}
		var items []string
		for _, it := range strings.Split(rest, ",") {
			if f := strings.Fields(it); len(f) == 2 && f[0] != child {
				items = append(items, respell(f[0])+" "+f[1])
			}
		}
		out = append(out, respell(child)+": "+strings.Join(items, ", "))
	}
	for i := 0; i < rng.IntN(4); i++ {
		out = append(out, fmt.Sprintf("m%02d: m%02d %s", n+i, rng.IntN(n+i), rels[rng.IntN(4)]))
	}
	return strings.Join(out, "\n") + "\n"
}

// foldDSL lower-cases every id of DSL text (the reference's identity).
func foldDSL(t *testing.T, text string) *refGraph {
	lines := parseDSL(t, text)
	for i := range lines {
		lines[i].child = strings.ToLower(lines[i].child)
		for j := range lines[i].parents {
			lines[i].parents[j].id = strings.ToLower(lines[i].parents[j].id)
		}
	}
	return newRefGraph(lines)
}

// TestDiffAgainstNaive holds Diff to a naive map-based diff on random
// pairs of snapshots with merges, diamonds, cycles and case variants.
func TestDiffAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	filters := []string{"", "finetune", "adapter,merge"}
	var met [8]int // how many diffs had each kind of change, so none goes untested
	defer func() {
		for i, m := range met {
			if m == 0 && !t.Failed() {
				t.Errorf("no random pair had a change of kind %d (%v)", i, met)
			}
		}
	}()
	for iter := 0; iter < 300; iter++ {
		n := 2 + rng.IntN(14)
		a := randomDSL(rng, n)
		b := mutateDSL(rng, a, n)
		f := filters[iter%len(filters)]
		var rset map[string]bool
		if f != "" {
			rset = map[string]bool{}
			for _, r := range strings.Split(f, ",") {
				rset[r] = true
			}
		}
		got := gotDiff(Diff(dslStore(t, a), dslStore(t, b), DiffOptions{Labels: mustRelations(t, f)}))
		want := naiveDiff(foldDSL(t, a), foldDSL(t, b), rset)
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Fatalf("Diff(%q, %q, %q) =\n%+v\nwant\n%+v", a, b, f, got, want)
		}
		for i, l := range [][]string{want.added, want.removed, want.addedE, want.removedE, want.changed, want.reparented, want.founded, want.grew} {
			if len(l) > 0 {
				met[i]++
			}
		}
		// Diffing a snapshot with itself finds nothing.
		same := Diff(dslStore(t, b), dslStore(t, b), DiffOptions{})
		if same.ModelsAdded+same.ModelsRemoved+same.EdgesAdded+same.EdgesRemoved+same.Reparented+same.RelationChanged+same.NewFoundations+len(same.Foundations) != 0 {
			t.Fatalf("Diff(x, x) of %q = %+v, want no change", b, same)
		}
	}
}

// TestDiffIndexAndBuild: a store loaded from an index diffs like the store
// it was written from (NodeIDs and the name table come from the file).
func TestDiffIndexAndBuild(t *testing.T) {
	a := dslStore(t, "a:; b: a finetune; c: b adapter; m: b merge, c merge")
	b := dslStore(t, "A:; b: a finetune; c: a adapter; m: b merge, c merge; n: m quantized")
	p := filepath.Join(t.TempDir(), "b.idx")
	if err := b.WriteIndex(p); err != nil {
		t.Fatal(err)
	}
	bi, err := LoadIndex(p)
	if err != nil {
		t.Fatal(err)
	}
	want := Diff(a, b, DiffOptions{})
	if got := Diff(a, bi, DiffOptions{}); fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("Diff(built, indexed) = %+v\nwant %+v", got, want)
	}
	if got := want.Reparented; got != 1 {
		t.Errorf("Reparented = %d, want 1 (c)", got)
	}
}

// TestFirstSorted holds the bounded selection to a full sort.
func TestFirstSorted(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for iter := 0; iter < 2000; iter++ {
		xs := make([]int, rng.IntN(60))
		for i := range xs {
			xs[i] = rng.IntN(20)
		}
		limit := rng.IntN(12)
		want := slices.Sorted(slices.Values(xs))
		if limit > 0 && len(want) > limit {
			want = want[:limit]
		}
		got := firstSorted(slices.Clone(xs), limit, func(a, b int) int { return a - b })
		if !slices.Equal(got, want) || got == nil {
			t.Fatalf("firstSorted(%v, %d) = %v, want %v", xs, limit, got, want)
		}
	}
}

// TestMapNodes holds the windowed name join on both cores to one lookup
// per name (Store.find) on stores large enough for several workers and
// windows, with ids respelt in other letter case and ids on one side only.
func TestMapNodes(t *testing.T) {
	var a, b strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&a, "org%d/model-%d: org%d/model-%d finetune\n", i%97, i, (i/3)%97, i/3)
		switch {
		case i%7 == 0: // not in b
		case i%5 == 0:
			fmt.Fprintf(&b, "ORG%d/Model-%d: org%d/model-%d adapter\n", i%97, i, (i/3)%97, i/3)
		default:
			fmt.Fprintf(&b, "org%d/model-%d:\n", i%97, i)
		}
	}
	old, cur := dslStore(t, a.String()), dslStore(t, b.String())
	got := mapNodes(old, cur)
	matched := 0
	for v := range old.NumModels() {
		w, ok := cur.find(old.Name(graph.NodeID(v)))
		if !ok {
			w = -1
		}
		if got[v] != int32(w) {
			t.Fatalf("mapNodes: %s -> %d, want %d", old.Name(graph.NodeID(v)), got[v], w)
		}
		if w >= 0 {
			matched++
		}
	}
	if matched == 0 || matched == old.NumModels() {
		t.Fatalf("mapNodes matched %d of %d: the test needs both cases", matched, old.NumModels())
	}
}
