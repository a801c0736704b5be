package render

import (
	"cmp"
	"fmt"
	"io"
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

// StyleKey returns, in words, the edge styles the legend of WriteDOT's
// drawing shows, for a caption beside the picture: each relation drawn
// with its style ("finetune solid blue, adapter dashed green"), then
// "inferred relations pale with hollow arrows" when an inferred relation
// is drawn, and "badges on dashed grey lines" when leaves are folded into
// badges. It is "" for a picture without edges.
func (f *Family) StyleKey() string {
	rels, inferred := f.edgeKinds()
	var parts []string
	for _, r := range rels {
		parts = append(parts, clean(relName(r))+" "+styleOf(r).words)
	}
	key := strings.Join(parts, ", ")
	var more []string
	if inferred {
		more = append(more, inferredWords)
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

// relAttrs returns the attributes of an edge of relation rel.
func relAttrs(rel string, inferred bool) []Attr {
	st := styleOf(rel)
	color, arrow := st.color, "normal"
	if inferred {
		color, arrow = st.light, "onormal"
	}
	return []Attr{{"style", st.style}, {"color", color}, {"penwidth", st.penwidth}, {"arrowhead", arrow}}
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
func (f *Family) WriteDOT(w io.Writer) error {
	rels, inferred := f.edgeKinds()
	legend := f.legendItems(rels, inferred)
	n := len(f.Nodes)
	minlen := f.stagger()
	// The picture as a graph: the family's boxes 0..n-1, then the legend's.
	b := graph.NewBuilder(n + len(legend.nodes))
	for _, e := range f.Edges {
		b.AddEdge(graph.NodeID(e.From), graph.NodeID(e.To), 0)
	}
	for _, le := range legend.edges {
		b.AddEdge(graph.NodeID(n+le.from), graph.NodeID(n+le.to), 0)
	}
	d := &DOT{
		Name: "lineage",
		G:    b.Build(),
		Attrs: []Attr{
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
		},
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
		EdgeAttrs: func(from, to graph.NodeID, _ graph.Label) []Attr {
			if int(from) >= n {
				for _, le := range legend.edges {
					if n+le.from == int(from) && n+le.to == int(to) {
						return le.attrs
					}
				}
				return nil
			}
			k, _ := slices.BinarySearchFunc(f.Edges, [2]int{int(from), int(to)}, func(e Edge, t [2]int) int {
				return cmp.Or(cmp.Compare(e.From, t[0]), cmp.Compare(e.To, t[1]))
			})
			as := f.edgeAttrs(&f.Edges[k])
			if minlen[k] > 1 {
				as = append(as, Attr{"minlen", itoa(minlen[k])})
			}
			return as
		},
		ClusterOf: func(v graph.NodeID) string {
			if int(v) < n {
				return ""
			}
			return "legend"
		},
		Clusters: []Cluster{{Name: "legend", Attrs: []Attr{
			{"id", "legend"},
			{"label", "Legend"},
			{"fontsize", "10"},
			{"style", "rounded"},
			{"color", "#bdbdbd"},
			{"margin", "8"},
		}}},
	}
	return d.Write(w)
}

// staggerAbove is the number of leaf children above which the edges to
// them get staggered lengths.
const staggerAbove = 8

// stagger returns, for every edge, the minimum length (in ranks) to give it
// in DOT. A model with many children that are leaves of the picture would
// put them all in one rank, making the drawing very wide (tall, in LR);
// like Graphviz's unflatten -l 3, the edges to such leaves get lengths
// 1, 2, 3, 1, 2, 3, ... so that they spread over three ranks.
func (f *Family) stagger() []int {
	minlen := make([]int, len(f.Edges))
	hasOut := make([]bool, len(f.Nodes))
	for _, e := range f.Edges {
		hasOut[e.From] = true
	}
	leafKids := make([]int, len(f.Nodes))
	for _, e := range f.Edges {
		if !hasOut[e.To] {
			leafKids[e.From]++
		}
	}
	seen := make([]int, len(f.Nodes))
	for k, e := range f.Edges {
		if hasOut[e.To] || leafKids[e.From] <= staggerAbove {
			continue
		}
		minlen[k] = 1 + seen[e.From]%3
		seen[e.From]++
	}
	return minlen
}

// edgeKinds returns the relations drawn (in relation order) and whether any
// drawn edge is inferred.
func (f *Family) edgeKinds() (rels []string, inferred bool) {
	for _, e := range f.Edges {
		if f.Nodes[e.To].Kind == Badge {
			continue
		}
		if !slices.Contains(rels, e.Relation) {
			rels = append(rels, e.Relation)
		}
		inferred = inferred || e.Inferred
	}
	slices.SortFunc(rels, relOrder)
	return rels, inferred
}

func (f *Family) nodeAttrs(i int) []Attr {
	nd := &f.Nodes[i]
	id := "n" + itoa(i)
	tip := strings.Join(f.tooltipLines(nd), "\n")
	if nd.Kind != Model {
		as := append(make([]Attr, 0, 9),
			Attr{"id", id},
			Attr{"label", foldedLabel(nd)},
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
	if e.Inferred {
		class += " inferred"
	}
	st := styleOf(e.Relation)
	color, arrow := st.color, "normal"
	if e.Inferred {
		color, arrow = st.light, "onormal"
	}
	// Room for the tooltip and the minlen WriteDOT may add.
	as := make([]Attr, 0, 7)
	as = append(as, Attr{"class", class}, Attr{"style", st.style}, Attr{"color", color}, Attr{"penwidth", st.penwidth}, Attr{"arrowhead", arrow})
	from, to := &f.Nodes[e.From], &f.Nodes[e.To]
	if from.Kind == Model && to.Kind == Model {
		tip := clean(from.Name) + " → " + clean(to.Name) + ": " + clean(relName(e.Relation))
		if e.Inferred {
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

func (f *Family) legendItems(rels []string, inferred bool) legend {
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
		rel, label string
		inferred   bool
	}
	var samples []sampleEdge
	for _, r := range rels {
		samples = append(samples, sampleEdge{r, relName(r), false})
	}
	if inferred {
		r := Finetune
		if len(rels) > 0 {
			r = rels[0]
		}
		samples = append(samples, sampleEdge{r, "inferred (pale, hollow arrow)", true})
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
		lg.edges = append(lg.edges, legendEdge{from: a, to: b, attrs: relAttrs(sm.rel, sm.inferred)})
	}
	addNode("legend_root", Attr{"label", "queried model"}, Attr{"fillcolor", rootFill}, Attr{"color", rootBorder}, Attr{"penwidth", "2.5"})
	if slices.ContainsFunc(f.Nodes, func(n Node) bool { return n.Foundation }) {
		addNode("legend_foundation", Attr{"label", "foundation (no parents)"}, Attr{"fillcolor", foundationFill}, Attr{"peripheries", "2"})
	}
	if slices.ContainsFunc(f.Nodes, func(n Node) bool { return n.Kind == Summary }) {
		addNode("legend_summary", Attr{"label", "+N relation: children left out\nto fit the budget, with their descendants"}, Attr{"style", "rounded,dashed"}, Attr{"color", foldedBorder}, Attr{"fontcolor", foldedText})
	}
	if slices.ContainsFunc(f.Nodes, func(n Node) bool { return n.Kind == Badge }) {
		addNode("legend_badge", Attr{"label", "+N relation: leaf models folded"}, Attr{"fillcolor", badgeFill}, Attr{"color", foldedBorder}, Attr{"fontcolor", foldedText})
	}
	if fl := f.FoldedLine(); fl != "" {
		text("legend_folded", clean(fl))
	}
	return lg
}
