package lineage

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/graph"
)

// TestBuilderHugeTableGrowsAndFinishes drives the name table past the size
// at which it is mapped outside the Go heap, through several regrowths, and
// checks every model is still found in the finished store (whose table is
// copied out of the mapping before it is released).
func TestBuilderHugeTableGrowsAndFinishes(t *testing.T) {
	b := NewBuilder(BuilderOptions{})
	n := hugeSlots // the table holds at most 0.7 models per slot: this forces two growths past hugeSlots
	for i := 0; i < n; i++ {
		r := Record{ID: fmt.Sprintf("org%d/m-%d", i%101, i), Kind: KindListing, Source: "gen", Line: i + 1}
		if i > 0 {
			r.Parents = []Parent{{ID: fmt.Sprintf("org%d/m-%d", (i/2)%101, i/2), Relation: Finetune, Declared: true}}
			r.ParentFrom = FromCard
		}
		b.Emit([]Record{r}, nil)
	}
	if len(b.slots) < hugeSlots {
		t.Fatalf("table has %d slots after %d models, want at least %d (the mapped size)", len(b.slots), n, hugeSlots)
	}
	s := b.Finish()
	if s.NumModels() != n || s.G.NumEdges() != n-1 {
		t.Fatalf("store has %d models %d edges, want %d %d", s.NumModels(), s.G.NumEdges(), n, n-1)
	}
	for _, i := range []int{0, 1, n / 3, n / 2, n - 1} {
		id := fmt.Sprintf("ORG%d/M-%d", i%101, i)
		if v, err := s.Lookup(id); err != nil || s.Name(v) != strings.ToLower(id) {
			t.Fatalf("Lookup(%s) = %v, %v", id, v, err)
		}
	}
}

// TestRankTopIsPrefixOfFullRanking checks that Rank(top), which sorts only
// the entries that can place, equals the first top entries of the full
// ranking, including cuts that fall inside a run of tied counts.
func TestRankTopIsPrefixOfFullRanking(t *testing.T) {
	s := sampleStore(t)
	all := s.Rank(0, graph.AllLabels)
	tiesAtCut := 0
	for _, top := range []int{1, 2, 3, 5, 10, 25, 40, 100, 333, 1000, len(all) - 1, len(all), len(all) + 5} {
		if top <= 0 {
			continue
		}
		got := s.Rank(top, graph.AllLabels)
		want := all[:min(top, len(all))]
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Rank(%d) differs from the first %d of Rank(0)", top, top)
		}
		if top < len(all) && all[top-1].Descendants == all[top].Descendants {
			tiesAtCut++
		}
	}
	if tiesAtCut == 0 {
		t.Fatal("no cut fell inside a run of tied counts; the test proves less than it claims")
	}
}
