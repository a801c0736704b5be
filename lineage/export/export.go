// Package export writes a lineage store, or a set of its models such as a
// family, in the formats of graph tools: GraphML (networkx, Gephi, yEd,
// Cytoscape), networkx node-link JSON, and a Gephi-style edge table. It sits
// beside package lineage and uses only its public API (the Store's node
// table, its graph and LabelRelation); DOT is written by package render's
// writer, composed by the lineage command, since neither lineage nor this
// package imports render.
//
// What it assumes: nodes given are ids of the store (duplicates are
// dropped). Output is byte-identical across runs: models in case-insensitive
// id order (modelid.Compare), edges in (parent, child) order.
package export

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// Node attributes: id, downloads and likes (absent when unknown), created
// (YYYY-MM-DD, absent when unknown), foundation (no parent at all in the
// store), library and pipeline (absent when unknown). Edge attributes:
// relation and declared; in a store with recovered lineage
// (Store.WithEdges), also recovered and, on recovered edges, confidence.

// Family returns v, its ancestors and its descendants.
func Family(s *lineage.Store, v graph.NodeID) []graph.NodeID {
	out := []graph.NodeID{v}
	for _, dir := range []graph.Direction{graph.Up, graph.Down} {
		for _, h := range s.G.Reach(v, dir, graph.AllLabels, 0) {
			out = append(out, h.Node)
		}
	}
	return out
}

// Order returns nodes (every model when nil; duplicates dropped) in the
// order the exports write them: case-insensitively by id
// (modelid.Compare).
func Order(s *lineage.Store, nodes []graph.NodeID) []graph.NodeID {
	if nodes == nil {
		return s.ByName()
	}
	order := slices.Clone(nodes)
	slices.SortFunc(order, func(a, b graph.NodeID) int { return modelid.Compare(s.Name(a), s.Name(b)) })
	return slices.Compact(order)
}

// exportEdge is one edge of an export, as positions in the node order.
type exportEdge struct {
	from, to int32
	label    graph.Label
}

// view orders nodes (all of them when nil, duplicates dropped) and
// collects the edges between them.
func view(s *lineage.Store, nodes []graph.NodeID) ([]graph.NodeID, []exportEdge) {
	order := Order(s, nodes)
	pos := make([]int32, s.G.NumNodes())
	for i := range pos {
		pos[i] = -1
	}
	for i, v := range order {
		pos[v] = int32(i)
	}
	var edges []exportEdge
	for i, v := range order {
		kids, labs := s.G.Out(v)
		for j, c := range kids {
			if p := pos[c]; p >= 0 {
				edges = append(edges, exportEdge{int32(i), p, labs[j]})
			}
		}
	}
	slices.SortFunc(edges, func(a, b exportEdge) int {
		return cmp.Or(cmp.Compare(a.from, b.from), cmp.Compare(a.to, b.to), cmp.Compare(a.label, b.label))
	})
	return order, edges
}

// CreatedDate returns v's creation date as YYYY-MM-DD, or "" when unknown.
func CreatedDate(s *lineage.Store, v graph.NodeID) string {
	if t := s.Created(v); !t.IsZero() {
		return t.Format("2006-01-02")
	}
	return ""
}

// graphmlKeys are the GraphML attribute declarations: id, for, name, type.
var graphmlKeys = [][4]string{
	{"label", "node", "label", "string"},
	{"downloads", "node", "downloads", "long"},
	{"likes", "node", "likes", "long"},
	{"created", "node", "created", "string"},
	{"foundation", "node", "foundation", "boolean"},
	{"library", "node", "library", "string"},
	{"pipeline", "node", "pipeline", "string"},
	{"relation", "edge", "relation", "string"},
	{"declared", "edge", "declared", "boolean"},
}

// graphmlRecoveredKeys are declared after graphmlKeys when the store has
// recovered edges.
var graphmlRecoveredKeys = [][4]string{
	{"recovered", "edge", "recovered", "boolean"},
	{"confidence", "edge", "confidence", "double"},
}

// GraphML writes nodes (every model when nil) and the edges between them
// as GraphML. The node id is the model id; label repeats it for Gephi.
func GraphML(w io.Writer, s *lineage.Store, nodes []graph.NodeID) error {
	order, edges := view(s, nodes)
	bw := bufio.NewWriter(w)
	bw.WriteString(xml.Header)
	bw.WriteString(`<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">` + "\n")
	keys := graphmlKeys
	withRec := s.NumRecovered() > 0
	if withRec {
		keys = append(slices.Clone(keys), graphmlRecoveredKeys...)
	}
	for _, k := range keys {
		fmt.Fprintf(bw, "  <key id=%q for=%q attr.name=%q attr.type=%q/>\n", k[0], k[1], k[2], k[3])
	}
	bw.WriteString(`  <graph id="lineage" edgedefault="directed">` + "\n")
	data := func(key, val string) {
		bw.WriteString(`<data key="` + key + `">`)
		xmlText(bw, val)
		bw.WriteString(`</data>`)
	}
	for _, v := range order {
		name := s.Name(v)
		bw.WriteString(`    <node id="`)
		xmlText(bw, name)
		bw.WriteString(`">`)
		data("label", name)
		if d := s.Downloads(v); d >= 0 {
			data("downloads", strconv.FormatInt(d, 10))
		}
		if l := s.Likes(v); l >= 0 {
			data("likes", strconv.FormatInt(l, 10))
		}
		if c := CreatedDate(s, v); c != "" {
			data("created", c)
		}
		data("foundation", strconv.FormatBool(s.IsFoundation(v)))
		if lib := s.Library(v); lib != "" {
			data("library", lib)
		}
		if p := s.Pipeline(v); p != "" {
			data("pipeline", p)
		}
		bw.WriteString("</node>\n")
	}
	for _, e := range edges {
		rel, declared := lineage.LabelRelation(e.label)
		bw.WriteString(`    <edge source="`)
		xmlText(bw, s.Name(order[e.from]))
		bw.WriteString(`" target="`)
		xmlText(bw, s.Name(order[e.to]))
		bw.WriteString(`">`)
		data("relation", rel.String())
		data("declared", strconv.FormatBool(declared))
		if withRec {
			rc := lineage.EdgeRecoveredColumns(s, order[e.from], order[e.to], e.label)
			data("recovered", rc[0])
			if rc[1] != "" {
				data("confidence", rc[1])
			}
		}
		bw.WriteString("</edge>\n")
	}
	bw.WriteString("  </graph>\n</graphml>\n")
	return bw.Flush()
}

// xmlText writes s escaped for XML text and attribute values; characters
// XML 1.0 cannot carry at all (most control characters) become U+FFFD.
func xmlText(w *bufio.Writer, s string) {
	clean := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF {
			return r
		}
		return '\uFFFD'
	}, s)
	xml.EscapeText(w, []byte(clean))
}

type nodeLinkNode struct {
	ID         string `json:"id"`
	Downloads  *int64 `json:"downloads,omitempty"`
	Likes      *int64 `json:"likes,omitempty"`
	Created    string `json:"created,omitempty"`
	Foundation bool   `json:"foundation"`
	Library    string `json:"library,omitempty"`
	Pipeline   string `json:"pipeline,omitempty"`
}

type nodeLinkLink struct {
	Source     string  `json:"source"`
	Target     string  `json:"target"`
	Relation   string  `json:"relation"`
	Declared   bool    `json:"declared"`
	Recovered  bool    `json:"recovered,omitempty"`
	Confidence float64 `json:"confidence,omitempty"`
}

// NodeLink writes nodes (every model when nil) and the edges between them
// as a node-link JSON document in networkx's node_link_data shape
// ({"directed", "multigraph", "graph", "nodes", "links"}), which d3 reads
// too.
func NodeLink(w io.Writer, s *lineage.Store, nodes []graph.NodeID) error {
	order, edges := view(s, nodes)
	bw := bufio.NewWriter(w)
	bw.WriteString(`{"directed":true,"multigraph":false,"graph":{"name":"lineage"},"nodes":[`)
	for i, v := range order {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n")
		n := nodeLinkNode{ID: s.Name(v), Created: CreatedDate(s, v), Foundation: s.IsFoundation(v), Library: s.Library(v), Pipeline: s.Pipeline(v)}
		if d := s.Downloads(v); d >= 0 {
			n.Downloads = &d
		}
		if l := s.Likes(v); l >= 0 {
			n.Likes = &l
		}
		b, err := json.Marshal(n)
		if err != nil {
			return err
		}
		bw.Write(b)
	}
	bw.WriteString(`],"links":[`)
	for i, e := range edges {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n")
		rel, declared := lineage.LabelRelation(e.label)
		l := nodeLinkLink{Source: s.Name(order[e.from]), Target: s.Name(order[e.to]), Relation: rel.String(), Declared: declared}
		if lineage.IsRecovered(e.label) {
			l.Recovered = true
			l.Confidence, _ = s.RecoveredConfidence(order[e.from], order[e.to])
		}
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		bw.Write(b)
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

// EdgeCSV writes the edges between nodes (every model when nil) as a CSV
// edge table Source,Target,Type,relation,declared: the columns Gephi's
// spreadsheet import recognises (Type is always Directed), which lineage
// reads back as an edge list. A store with recovered lineage adds the
// columns recovered and confidence (lineage skips recovered rows when it
// reads the table back).
func EdgeCSV(w io.Writer, s *lineage.Store, nodes []graph.NodeID) error {
	order, edges := view(s, nodes)
	cw := csv.NewWriter(w)
	withRec := s.NumRecovered() > 0
	head := []string{"Source", "Target", "Type", "relation", "declared"}
	if withRec {
		head = append(head, "recovered", "confidence")
	}
	cw.Write(head)
	for _, e := range edges {
		rel, declared := lineage.LabelRelation(e.label)
		row := []string{s.Name(order[e.from]), s.Name(order[e.to]), "Directed", rel.String(), strconv.FormatBool(declared)}
		if withRec {
			row = append(row, lineage.EdgeRecoveredColumns(s, order[e.from], order[e.to], e.label)...)
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}
