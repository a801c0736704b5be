package lineage

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
	"time"

	json "github.com/goccy/go-json"

	"github.com/lineage-project/lineage/graph"
)

type exportRecord struct {
	ID        string `json:"id"`
	Author    string `json:"author,omitempty"`
	CreatedAt string `json:"createdAt,omitempty"`
	Modified  string `json:"lastModified,omitempty"`
	Downloads *int64 `json:"downloads,omitempty"`
	Likes     *int64 `json:"likes,omitempty"`
	Library   string `json:"library_name,omitempty"`
	Pipeline  string `json:"pipeline_tag,omitempty"`
	CardData  *struct {
		License string `json:"license,omitempty"`
	} `json:"cardData,omitempty"`
}

// WriteListing writes one JSON Lines record (Hub API field names) per model
// that has a record of its own, without lineage: the facts of the node
// table. Together with WriteEdgeList it round-trips a store.
func (s *Store) WriteListing(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, v32 := range s.sortedOrder() {
		v := graph.NodeID(v32)
		if !s.HasRecord(v) {
			continue
		}
		r := exportRecord{ID: s.Name(v), Library: s.Library(v), Pipeline: s.Pipeline(v)}
		if c := s.createdAt(v); c != 0 {
			r.CreatedAt = time.Unix(c, 0).UTC().Format("2006-01-02T15:04:05.000Z")
		}
		if m := s.modifiedAt(v); m != 0 {
			r.Modified = time.Unix(m, 0).UTC().Format("2006-01-02T15:04:05.000Z")
		}
		if d := s.Downloads(v); d >= 0 {
			r.Downloads = &d
		}
		if l := s.Likes(v); l >= 0 {
			r.Likes = &l
		}
		if lic := s.License(v); lic != "" {
			r.CardData = &struct {
				License string `json:"license,omitempty"`
			}{lic}
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteEdgeList writes every edge as CSV parent,child,relation,declared,
// children in case-insensitive id order. A store with recovered lineage
// (WithEdges) adds the columns recovered and confidence (empty but on
// recovered edges); lineage's edge-list reader skips recovered rows, so
// reading the file back never turns a recovered edge into a declared one.
func (s *Store) WriteEdgeList(w io.Writer) error {
	cw := csv.NewWriter(w)
	withRec := s.NumRecovered() > 0
	head := []string{"parent", "child", "relation", "declared"}
	if withRec {
		head = append(head, "recovered", "confidence")
	}
	cw.Write(head)
	row := make([]string, 0, 6)
	for _, v32 := range s.sortedOrder() {
		v := graph.NodeID(v32)
		ps, labs := s.G.In(v)
		for i, p := range ps {
			rel, declared := LabelRelation(labs[i])
			row = append(row[:0], s.Name(p), s.Name(v), rel.String(), strconv.FormatBool(declared))
			if withRec {
				row = append(row, EdgeRecoveredColumns(s, p, v, labs[i])...)
			}
			cw.Write(row)
		}
	}
	cw.Flush()
	return cw.Error()
}

// EdgeRecoveredColumns returns the recovered and confidence cells of the
// edge parent -> child of label l: "true" and its confidence (4
// decimals) when the edge is recovered, "false" and "" otherwise.
func EdgeRecoveredColumns(s *Store, parent, child graph.NodeID, l graph.Label) []string {
	if !IsRecovered(l) {
		return []string{"false", ""}
	}
	c, _ := s.RecoveredConfidence(parent, child)
	return []string{"true", strconv.FormatFloat(c, 'f', -1, 64)}
}
