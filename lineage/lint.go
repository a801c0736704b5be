package lineage

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// Lint returns every problem found in the input of a freshly built store:
// the diagnostics of parsing and building (with their source and line),
// every dangling parent, and every quantization that declares its
// grandparents instead of its parent (a grandparent shortcut). Problems are
// sorted by kind, then source, then line, then model.
func (s *Store) Lint() []Diagnostic {
	var out []Diagnostic
	for _, d := range s.diags {
		if d.Kind != KindDangling {
			out = append(out, d)
		}
	}
	out = append(out, s.danglingParents()...)
	out = append(out, s.GrandparentShortcuts()...)
	slices.SortStableFunc(out, func(a, b Diagnostic) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Line, b.Line), modelid.Compare(a.ID, b.ID))
	})
	return out
}

// danglingParents reports every model referenced as a parent that has no
// record of its own, naming one model that references it.
func (s *Store) danglingParents() []Diagnostic {
	var out []Diagnostic
	for v := 0; v < s.G.NumNodes(); v++ {
		id := graph.NodeID(v)
		if s.HasRecord(id) || s.G.OutDegree(id) == 0 {
			continue
		}
		kids, _ := s.G.Out(id)
		out = append(out, Diagnostic{Kind: KindDangling, ID: s.Name(id), Value: s.Name(id),
			Detail: fmt.Sprintf("referenced as a parent by %d model(s), e.g. %s, but has no record of its own; counted as a foundation", len(kids), s.Name(kids[0])),
			Fix:    "add a card or listing record for " + s.Name(id) + ", or correct the base_model that names it"})
	}
	return out
}

// junkSuffix are name tokens quantizers add besides the quantization
// marker itself (mradermacher's i1 imatrix builds, llama.cpp type letters).
var junkSuffix = map[string]bool{"i1": true, "imatrix": true, "imat": true, "k": true, "m": true, "s": true, "l": true, "xs": true, "xxs": true, "0": true, "1": true, "mlx": true}

// QuantBase returns the name a quantization was made from, by cutting the
// id's name part at its first quantization marker ("Mistral-7B-Instruct-
// v0.2-Q4_K_M-GGUF" -> "Mistral-7B-Instruct-v0.2"), and false when the
// name carries no marker.
func QuantBase(id string) (string, bool) {
	name := id
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		name = id[i+1:]
	}
	start := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '-' || name[i] == '_' || name[i] == '.' {
			tok := name[start:i]
			if quantToken(tok) {
				base := strings.TrimRight(name[:max(start-1, 0)], "-_.")
				// Drop junk tokens left just before the marker.
				for {
					j := strings.LastIndexAny(base, "-_.")
					if j < 0 || !junkSuffix[strings.ToLower(base[j+1:])] {
						break
					}
					base = base[:j]
				}
				return base, base != ""
			}
			start = i + 1
		}
	}
	return "", false
}

// GrandparentShortcuts finds quantizations that declare their grandparents:
// a model C quantized from P whose name, without its quantization marker,
// names a model X that is itself a child of P — so C was most likely made
// from X, and its card skipped a generation. The fix names X.
func (s *Store) GrandparentShortcuts() []Diagnostic {
	// Index models by the lower-cased name part, only for names that some
	// quantization points at (keeps the map small at Hub scale).
	want := map[string][]graph.NodeID{}
	type cand struct {
		child graph.NodeID
		base  string
	}
	var cands []cand
	for v := 0; v < s.G.NumNodes(); v++ {
		id := graph.NodeID(v)
		ps, labs := s.G.In(id)
		quant := false
		for i := range ps {
			if r, _ := LabelRelation(labs[i]); r == Quantized {
				quant = true
			}
		}
		if !quant {
			continue
		}
		if base, ok := QuantBase(s.Name(id)); ok {
			key := strings.ToLower(base)
			want[key] = nil
			cands = append(cands, cand{id, key})
		}
	}
	if len(cands) == 0 {
		return nil
	}
	for v := 0; v < s.G.NumNodes(); v++ {
		name := s.Name(graph.NodeID(v))
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
		if l, ok := want[strings.ToLower(name)]; ok {
			want[strings.ToLower(name)] = append(l, graph.NodeID(v))
		}
	}
	var out []Diagnostic
	for _, c := range cands {
		ps, labs := s.G.In(c.child)
		for i, p := range ps {
			if r, _ := LabelRelation(labs[i]); r != Quantized {
				continue
			}
			if strings.EqualFold(namePart(s.Name(p)), c.base) {
				continue // the declared parent is the model the name says
			}
			// Children of p named like the quantization's base; prefer one
			// in p's own organisation, then the most downloaded.
			var best graph.NodeID = -1
			for _, x := range want[c.base] {
				if x == c.child || x == p {
					continue
				}
				if _, isChild := s.G.EdgeLabel(p, x); !isChild {
					continue
				}
				if _, already := s.G.EdgeLabel(x, c.child); already {
					continue
				}
				if best < 0 || better(s, x, best, p) {
					best = x
				}
			}
			if best >= 0 {
				x := best
				out = append(out, Diagnostic{Kind: KindGrandparentShortcut, ID: s.Name(c.child), Value: s.Name(p),
					Detail: "a quantization of " + s.Name(x) + " (by its name) declares " + s.Name(p) + ", the parent of " + s.Name(x),
					Fix:    "base_model: " + s.Name(x) + "\nbase_model_relation: quantized"})
			}
		}
	}
	return out
}

// better reports whether x is a likelier real parent than y, for a
// quantization that declared p: same organisation as p first, then
// downloads, then id.
func better(s *Store, x, y, p graph.NodeID) bool {
	org := func(v graph.NodeID) string {
		n := s.Name(v)
		i := strings.IndexByte(n, '/')
		return strings.ToLower(n[:max(i, 0)])
	}
	if ox, oy := org(x) == org(p), org(y) == org(p); ox != oy {
		return ox
	}
	if s.Downloads(x) != s.Downloads(y) {
		return s.Downloads(x) > s.Downloads(y)
	}
	return modelid.Compare(s.Name(x), s.Name(y)) < 0
}

func namePart(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

// LintSummary counts problems by kind.
func LintSummary(ds []Diagnostic) map[string]int {
	m := map[string]int{}
	for _, d := range ds {
		m[d.Kind]++
	}
	return m
}
