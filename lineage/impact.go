package lineage

import (
	"cmp"
	"runtime"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// domCache holds the dominator tree of one graph, computed on first use.
type domCache struct {
	once sync.Once
	tree atomic.Pointer[graph.DomTree] // set once computed
}

// domTrees caches the dominator trees by graph, the graph held weakly: the
// tree depends on the graph alone, a Store may be copied with another
// graph (WithEdges), and an entry goes when its graph is collected.
var domTrees sync.Map // weak.Pointer[graph.Graph] -> *domCache

// Dominators returns the dominator tree of the store's graph over every
// relation, with a virtual root above all foundations (graph.Dominators).
// It is computed once per store (per graph: copies of a store that share
// its graph share it), on the first call (about 130 ms for two million
// models), behind a sync.Once, and shared by every later call; it is safe
// for concurrent use.
func (s *Store) Dominators() *graph.DomTree {
	k := weak.Make(s.G)
	v, ok := domTrees.Load(k)
	if !ok {
		var loaded bool
		if v, loaded = domTrees.LoadOrStore(k, &domCache{}); !loaded {
			runtime.AddCleanup(s.G, func(k weak.Pointer[graph.Graph]) { domTrees.Delete(k) }, k)
		}
	}
	c := v.(*domCache)
	c.once.Do(func() { c.tree.Store(s.G.Dominators(graph.AllLabels)) })
	return c.tree.Load()
}

// cachedDominators returns the store's dominator tree if it has been
// computed, else nil.
func (s *Store) cachedDominators() *graph.DomTree {
	if v, ok := domTrees.Load(weak.Make(s.G)); ok {
		return v.(*domCache).tree.Load()
	}
	return nil
}

// ImpactResult answers "what would lose its route to every foundation if
// this model were withdrawn". Count and ByRelation cover every such model;
// Models holds at most the limit asked for.
type ImpactResult struct {
	ID         string         `json:"id"`
	Count      int            `json:"count"`
	ByRelation map[string]int `json:"by_relation"`
	Models     []Hop          `json:"models"`
	Truncated  bool           `json:"truncated,omitempty"`
}

// Impact returns the models that depend on v alone: those all of whose
// paths from any foundation pass through v (v excluded), which withdrawing
// v would cut off from every foundation. They are v's subtree in the
// dominator tree (Dominators), so every one of them is a descendant of v.
// Depth, Relation and Via are those descendants gives them: a breadth-first
// search from v restricted to the dominated models finds the same shortest
// hops, for every shortest path from v to a model it dominates stays among
// the models it dominates. The list holds at most limit models (limit <= 0:
// all), by depth then id.
//
// On cycles it follows graph.DomTree: a cycle that no foundation reaches (a
// root cycle, such as two models naming each other as base model) hangs
// from the virtual root member by member, so no member of it depends on
// another and each member's impact is only what lies below it alone; a
// cycle that a foundation reaches is dominated like any other models (by
// the model where every path enters it, if there is one). Over a store
// with recovered lineage (WithEdges) a recovered edge is a route like a
// declared one.
func (s *Store) Impact(v graph.NodeID, limit int) ImpactResult {
	t := s.Dominators()
	g := s.G
	var hits []graph.Hit
	if t.NumDominated(v) > 0 {
		seen := graph.NewBitset(g.NumNodes())
		seen.Set(v)
		frontier := []graph.NodeID{v}
		for depth := int32(1); len(frontier) > 0; depth++ {
			var next []graph.NodeID
			for _, u := range frontier {
				dst, lab := g.Out(u)
				for i, w := range dst {
					if !t.Dominates(v, w) || seen.TestAndSet(w) {
						continue
					}
					hits = append(hits, graph.Hit{Node: w, Depth: depth, Via: u, Label: lab[i]})
					next = append(next, w)
				}
			}
			frontier = next
		}
	}
	res := ImpactResult{ID: s.Name(v), Count: len(hits), ByRelation: countByRelation(hits)}
	if limit > 0 && len(hits) > limit {
		hits = firstSorted(hits, limit, func(a, b graph.Hit) int {
			return cmp.Or(cmp.Compare(a.Depth, b.Depth), modelid.Compare(s.Name(a.Node), s.Name(b.Node)))
		})
		res.Truncated = true
	}
	res.Models = s.hops(hits, graph.Down)
	return res
}

// ImpactCount returns the number of models that depend on v alone (the
// Count of Impact). Once the store's dominator tree has been computed it
// is read from the tree in O(1); until then it is computed from v's
// descendants alone, without building the tree (a query about one model
// should not pay for the whole graph's tree: about 130 ms at two million
// models, where this count for the largest family takes about 6 ms).
func (s *Store) ImpactCount(v graph.NodeID) int {
	if t := s.cachedDominators(); t != nil {
		return t.NumDominated(v)
	}
	return s.impactLocal(v)
}

// impactLocal counts the models that depend on v alone from v's
// descendants. A descendant with a parent outside v and its descendants
// keeps a route that avoids v (that parent is reached from an entry node
// of the dominator tree by a path that cannot pass through v, or it would
// be a descendant), and so does everything it leads to without passing v;
// when v is on a root cycle (see DomTree), the other members of that cycle
// are entry nodes themselves. Every other descendant depends on v alone.
func (s *Store) impactLocal(v graph.NodeID) int {
	g := s.G
	hits := g.Reach(v, graph.Down, graph.AllLabels, 0)
	if len(hits) == 0 {
		return 0
	}
	n := g.NumNodes()
	in := graph.NewBitset(n) // v and its descendants
	in.Set(v)
	for _, h := range hits {
		in.Set(h.Node)
	}
	alive := graph.NewBitset(n) // descendants with a route avoiding v
	var queue []graph.NodeID
	parents, _ := g.In(v)
	onCycle := false
	for _, p := range parents {
		onCycle = onCycle || in.Has(p)
	}
	if onCycle {
		// v's strongly connected component: its ancestors that are also
		// its descendants. A root cycle has no edge into it from outside.
		scc := []graph.NodeID{v}
		for _, h := range g.Reach(v, graph.Up, graph.AllLabels, 0) {
			if in.Has(h.Node) {
				scc = append(scc, h.Node)
			}
		}
		member := graph.NewBitset(n)
		for _, u := range scc {
			member.Set(u)
		}
		closed := true
		for _, u := range scc {
			ps, _ := g.In(u)
			for _, p := range ps {
				closed = closed && member.Has(p)
			}
		}
		if closed {
			for _, u := range scc[1:] {
				alive.Set(u)
				queue = append(queue, u)
			}
		}
	}
	for _, h := range hits {
		if alive.Has(h.Node) {
			continue
		}
		ps, _ := g.In(h.Node)
		for _, p := range ps {
			if !in.Has(p) {
				alive.Set(h.Node)
				queue = append(queue, h.Node)
				break
			}
		}
	}
	for i := 0; i < len(queue); i++ {
		cs, _ := g.Out(queue[i])
		for _, c := range cs {
			if c != v && in.Has(c) && !alive.TestAndSet(c) {
				queue = append(queue, c)
			}
		}
	}
	return len(hits) - len(queue)
}
