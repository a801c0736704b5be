package lineage

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/lineage-project/lineage/graph"
)

func TestRecoveredLabel(t *testing.T) {
	for _, r := range Relations {
		l := RecoveredLabel(r)
		got, declared := LabelRelation(l)
		if got != r || declared || !IsRecovered(l) {
			t.Errorf("RecoveredLabel(%s) = %d: LabelRelation = %s, declared %v, IsRecovered %v; want %s, false, true", r, l, got, declared, IsRecovered(l), r)
		}
		if !RelationLabels(r).Has(l) {
			t.Errorf("RelationLabels(%s) lacks the recovered label", r)
		}
		for _, d := range []bool{true, false} {
			if IsRecovered(EdgeLabel(r, d)) {
				t.Errorf("IsRecovered(EdgeLabel(%s, %v)) = true", r, d)
			}
		}
	}
}

func TestWithEdges(t *testing.T) {
	s := dslStore(t, `a/base:; a/chat: a/base finetune; q/chat-GGUF:; q/chat-AWQ:; u/orphan:`)
	base, chat := mustLookup(t, s, "a/base"), mustLookup(t, s, "a/chat")
	gguf, awq := mustLookup(t, s, "q/chat-GGUF"), mustLookup(t, s, "q/chat-AWQ")

	// Nothing to add: the same store, unchanged.
	if o, err := s.WithEdges(nil); err != nil || o != s {
		t.Fatalf("WithEdges(nil) = %p, %v; want the store itself", o, err)
	}
	before := s.Rank(0, graph.AllLabels)

	o, err := s.WithEdges([]RecoveredEdge{
		{Parent: chat, Child: gguf, Relation: Quantized, Confidence: 0.97},
		{Parent: chat, Child: awq, Relation: Quantized, Confidence: 0.5},
		{Parent: base, Child: chat, Relation: Finetune, Confidence: 0.9},  // declared already: skipped
		{Parent: chat, Child: gguf, Relation: Quantized, Confidence: 0.1}, // repeated: the first wins
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.NumRecovered() != 2 || s.NumRecovered() != 0 {
		t.Fatalf("NumRecovered = %d (store %d), want 2 (0)", o.NumRecovered(), s.NumRecovered())
	}
	if c, ok := o.RecoveredConfidence(chat, gguf); !ok || c != 0.97 { // kept as a float32, given to 4 decimals
		t.Errorf("RecoveredConfidence(chat, gguf) = %v, %v; want 0.97", c, ok)
	}
	if _, ok := o.RecoveredConfidence(base, chat); ok {
		t.Errorf("the declared edge base -> chat has a recovered confidence")
	}
	l, ok := o.G.EdgeLabel(chat, gguf)
	if r, declared := LabelRelation(l); !ok || !IsRecovered(l) || r != Quantized || declared {
		t.Errorf("edge chat -> gguf: label %d (%v): want recovered quantized, not declared", l, ok)
	}
	if l, _ := o.G.EdgeLabel(base, chat); IsRecovered(l) {
		t.Errorf("declared edge base -> chat became recovered")
	}
	// The node table is shared; the original graph is untouched.
	if o.Name(gguf) != s.Name(gguf) || o.NumModels() != s.NumModels() {
		t.Errorf("overlay names differ from the store's")
	}
	if !reflect.DeepEqual(s.Rank(0, graph.AllLabels), before) {
		t.Errorf("the store's ranking changed after WithEdges")
	}
	// Queries count the recovered edges: a/base now has 3 descendants.
	if d := o.Descendants(base, 0, graph.AllLabels, 0); d.Count != 3 {
		t.Errorf("Descendants(a/base) on the overlay = %d, want 3", d.Count)
	}
	if d := o.Descendants(base, 0, RelationLabels(Quantized)|RelationLabels(Finetune), 0); d.Count != 3 {
		t.Errorf("Descendants(a/base, finetune+quantized) = %d, want 3 (recovered edges are in RelationLabels)", d.Count)
	}
	if v, err := o.Lookup("Q/CHAT-gguf"); err != nil || v != gguf {
		t.Errorf("overlay Lookup = %v, %v", v, err)
	}
	// Layered: a second WithEdges keeps the first's confidences.
	orphan := mustLookup(t, s, "u/orphan")
	o2, err := o.WithEdges([]RecoveredEdge{{Parent: base, Child: orphan, Relation: Adapter, Confidence: 0.8}})
	if err != nil {
		t.Fatal(err)
	}
	if o2.NumRecovered() != 3 {
		t.Errorf("layered NumRecovered = %d, want 3", o2.NumRecovered())
	}
	if _, ok := o2.RecoveredConfidence(chat, awq); !ok {
		t.Errorf("layered overlay lost the first layer's confidence")
	}
	// An index holds declared lineage only.
	if err := o.WriteIndex(filepath.Join(t.TempDir(), "x.idx")); err == nil {
		t.Errorf("WriteIndex of an overlay succeeded, want an error")
	}
}

func TestWithEdgesErrors(t *testing.T) {
	s := dslStore(t, `a/base:; a/chat: a/base finetune; a/chat2: a/chat finetune`)
	base, chat2 := mustLookup(t, s, "a/base"), mustLookup(t, s, "a/chat2")
	if _, err := s.WithEdges([]RecoveredEdge{{Parent: chat2, Child: base, Relation: Finetune}}); !errors.Is(err, ErrCycle) {
		t.Errorf("an edge closing a cycle: err = %v, want ErrCycle", err)
	}
	if _, err := s.WithEdges([]RecoveredEdge{{Parent: base, Child: base}}); err == nil {
		t.Errorf("a self-loop: no error")
	}
	if _, err := s.WithEdges([]RecoveredEdge{{Parent: base, Child: graph.NodeID(s.NumModels())}}); err == nil {
		t.Errorf("a node outside the store: no error")
	}
}
