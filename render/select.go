package render

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/lineage-project/lineage/graph"
)

// Relation names the renderer knows how to style. Info.Relation should
// return one of them; any other name is drawn as a plain grey edge.
const (
	Finetune  = "finetune"
	Adapter   = "adapter"
	Quantized = "quantized"
	Merge     = "merge"
)

// DefaultMaxNodes is the model budget used when Options.MaxNodes is zero.
const DefaultMaxNodes = 150

// DefaultFoldBelow is the download count used when Options.FoldBelow is
// zero: on the Hub most derivatives are downloaded a few times at most.
const DefaultFoldBelow = 100

// DefaultURLPrefix is prepended to the path-escaped model name to make a
// node's link when Info.URL is nil.
const DefaultURLPrefix = "https://huggingface.co/"

// Info tells the renderer what nodes and edge labels mean. Name and
// Relation are required; the other fields may be nil. Every function must
// be deterministic and cheap: Select calls them once or a few times for
// each node of the family.
type Info struct {
	// Name returns the model id of v, such as "org/name".
	Name func(v graph.NodeID) string
	// Downloads returns the download count of v, or -1 when unknown.
	Downloads func(v graph.NodeID) int64
	// Created returns the creation date of v ("2025-01-20"), or "".
	Created func(v graph.NodeID) string
	// URL returns the link of v. When nil the link is DefaultURLPrefix
	// followed by the path-escaped name.
	URL func(v graph.NodeID) string
	// Relation returns the relation an edge label stands for: normally one
	// of Finetune, Adapter, Quantized or Merge.
	Relation func(l graph.Label) string
	// Inferred reports whether the relation of l was inferred rather than
	// declared by the model's author. When nil every relation is declared.
	Inferred func(l graph.Label) bool
	// Recovered reports whether an edge of label l is recovered: no input
	// declares it; it was proposed from evidence. Such edges are drawn
	// dashed with an open circle for a head, and the legend says so. When
	// nil no edge is recovered.
	Recovered func(l graph.Label) bool
	// Confidence returns the confidence of the recovered edge from parent
	// to child, for its tooltip; it may be nil.
	Confidence func(parent, child graph.NodeID) float64
}

// Options selects which part of the graph Select draws.
type Options struct {
	// Root is the queried model.
	Root graph.NodeID
	// Up includes the ancestors of Root up to its foundations; Down
	// includes its descendants. When both are false both are included.
	Up, Down bool
	// Depth limits how many edges away from Root a model may be, in each
	// direction; zero or negative means no limit.
	Depth int
	// Labels restricts the edges followed; zero means every label.
	Labels graph.LabelSet
	// MaxNodes is the budget of models drawn (summary and badge nodes come
	// on top of it). Zero means DefaultMaxNodes; negative means no limit.
	// The root is always drawn, even with a budget of one.
	MaxNodes int
	// Fold folds the leaf children of a drawn model whose relation is in
	// FoldRelations into one count badge per model ("+45 quantized,
	// +120 adapter"), whatever the budget. Callers that want the usual
	// behaviour set it to true (the zero value does not fold).
	Fold bool
	// FoldRelations lists the relations whose leaves Fold folds; nil means
	// Quantized and Adapter.
	FoldRelations []string
	// FoldBelow is the download count under which Fold also folds a leaf
	// child of any relation into its parent's badge, when the family does
	// not fit the budget even after the FoldRelations leaves are folded:
	// the budget then goes to the models that carry the family (those with
	// descendants or downloads), not to hundreds of unused leaves. A leaf
	// whose downloads are unknown counts as unused. Zero means
	// DefaultFoldBelow; negative never folds leaves for their downloads.
	FoldBelow int64
	// RankDir is the direction of the drawing: "LR" (left to right, the
	// default when empty) or "TB" (top to bottom). Left to right suits
	// lineage better: model ids are long and families fan out, so siblings
	// stacked vertically keep the picture compact.
	RankDir string
}

// NodeKind says what a Node of a Family stands for.
type NodeKind uint8

const (
	// Model is a single model of the family.
	Model NodeKind = iota
	// Summary stands for models left out by the node budget: the children
	// of its anchor reached by one relation, with all their descendants
	// that are not drawn ("+312 quantized"), or, when Up is set, the
	// ancestors of its anchor reached by one relation.
	Summary
	// Badge stands for the leaf children of its anchor folded by
	// Options.Fold ("+45 quantized, +120 adapter").
	Badge
)

// String returns "model", "summary" or "badge".
func (k NodeKind) String() string {
	switch k {
	case Model:
		return "model"
	case Summary:
		return "summary"
	case Badge:
		return "badge"
	}
	return fmt.Sprintf("NodeKind(%d)", uint8(k))
}

// Count is a number of folded models reached through one relation.
type Count struct {
	Relation string // the relation of the edge that leaves the drawn part
	N        int    // how many models
}

// Node is one box of the picture: a model, or a group of folded models.
type Node struct {
	// Kind says whether the node is a model, a summary or a badge.
	Kind NodeKind
	// ID is the model's node id; -1 for summaries and badges.
	ID graph.NodeID
	// Name is the model id ("org/name"); empty for summaries and badges.
	Name string
	// URL is the model's link; empty for summaries and badges.
	URL string
	// Downloads is the model's download count, or -1 when unknown.
	Downloads int64
	// Created is the model's creation date, or "".
	Created string
	// Depth is the number of edges from the root: negative for ancestors,
	// zero for the root, positive for descendants. For a summary or badge
	// it is the depth of the models it folds that are nearest the root.
	Depth int
	// Root marks the queried model.
	Root bool
	// Foundation marks a model with no parent (along the selected labels).
	Foundation bool
	// Anchor is, for a summary or badge, the index in Family.Nodes of the
	// model it hangs from; -1 for models.
	Anchor int
	// Up is set on a summary that folds ancestors of its anchor.
	Up bool
	// Inferred is set on a summary whose folded models are all reached
	// through inferred relations.
	Inferred bool
	// Recovered counts, for a summary or badge, the folded models reached
	// over a recovered edge (Info.Recovered).
	Recovered int
	// Folded lists, for a summary or badge, how many models it stands for
	// by relation; a summary has exactly one entry.
	Folded []Count
	// Examples names up to three of the most downloaded folded models.
	Examples []string
}

// Total returns the number of models a node stands for: 1 for a model, the
// sum of Folded otherwise.
func (n *Node) Total() int {
	if n.Kind == Model {
		return 1
	}
	t := 0
	for _, c := range n.Folded {
		t += c.N
	}
	return t
}

// Edge is one arrow of the picture, from parent to child.
type Edge struct {
	// From and To are indices in Family.Nodes.
	From, To int
	// Relation is the relation of the edge; empty for the edge to a badge.
	Relation string
	// Inferred marks a relation that was inferred rather than declared.
	Inferred bool
	// Recovered marks an edge no input declares, proposed from evidence
	// (Info.Recovered); Confidence is its confidence when Info.Confidence
	// gives one. A recovered edge is never also Inferred.
	Recovered  bool
	Confidence float64
}

// Family is the selected and folded neighbourhood of a model, ready to be
// written. Nodes lists the drawn models first, ordered by depth, then
// downloads (descending), then name; summaries and badges follow, ordered
// by anchor. Edges are ordered by (From, To).
type Family struct {
	// Nodes are the boxes of the picture.
	Nodes []Node
	// Edges are the arrows of the picture.
	Edges []Edge
	// Root is the index in Nodes of the queried model.
	Root int
	// Size is the number of models in the family (the root included).
	Size int
	// Shown is the number of models drawn.
	Shown int
	// Folded is the number of models folded into summaries and badges:
	// Size - Shown.
	Folded int
	// FoldedBy totals Folded by relation (in relation order: finetune,
	// adapter, quantized, merge, then others by name).
	FoldedBy []Count
	// RankDir is "TB" or "LR".
	RankDir string
	// FoldBelow is the download count under which leaves of any relation
	// were folded into badges (see Options.FoldBelow); 0 when none were.
	FoldBelow int64
}

// Caption returns the one-line account of what the picture shows, such as
// "showing 150 of 12,345 models; 12,195 folded".
func (f *Family) Caption() string {
	if f.Folded == 0 {
		if f.Size == 1 {
			return "showing 1 model"
		}
		return "showing all " + commas(int64(f.Size)) + " models"
	}
	return fmt.Sprintf("showing %s of %s models; %s folded", commas(int64(f.Shown)), commas(int64(f.Size)), commas(int64(f.Folded)))
}

// FoldedLine returns the totals of folded models by relation, such as
// "folded: 11,000 quantized, 1,195 adapter", or "" when nothing is folded.
func (f *Family) FoldedLine() string {
	if len(f.FoldedBy) == 0 {
		return ""
	}
	return "folded: " + countList(f.FoldedBy)
}

// countList formats counts as "11,000 quantized, 1,195 adapter".
func countList(cs []Count) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(commas(int64(c.N)))
		b.WriteByte(' ')
		b.WriteString(relName(c.Relation))
	}
	return b.String()
}

func relName(r string) string {
	if r == "" {
		return "other"
	}
	return r
}

// Errors returned by Select.
var (
	// ErrBadOptions reports options or callbacks that cannot be used.
	ErrBadOptions = errors.New("bad render options")
)

// Select picks the family of opt.Root in g and folds it to fit the budget.
//
// The family is Root, its ancestors (Up) and its descendants (Down),
// following only edges whose label is in opt.Labels and at most opt.Depth
// edges away. Every edge of g between two drawn models is drawn, so a merge
// keeps all its parents that are in the picture, and a cycle shows as one.
// Self-loops are not drawn.
//
// How folding chooses: with Fold, the leaf children (no children of their
// own in the family) that a drawn model reaches by a FoldRelations relation
// become one badge per model; when the family still has more models than
// the budget, so do its leaf children with fewer than FoldBelow downloads,
// whatever their relation. Then the budget is spent breadth-first, level
// by level: first on ancestors (closest first, then by downloads, then by
// name), then on descendants. At each level the candidates are the
// not-yet-drawn children of the models drawn at the previous level; when
// they do not all fit, the ones with the most distinct descendants in the
// family are kept, ties broken by downloads, then name. Every model left out
// is counted exactly once, in the summary of the first drawn model that
// reaches it (its nearest drawn ancestor in breadth-first order), one
// summary per drawn model and relation.
//
// The work done is proportional to the size of the family, not of g.
func Select(g *graph.Graph, info Info, opt Options) (*Family, error) {
	if g == nil {
		return nil, fmt.Errorf("%w: nil graph", ErrBadOptions)
	}
	if info.Name == nil || info.Relation == nil {
		return nil, fmt.Errorf("%w: Info.Name and Info.Relation are required", ErrBadOptions)
	}
	if opt.Root < 0 || int(opt.Root) >= g.NumNodes() {
		return nil, fmt.Errorf("%w: root %d not in graph of %d nodes", ErrBadOptions, opt.Root, g.NumNodes())
	}
	rankdir := strings.ToUpper(opt.RankDir)
	switch rankdir {
	case "":
		rankdir = "LR"
	case "TB", "LR":
	default:
		return nil, fmt.Errorf("%w: rankdir %q (want LR or TB)", ErrBadOptions, opt.RankDir)
	}
	s := newSelector(g, info, opt)
	s.collect()
	s.decideFoldBelow(opt.FoldBelow)
	s.choose()
	s.attribute()
	f := s.build()
	f.RankDir = rankdir
	f.FoldBelow = s.foldBelow
	return f, nil
}

// selector holds the family as a graph of its own: local dense ids
// 0..n-1, in the order of the big graph's ids (so adjacency rows read in
// the same order in both), mapped to the big graph by ids. All per-node
// state is sized by the family, not by the graph.
type selector struct {
	g        *graph.Graph
	root     graph.NodeID
	info     Info
	labels   graph.LabelSet
	up, down bool
	depthMax int
	budget   int // models; -1 no limit
	fold     bool
	foldRel  []string
	// foldBelow is the download count under which leaves fold into
	// badges; 0 when the family fits the budget without that.
	foldBelow int64

	ids   []graph.NodeID // local id -> big graph id, ascending
	rootL int32          // local id of the root
	depth []int32        // signed depth
	anc   graph.Bitset   // reached going up
	desc  graph.Bitset   // reached going down (or the root)

	// fam holds every edge of g (along the selected labels, self-loops
	// left out) between two family members; downG those between the root
	// and descendants; upG those between the root and ancestors, in their
	// parent -> child direction (walked with graph.Up).
	fam, downG, upG *graph.Graph

	keep      []bool
	keptOrder []int32 // kept nodes in selection order (root first)

	// Distinct descendants in downG, computed for the candidates of a
	// level that does not fit the budget (-1: not computed).
	count []int32

	// Attribution of folded nodes to keys.
	key  []int32 // -1 unassigned or kept
	keys []*foldKey

	// Cached per-node data.
	names []string
	dls   []int64
}

type foldKey struct {
	anchor   int32 // local index of the drawn model
	rel      string
	up       bool
	badge    bool
	inferred bool // all first edges inferred so far
	// recovered counts the folded models reached over a recovered edge.
	recovered int
	minDepth  int32
	counts    []Count
	examples  []int32 // local indices, best first, at most 3
}

func newSelector(g *graph.Graph, info Info, opt Options) *selector {
	s := &selector{g: g, root: opt.Root, info: info, labels: opt.Labels, up: opt.Up, down: opt.Down, depthMax: opt.Depth, fold: opt.Fold}
	if s.labels == 0 {
		s.labels = graph.AllLabels
	}
	if !s.up && !s.down {
		s.up, s.down = true, true
	}
	switch {
	case opt.MaxNodes == 0:
		s.budget = DefaultMaxNodes
	case opt.MaxNodes < 0:
		s.budget = -1
	default:
		s.budget = opt.MaxNodes
	}
	s.foldRel = opt.FoldRelations
	if s.foldRel == nil {
		s.foldRel = []string{Quantized, Adapter}
	}
	return s
}

// local returns the local id of v, or -1 when v is not in the family.
func (s *selector) local(v graph.NodeID) int32 {
	if i, ok := slices.BinarySearch(s.ids, v); ok {
		return int32(i)
	}
	return -1
}

// collect finds the family with the graph's breadth-first Reach in each
// direction and builds its three sub-graphs.
func (s *selector) collect() {
	var up, down []graph.Hit
	if s.up {
		up = s.g.Reach(s.root, graph.Up, s.labels, s.depthMax)
	}
	if s.down {
		down = s.g.Reach(s.root, graph.Down, s.labels, s.depthMax)
	}
	s.ids = make([]graph.NodeID, 0, 1+len(up)+len(down))
	s.ids = append(s.ids, s.root)
	for _, h := range up {
		s.ids = append(s.ids, h.Node)
	}
	for _, h := range down {
		s.ids = append(s.ids, h.Node)
	}
	slices.Sort(s.ids)
	s.ids = slices.Compact(s.ids)
	n := len(s.ids)
	s.rootL = s.local(s.root)
	s.depth = make([]int32, n)
	s.anc, s.desc = graph.NewBitset(n), graph.NewBitset(n)
	s.desc.Set(graph.NodeID(s.rootL))
	// A model reached both ways (on a cycle through the root) keeps its
	// depth as an ancestor.
	for _, h := range down {
		i := s.local(h.Node)
		s.desc.Set(graph.NodeID(i))
		s.depth[i] = h.Depth
	}
	for _, h := range up {
		i := s.local(h.Node)
		s.anc.Set(graph.NodeID(i))
		s.depth[i] = -h.Depth
	}
	s.depth[s.rootL] = 0
	s.names = make([]string, n)
	s.dls = make([]int64, n)
	for i, v := range s.ids {
		s.names[i] = s.info.Name(v)
		s.dls[i] = -1
		if s.info.Downloads != nil {
			s.dls[i] = s.info.Downloads(v)
		}
	}
	fb, db, ub := graph.NewBuilder(n), graph.NewBuilder(n), graph.NewBuilder(n)
	isUp := func(i int32) bool { return i == s.rootL || s.anc.Has(graph.NodeID(i)) }
	for a, v := range s.ids {
		dst, lab := s.g.Out(v)
		for k, w := range dst {
			if !s.labels.Has(lab[k]) || w == v {
				continue
			}
			b := s.local(w)
			if b < 0 {
				continue
			}
			x, y := graph.NodeID(a), graph.NodeID(b)
			fb.AddEdge(x, y, lab[k])
			if s.desc.Has(x) && s.desc.Has(y) {
				db.AddEdge(x, y, lab[k])
			}
			if isUp(int32(a)) && isUp(b) {
				ub.AddEdge(x, y, lab[k])
			}
		}
	}
	s.fam, s.downG, s.upG = fb.Build(), db.Build(), ub.Build()
}

func (s *selector) foldable(rel string) bool { return slices.Contains(s.foldRel, rel) }

func (s *selector) isLeaf(i int32) bool { return s.downG.OutDegree(graph.NodeID(i)) == 0 }

// badgeEdge reports whether the down edge to child c with label l folds
// into its parent's badge.
func (s *selector) badgeEdge(c int32, l graph.Label) bool {
	return s.fold && s.isLeaf(c) && (s.foldable(s.info.Relation(l)) || s.foldBelow > 0 && s.dls[c] < s.foldBelow)
}

// decideFoldBelow sets foldBelow when, with Fold, the family would not fit
// the budget after its FoldRelations leaves go into badges.
func (s *selector) decideFoldBelow(opt int64) {
	if !s.fold || !s.down || s.budget < 0 || opt < 0 || len(s.ids) <= s.budget {
		return
	}
	if opt == 0 {
		opt = DefaultFoldBelow
	}
	// A leaf folds when each edge that reaches it down the family is of a
	// FoldRelations relation.
	badged := make([]bool, len(s.ids))
	for v := range s.ids {
		if v == int(s.rootL) || !s.desc.Has(graph.NodeID(v)) || !s.isLeaf(int32(v)) {
			continue
		}
		_, lab := s.downG.In(graph.NodeID(v))
		badged[v] = len(lab) > 0
		for _, l := range lab {
			if !s.foldable(s.info.Relation(l)) {
				badged[v] = false
				break
			}
		}
	}
	remaining := 0
	for v := range s.ids {
		if !badged[v] {
			remaining++
		}
	}
	if remaining > s.budget {
		s.foldBelow = opt
	}
}

// choose spends the budget: ancestors first, then descendants, level by
// level, keeping the most important candidates of each level.
func (s *selector) choose() {
	n := len(s.ids)
	s.keep = make([]bool, n)
	s.keep[s.rootL] = true
	s.keptOrder = []int32{s.rootL}
	remaining := -1
	if s.budget >= 0 {
		remaining = max(s.budget-1, 0)
	}
	if s.up {
		remaining = s.level(s.upG, graph.Up, remaining)
	}
	if s.down {
		s.level(s.downG, graph.Down, remaining)
	}
}

// level runs the level-by-level selection over one direction of g and
// returns the budget left (-1: unlimited).
func (s *selector) level(g *graph.Graph, dir graph.Direction, remaining int) int {
	down := dir == graph.Down
	inCand := make([]bool, len(s.ids))
	// visited marks nodes expanded (or queued) in this direction; models
	// kept earlier (an ancestor that is also a descendant, in a cycle) are
	// walked through without spending budget.
	visited := make([]bool, len(s.ids))
	visited[s.rootL] = true
	frontier := []int32{s.rootL}
	for len(frontier) > 0 {
		var cands, next []int32
		for _, v := range frontier {
			nb, lab := adj(g, v, dir)
			for k, w := range nb {
				c := int32(w)
				if s.keep[c] {
					if !visited[c] {
						visited[c] = true
						next = append(next, c)
					}
					continue
				}
				if inCand[c] || (down && s.badgeEdge(c, lab[k])) {
					continue
				}
				inCand[c] = true
				cands = append(cands, c)
			}
		}
		if remaining >= 0 && len(cands) > remaining {
			if down {
				s.countDescendants(cands)
			}
			slices.SortFunc(cands, func(a, b int32) int { return s.importance(a, b, down) })
			for _, c := range cands[remaining:] {
				inCand[c] = false
			}
			cands = cands[:remaining]
		}
		for _, c := range cands {
			s.keep[c] = true
			s.keptOrder = append(s.keptOrder, c)
			visited[c] = true
			next = append(next, c)
		}
		if remaining >= 0 {
			remaining -= len(cands)
		}
		frontier = next
	}
	return remaining
}

// adj returns the neighbours of v in direction dir, with edge labels.
func adj(g *graph.Graph, v int32, dir graph.Direction) ([]graph.NodeID, []graph.Label) {
	if dir == graph.Up {
		return g.In(graph.NodeID(v))
	}
	return g.Out(graph.NodeID(v))
}

// importance orders candidates, most important first: descendant count
// (down only), downloads, name case-insensitively, name, node id.
func (s *selector) importance(a, b int32, down bool) int {
	if down {
		if c := cmp.Compare(s.count[b], s.count[a]); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(s.dls[b], s.dls[a]); c != 0 {
		return c
	}
	return s.byName(a, b)
}

func (s *selector) byName(a, b int32) int {
	if c := cmp.Compare(strings.ToLower(s.names[a]), strings.ToLower(s.names[b])); c != 0 {
		return c
	}
	if c := cmp.Compare(s.names[a], s.names[b]); c != 0 {
		return c
	}
	return cmp.Compare(s.ids[a], s.ids[b])
}

// countDescendants records, for each node of vs, its number of distinct
// descendants among the family's descendants (graph.CountDescendants on
// the down sub-graph).
func (s *selector) countDescendants(vs []int32) {
	if s.count == nil {
		s.count = make([]int32, len(s.ids))
		for i := range s.count {
			s.count[i] = -1
		}
	}
	var todo []graph.NodeID
	for _, v := range vs {
		if s.count[v] < 0 {
			todo = append(todo, graph.NodeID(v))
		}
	}
	if len(todo) == 0 {
		return
	}
	for i, c := range s.downG.CountDescendants(todo, graph.AllLabels) {
		s.count[todo[i]] = int32(c)
	}
}

// attribute assigns every family node that is not drawn to exactly one
// summary or badge: that of the first drawn model reaching it.
func (s *selector) attribute() {
	n := len(s.ids)
	s.key = make([]int32, n)
	for i := range s.key {
		s.key[i] = -1
	}
	assigned := func(i int32) bool { return s.keep[i] || s.key[i] >= 0 }
	type id struct {
		anchor    int32
		rel       string
		up, badge bool
	}
	keyIdx := map[id]int32{}
	getKey := func(anchor int32, rel string, up, badge bool) int32 {
		if badge {
			rel = ""
		}
		k := id{anchor, rel, up, badge}
		if i, ok := keyIdx[k]; ok {
			return i
		}
		i := int32(len(s.keys))
		keyIdx[k] = i
		s.keys = append(s.keys, &foldKey{anchor: anchor, rel: rel, up: up, badge: badge, inferred: true, minDepth: 1 << 30})
		return i
	}
	note := func(ki, node int32, rel string, l graph.Label, first bool) {
		k := s.keys[ki]
		s.key[node] = ki
		if first && (s.info.Inferred == nil || !s.info.Inferred(l)) {
			k.inferred = false
		}
		if s.info.Recovered != nil && s.info.Recovered(l) {
			k.recovered++
		}
		if d := abs32(s.depth[node]); d < k.minDepth {
			k.minDepth = d
		}
		if k.badge {
			rel = s.info.Relation(l)
		}
		j := slices.IndexFunc(k.counts, func(c Count) bool { return c.Relation == rel })
		if j < 0 {
			k.counts = append(k.counts, Count{Relation: rel})
			j = len(k.counts) - 1
		}
		k.counts[j].N++
		// Keep the three most important examples.
		k.examples = append(k.examples, node)
		slices.SortFunc(k.examples, func(a, b int32) int { return s.importance(a, b, false) })
		if len(k.examples) > 3 {
			k.examples = k.examples[:3]
		}
	}
	spread := func(g *graph.Graph, dir graph.Direction, sources []int32) {
		up := dir == graph.Up
		var queue []int32
		for _, v := range sources {
			nb, lab := adj(g, v, dir)
			for k, w := range nb {
				c := int32(w)
				if assigned(c) {
					continue
				}
				rel := s.info.Relation(lab[k])
				badge := !up && s.badgeEdge(c, lab[k])
				note(getKey(v, rel, up, badge), c, rel, lab[k], true)
				queue = append(queue, c)
			}
		}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			ki := s.key[u]
			nb, lab := adj(g, u, dir)
			for k, w := range nb {
				c := int32(w)
				if assigned(c) {
					continue
				}
				note(ki, c, s.keys[ki].rel, lab[k], false)
				queue = append(queue, c)
			}
		}
	}
	if s.up {
		var src []int32
		for _, v := range s.keptOrder {
			if v == s.rootL || s.anc.Has(graph.NodeID(v)) {
				src = append(src, v)
			}
		}
		spread(s.upG, graph.Up, src)
	}
	if s.down {
		var src []int32
		for _, v := range s.keptOrder {
			if s.desc.Has(graph.NodeID(v)) {
				src = append(src, v)
			}
		}
		spread(s.downG, graph.Down, src)
	}
}

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

// relOrder orders relation names: the four known ones first, in a fixed
// order, then the others by name.
func relOrder(a, b string) int {
	rank := func(r string) int {
		switch r {
		case Finetune:
			return 0
		case Adapter:
			return 1
		case Quantized:
			return 2
		case Merge:
			return 3
		}
		return 4
	}
	if c := cmp.Compare(rank(a), rank(b)); c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}

// build turns the selection into a Family.
func (s *selector) build() *Family {
	var kept []int32
	for i := range s.ids {
		if s.keep[i] {
			kept = append(kept, int32(i))
		}
	}
	slices.SortFunc(kept, func(a, b int32) int {
		if c := cmp.Compare(s.depth[a], s.depth[b]); c != 0 {
			return c
		}
		return s.importance(a, b, false)
	})
	f := &Family{Size: len(s.ids), Shown: len(kept)}
	f.Folded = f.Size - f.Shown
	pos := make([]int, len(s.ids))
	for i := range pos {
		pos[i] = -1
	}
	for p, i := range kept {
		pos[i] = p
		v := s.ids[i]
		nd := Node{
			Kind:       Model,
			ID:         v,
			Name:       s.names[i],
			URL:        s.url(v, s.names[i]),
			Downloads:  s.dls[i],
			Depth:      int(s.depth[i]),
			Root:       int32(i) == s.rootL,
			Foundation: s.foundation(v),
			Anchor:     -1,
		}
		if s.info.Created != nil {
			nd.Created = s.info.Created(v)
		}
		if int32(i) == s.rootL {
			f.Root = p
		}
		f.Nodes = append(f.Nodes, nd)
	}
	for _, a := range kept {
		dst, lab := s.fam.Out(graph.NodeID(a))
		for k, b := range dst {
			if s.keep[b] {
				f.Edges = append(f.Edges, s.edge(pos[a], pos[b], s.ids[a], s.ids[b], lab[k]))
			}
		}
	}
	// Folded groups, ordered by anchor position, ancestors' summaries
	// first, then summaries by relation, then the badge.
	keys := slices.Clone(s.keys)
	slices.SortFunc(keys, func(a, b *foldKey) int {
		if c := cmp.Compare(pos[a.anchor], pos[b.anchor]); c != 0 {
			return c
		}
		if a.up != b.up {
			if a.up {
				return -1
			}
			return 1
		}
		if a.badge != b.badge {
			if a.badge {
				return 1
			}
			return -1
		}
		return relOrder(a.rel, b.rel)
	})
	totals := map[string]int{}
	for _, k := range keys {
		slices.SortFunc(k.counts, func(a, b Count) int { return relOrder(a.Relation, b.Relation) })
		sign := 1
		if k.up {
			sign = -1
		}
		nd := Node{
			Kind:      Summary,
			ID:        -1,
			Downloads: -1,
			Depth:     sign * int(k.minDepth),
			Anchor:    pos[k.anchor],
			Up:        k.up,
			Inferred:  k.inferred && !k.badge,
			Recovered: k.recovered,
			Folded:    k.counts,
		}
		if k.badge {
			nd.Kind = Badge
		}
		for _, e := range k.examples {
			nd.Examples = append(nd.Examples, s.names[e])
		}
		p := len(f.Nodes)
		f.Nodes = append(f.Nodes, nd)
		switch {
		case k.up:
			f.Edges = append(f.Edges, Edge{From: p, To: pos[k.anchor], Relation: k.rel, Inferred: nd.Inferred})
		case k.badge:
			f.Edges = append(f.Edges, Edge{From: pos[k.anchor], To: p})
		default:
			f.Edges = append(f.Edges, Edge{From: pos[k.anchor], To: p, Relation: k.rel, Inferred: nd.Inferred})
		}
		for _, c := range k.counts {
			totals[c.Relation] += c.N
		}
	}
	rels := make([]string, 0, len(totals))
	for r := range totals {
		rels = append(rels, r)
	}
	slices.SortFunc(rels, relOrder)
	for _, r := range rels {
		f.FoldedBy = append(f.FoldedBy, Count{Relation: r, N: totals[r]})
	}
	slices.SortFunc(f.Edges, func(a, b Edge) int {
		if c := cmp.Compare(a.From, b.From); c != 0 {
			return c
		}
		return cmp.Compare(a.To, b.To)
	})
	return f
}

func (s *selector) edge(from, to int, parent, child graph.NodeID, l graph.Label) Edge {
	e := Edge{From: from, To: to, Relation: s.info.Relation(l)}
	if s.info.Recovered != nil && s.info.Recovered(l) {
		e.Recovered = true
		if s.info.Confidence != nil {
			e.Confidence = s.info.Confidence(parent, child)
		}
		return e
	}
	if s.info.Inferred != nil {
		e.Inferred = s.info.Inferred(l)
	}
	return e
}

// foundation reports whether v has no parent along the selected labels.
func (s *selector) foundation(v graph.NodeID) bool {
	_, lab := s.g.In(v)
	for _, l := range lab {
		if s.labels.Has(l) {
			return false
		}
	}
	return true
}

func (s *selector) url(v graph.NodeID, name string) string {
	if s.info.URL != nil {
		return s.info.URL(v)
	}
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return DefaultURLPrefix + strings.Join(parts, "/")
}
