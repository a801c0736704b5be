package lineage

import (
	"cmp"
	"slices"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// Hop is one model reached from the queried model: its depth (shortest hop
// count) and the relation on the hop that reached it. For ancestors the
// relation is that of the edge from this ancestor down toward the queried
// model; for descendants, that of the edge into this descendant.
type Hop struct {
	ID       string `json:"id"`
	Depth    int    `json:"depth"`
	Relation string `json:"relation"`
	Declared bool   `json:"declared"`
	Via      string `json:"via"`
	// Recovered marks a hop over a recovered edge (a store with recovered
	// lineage added, Store.WithEdges): no input declared it; Confidence is
	// the proposal's. Both are absent otherwise.
	Recovered  bool    `json:"recovered,omitempty"`
	Confidence float64 `json:"confidence,omitempty"`

	node graph.NodeID
}

// Node returns the hop's node id.
func (h Hop) Node() graph.NodeID { return h.node }

// AncestorsResult answers "what is this model built on".
type AncestorsResult struct {
	ID           string   `json:"id"`
	IsFoundation bool     `json:"is_foundation"`
	Foundations  []string `json:"foundations"`
	Ancestors    []Hop    `json:"ancestors"`
	InCycle      bool     `json:"in_cycle,omitempty"`
}

func (s *Store) hops(hits []graph.Hit, dir graph.Direction) []Hop {
	out := make([]Hop, len(hits))
	for i, h := range hits {
		rel, declared := LabelRelation(h.Label)
		out[i] = Hop{ID: s.Name(h.Node), Depth: int(h.Depth), Relation: rel.String(), Declared: declared, Via: s.Name(h.Via), node: h.Node}
		if IsRecovered(h.Label) {
			parent, child := h.Via, h.Node // a descendant hangs from Via
			if dir == graph.Up {
				parent, child = h.Node, h.Via // an ancestor is Via's parent
			}
			out[i].Recovered = true
			out[i].Confidence, _ = s.RecoveredConfidence(parent, child)
		}
	}
	slices.SortFunc(out, func(a, b Hop) int {
		return cmp.Or(cmp.Compare(a.Depth, b.Depth), modelid.Compare(a.ID, b.ID))
	})
	return out
}

// Ancestors returns every ancestor of v with its depth and the relation of
// the hop, and the foundations (ancestors with no parent) at the top, sorted
// by id case-insensitively.
func (s *Store) Ancestors(v graph.NodeID) AncestorsResult {
	hits := s.G.Reach(v, graph.Up, graph.AllLabels, 0)
	res := AncestorsResult{ID: s.Name(v), IsFoundation: s.IsFoundation(v), Ancestors: s.hops(hits, graph.Up), InCycle: s.InCycle(v), Foundations: []string{}}
	for _, h := range hits {
		if s.G.InDegree(h.Node) == 0 {
			res.Foundations = append(res.Foundations, s.Name(h.Node))
		}
	}
	slices.SortFunc(res.Foundations, modelid.Compare)
	return res
}

// Paths returns the paths from v up to its foundations as lists of ids (v
// first), at most limit of them (limit must be positive: a lattice of
// merges has more paths than memory holds), and whether more exist.
// PathCount gives their number without listing them.
func (s *Store) Paths(v graph.NodeID, limit int) ([][]PathStep, bool) {
	paths, truncated := s.G.Paths(v, graph.Up, graph.AllLabels, limit)
	out := make([][]PathStep, len(paths))
	for i, p := range paths {
		steps := make([]PathStep, len(p))
		for j, n := range p {
			steps[j] = PathStep{ID: s.Name(n)}
			if j > 0 {
				l, _ := s.G.EdgeLabel(n, p[j-1])
				rel, _ := LabelRelation(l)
				steps[j].Relation = rel.String()
				steps[j].Recovered = IsRecovered(l)
			}
		}
		out[i] = steps
	}
	return out, truncated
}

// PathCount returns the number of distinct paths from v up to its
// foundations, counted without listing them (a dynamic program over the
// ancestors), saturating at graph.MaxPathCount (saturated is then true). A
// foundation has none. When a cycle lies among v's ancestors the paths are
// not finite: err wraps graph.ErrCycle.
func (s *Store) PathCount(v graph.NodeID) (n int64, saturated bool, err error) {
	if s.G.InDegree(v) == 0 {
		return 0, false, nil
	}
	total, _, err := s.G.CountPathsToEnds(v, graph.Up, graph.AllLabels)
	if err != nil {
		return 0, false, err
	}
	return total.N, total.Saturated, nil
}

// PathStep is one model on a path; Relation is how the previous step
// relates to this one (empty for the first).
type PathStep struct {
	ID        string `json:"id"`
	Relation  string `json:"relation,omitempty"`
	Recovered bool   `json:"recovered,omitempty"` // the edge to the previous step was recovered, not declared
}

// DescendantsResult answers "what is built on this model".
type DescendantsResult struct {
	ID          string         `json:"id"`
	Count       int            `json:"count"`
	ByRelation  map[string]int `json:"by_relation"`
	Descendants []Hop          `json:"descendants"`
	Truncated   bool           `json:"truncated,omitempty"`
	// Recovered counts the descendants reached only through recovered
	// edges (a store with recovered lineage added; 0 otherwise).
	Recovered int `json:"recovered,omitempty"`
}

// Descendants returns the distinct descendants of v reachable along edges in
// labels within depth hops (depth <= 0: unlimited). Count and ByRelation
// cover all of them; the list holds at most limit (limit <= 0: all), sorted
// by depth then id.
func (s *Store) Descendants(v graph.NodeID, depth int, labels graph.LabelSet, limit int) DescendantsResult {
	hits := s.G.Reach(v, graph.Down, labels, depth)
	res := DescendantsResult{ID: s.Name(v), Count: len(hits), ByRelation: countByRelation(hits)}
	if limit > 0 && len(hits) > limit {
		// Sort only what is shown: depth then id.
		hits = slices.Clone(hits)
		slices.SortFunc(hits, func(a, b graph.Hit) int {
			return cmp.Or(cmp.Compare(a.Depth, b.Depth), modelid.Compare(s.Name(a.Node), s.Name(b.Node)))
		})
		hits = hits[:limit]
		res.Truncated = true
	}
	res.Descendants = s.hops(hits, graph.Down)
	if s.rec != nil {
		// What only recovered edges reach: the count without them, taken
		// away from the count with them.
		res.Recovered = res.Count - s.G.CountReach(v, graph.Down, labels&DeclaredLabels)
	}
	return res
}

// countByRelation counts hits by the relation of the edge that reached
// them, every relation present (zero included).
func countByRelation(hits []graph.Hit) map[string]int {
	by := make(map[string]int, len(Relations))
	for _, r := range Relations {
		by[r.String()] = 0
	}
	for _, h := range hits {
		rel, _ := LabelRelation(h.Label)
		by[rel.String()]++
	}
	return by
}
