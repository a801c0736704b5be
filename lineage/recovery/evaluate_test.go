package recovery

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
)

// conventionCorpus: n bases, each with a GGUF and an AWQ conversion named
// by convention (recoverable) and a finetune with an unrelated name (not
// recoverable), every child declared.
func conventionCorpus(t testing.TB, n int) *memCorpus {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "org%d/Base-%dB\n", i, i)
		fmt.Fprintf(&b, "TheBloke/Base-%dB-GGUF < org%d/Base-%dB quantized\n", i, i, i)
		fmt.Fprintf(&b, "TheBloke/Base-%dB-AWQ < org%d/Base-%dB quantized\n", i, i, i)
		fmt.Fprintf(&b, "user%d/zq%dx < org%d/Base-%dB finetune\n", i, i, i, i)
	}
	return newCorpus(t, b.String())
}

func TestEvaluateHiding(t *testing.T) {
	m := conventionCorpus(t, 50)
	var hidden []graph.NodeID
	rep := Evaluate(m, EvalOptions{Fraction: 0.2, Seed: 3, Trace: func(c, p graph.NodeID, rel lineage.Relation, pr *Proposal) {
		hidden = append(hidden, c)
		ps, _ := m.g.In(c)
		if len(ps) != 1 || ps[0] != p {
			t.Errorf("Trace(%s): parent %s is not the declared one", m.names[c], m.names[p])
		}
	}})
	if rep.Declarations != 150 || rep.All.Hidden != 30 || len(hidden) != 30 {
		t.Fatalf("hid %d (traced %d) of %d declarations, want 30 of 150", rep.All.Hidden, len(hidden), rep.Declarations)
	}
	// The same seed hides the same declarations; another seed others.
	var again, other []graph.NodeID
	Evaluate(m, EvalOptions{Fraction: 0.2, Seed: 3, Trace: func(c, _ graph.NodeID, _ lineage.Relation, _ *Proposal) { again = append(again, c) }})
	Evaluate(m, EvalOptions{Fraction: 0.2, Seed: 4, Trace: func(c, _ graph.NodeID, _ lineage.Relation, _ *Proposal) { other = append(other, c) }})
	if !reflect.DeepEqual(hidden, again) {
		t.Errorf("seed 3 hid other declarations the second time")
	}
	if reflect.DeepEqual(hidden, other) {
		t.Errorf("seeds 3 and 4 hid the same declarations")
	}
	if r2 := Evaluate(m, EvalOptions{Fraction: 0.2, Seed: 3}); !reflect.DeepEqual(rep, r2) {
		t.Errorf("two evaluations with seed 3 differ")
	}
	// Conversions come back, finetunes with unrelated names do not: the
	// scores, counted here from the trace, match the report.
	q, f := rep.ByRelation["quantized"], rep.ByRelation["finetune"]
	if q.Hidden+f.Hidden != 30 || q.Correct != q.Hidden || q.Precision != 1 || q.Recall != 1 {
		t.Errorf("quantized %+v, want every hidden conversion recovered", q)
	}
	if f.Proposed != 0 {
		t.Errorf("finetune %+v, want no proposal for unrelated names", f)
	}
	if rep.All.Correct != q.Hidden || rep.All.Proposed != q.Hidden {
		t.Errorf("all %+v, want %d proposed and correct", rep.All, q.Hidden)
	}
	var inBuckets int
	for _, b := range rep.Buckets {
		inBuckets += b.Proposed
	}
	if inBuckets != rep.All.Proposed {
		t.Errorf("buckets hold %d proposals, want %d (threshold 0: every proposal)", inBuckets, rep.All.Proposed)
	}
}

// A hidden model looks exactly like an undeclared one: the corpus Recover
// sees has no edge into it and the same formats and hints.
func TestEvaluateHiddenLooksUndeclared(t *testing.T) {
	m := conventionCorpus(t, 20)
	m.formats[m.node(t, "TheBloke/Base-3B-GGUF")] = lineage.FormatGGUF
	hide := map[graph.NodeID]bool{m.node(t, "TheBloke/Base-3B-GGUF"): true, m.node(t, "user1/zq1x"): true}
	hg := withoutParents(m.g, hide)
	hc := hiddenCorpus{m, hg}
	for v := range hide {
		if hg.InDegree(v) != 0 {
			t.Errorf("%s keeps %d parents after hiding", m.names[v], hg.InDegree(v))
		}
		if hc.Formats(v) != m.Formats(v) || len(hc.Hints(v)) != len(m.Hints(v)) {
			t.Errorf("%s: formats or hints changed by hiding", m.names[v])
		}
	}
	if hg.NumEdges() != m.g.NumEdges()-2 {
		t.Errorf("hiding 2 declarations left %d of %d edges", hg.NumEdges(), m.g.NumEdges())
	}
	// Recover on the hidden corpus equals Recover on a corpus built without
	// those declarations in the first place.
	var b strings.Builder
	for v, name := range m.names {
		b.WriteString(name)
		if ps, labs := m.g.In(graph.NodeID(v)); len(ps) == 1 && !hide[graph.NodeID(v)] {
			r, _ := lineage.LabelRelation(labs[0])
			fmt.Fprintf(&b, " < %s %s", m.names[ps[0]], r)
		}
		if m.formats[v] != 0 {
			b.WriteString(" tags=gguf")
		}
		b.WriteString("\n")
	}
	fresh := newCorpus(t, b.String())
	if got, want := Recover(hc, Options{}), Recover(fresh, Options{}); !reflect.DeepEqual(got, want) {
		t.Errorf("Recover on the hidden corpus differs from Recover on a corpus that never declared them")
	}
}

func TestEvaluateFoundations(t *testing.T) {
	// One foundation whose only child carries the family: hiding it loses
	// the family, recovering it brings the family back.
	m := newCorpus(t, `acme/Base-7B; acme/Base-7B-Instruct < acme/Base-7B finetune
		TheBloke/Base-7B-Instruct-GGUF < acme/Base-7B-Instruct quantized; TheBloke/Base-7B-Instruct-AWQ < acme/Base-7B-Instruct quantized`)
	rep := Evaluate(m, EvalOptions{Fraction: 0.9, Seed: 1, Eligible: func(v graph.NodeID) bool { return m.names[v] == "acme/Base-7B-Instruct" }})
	if rep.All.Hidden != 1 || len(rep.Foundations) == 0 {
		t.Fatalf("report %+v, want 1 hidden and the foundation followed", rep)
	}
	f := rep.Foundations[0]
	if f.ID != "acme/Base-7B" || f.Before != 3 || f.Hidden != 0 || f.Recovered != 3 || f.OnlyHidden != 3 || rep.LostRestored != 1 {
		t.Errorf("foundation %+v restored %.2f, want acme/Base-7B 3 -> 0 -> 3, 1.0", f, rep.LostRestored)
	}
}
