package render

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// mermaidEscape makes untrusted text safe inside a quoted Mermaid label
// (["..."]): the double quote becomes #quot; and every character that
// Mermaid or the HTML it renders could take as syntax or markup (< > & #
// ` and brackets) becomes a numeric entity such as #60;. Control characters
// become U+FFFD.
func mermaidEscape(s string) string {
	s = clean(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString("#quot;")
		case '<', '>', '&', '#', '`', '[', ']', '{', '}', '(', ')', '|', '\\', ';':
			b.WriteString("#" + strconv.Itoa(int(r)) + ";")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mermaidLines escapes each line and joins them with <br/>.
func mermaidLines(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = mermaidEscape(l)
	}
	return strings.Join(out, "<br/>")
}

// mermaidArrow returns the arrow for a relation: solid for finetune and
// unknown relations, dotted for adapter and quantized (told apart by their
// dash pattern in linkStyle), thick for merge.
func mermaidArrow(rel string) string {
	switch rel {
	case Adapter, Quantized:
		return "-.->"
	case Merge:
		return "==>"
	}
	return "-->"
}

// mermaidLinkStyle returns the linkStyle of a relation: a recovered edge
// has long dashes whatever its relation.
func mermaidLinkStyle(rel string, inferred, recovered bool) string {
	st := styleOf(rel)
	color := st.color
	if inferred {
		color = st.light
	}
	s := "stroke:" + color
	if recovered {
		return s + ",stroke-dasharray:10 5"
	}
	switch rel {
	case Adapter:
		s += ",stroke-dasharray:6 3"
	case Quantized:
		s += ",stroke-dasharray:2 3"
	}
	return s
}

// WriteMermaid writes the family as a Mermaid flowchart: nodes n0, n1, ...
// in the order of f.Nodes with escaped labels, edges styled per relation
// (--> finetune, -.-> adapter and quantized, ==> merge, each coloured by a
// linkStyle, inferred ones lighter), classes for the queried model,
// foundations and folded nodes, a click link per model and a legend
// subgraph. Caption is the diagram title. The output is byte-identical for
// equal families.
func (f *Family) WriteMermaid(w io.Writer) error {
	bw := bufio.NewWriter(w)
	caption := f.Caption()
	if fl := f.FoldedLine(); fl != "" {
		caption += "; " + fl
	}
	fmt.Fprintf(bw, "---\ntitle: %q\n---\n", clean(caption))
	fmt.Fprintf(bw, "flowchart %s\n", f.RankDir)
	var roots, founds, summaries, badges []string
	for i := range f.Nodes {
		nd := &f.Nodes[i]
		id := fmt.Sprintf("n%d", i)
		switch nd.Kind {
		case Model:
			lines := modelLines(nd)
			for j, l := range lines {
				lines[j] = mermaidEscape(l)
			}
			fmt.Fprintf(bw, "  %s[\"%s\"]\n", id, strings.Join(lines, "<br/>"))
			if nd.Root {
				roots = append(roots, id)
			}
			if nd.Foundation {
				founds = append(founds, id)
			}
		case Summary:
			fmt.Fprintf(bw, "  %s([\"%s\"])\n", id, mermaidLines(foldedLines(nd)))
			summaries = append(summaries, id)
		case Badge:
			fmt.Fprintf(bw, "  %s([\"%s\"])\n", id, mermaidLines(foldedLines(nd)))
			badges = append(badges, id)
		}
	}
	var linkStyles []string
	for k, e := range f.Edges {
		arrow, style := "-->", "stroke:"+foldedBorder+",stroke-dasharray:3 3"
		if f.Nodes[e.To].Kind != Badge {
			arrow, style = mermaidArrow(e.Relation), mermaidLinkStyle(e.Relation, e.Inferred, e.Recovered)
			if e.Recovered {
				arrow = "-.->"
			}
		}
		fmt.Fprintf(bw, "  n%d %s n%d\n", e.From, arrow, e.To)
		linkStyles = append(linkStyles, fmt.Sprintf("  linkStyle %d %s", k, style))
	}
	// Legend: one sample edge per relation drawn.
	rels, inferred, recovered := f.edgeKinds()
	k := len(f.Edges)
	bw.WriteString("  subgraph legend[\"Legend\"]\n")
	sample := func(j int, label, rel string, inf, rec bool) {
		arrow := mermaidArrow(rel)
		if rec {
			arrow = "-.->"
		}
		fmt.Fprintf(bw, "    legend%da[\"%s\"] %s legend%db[\" \"]\n", j, mermaidEscape(label), arrow, j)
		linkStyles = append(linkStyles, fmt.Sprintf("  linkStyle %d %s", k, mermaidLinkStyle(rel, inf, rec)))
		k++
	}
	for j, r := range rels {
		sample(j, relName(r), r, false, false)
	}
	first := Finetune
	if len(rels) > 0 {
		first = rels[0]
	}
	j := len(rels)
	if inferred {
		sample(j, "inferred (lighter)", first, true, false)
		j++
	}
	if recovered {
		sample(j, "recovered: not declared, proposed from evidence (long dashes)", first, false, true)
	}
	bw.WriteString("  end\n")
	for _, l := range linkStyles {
		bw.WriteString(l)
		bw.WriteByte('\n')
	}
	bw.WriteString("  classDef foundation fill:" + foundationFill + ",stroke:" + modelBorder + ",stroke-width:3px\n")
	bw.WriteString("  classDef root fill:" + rootFill + ",stroke:" + rootBorder + ",stroke-width:3px,font-weight:bold\n")
	bw.WriteString("  classDef summary fill:#ffffff,stroke:" + foldedBorder + ",stroke-dasharray:4 3,color:" + foldedText + "\n")
	bw.WriteString("  classDef badge fill:" + badgeFill + ",stroke:" + foldedBorder + ",color:" + foldedText + "\n")
	for _, c := range []struct {
		name string
		ids  []string
	}{{"foundation", founds}, {"root", roots}, {"summary", summaries}, {"badge", badges}} {
		if len(c.ids) > 0 {
			fmt.Fprintf(bw, "  class %s %s\n", strings.Join(c.ids, ","), c.name)
		}
	}
	for i := range f.Nodes {
		if nd := &f.Nodes[i]; nd.Kind == Model && nd.URL != "" {
			fmt.Fprintf(bw, "  click n%d href \"%s\" _blank\n", i, dotURL(nd.URL))
		}
	}
	return bw.Flush()
}
