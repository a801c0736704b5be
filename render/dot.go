package render

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/lineage-project/lineage/graph"
)

// dotURL makes a URL safe in a quoted DOT string. Characters that could
// break the quoting or be taken as escapes are percent-encoded.
func dotURL(u string) string {
	u = clean(u)
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c == '\'' || c == ' ' || c == '`':
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// edgeStyle is how one relation is drawn, and the words that say so.
type edgeStyle struct {
	style, color, light string
	penwidth            string
	words               string
}

var edgeStyles = map[string]edgeStyle{
	Finetune:  {style: "solid", color: "#1f4e79", light: "#9fb4c7", penwidth: "1.2", words: "solid blue"},
	Adapter:   {style: "dashed", color: "#2e7d32", light: "#a5cba7", penwidth: "1.2", words: "dashed green"},
	Quantized: {style: "dotted", color: "#6a1b9a", light: "#c6a6d8", penwidth: "1.6", words: "dotted purple"},
	Merge:     {style: "bold", color: "#c62828", light: "#eca9a9", penwidth: "2.4", words: "bold red"},
}

var otherStyle = edgeStyle{style: "solid", color: "#616161", light: "#bdbdbd", penwidth: "1", words: "solid grey"}

// inferredWords says how an inferred relation is drawn.
const inferredWords = "inferred relations pale with hollow arrows"

// recoveredWords says how a recovered edge is drawn.
const recoveredWords = "recovered edges (not declared, proposed from evidence) dashed with an open circle head"

// StyleKey returns, in words, the edge styles the legend of WriteDOT's
// drawing shows, for a caption beside the picture: each relation drawn
// with its style ("finetune solid blue, adapter dashed green"), then
// "inferred relations pale with hollow arrows" when an inferred relation
// is drawn, and "badges on dashed grey lines" when leaves are folded into
// badges. It is "" for a picture without edges.
func (f *Family) StyleKey() string {
	rels, inferred, recovered := f.edgeKinds()
	var parts []string
	for _, r := range rels {
		parts = append(parts, clean(relName(r))+" "+styleOf(r).words)
	}
	key := strings.Join(parts, ", ")
	var more []string
	if inferred {
		more = append(more, inferredWords)
	}
	if recovered {
		more = append(more, recoveredWords)
	}
	if slices.ContainsFunc(f.Nodes, func(n Node) bool { return n.Kind == Badge }) {
		more = append(more, "folded leaves as badges on dashed grey lines")
	}
	if len(more) > 0 {
		if key != "" {
			key += "; "
		}
		key += strings.Join(more, "; ")
	}
	return key
}

func styleOf(rel string) edgeStyle {
	if s, ok := edgeStyles[rel]; ok {
		return s
	}
	return otherStyle
}

// relAttrs returns the attributes of an edge of relation rel: its style,
// pale with a hollow arrow when inferred, dashed with an open circle for
// a head when recovered.
func relAttrs(rel string, inferred, recovered bool) []Attr {
	st := styleOf(rel)
	style, color, arrow := st.style, st.color, "normal"
	switch {
	case recovered:
		style, arrow = "dashed", "odot"
	case inferred:
		color, arrow = st.light, "onormal"
	}
	return []Attr{{"style", style}, {"color", color}, {"penwidth", st.penwidth}, {"arrowhead", arrow}}
}

// Node colours.
const (
	rootFill       = "#fff3b0"
	rootBorder     = "#e65100"
	foundationFill = "#e3f2fd"
	modelBorder    = "#546e7a"
	foldedBorder   = "#9e9e9e"
	foldedText     = "#424242"
	badgeFill      = "#f5f5f5"
)

// WriteDOT writes the family as a Graphviz digraph. The output is
// byte-identical for equal families. Models are nodes n0, n1, ... in the
// order of f.Nodes, each with its name, downloads and date as label, a link
// (URL, target="_blank") and a tooltip. Edges are styled by relation:
// finetune solid, adapter dashed, quantized dotted, merge bold, each in its
// own colour; inferred relations are drawn in a lighter colour with a
// hollow arrowhead. The queried model is filled yellow with a thick orange
// border, foundations have a double border and a blue fill. A legend
// cluster (id "legend") explains the styles and what was folded, and the
// graph label carries Caption.
//
// Wide fan-outs are drawn as grids: the leaves of the picture that hang
// from one model by one relation (and from no other drawn model), when
// that model has more than fanAbove such leaves, go into a frame of their
// own (cluster "fanK") where invisible edges line them up in rows of C
// (C about sqrt(k/5) for k leaves left to right, so the block is about as
// wide as high; see columns); one arrow of the relation's style runs from
// the model to the frame. One column of 150 boxes would otherwise make
// the picture ten times higher than wide.
func (f *Family) WriteDOT(w io.Writer) error {
	rels, inferred, recovered := f.edgeKinds()
	legend := f.legendItems(rels, inferred, recovered)
	n := len(f.Nodes)
	fans, fanOf := f.fans()
	// The picture as a graph: the family's boxes 0..n-1, then the legend's.
	// Edge labels say what an edge is.
	const (
		drawn  graph.Label = iota // an edge of f.Edges
		hidden                    // an invisible edge that shapes a fan's grid
		sample                    // a legend edge
	)
	b := graph.NewBuilder(n + len(legend.nodes))
	for _, e := range f.Edges {
		if k := fanOf[e.To]; k >= 0 && e.To != fans[k].head() {
			continue // drawn as the one arrow to the frame
		}
		b.AddEdge(graph.NodeID(e.From), graph.NodeID(e.To), drawn)
	}
	for _, fn := range fans {
		for _, row := range fn.rows {
			if row[0] != fn.head() {
				b.AddEdge(graph.NodeID(fn.parent), graph.NodeID(row[0]), hidden)
			}
			for i := 1; i < len(row); i++ {
				b.AddEdge(graph.NodeID(row[i-1]), graph.NodeID(row[i]), hidden)
			}
		}
	}
	for _, le := range legend.edges {
		b.AddEdge(graph.NodeID(n+le.from), graph.NodeID(n+le.to), sample)
	}
	clusters := []Cluster{{Name: "legend", Attrs: []Attr{
		{"id", "legend"},
		{"label", "Legend"},
		{"fontsize", "10"},
		{"style", "rounded"},
		{"color", "#bdbdbd"},
		{"margin", "8"},
	}}}
	for k, fn := range fans {
		clusters = append(clusters, Cluster{Name: "fan" + itoa(k), Attrs: []Attr{
			{"id", "fan" + itoa(k)},
			{"label", ""},
			{"style", "rounded,dashed"},
			{"color", "#cfd8dc"},
			{"margin", "6"},
			{"tooltip", commas(int64(fn.size)) + " " + clean(relName(fn.rel)) + " leaves of " + clean(f.Nodes[fn.parent].Name)},
		}})
	}
	graphAttrs := []Attr{
		{"id", "lineage"},
		{"rankdir", f.RankDir},
		{"label", f.Caption()},
		{"labelloc", "t"},
		{"labeljust", "l"},
		{"fontname", "Helvetica"},
		{"fontsize", "12"},
		{"nodesep", "0.25"},
		{"ranksep", "0.45"},
		{"bgcolor", "white"},
	}
	if len(fans) > 0 {
		graphAttrs = append(graphAttrs, Attr{"compound", "true"})
	}
	d := &DOT{
		Name:  "lineage",
		G:     b.Build(),
		Attrs: graphAttrs,
		NodeDefaults: []Attr{
			{"shape", "box"},
			{"style", "rounded,filled"},
			{"fillcolor", "white"},
			{"color", modelBorder},
			{"fontname", "Helvetica"},
			{"fontsize", "10"},
			{"margin", "0.12,0.05"},
		},
		EdgeDefaults: []Attr{{"arrowsize", "0.7"}},
		NodeID: func(v graph.NodeID) string {
			if int(v) < n {
				return "n" + itoa(int(v))
			}
			return legend.nodes[int(v)-n].id
		},
		NodeAttrs: func(v graph.NodeID) []Attr {
			if int(v) < n {
				return f.nodeAttrs(int(v))
			}
			return legend.nodes[int(v)-n].attrs
		},
		EdgeAttrs: func(from, to graph.NodeID, l graph.Label) []Attr {
			switch l {
			case sample:
				for _, le := range legend.edges {
					if n+le.from == int(from) && n+le.to == int(to) {
						return le.attrs
					}
				}
				return nil
			case hidden:
				return []Attr{{"style", "invis"}, {"weight", "4"}}
			}
			k, _ := slices.BinarySearchFunc(f.Edges, [2]int{int(from), int(to)}, func(e Edge, t [2]int) int {
				return cmp.Or(cmp.Compare(e.From, t[0]), cmp.Compare(e.To, t[1]))
			})
			as := f.edgeAttrs(&f.Edges[k])
			if fk := fanOf[to]; fk >= 0 {
				as = append(as, Attr{"lhead", "cluster_fan" + itoa(fk)})
			}
			return as
		},
		ClusterOf: func(v graph.NodeID) string {
			if int(v) >= n {
				return "legend"
			}
			if k := fanOf[v]; k >= 0 {
				return "fan" + itoa(k)
			}
			return ""
		},
		Clusters: clusters,
	}
	return d.Write(w)
}

// fanAbove is the number of leaf children above which a model's leaves are
// drawn as grids, and fanMin the smallest group drawn as one.
const (
	fanAbove = 8
	fanMin   = 4
)

// maxColumns bounds the columns (ranks) of a fan's grid left to right.
const maxColumns = 10

// fan is a group of leaves drawn as a grid.
type fan struct {
	parent    int
	rel       string
	inferred  bool
	recovered bool
	size      int
	rows      [][]int // node indices, in f.Nodes order
}

// head is the leaf the arrow to the frame points at: the first of the
// first row.
func (fn *fan) head() int {
	if len(fn.rows) > 0 && fn.rows[0][0] > fn.rows[len(fn.rows)-1][0] {
		return fn.rows[len(fn.rows)-1][0]
	}
	return fn.rows[0][0]
}

// fans finds the leaves of the picture to draw as grids, and returns them
// with, for every node, the index of its fan or -1.
func (f *Family) fans() ([]fan, []int) {
	n := len(f.Nodes)
	out := make([]int, n)
	in := make([]int, n)
	for _, e := range f.Edges {
		out[e.From]++
		in[e.To]++
	}
	leafKids := make([]int, n)
	for _, e := range f.Edges {
		if out[e.To] == 0 && in[e.To] == 1 && f.Nodes[e.To].Kind == Model {
			leafKids[e.From]++
		}
	}
	type key struct {
		parent    int
		rel       string
		inferred  bool
		recovered bool
	}
	groups := map[key][]int{}
	var keys []key
	for _, e := range f.Edges {
		if out[e.To] != 0 || in[e.To] != 1 || f.Nodes[e.To].Kind != Model || leafKids[e.From] <= fanAbove {
			continue
		}
		k := key{e.From, e.Relation, e.Inferred, e.Recovered}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], e.To)
	}
	fanOf := make([]int, n)
	for i := range fanOf {
		fanOf[i] = -1
	}
	var fans []fan
	for _, k := range keys { // in edge order: deterministic
		leaves := groups[k]
		if len(leaves) < fanMin {
			continue
		}
		slices.Sort(leaves) // f.Nodes order: by downloads, then name
		c := columns(len(leaves), f.RankDir)
		fn := fan{parent: k.parent, rel: k.rel, inferred: k.inferred, recovered: k.recovered, size: len(leaves)}
		for i := 0; i < len(leaves); i += c {
			fn.rows = append(fn.rows, leaves[i:min(i+c, len(leaves))])
		}
		if f.RankDir == "LR" {
			// Graphviz lays LR out as TB turned a quarter left, which
			// reverses the order of a rank: list the rows bottom up so
			// that the first (most downloaded) reads at the top.
			slices.Reverse(fn.rows)
		}
		for _, v := range leaves {
			fanOf[v] = len(fans)
		}
		fans = append(fans, fn)
	}
	return fans, fanOf
}

// columns returns the length of a fan's rows for k leaves, so that the
// block is about as high as wide. Left to right a rank is a column about
// five box heights wide (a box and the gap to the next rank), so about
// sqrt(k/5) boxes side by side; top to bottom a rank is a row about a
// third of a box width high, so about sqrt(3.5k) ranks. At least 2, at
// most maxColumns (left to right) or 3*maxColumns (top to bottom).
func columns(k int, rankdir string) int {
	c, most := math.Sqrt(float64(k)/5), maxColumns
	if rankdir == "TB" {
		c, most = math.Sqrt(float64(k)*3.5), 3*maxColumns
	}
	return min(max(int(math.Ceil(c)), 2), most)
}

// edgeKinds returns the relations drawn (in relation order) and whether any
// drawn edge is inferred.
func (f *Family) edgeKinds() (rels []string, inferred, recovered bool) {
	for _, e := range f.Edges {
		if f.Nodes[e.To].Kind == Badge {
			continue
		}
		if !slices.Contains(rels, e.Relation) {
			rels = append(rels, e.Relation)
		}
		inferred = inferred || e.Inferred
		recovered = recovered || e.Recovered
	}
	slices.SortFunc(rels, relOrder)
	return rels, inferred, recovered
}

func (f *Family) nodeAttrs(i int) []Attr {
	nd := &f.Nodes[i]
	id := "n" + itoa(i)
	tip := strings.Join(f.tooltipLines(nd), "\n")
	if nd.Kind != Model {
		as := append(make([]Attr, 0, 9),
			Attr{"id", id},
			Attr{"label", strings.Join(foldedLines(nd), "\n")},
			Attr{"tooltip", tip},
			Attr{"class", nd.Kind.String()},
			Attr{"color", foldedBorder},
			Attr{"fontcolor", foldedText},
		)
		if nd.Kind == Badge {
			return append(as, Attr{"style", "rounded,filled"}, Attr{"fillcolor", badgeFill}, Attr{"fontsize", "9"})
		}
		return append(as, Attr{"style", "rounded,dashed"})
	}
	class := "model"
	if nd.Root {
		class += " root"
	}
	if nd.Foundation {
		class += " foundation"
	}
	as := append(make([]Attr, 0, 11),
		Attr{"id", id},
		Attr{"label", strings.Join(modelLines(nd), "\n")},
		Attr{"URL", dotURL(nd.URL)},
		Attr{"target", "_blank"},
		Attr{"tooltip", tip},
		Attr{"class", class},
	)
	switch {
	case nd.Root:
		// Not bold: Graphviz measures "Helvetica-Bold" with Times-Roman
		// widths (its width tables know only the family names), so a
		// bold label would spill out of its box.
		as = append(as, Attr{"fillcolor", rootFill}, Attr{"color", rootBorder}, Attr{"penwidth", "2.5"})
	case nd.Foundation:
		as = append(as, Attr{"fillcolor", foundationFill})
	}
	if nd.Foundation {
		as = append(as, Attr{"peripheries", "2"})
	}
	return as
}

func (f *Family) edgeAttrs(e *Edge) []Attr {
	if f.Nodes[e.To].Kind == Badge {
		return []Attr{{"style", "dashed"}, {"color", foldedBorder}, {"arrowhead", "none"}, {"class", "badge"}}
	}
	class := clean(relName(e.Relation))
	switch {
	case e.Recovered:
		class += " recovered"
	case e.Inferred:
		class += " inferred"
	}
	// Room for the tooltip and the minlen WriteDOT may add.
	as := make([]Attr, 0, 7)
	as = append(as, Attr{"class", class})
	as = append(as, relAttrs(e.Relation, e.Inferred, e.Recovered)...)
	from, to := &f.Nodes[e.From], &f.Nodes[e.To]
	if from.Kind == Model && to.Kind == Model {
		tip := clean(from.Name) + " → " + clean(to.Name) + ": " + clean(relName(e.Relation))
		switch {
		case e.Recovered && e.Confidence > 0:
			tip += fmt.Sprintf(" (recovered, confidence %.2f; not declared)", e.Confidence)
		case e.Recovered:
			tip += " (recovered; not declared)"
		case e.Inferred:
			tip += " (inferred)"
		}
		as = append(as, Attr{"tooltip", tip})
	}
	return as
}

// legend is the set of sample nodes and edges explaining the picture.
type legend struct {
	nodes []legendNode
	edges []legendEdge
}

type legendNode struct {
	id    string
	attrs []Attr
}

type legendEdge struct {
	from, to int // indices in nodes
	attrs    []Attr
}

func (f *Family) legendItems(rels []string, inferred, recovered bool) legend {
	var lg legend
	small := []Attr{{"fontsize", "9"}, {"height", "0.3"}, {"margin", "0.08,0.02"}}
	addNode := func(id string, attrs ...Attr) int {
		lg.nodes = append(lg.nodes, legendNode{id: id, attrs: append(attrs, small...)})
		return len(lg.nodes) - 1
	}
	text := func(id, label string) int {
		return addNode(id, Attr{"label", label}, Attr{"shape", "plaintext"}, Attr{"style", ""})
	}
	type sampleEdge struct {
		rel, label          string
		inferred, recovered bool
	}
	var samples []sampleEdge
	for _, r := range rels {
		samples = append(samples, sampleEdge{r, relName(r), false, false})
	}
	first := Finetune
	if len(rels) > 0 {
		first = rels[0]
	}
	if inferred {
		samples = append(samples, sampleEdge{first, "inferred (pale, hollow arrow)", true, false})
	}
	if recovered {
		samples = append(samples, sampleEdge{first, "recovered, not declared (dashed, open circle)", false, true})
	}
	// Graphviz lays LR drawings out as TB ones turned a quarter left, which
	// reverses the order of a rank: emit the samples reversed so that they
	// read top to bottom in both directions.
	if f.RankDir == "LR" {
		slices.Reverse(samples)
	}
	for k, sm := range samples {
		a := text(fmt.Sprintf("legend_e%d", k), clean(sm.label))
		lg.nodes = append(lg.nodes, legendNode{id: fmt.Sprintf("legend_e%d_to", k), attrs: []Attr{{"label", ""}, {"shape", "point"}, {"width", "0.06"}, {"style", "filled"}, {"color", "#757575"}}})
		b := len(lg.nodes) - 1
		lg.edges = append(lg.edges, legendEdge{from: a, to: b, attrs: relAttrs(sm.rel, sm.inferred, sm.recovered)})
	}
	addNode("legend_root", Attr{"label", "queried model"}, Attr{"fillcolor", rootFill}, Attr{"color", rootBorder}, Attr{"penwidth", "2.5"})
	if slices.ContainsFunc(f.Nodes, func(n Node) bool { return n.Foundation }) {
		addNode("legend_foundation", Attr{"label", "foundation (no parents)"}, Attr{"fillcolor", foundationFill}, Attr{"peripheries", "2"})
	}
	if slices.ContainsFunc(f.Nodes, func(n Node) bool { return n.Kind == Summary }) {
		addNode("legend_summary", Attr{"label", "+N relation: children left out\nto fit the budget, with their descendants"}, Attr{"style", "rounded,dashed"}, Attr{"color", foldedBorder}, Attr{"fontcolor", foldedText})
	}
	if slices.ContainsFunc(f.Nodes, func(n Node) bool { return n.Kind == Badge }) {
		label := "+N relation: leaf models folded"
		if f.FoldBelow > 0 {
			label += "\n(quantized, adapters, and leaves under " + commas(f.FoldBelow) + " downloads)"
		}
		addNode("legend_badge", Attr{"label", label}, Attr{"fillcolor", badgeFill}, Attr{"color", foldedBorder}, Attr{"fontcolor", foldedText})
	}
	if fl := f.FoldedLine(); fl != "" {
		text("legend_folded", clean(fl))
	}
	return lg
}
