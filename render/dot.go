package render

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// attr is one DOT attribute. Values are always written quoted and escaped.
type attr struct{ key, val string }

// dotGraph is a deterministic DOT writer driven by callbacks, in the shape
// of x/tools' graphfmt: the caller says how many nodes there are, how to
// name and decorate each one, which edges exist and which cluster a node
// belongs to. Everything is written in index order, so the output depends
// only on the inputs, never on map iteration.
type dotGraph struct {
	name         string
	attrs        []attr // graph attributes
	nodeDefaults []attr
	edgeDefaults []attr
	numNodes     int
	nodeID       func(i int) string // a DOT identifier ([A-Za-z_][A-Za-z0-9_]*)
	nodeAttrs    func(i int) []attr
	numEdges     int
	edge         func(e int) (from, to int)
	edgeAttrs    func(e int) []attr
	// clusterOf returns the cluster of node i ("" for none); clusters are
	// written after the top-level nodes, in the order of clusters.
	clusterOf func(i int) string
	clusters  []dotCluster
}

// dotCluster is a subgraph cluster.
type dotCluster struct {
	name  string // without the "cluster_" prefix
	attrs []attr
}

func (d *dotGraph) write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "digraph %s {\n", d.name)
	writeStmt(bw, "\t", "graph", d.attrs)
	writeStmt(bw, "\t", "node", d.nodeDefaults)
	writeStmt(bw, "\t", "edge", d.edgeDefaults)
	cluster := func(i int) string {
		if d.clusterOf == nil {
			return ""
		}
		return d.clusterOf(i)
	}
	for i := 0; i < d.numNodes; i++ {
		if cluster(i) == "" {
			writeStmt(bw, "\t", d.nodeID(i), d.nodeAttrs(i))
		}
	}
	for e := 0; e < d.numEdges; e++ {
		a, b := d.edge(e)
		if cluster(a) == "" || cluster(a) != cluster(b) {
			writeStmt(bw, "\t", d.nodeID(a)+" -> "+d.nodeID(b), d.edgeAttrs(e))
		}
	}
	for _, c := range d.clusters {
		fmt.Fprintf(bw, "\tsubgraph cluster_%s {\n", c.name)
		writeStmt(bw, "\t\t", "graph", c.attrs)
		for i := 0; i < d.numNodes; i++ {
			if cluster(i) == c.name {
				writeStmt(bw, "\t\t", d.nodeID(i), d.nodeAttrs(i))
			}
		}
		for e := 0; e < d.numEdges; e++ {
			a, b := d.edge(e)
			if cluster(a) == c.name && cluster(b) == c.name {
				writeStmt(bw, "\t\t", d.nodeID(a)+" -> "+d.nodeID(b), d.edgeAttrs(e))
			}
		}
		bw.WriteString("\t}\n")
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// writeStmt writes `head [k="v", ...];`, or `head;` without attributes.
func writeStmt(w *bufio.Writer, indent, head string, attrs []attr) {
	w.WriteString(indent)
	w.WriteString(head)
	if len(attrs) > 0 {
		w.WriteString(" [")
		for i, a := range attrs {
			if i > 0 {
				w.WriteString(", ")
			}
			w.WriteString(a.key)
			w.WriteString(`="`)
			w.WriteString(a.val)
			w.WriteString(`"`)
		}
		w.WriteString("]")
	}
	w.WriteString(";\n")
}

// dotEscape makes untrusted text safe inside a quoted DOT string used as an
// escString (label, tooltip): control characters become U+FFFD, and
// backslash, double quote and ampersand are escaped. Graphviz turns `\\`
// back into one backslash (so `\N`, `\n` or `\G` in a name stay literal),
// and `&amp;` into `&` (so an entity-looking name is shown as typed, not
// decoded). The result never contains a newline or an unescaped quote.
func dotEscape(s string) string {
	s = clean(s)
	if !strings.ContainsAny(s, "\\\"&") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// dotLines escapes each line and joins them with the DOT line break `\n`.
func dotLines(lines ...string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = dotEscape(l)
	}
	return strings.Join(out, `\n`)
}

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

// edgeStyle is how one relation is drawn.
type edgeStyle struct {
	style, color, light string
	penwidth            string
}

var edgeStyles = map[string]edgeStyle{
	Finetune:  {style: "solid", color: "#1f4e79", light: "#9fb4c7", penwidth: "1.2"},
	Adapter:   {style: "dashed", color: "#2e7d32", light: "#a5cba7", penwidth: "1.2"},
	Quantized: {style: "dotted", color: "#6a1b9a", light: "#c6a6d8", penwidth: "1.6"},
	Merge:     {style: "bold", color: "#c62828", light: "#eca9a9", penwidth: "2.4"},
}

var otherStyle = edgeStyle{style: "solid", color: "#616161", light: "#bdbdbd", penwidth: "1"}

func styleOf(rel string) edgeStyle {
	if s, ok := edgeStyles[rel]; ok {
		return s
	}
	return otherStyle
}

// relAttrs returns the attributes of an edge of relation rel.
func relAttrs(rel string, inferred bool) []attr {
	st := styleOf(rel)
	color, arrow := st.color, "normal"
	if inferred {
		color, arrow = st.light, "onormal"
	}
	return []attr{{"style", st.style}, {"color", color}, {"penwidth", st.penwidth}, {"arrowhead", arrow}}
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
	d := &dotGraph{
		name: "lineage",
		attrs: []attr{
			{"id", "lineage"},
			{"rankdir", f.RankDir},
			{"label", dotLines(f.Caption())},
			{"labelloc", "t"},
			{"labeljust", "l"},
			{"fontname", "Helvetica"},
			{"fontsize", "12"},
			{"nodesep", "0.25"},
			{"ranksep", "0.45"},
			{"bgcolor", "white"},
		},
		nodeDefaults: []attr{
			{"shape", "box"},
			{"style", "rounded,filled"},
			{"fillcolor", "white"},
			{"color", modelBorder},
			{"fontname", "Helvetica"},
			{"fontsize", "10"},
			{"margin", "0.12,0.05"},
		},
		edgeDefaults: []attr{{"arrowsize", "0.7"}},
		numNodes:     n + len(legend.nodes),
		nodeID: func(i int) string {
			if i < n {
				return fmt.Sprintf("n%d", i)
			}
			return legend.nodes[i-n].id
		},
		nodeAttrs: func(i int) []attr {
			if i < n {
				return f.nodeAttrs(i)
			}
			return legend.nodes[i-n].attrs
		},
		numEdges: len(f.Edges) + len(legend.edges),
		edge: func(e int) (int, int) {
			if e < len(f.Edges) {
				return f.Edges[e].From, f.Edges[e].To
			}
			le := legend.edges[e-len(f.Edges)]
			return n + le.from, n + le.to
		},
		edgeAttrs: func(e int) []attr {
			if e < len(f.Edges) {
				as := f.edgeAttrs(&f.Edges[e])
				if minlen[e] > 1 {
					as = append(as, attr{"minlen", fmt.Sprint(minlen[e])})
				}
				return as
			}
			return legend.edges[e-len(f.Edges)].attrs
		},
		clusterOf: func(i int) string {
			if i < n {
				return ""
			}
			return "legend"
		},
		clusters: []dotCluster{{name: "legend", attrs: []attr{
			{"id", "legend"},
			{"label", "Legend"},
			{"fontsize", "10"},
			{"style", "rounded"},
			{"color", "#bdbdbd"},
			{"margin", "8"},
		}}},
	}
	return d.write(w)
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

func (f *Family) nodeAttrs(i int) []attr {
	nd := &f.Nodes[i]
	id := fmt.Sprintf("n%d", i)
	tip := dotLines(f.tooltipLines(nd)...)
	if nd.Kind != Model {
		as := []attr{
			{"id", id},
			{"label", dotLines(foldedLabel(nd))},
			{"tooltip", tip},
			{"class", nd.Kind.String()},
			{"color", foldedBorder},
			{"fontcolor", foldedText},
		}
		if nd.Kind == Badge {
			return append(as, attr{"style", "rounded,filled"}, attr{"fillcolor", badgeFill}, attr{"fontsize", "9"})
		}
		return append(as, attr{"style", "rounded,dashed"})
	}
	class := "model"
	if nd.Root {
		class += " root"
	}
	if nd.Foundation {
		class += " foundation"
	}
	as := []attr{
		{"id", id},
		{"label", dotLines(modelLines(nd)...)},
		{"URL", dotURL(nd.URL)},
		{"target", "_blank"},
		{"tooltip", tip},
		{"class", class},
	}
	switch {
	case nd.Root:
		as = append(as, attr{"fillcolor", rootFill}, attr{"color", rootBorder}, attr{"penwidth", "2.5"}, attr{"fontname", "Helvetica-Bold"})
	case nd.Foundation:
		as = append(as, attr{"fillcolor", foundationFill})
	}
	if nd.Foundation {
		as = append(as, attr{"peripheries", "2"})
	}
	return as
}

func (f *Family) edgeAttrs(e *Edge) []attr {
	if f.Nodes[e.To].Kind == Badge {
		return []attr{{"style", "dashed"}, {"color", foldedBorder}, {"arrowhead", "none"}, {"class", "badge"}}
	}
	class := dotEscape(relName(e.Relation))
	if e.Inferred {
		class += " inferred"
	}
	as := []attr{{"class", class}}
	as = append(as, relAttrs(e.Relation, e.Inferred)...)
	from, to := &f.Nodes[e.From], &f.Nodes[e.To]
	if from.Kind == Model && to.Kind == Model {
		tip := clean(from.Name) + " → " + clean(to.Name) + ": " + relName(e.Relation)
		if e.Inferred {
			tip += " (inferred)"
		}
		as = append(as, attr{"tooltip", dotEscape(tip)})
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
	attrs []attr
}

type legendEdge struct {
	from, to int // indices in nodes
	attrs    []attr
}

func (f *Family) legendItems(rels []string, inferred bool) legend {
	var lg legend
	small := []attr{{"fontsize", "9"}, {"height", "0.3"}, {"margin", "0.08,0.02"}}
	addNode := func(id string, attrs ...attr) int {
		lg.nodes = append(lg.nodes, legendNode{id: id, attrs: append(attrs, small...)})
		return len(lg.nodes) - 1
	}
	text := func(id, label string) int {
		return addNode(id, attr{"label", label}, attr{"shape", "plaintext"}, attr{"style", ""})
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
		samples = append(samples, sampleEdge{r, "inferred (lighter, hollow arrow)", true})
	}
	// Graphviz lays LR drawings out as TB ones turned a quarter left, which
	// reverses the order of a rank: emit the samples reversed so that they
	// read top to bottom in both directions.
	if f.RankDir == "LR" {
		slices.Reverse(samples)
	}
	for k, sm := range samples {
		a := text(fmt.Sprintf("legend_e%d", k), dotEscape(sm.label))
		lg.nodes = append(lg.nodes, legendNode{id: fmt.Sprintf("legend_e%d_to", k), attrs: []attr{{"label", ""}, {"shape", "point"}, {"width", "0.06"}, {"style", "filled"}, {"color", "#757575"}}})
		b := len(lg.nodes) - 1
		lg.edges = append(lg.edges, legendEdge{from: a, to: b, attrs: relAttrs(sm.rel, sm.inferred)})
	}
	addNode("legend_root", attr{"label", "queried model"}, attr{"fillcolor", rootFill}, attr{"color", rootBorder}, attr{"penwidth", "2.5"})
	if slices.ContainsFunc(f.Nodes, func(n Node) bool { return n.Foundation }) {
		addNode("legend_foundation", attr{"label", "foundation (no parents)"}, attr{"fillcolor", foundationFill}, attr{"peripheries", "2"})
	}
	if slices.ContainsFunc(f.Nodes, func(n Node) bool { return n.Kind == Summary }) {
		addNode("legend_summary", attr{"label", "+N relation: children left out\\nto fit the budget, with their descendants"}, attr{"style", "rounded,dashed"}, attr{"color", foldedBorder}, attr{"fontcolor", foldedText})
	}
	if slices.ContainsFunc(f.Nodes, func(n Node) bool { return n.Kind == Badge }) {
		addNode("legend_badge", attr{"label", "+N relation: leaf models folded"}, attr{"fillcolor", badgeFill}, attr{"color", foldedBorder}, attr{"fontcolor", foldedText})
	}
	if fl := f.FoldedLine(); fl != "" {
		text("legend_folded", dotEscape(fl))
	}
	return lg
}
