package recovery

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
)

// EvalOptions tune Evaluate.
type EvalOptions struct {
	// Fraction of the single-parent declarations to hide (0.2 when 0).
	Fraction float64
	// Seed of the choice of declarations to hide: a seed always hides the
	// same ones in the same corpus.
	Seed uint64
	// Eligible, when not nil, restricts hiding to the children it accepts
	// (to evaluate on one part of the data, such as a set of families).
	Eligible func(child graph.NodeID) bool
	// Top is the number of foundations whose lost descendants are followed
	// (10 when 0).
	Top int
	// MinConfidence is the threshold of the headline figures (precision,
	// recall and the foundations' recovery); the buckets cover every
	// proposal.
	MinConfidence float64
	// Trace, when not nil, is called for every hidden declaration, in
	// hiding order, with the hidden parent and relation and the most
	// confident proposal for the child (nil when there is none).
	Trace func(child, parent graph.NodeID, rel lineage.Relation, p *Proposal)
	// Options are passed to Recover (its MinConfidence is ignored: every
	// proposal is scored, by bucket).
	Options Options
}

// Score is precision and recall over a set of hidden declarations.
type Score struct {
	Hidden    int     `json:"hidden"`        // hidden declarations in the set
	Proposed  int     `json:"proposed"`      // of them, with a proposal
	Correct   int     `json:"correct"`       // of them, whose proposal is the hidden parent
	SameRel   int     `json:"same_relation"` // of the correct ones, also with the hidden relation
	Precision float64 `json:"precision"`     // Correct / Proposed
	Recall    float64 `json:"recall"`        // Correct / Hidden
}

func (s *Score) add(proposed, correct, sameRel bool) {
	s.Hidden++
	if proposed {
		s.Proposed++
	}
	if correct {
		s.Correct++
	}
	if sameRel {
		s.SameRel++
	}
}

func (s *Score) finish() {
	s.Precision = ratio(s.Correct, s.Proposed)
	s.Recall = ratio(s.Correct, s.Hidden)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(float64(a)/float64(b)*1e4) / 1e4
}

// Bucket is the observed precision of the proposals whose confidence is in
// [Lo, Hi): the calibration check.
type Bucket struct {
	Lo        float64 `json:"lo"`
	Hi        float64 `json:"hi"`
	Proposed  int     `json:"proposed"`
	Correct   int     `json:"correct"`
	Precision float64 `json:"precision"`
}

// Buckets are the confidence bucket bounds of the evaluation.
var Buckets = []float64{0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0001}

// FoundationScore follows one top foundation's descendants through hiding
// and recovery.
type FoundationScore struct {
	ID        string `json:"id"`
	Before    int    `json:"before"`    // descendants with every declaration
	Hidden    int    `json:"hidden"`    // after hiding
	Recovered int    `json:"recovered"` // after hiding and adding the proposals at the threshold
	// OnlyHidden counts after adding only the proposals for hidden models
	// (Recovered also counts models that declared nothing to begin with).
	OnlyHidden int `json:"only_hidden"`
}

// MatchScore is the observed precision of one kind of match and rule.
type MatchScore struct {
	Match     string  `json:"match"`
	Rule      string  `json:"rule"`
	Proposed  int     `json:"proposed"`
	Correct   int     `json:"correct"`
	Precision float64 `json:"precision"`
}

// EvalReport is what Evaluate measured.
type EvalReport struct {
	Fraction      float64 `json:"fraction"`
	Seed          uint64  `json:"seed"`
	MinConfidence float64 `json:"min_confidence"`
	Declarations  int     `json:"single_parent_declarations"` // eligible single-parent declarations
	// All is the headline score at MinConfidence over every hidden
	// declaration; ByRelation splits it by the hidden relation.
	All        Score            `json:"all"`
	ByRelation map[string]Score `json:"by_relation"`
	// Buckets: every proposal for a hidden model, by confidence.
	Buckets []Bucket `json:"buckets"`
	// ByMatch: every proposal for a hidden model, by match and rule.
	ByMatch []MatchScore `json:"by_match"`
	// Foundations: the Top foundations of the full graph.
	Foundations []FoundationScore `json:"foundations"`
	// LostRestored is the share of the top foundations' lost descendants
	// that recovery brought back (Recovered-Hidden over Before-Hidden,
	// summed), and LostRestoredHidden the same with the proposals for hidden
	// models only.
	LostRestored       float64 `json:"lost_restored"`
	LostRestoredHidden float64 `json:"lost_restored_hidden_only"`
	// Undeclared counts proposals at the threshold for models that
	// declared nothing before hiding (no truth to score them against).
	Undeclared int `json:"undeclared_proposals"`
}

// Evaluate measures recovery on a corpus whose declarations are the truth:
// it hides a seeded Fraction of the single-parent declarations (removes
// those edges, so that the hidden models look exactly like undeclared ones:
// the corpus keeps no declaration elsewhere), runs Recover on what is left,
// and scores the proposals for the hidden models against the hidden
// parents. A proposal is correct when it names the hidden parent; its
// relation is scored apart (SameRel).
func Evaluate(c Corpus, opt EvalOptions) EvalReport {
	if opt.Fraction == 0 {
		opt.Fraction = 0.2
	}
	if opt.Top == 0 {
		opt.Top = 10
	}
	g := c.Graph()
	n := g.NumNodes()
	// Single-parent declarations, in node order, then a seeded shuffle.
	var singles []graph.NodeID
	for v := 0; v < n; v++ {
		if g.InDegree(graph.NodeID(v)) == 1 && (opt.Eligible == nil || opt.Eligible(graph.NodeID(v))) {
			singles = append(singles, graph.NodeID(v))
		}
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
	rng.Shuffle(len(singles), func(i, j int) { singles[i], singles[j] = singles[j], singles[i] })
	k := int(math.Round(opt.Fraction * float64(len(singles))))
	hidden := singles[:k]
	type truth struct {
		parent graph.NodeID
		rel    lineage.Relation
	}
	truthOf := make(map[graph.NodeID]truth, k)
	for _, v := range hidden {
		ps, labs := g.In(v)
		rel, _ := lineage.LabelRelation(labs[0])
		truthOf[v] = truth{ps[0], rel}
	}
	hg := withoutParents(g, truthOf)
	ropt := opt.Options
	ropt.MinConfidence = 0
	res := Recover(hiddenCorpus{c, hg}, ropt)

	rep := EvalReport{Fraction: opt.Fraction, Seed: opt.Seed, MinConfidence: opt.MinConfidence, Declarations: len(singles),
		ByRelation: map[string]Score{}}
	for i := 0; i+1 < len(Buckets); i++ {
		rep.Buckets = append(rep.Buckets, Bucket{Lo: Buckets[i], Hi: min(Buckets[i+1], 1)})
	}
	byMatch := map[[2]uint8]*MatchScore{}
	best := map[graph.NodeID]Proposal{} // the most confident proposal of each hidden child
	var atThreshold []Proposal
	for _, p := range res.Proposals {
		if _, isHidden := truthOf[p.Child]; !isHidden {
			if p.Confidence >= opt.MinConfidence {
				rep.Undeclared++
				atThreshold = append(atThreshold, p)
			}
			continue
		}
		if b, ok := best[p.Child]; !ok || p.Confidence > b.Confidence {
			best[p.Child] = p
		}
	}
	for _, v := range hidden {
		t := truthOf[v]
		p, ok := best[v]
		correct := ok && p.Parent == t.parent
		if opt.Trace != nil {
			var pp *Proposal
			if ok {
				pp = &p
			}
			opt.Trace(v, t.parent, t.rel, pp)
		}
		if ok {
			for i := range rep.Buckets {
				b := &rep.Buckets[i]
				if p.Confidence >= Buckets[i] && p.Confidence < Buckets[i+1] {
					b.Proposed++
					if correct {
						b.Correct++
					}
				}
			}
			key := [2]uint8{uint8(p.Match), uint8(p.Rule)}
			ms := byMatch[key]
			if ms == nil {
				ms = &MatchScore{Match: p.Match.String(), Rule: p.Rule.String()}
				byMatch[key] = ms
			}
			ms.Proposed++
			if correct {
				ms.Correct++
			}
		}
		kept := ok && p.Confidence >= opt.MinConfidence
		if kept {
			atThreshold = append(atThreshold, p)
		}
		sameRel := kept && correct && p.Relation == t.rel
		rep.All.add(kept, kept && correct, sameRel)
		s := rep.ByRelation[t.rel.String()]
		s.add(kept, kept && correct, sameRel)
		rep.ByRelation[t.rel.String()] = s
	}
	rep.All.finish()
	for k, s := range rep.ByRelation {
		s.finish()
		rep.ByRelation[k] = s
	}
	for i := range rep.Buckets {
		rep.Buckets[i].Precision = ratio(rep.Buckets[i].Correct, rep.Buckets[i].Proposed)
	}
	for _, ms := range byMatch {
		ms.Precision = ratio(ms.Correct, ms.Proposed)
		rep.ByMatch = append(rep.ByMatch, *ms)
	}
	slices.SortFunc(rep.ByMatch, func(a, b MatchScore) int {
		return cmp.Or(cmp.Compare(b.Proposed, a.Proposed), cmp.Compare(a.Match, b.Match), cmp.Compare(a.Rule, b.Rule))
	})

	// The top foundations of the full graph, and their descendants before,
	// after hiding and after recovery.
	roots := g.Roots(graph.AllLabels)
	counts := g.CountDescendants(roots, graph.AllLabels)
	order := make([]int, len(roots))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(strings.ToLower(c.Name(roots[a])), strings.ToLower(c.Name(roots[b]))))
	})
	if len(order) > opt.Top {
		order = order[:opt.Top]
	}
	top := make([]graph.NodeID, len(order))
	for i, j := range order {
		top[i] = roots[j]
	}
	var onlyHidden []Proposal
	for _, p := range atThreshold {
		if _, ok := truthOf[p.Child]; ok {
			onlyHidden = append(onlyHidden, p)
		}
	}
	after := hg.CountDescendants(top, graph.AllLabels)
	rec := withEdges(hg, atThreshold).CountDescendants(top, graph.AllLabels)
	recH := withEdges(hg, onlyHidden).CountDescendants(top, graph.AllLabels)
	var lost, back, backH int
	for i, f := range top {
		fs := FoundationScore{ID: c.Name(f), Before: counts[order[i]], Hidden: after[i], Recovered: rec[i], OnlyHidden: recH[i]}
		rep.Foundations = append(rep.Foundations, fs)
		lost += fs.Before - fs.Hidden
		back += fs.Recovered - fs.Hidden
		backH += fs.OnlyHidden - fs.Hidden
	}
	rep.LostRestored = ratio(back, lost)
	rep.LostRestoredHidden = ratio(backH, lost)
	return rep
}

// withoutParents returns g less the in-edges of the hidden children.
func withoutParents[T any](g *graph.Graph, hidden map[graph.NodeID]T) *graph.Graph {
	n := g.NumNodes()
	b := graph.NewBuilder(n)
	b.ReserveEdges(g.NumEdges())
	for v := 0; v < n; v++ {
		kids, labs := g.Out(graph.NodeID(v))
		for i, k := range kids {
			if _, h := hidden[k]; !h {
				b.AddEdge(graph.NodeID(v), k, labs[i])
			}
		}
	}
	return b.Build()
}

// withEdges returns g plus the proposals as recovered edges.
func withEdges(g *graph.Graph, ps []Proposal) *graph.Graph {
	n := g.NumNodes()
	b := graph.NewBuilder(n)
	b.ReserveEdges(g.NumEdges() + len(ps))
	for v := 0; v < n; v++ {
		kids, labs := g.Out(graph.NodeID(v))
		for i, k := range kids {
			b.AddEdge(graph.NodeID(v), k, labs[i])
		}
	}
	for _, p := range ps {
		b.AddEdge(p.Parent, p.Child, lineage.RecoveredLabel(p.Relation))
	}
	return b.Build()
}
