package lineage

import (
	"testing"

	"github.com/lineage-project/lineage/graph"
)

// TestRecoveredInQueries: over a store with recovered edges, hops across
// them are marked with their confidence, and the counts say how much only
// a recovered edge reaches; over the plain store nothing is marked.
func TestRecoveredInQueries(t *testing.T) {
	s := dslStore(t, "base:; tune: base finetune; q: tune quantized; lone:; lone-GGUF:; lone-GGUF-child: lone-GGUF finetune")
	v := func(id string) graph.NodeID { return mustLookup(t, s, id) }
	o, err := s.WithEdges([]RecoveredEdge{{Parent: v("lone"), Child: v("lone-GGUF"), Relation: Quantized, Confidence: 0.9}})
	if err != nil {
		t.Fatal(err)
	}
	d := o.Descendants(v("lone"), 0, graph.AllLabels, 0)
	if d.Count != 2 || d.Recovered != 2 {
		t.Fatalf("Descendants(lone) count %d recovered %d, want 2 and 2", d.Count, d.Recovered)
	}
	if h := d.Descendants[0]; h.ID != "lone-GGUF" || !h.Recovered || h.Confidence < 0.89 || h.Confidence > 0.91 || h.Declared {
		t.Errorf("first hop %+v, want lone-GGUF recovered at 0.9", h)
	}
	if h := d.Descendants[1]; h.Recovered {
		t.Errorf("second hop %+v is declared, not recovered", h)
	}
	a := o.Ancestors(v("lone-GGUF-child"))
	if len(a.Ancestors) != 2 || a.Ancestors[0].Recovered || !a.Ancestors[1].Recovered || a.Ancestors[1].ID != "lone" {
		t.Errorf("Ancestors(lone-GGUF-child) = %+v", a.Ancestors)
	}
	rk := o.Rank(0, graph.AllLabels)
	byID := map[string]RankEntry{}
	for _, e := range rk {
		byID[e.ID] = e
	}
	if e := byID["lone"]; e.Descendants != 2 || e.Recovered == nil || *e.Recovered != 2 {
		t.Errorf("rank lone = %+v", e)
	}
	if e := byID["base"]; e.Recovered == nil || *e.Recovered != 0 {
		t.Errorf("rank base = %+v, want 0 recovered", e)
	}
	// The plain store marks nothing.
	if pd := s.Descendants(v("base"), 0, graph.AllLabels, 0); pd.Recovered != 0 || pd.Descendants[0].Recovered {
		t.Errorf("plain store marks recovered hops: %+v", pd)
	}
	for _, e := range s.Rank(0, graph.AllLabels) {
		if e.Recovered != nil {
			t.Errorf("plain rank entry %s has a recovered count", e.ID)
		}
	}
}
