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
// the diagnostics of parsing and building (with their source and line,
// and the findings Finish adds: cycles, grandparent shortcuts, conflicting
// relations) and every dangling parent (Finish lists only the first few,
// and counts them all). The counts per kind are those of Stats().Diagnostics.
// Problems are sorted by kind, then source, then line, then model.
func (s *Store) Lint() []Diagnostic {
	var out []Diagnostic
	for _, d := range s.diags {
		if d.Kind != KindDangling {
			out = append(out, d)
		}
	}
	out = append(out, s.danglingParents()...)
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
// from X, and its card skipped a generation. The fix names X. Finish runs
// it, so its findings are among the store's diagnostics and counts.
//
// Names are matched by a hash of their folded name part, so that the pass
// over all names allocates nothing for the ones no quantization names.
func (s *Store) GrandparentShortcuts() []Diagnostic {
	type cand struct {
		child graph.NodeID
		base  string
		hash  uint64
	}
	var cands []cand
	wanted := map[uint64]bool{}                // the hashes of the bases the quantizations name
	var wantLen [256]bool                      // and their lengths (255: 255 or more)
	parents := graph.NewBitset(s.G.NumNodes()) // the parents quantizations declare
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
		base, ok := QuantBase(s.Name(id))
		if !ok {
			continue
		}
		h := foldHash(base)
		cands = append(cands, cand{id, base, h})
		wanted[h] = true
		wantLen[min(len(base), 255)] = true
		for i, p := range ps {
			if r, _ := LabelRelation(labs[i]); r == Quantized {
				parents.Set(p)
			}
		}
	}
	if len(cands) == 0 {
		return nil
	}
	// The children of those parents named like some quantization's base,
	// by name hash, in one pass in store order (sequential reads: at Hub
	// scale this beats visiting each parent's children), reading the names
	// of those children only.
	named := map[uint64][]graph.NodeID{}
	for v := 0; v < s.G.NumNodes(); v++ {
		ps, _ := s.G.In(graph.NodeID(v))
		child := false
		for _, p := range ps {
			if parents.Has(p) {
				child = true
				break
			}
		}
		if !child {
			continue
		}
		name := namePart(s.Name(graph.NodeID(v)))
		if !wantLen[min(len(name), 255)] {
			continue
		}
		if h := foldHash(name); wanted[h] {
			named[h] = append(named[h], graph.NodeID(v))
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
			for _, x := range named[c.hash] {
				if x == c.child || x == p || !strings.EqualFold(namePart(s.Name(x)), c.base) {
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

// ConflictingRelations finds models whose parents carry different
// relations, such as a declared finetune of one parent and an inferred
// merge of another: a model card has one base_model_relation for all its
// parents, so one of the statements is wrong (often an edge list or tag
// set that mixes a declaration with a parent added later). Finish runs it,
// so its findings are among the store's diagnostics and counts.
func (s *Store) ConflictingRelations() []Diagnostic {
	var out []Diagnostic
	for v := 0; v < s.G.NumNodes(); v++ {
		id := graph.NodeID(v)
		ps, labs := s.G.In(id)
		if len(ps) < 2 {
			continue
		}
		first, _ := LabelRelation(labs[0])
		mixed := false
		for _, l := range labs[1:] {
			if r, _ := LabelRelation(l); r != first {
				mixed = true
				break
			}
		}
		if mixed {
			out = append(out, s.conflict(id, ps, labs))
		}
	}
	return out
}

// conflict describes the parents of v by relation, declared ones first.
func (s *Store) conflict(v graph.NodeID, ps []graph.NodeID, labs []graph.Label) Diagnostic {
	type group struct {
		rel      Relation
		declared bool
		ids      []string
	}
	var groups []group
	for i, p := range ps {
		rel, declared := LabelRelation(labs[i])
		j := slices.IndexFunc(groups, func(g group) bool { return g.rel == rel && g.declared == declared })
		if j < 0 {
			groups = append(groups, group{rel: rel, declared: declared})
			j = len(groups) - 1
		}
		groups[j].ids = append(groups[j].ids, s.Name(p))
	}
	slices.SortFunc(groups, func(a, b group) int {
		if a.declared != b.declared {
			if a.declared {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.rel, b.rel)
	})
	var parts, values, all []string
	for _, g := range groups {
		slices.SortFunc(g.ids, modelid.Compare)
		how := "inferred"
		if g.declared {
			how = "declared"
		}
		parts = append(parts, g.rel.String()+" of "+strings.Join(g.ids, ", ")+" ("+how+")")
		values = append(values, g.rel.String()+" ("+how+")")
		all = append(all, g.ids...)
	}
	slices.SortFunc(all, modelid.Compare)
	keep := groups[0] // the declared relation when there is one
	fix := "base_model: " + strings.Join(keep.ids, ", ") + "\nbase_model_relation: " + keep.rel.String()
	if len(keep.ids) > 1 {
		fix = "base_model: [" + strings.Join(keep.ids, ", ") + "]\nbase_model_relation: " + keep.rel.String()
	}
	return Diagnostic{Kind: KindConflictingRelations, ID: s.Name(v), Value: strings.Join(values, ", "),
		Detail: "its parents carry different relations: " + strings.Join(parts, "; ") +
			"; a model has one base_model_relation for all its parents: keep the " + keep.rel.String() + " and drop the others (the fix), or, if it merges them all, state base_model: [" + strings.Join(all, ", ") + "] with base_model_relation: merge",
		Fix: fix}
}

// better reports whether x is a likelier real parent than y, for a
// quantization that declared p: same organisation as p first, then more
// children, then id. Only the graph decides (not downloads), so that a
// graph-only store reports the same fixes as a full one.
func better(s *Store, x, y, p graph.NodeID) bool {
	org := func(v graph.NodeID) string {
		n := s.Name(v)
		i := strings.IndexByte(n, '/')
		return strings.ToLower(n[:max(i, 0)])
	}
	if ox, oy := org(x) == org(p), org(y) == org(p); ox != oy {
		return ox
	}
	if dx, dy := s.G.OutDegree(x), s.G.OutDegree(y); dx != dy {
		return dx > dy
	}
	return modelid.Compare(s.Name(x), s.Name(y)) < 0
}

// namePart returns the part of a store id after its '/' (a normalised id
// has at most one, so the vectorised forward search finds it).
func namePart(id string) string {
	return id[strings.IndexByte(id, '/')+1:]
}

// LintSummary counts problems by kind.
func LintSummary(ds []Diagnostic) map[string]int {
	m := map[string]int{}
	for _, d := range ds {
		m[d.Kind]++
	}
	return m
}
