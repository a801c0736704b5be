package render_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-graphviz"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/render"
)

// escStringDecode is how Graphviz shows a label read from DOT: the lexer
// turns \" into " (and keeps other backslashes), then the label's escString
// turns \\ into \ and \n into a line break, and entities into characters.
func escStringDecode(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\\' && i+1 < len(raw) {
			i++
			switch raw[i] {
			case 'n':
				b.WriteByte('\n')
			default:
				b.WriteByte(raw[i])
			}
			continue
		}
		b.WriteByte(raw[i])
	}
	return strings.NewReplacer("&amp;", "&").Replace(b.String())
}

// TestDOTWriterGraphvizReadsBack writes hostile ids and labels with the
// DOT writer and reads them back with Graphviz's own parser (go-graphviz):
// the nodes and edges are those written, and every id and label comes back
// as given (control characters as U+FFFD, label newlines as line breaks).
func TestDOTWriterGraphvizReadsBack(t *testing.T) {
	names := []string{
		"org/name", "abc", "_x1", "12", "-1.5", ".5", "node", "Graph", "edge", "strict",
		`evil/"] ; x -> y [label="`, "a&amp;b&lt;", `subst/\N \G`, "uni/日本語-🦙",
		"new\nline", "ctl\x01\x7f", "bad\xff", "x y", "",
	}
	b := graph.NewBuilder(len(names))
	for i := 1; i < len(names); i++ {
		b.AddEdge(0, graph.NodeID(i), graph.Label(i%3))
	}
	g := b.Build()
	labels := func(v graph.NodeID) string { return names[v] + "\nsecond \"line\"" }
	d := &render.DOT{
		Name:   "t",
		G:      g,
		Attrs:  []render.Attr{{Key: "rankdir", Value: "LR"}},
		NodeID: func(v graph.NodeID) string { return names[v] },
		NodeAttrs: func(v graph.NodeID) []render.Attr {
			return []render.Attr{{Key: "label", Value: labels(v)}}
		},
		EdgeAttrs: func(from, to graph.NodeID, l graph.Label) []render.Attr {
			return []render.Attr{{Key: "rel", Value: []string{"finetune", "a b", `q"uote`}[l]}}
		},
	}
	var buf bytes.Buffer
	if err := d.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := graphviz.New(context.Background()); err != nil {
		t.Fatal(err)
	}
	pg, err := graphviz.ParseBytes(buf.Bytes())
	if err != nil || pg == nil {
		t.Fatalf("graphviz cannot parse the DOT: %v\n%s", err, buf.String())
	}
	defer pg.Close()
	if n, _ := pg.NodeNum(); n != len(names) {
		t.Fatalf("graphviz reads %d nodes, want %d:\n%s", n, len(names), buf.String())
	}
	got := map[string]string{}
	edges := 0
	for n, _ := pg.FirstNode(); n != nil; n, _ = pg.NextNode(n) {
		name, _ := n.Name()
		got[name] = n.GetStr("label")
		for e, _ := pg.FirstOut(n); e != nil; e, _ = pg.NextOut(e) {
			edges++
		}
	}
	if edges != len(names)-1 {
		t.Errorf("graphviz reads %d edges, want %d", edges, len(names)-1)
	}
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return '\uFFFD'
			}
			return r
		}, strings.ToValidUTF8(s, "\uFFFD"))
	}
	for _, name := range names {
		id := clean(name)
		if strings.Contains(id, `\`) {
			// Graphviz keeps \\ in a quoted id as two backslashes: a
			// backslash cannot be written in an id (Hub ids have none).
			id = strings.ReplaceAll(id, `\`, `\\`)
		}
		raw, ok := got[id]
		if !ok {
			t.Errorf("node %q not read back (read: %q)", id, keys(got))
			continue
		}
		// A newline in the text is a line break in a label.
		var parts []string
		for _, p := range strings.Split(labels(graph.NodeID(slices.Index(names, name))), "\n") {
			parts = append(parts, clean(p))
		}
		want := strings.Join(parts, "\n")
		if got := escStringDecode(raw); got != want {
			t.Errorf("label of %q reads back as %q, want %q", name, got, want)
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
