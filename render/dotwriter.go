package render

import (
	"bufio"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lineage-project/lineage/graph"
)

// Attr is one DOT attribute. Value is plain text: the writer escapes it
// (see DOT), so callers never write DOT syntax themselves.
type Attr struct{ Key, Value string }

// Cluster is a DOT subgraph cluster ("subgraph cluster_NAME").
type Cluster struct {
	// Name is the cluster's name without the "cluster_" prefix; it must be
	// a DOT identifier ([A-Za-z_][A-Za-z0-9_]*).
	Name  string
	Attrs []Attr
}

// DOT writes a directed graph as Graphviz DOT text from a topology and
// callbacks, in the shape of x/tools' graphfmt: the graph says which nodes
// and edges exist, the callbacks how to name and decorate them. Output
// depends only on the inputs, never on map iteration: nodes are written in
// the order of Nodes (node id order when nil), then edges by the position
// of their source, then of their target.
//
// Escaping: every node id and attribute value is written bare when DOT
// allows it (an identifier such as n0 or LR, or a numeral such as 1.2,
// that is not a DOT keyword), and quoted otherwise, with a backslash before
// every double quote and backslash. In attribute values a newline becomes
// the line break escape \n, "&" becomes "&amp;" (Graphviz decodes entities
// in labels, so text that looks like an entity is shown as typed), and
// other control characters, U+2028, U+2029 and invalid UTF-8 become
// U+FFFD; node ids keep "&" and turn every control character (newlines
// included) into U+FFFD. So no text can end a string early, start a
// statement or inject markup into the SVG Graphviz makes from it.
type DOT struct {
	// Name is the digraph's name, such as "lineage".
	Name string
	// G is the topology. Edges run from parent to child.
	G *graph.Graph
	// Nodes lists the nodes to write, in order, with the edges of G
	// between them; nil writes every node of G, in id order. Repeated
	// nodes are written once, at their first position.
	Nodes []graph.NodeID
	// Attrs, NodeDefaults and EdgeDefaults are written as the graph, node
	// and edge default attribute statements.
	Attrs, NodeDefaults, EdgeDefaults []Attr
	// NodeID names node v in the DOT text; nil names it "n" followed by
	// its position in the output. Ids must be distinct.
	NodeID func(v graph.NodeID) string
	// NodeAttrs returns the attributes of node v; nil writes none.
	NodeAttrs func(v graph.NodeID) []Attr
	// EdgeAttrs returns the attributes of the edge from -> to with label
	// l; nil writes none.
	EdgeAttrs func(from, to graph.NodeID, l graph.Label) []Attr
	// ClusterOf returns the name of the cluster node v belongs to, or ""
	// for none; nil puts every node at the top level. Clusters are written
	// after the top-level nodes and edges, in the order of Clusters; a
	// node whose cluster is not listed is not written.
	ClusterOf func(v graph.NodeID) string
	Clusters  []Cluster
}

// dotEdge is an edge to write, by output positions.
type dotEdge struct {
	from, to int32
	l        graph.Label
}

// Write writes the graph to w.
func (d *DOT) Write(w io.Writer) error {
	order := d.Nodes
	if order == nil {
		order = make([]graph.NodeID, d.G.NumNodes())
		for i := range order {
			order[i] = graph.NodeID(i)
		}
	}
	// pos maps a node to its output position; -1 when not written.
	pos := make([]int32, d.G.NumNodes())
	for i := range pos {
		pos[i] = -1
	}
	kept := order[:0:0]
	for _, v := range order {
		if pos[v] < 0 {
			pos[v] = int32(len(kept))
			kept = append(kept, v)
		}
	}
	order = kept
	var edges []dotEdge
	for i, v := range order {
		dst, lab := d.G.Out(v)
		start := len(edges)
		for k, c := range dst {
			if p := pos[c]; p >= 0 {
				edges = append(edges, dotEdge{int32(i), p, lab[k]})
			}
		}
		if d.Nodes != nil {
			row := edges[start:]
			slices.SortFunc(row, func(a, b dotEdge) int { return int(a.to - b.to) })
		}
	}
	id := func(p int32) string {
		if d.NodeID == nil {
			return "n" + itoa(int(p))
		}
		return d.NodeID(order[p])
	}
	cluster := func(p int32) string {
		if d.ClusterOf == nil {
			return ""
		}
		return d.ClusterOf(order[p])
	}
	nodeAttrs := func(p int32) []Attr {
		if d.NodeAttrs == nil {
			return nil
		}
		return d.NodeAttrs(order[p])
	}
	edgeAttrs := func(e dotEdge) []Attr {
		if d.EdgeAttrs == nil {
			return nil
		}
		return d.EdgeAttrs(order[e.from], order[e.to], e.l)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("digraph ")
	writeID(bw, d.Name)
	bw.WriteString(" {\n")
	writeStmt(bw, "\t", "graph", d.Attrs)
	writeStmt(bw, "\t", "node", d.NodeDefaults)
	writeStmt(bw, "\t", "edge", d.EdgeDefaults)
	node := func(indent string, p int32) {
		bw.WriteString(indent)
		writeID(bw, id(p))
		writeAttrs(bw, nodeAttrs(p))
	}
	edge := func(indent string, e dotEdge) {
		bw.WriteString(indent)
		writeID(bw, id(e.from))
		bw.WriteString(" -> ")
		writeID(bw, id(e.to))
		writeAttrs(bw, edgeAttrs(e))
	}
	for p := range order {
		if cluster(int32(p)) == "" {
			node("\t", int32(p))
		}
	}
	for _, e := range edges {
		if a := cluster(e.from); a == "" || a != cluster(e.to) {
			edge("\t", e)
		}
	}
	for _, c := range d.Clusters {
		bw.WriteString("\tsubgraph ")
		writeID(bw, "cluster_"+c.Name)
		bw.WriteString(" {\n")
		writeStmt(bw, "\t\t", "graph", c.Attrs)
		for p := range order {
			if cluster(int32(p)) == c.Name {
				node("\t\t", int32(p))
			}
		}
		for _, e := range edges {
			if cluster(e.from) == c.Name && cluster(e.to) == c.Name {
				edge("\t\t", e)
			}
		}
		bw.WriteString("\t}\n")
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// writeStmt writes `head [k=v, ...];`, or nothing without attributes.
func writeStmt(w *bufio.Writer, indent, head string, attrs []Attr) {
	if len(attrs) == 0 {
		return
	}
	w.WriteString(indent)
	w.WriteString(head)
	writeAttrs(w, attrs)
}

// writeAttrs writes ` [k=v, ...];` or `;` and a newline.
func writeAttrs(w *bufio.Writer, attrs []Attr) {
	if len(attrs) > 0 {
		w.WriteString(" [")
		for i, a := range attrs {
			if i > 0 {
				w.WriteString(", ")
			}
			w.WriteString(a.Key)
			w.WriteByte('=')
			writeValue(w, a.Value)
		}
		w.WriteByte(']')
	}
	w.WriteString(";\n")
}

// writeID writes a node id, bare or quoted (see DOT).
func writeID(w *bufio.Writer, s string) {
	if bareID(s) {
		w.WriteString(s)
		return
	}
	w.WriteByte('"')
	for _, r := range clean(s) {
		if r == '"' || r == '\\' {
			w.WriteByte('\\')
		}
		w.WriteRune(r)
	}
	w.WriteByte('"')
}

// writeValue writes an attribute value, bare or quoted and escaped.
func writeValue(w *bufio.Writer, s string) {
	if bareID(s) {
		w.WriteString(s)
		return
	}
	w.WriteByte('"')
	writeEscaped(w, s)
	w.WriteByte('"')
}

// writeEscaped writes text for a quoted DOT string used as an escString
// (label, tooltip): backslash, double quote and ampersand are escaped
// (Graphviz turns `\\` back into one backslash, so `\N`, `\G` or `\l` in a
// name stay literal, and `&amp;` into `&`), a newline becomes the line
// break escape `\n`, and other control characters, U+2028, U+2029 and each
// run of invalid UTF-8 become U+FFFD (as clean does). What it writes never
// contains a newline or an unescaped quote.
func writeEscaped(w *bufio.Writer, s string) {
	start := 0
	invalid := false // the last thing written was an invalid run's U+FFFD
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '\\' && c != '"' && c != '&' {
			i++
			invalid = false
			continue
		}
		w.WriteString(s[start:i])
		size := 1
		switch {
		case c == '\n':
			w.WriteString(`\n`)
		case c == '\\':
			w.WriteString(`\\`)
		case c == '"':
			w.WriteString(`\"`)
		case c == '&':
			w.WriteString("&amp;")
		case c < 0x80: // a control character
			w.WriteString("\uFFFD")
		default:
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				if !invalid {
					w.WriteString("\uFFFD")
				}
				i++
				start = i
				invalid = true
				continue
			case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
				w.WriteString("\uFFFD")
			default:
				w.WriteString(s[i : i+size])
			}
		}
		i += size
		start = i
		invalid = false
	}
	w.WriteString(s[start:])
}

// dotKeywords are DOT's keywords, which an id may only be when quoted.
var dotKeywords = []string{"node", "edge", "graph", "digraph", "subgraph", "strict"}

// bareID reports whether s can be written as a DOT id without quotes: an
// identifier ([A-Za-z_][A-Za-z0-9_]*, ASCII only) or a numeral, and not a
// keyword.
func bareID(s string) bool {
	if s == "" {
		return false
	}
	switch c := s[0]; {
	case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		for i := 1; i < len(s); i++ {
			c := s[i]
			if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return false
			}
		}
		for _, k := range dotKeywords {
			if strings.EqualFold(s, k) {
				return false
			}
		}
		return true
	default:
		return isNumeral(s)
	}
}

// isNumeral reports whether s is a DOT numeral: [-]?(.[0-9]+|[0-9]+(.[0-9]*)?).
func isNumeral(s string) bool {
	s = strings.TrimPrefix(s, "-")
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

func itoa(i int) string {
	if i >= 0 && i < 10 {
		return string(rune('0' + i))
	}
	var b [20]byte
	p := len(b)
	for i > 0 {
		p--
		b[p] = byte('0' + i%10)
		i /= 10
	}
	return string(b[p:])
}
