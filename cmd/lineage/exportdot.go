package main

import (
	"io"
	"strconv"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/export"
	"github.com/lineage-project/lineage/render"
)

// writeStoreDOT writes nodes (every model when nil) and the edges between
// them as a plain Graphviz digraph, through package render's DOT writer
// (its escaping): one statement per model and per edge, in the order of
// lineage's other exports, data as attributes (foundation, downloads,
// created; relation, declared) and inferred relations dashed; a recovered
// edge (--recovered) has recovered=true, its confidence and an open circle
// for a head besides. For a drawn family tree see lineage tree.
func writeStoreDOT(w io.Writer, s *lineage.Store, nodes []graph.NodeID) error {
	d := &render.DOT{
		Name:         "lineage",
		G:            s.G,
		Nodes:        export.Order(s, nodes),
		Attrs:        []render.Attr{{Key: "rankdir", Value: "LR"}},
		NodeDefaults: []render.Attr{{Key: "shape", Value: "box"}},
		NodeID:       s.Name,
		NodeAttrs: func(v graph.NodeID) []render.Attr {
			as := make([]render.Attr, 1, 3)
			as[0] = render.Attr{Key: "foundation", Value: strconv.FormatBool(s.IsFoundation(v))}
			if d := s.Downloads(v); d >= 0 {
				as = append(as, render.Attr{Key: "downloads", Value: strconv.FormatInt(d, 10)})
			}
			if c := export.CreatedDate(s, v); c != "" {
				as = append(as, render.Attr{Key: "created", Value: c})
			}
			return as
		},
		EdgeAttrs: func(p, c graph.NodeID, l graph.Label) []render.Attr {
			rel, declared := lineage.LabelRelation(l)
			as := []render.Attr{{Key: "relation", Value: rel.String()}, {Key: "declared", Value: strconv.FormatBool(declared)}}
			if lineage.IsRecovered(l) {
				rc := lineage.EdgeRecoveredColumns(s, p, c, l)
				as = append(as, render.Attr{Key: "recovered", Value: rc[0]}, render.Attr{Key: "confidence", Value: rc[1]}, render.Attr{Key: "arrowhead", Value: "odot"})
			}
			if !declared {
				as = append(as, render.Attr{Key: "style", Value: "dashed"})
			}
			return as
		},
	}
	return d.Write(w)
}
