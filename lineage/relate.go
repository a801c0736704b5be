package lineage

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// Questions across models: how one derives from another (Path) and what
// several share (Common). Every model counts as its own ancestor here.

// ErrUnrelated is wrapped by the error of Path when neither model is built
// on the other.
var ErrUnrelated = errors.New("neither is built on the other")

// PathOptions says which paths Path lists.
type PathOptions struct {
	// All lists every path (at most MaxPaths) instead of one shortest path,
	// and counts them.
	All bool
	// MaxPaths bounds the paths listed with All; it must be positive (a
	// lattice of merges has more paths than memory holds). The count is
	// never bounded by it.
	MaxPaths int
}

// PathLink is one model on a path between two models. Relation is the
// relation of the edge from the previous model of the path into this one
// (empty for the first); Inferred is true when that relation was inferred,
// not declared, and Recovered when the edge itself was recovered, not
// declared (a store with recovered lineage, WithEdges).
type PathLink struct {
	ID        string `json:"id"`
	Relation  string `json:"relation,omitempty"`
	Inferred  bool   `json:"inferred,omitempty"`
	Recovered bool   `json:"recovered,omitempty"`
}

// PathResult answers "how does To derive from From". Every path runs from
// From (the ancestor) down to To.
type PathResult struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Reversed reports that the models were asked the other way round:
	// the asked "to" is an ancestor of the asked "from", so From and To are
	// swapped to answer how the one derives from the other.
	Reversed bool `json:"reversed,omitempty"`
	// Hops is the length of a shortest path (0 when From is To).
	Hops int `json:"hops"`
	// Count is the number of distinct paths from From to To with
	// PathOptions.All (graph.CountPaths), and 1 without it (one path is
	// asked for). It is nil when a cycle lies between the two models: the
	// number of paths is then not finite as walks and not tractable as
	// simple paths, and Cycle names the cycle.
	Count *int64 `json:"count"`
	// CountSaturated reports that Count stopped at graph.MaxPathCount: there
	// are at least that many paths.
	CountSaturated bool `json:"count_saturated,omitempty"`
	// Cycle holds, when a cycle lies between the two models, the members
	// of one such cycle, sorted by id, at most maxCycleShown of them; its
	// size is CycleSize.
	Cycle     []string `json:"cycle,omitempty"`
	CycleSize int      `json:"cycle_size,omitempty"`
	// Paths holds one shortest path or, with All, every path that visits
	// no model twice, shortest first, then by the ids along them. When
	// MaxPaths cuts the list short, the paths kept are the first MaxPaths in
	// lexicographic order of NodeIDs (graph.PathsBetween), not necessarily
	// the shortest.
	Paths [][]PathLink `json:"paths"`
	// Truncated reports that MaxPaths cut the list short.
	Truncated bool `json:"truncated"`
}

// maxCycleShown caps the members of a cycle a result names.
const maxCycleShown = 20

// Path answers how to derives from from: a shortest path of derivation
// edges from from down to to or, with opt.All, every simple path (at most
// opt.MaxPaths) and their number. When to is an ancestor of from and not a
// descendant, the answer is given the other way round (Reversed). When
// neither derives from the other the error wraps ErrUnrelated. from == to
// is the path of no hops.
//
// Each query walks the ancestry of the lower model only (graph.ShortestPath,
// graph.PathsBetween and graph.CountPaths): microseconds at Hub scale.
func (s *Store) Path(from, to graph.NodeID, opt PathOptions) (PathResult, error) {
	if opt.All && opt.MaxPaths <= 0 {
		return PathResult{}, fmt.Errorf("%w: the number of paths listed must be positive (got %d)", ErrUsage, opt.MaxPaths)
	}
	g := s.G
	res := PathResult{}
	nodes, labels, ok := g.ShortestPath(from, to, graph.Down, graph.AllLabels)
	if !ok {
		nodes, labels, ok = g.ShortestPath(to, from, graph.Down, graph.AllLabels)
		if !ok {
			return PathResult{From: s.Name(from), To: s.Name(to)}, fmt.Errorf("no derivation path between %s and %s: %w", s.Name(from), s.Name(to), ErrUnrelated)
		}
		from, to = to, from
		res.Reversed = true
	}
	res.From, res.To, res.Hops = s.Name(from), s.Name(to), len(labels)
	if !opt.All {
		one := int64(1)
		res.Count = &one
		res.Paths = [][]PathLink{s.pathLinks(nodes)}
		return res, nil
	}
	ps, truncated := g.PathsBetween(from, to, graph.Down, graph.AllLabels, opt.MaxPaths)
	res.Paths = make([][]PathLink, len(ps))
	for i, p := range ps {
		res.Paths[i] = s.pathLinks(p)
	}
	slices.SortFunc(res.Paths, func(a, b []PathLink) int {
		if c := cmp.Compare(len(a), len(b)); c != 0 {
			return c
		}
		for i := range a {
			if c := modelid.Compare(a[i].ID, b[i].ID); c != 0 {
				return c
			}
		}
		return 0
	})
	res.Truncated = truncated
	n, err := g.CountPaths(from, to, graph.Down, graph.AllLabels)
	var ce *graph.CycleError
	switch {
	case errors.As(err, &ce):
		res.CycleSize = len(ce.Cycle)
		for _, v := range ce.Cycle {
			res.Cycle = append(res.Cycle, s.Name(v))
		}
		slices.SortFunc(res.Cycle, modelid.Compare)
		res.Cycle = res.Cycle[:min(len(res.Cycle), maxCycleShown)]
	case err != nil:
		return res, err
	default:
		res.Count, res.CountSaturated = &n.N, n.Saturated
	}
	return res, nil
}

// pathLinks names the nodes of a downward path with the relation of each
// hop.
func (s *Store) pathLinks(p []graph.NodeID) []PathLink {
	out := make([]PathLink, len(p))
	for i, v := range p {
		out[i].ID = s.Name(v)
		if i > 0 {
			l, _ := s.G.EdgeLabel(p[i-1], v)
			rel, declared := LabelRelation(l)
			out[i].Relation, out[i].Inferred, out[i].Recovered = rel.String(), !declared, IsRecovered(l)
		}
	}
	return out
}

// CommonEntry is one common ancestor: Depth maps each queried model's id
// to the fewest hops from that model up to this one (0 for the model
// itself).
type CommonEntry struct {
	ID    string         `json:"id"`
	Depth map[string]int `json:"depth"`

	node graph.NodeID
}

// Node returns the entry's node id.
func (e CommonEntry) Node() graph.NodeID { return e.node }

// CommonResult answers "what do these models share".
type CommonResult struct {
	// IDs are the queried models, in query order.
	IDs []string `json:"ids"`
	// Common holds every common ancestor, the nearest first, then by the
	// largest depth over the queried models, the sum of the depths and id.
	Common []CommonEntry `json:"common"`
	// Nearest are the common ancestors none of whose children is also
	// common (on a cycle of common ancestors with none below it, every
	// member), sorted by id.
	Nearest []string `json:"nearest"`
	// Foundations are the common ancestors that have no parent, sorted by
	// id.
	Foundations []string `json:"foundations"`
}

// Common returns the common ancestors of the models in vs (each counting
// as its own ancestor: if one is built on another, the other is common),
// the nearest of them and the shared foundations. It walks the ancestries
// of the queried models only (graph.CommonAncestors). vs should hold
// distinct models; a model given twice is asked about once, and its depths
// are reported once.
func (s *Store) Common(vs []graph.NodeID) CommonResult {
	res := CommonResult{IDs: make([]string, len(vs)), Common: []CommonEntry{}, Nearest: []string{}, Foundations: []string{}}
	for i, v := range vs {
		res.IDs[i] = s.Name(v)
	}
	type entry struct {
		CommonEntry
		nearest    bool
		maxD, sumD int
	}
	var es []entry
	for _, c := range s.G.CommonAncestors(vs, graph.AllLabels) {
		e := entry{CommonEntry: CommonEntry{ID: s.Name(c.Node), Depth: make(map[string]int, len(vs)), node: c.Node}, nearest: c.Nearest}
		for i, d := range c.Depths {
			e.Depth[res.IDs[i]] = int(d)
			e.maxD = max(e.maxD, int(d))
			e.sumD += int(d)
		}
		es = append(es, e)
		if c.Nearest {
			res.Nearest = append(res.Nearest, e.ID)
		}
		if c.Root {
			res.Foundations = append(res.Foundations, e.ID)
		}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if a.nearest != b.nearest {
			if a.nearest {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.maxD, b.maxD), cmp.Compare(a.sumD, b.sumD), modelid.Compare(a.ID, b.ID))
	})
	for _, e := range es {
		res.Common = append(res.Common, e.CommonEntry)
	}
	slices.SortFunc(res.Nearest, modelid.Compare)
	slices.SortFunc(res.Foundations, modelid.Compare)
	return res
}
