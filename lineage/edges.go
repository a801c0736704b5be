package lineage

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lineage-project/lineage/lineage/modelid"
)

// Column names recognised in edge-list headers (compared case-insensitively).
var (
	parentCols   = []string{"parent", "base_model", "parent_id", "parent_model", "source", "from", "base"}
	childCols    = []string{"child", "child_id", "model", "model_id", "modelid", "id", "current_model", "target", "to"}
	relationCols = []string{"relation", "base_model_relation", "relation_type", "type", "edge_type"}
	declaredCols = []string{"declared"}
)

func findCol(header []string, names []string) int {
	for _, n := range names {
		for i, h := range header {
			if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), n) {
				return i
			}
		}
	}
	return -1
}

// readEdgeList reads a CSV or TSV edge list whose header names a parent, a
// child and optionally a relation column. A parent cell may list several
// parents separated by commas (a merge). Each row becomes a Record of kind
// KindEdgeList for the child, delivered to emit in file order in batches.
func readEdgeList(ctx context.Context, r io.Reader, source string, comma rune, emit Emit) error {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("read edge list %s: %w", source, err)
	}
	pc, cc, rc := findCol(header, parentCols), findCol(header, childCols), findCol(header, relationCols)
	dc := findCol(header, declaredCols)
	if pc < 0 || cc < 0 || pc == cc {
		return fmt.Errorf("read edge list %s: %w: header %q names no parent and child columns (want e.g. parent,child,relation)", source, ErrFormat, strings.Join(header, string(comma)))
	}
	var recs []Record
	var diags []Diagnostic
	diag := func(d Diagnostic) { diags = append(diags, d) }
	flush := func() {
		if len(recs) > 0 || len(diags) > 0 {
			emit(recs, diags)
			recs, diags = nil, nil
		}
	}
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		row, err := cr.Read()
		line, _ := cr.FieldPos(0)
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				diag(Diagnostic{Kind: KindBadRecord, Source: source, Line: pe.Line, Detail: "CSV: " + pe.Err.Error()})
				continue
			}
			return fmt.Errorf("read edge list %s: %w", source, err)
		}
		if pc >= len(row) || cc >= len(row) {
			diag(Diagnostic{Kind: KindBadRecord, Source: source, Line: line, Value: strings.Join(row, string(comma)), Detail: fmt.Sprintf("row has %d fields, header has %d", len(row), len(header))})
			continue
		}
		rawChild := row[cc]
		id, changed, problem := modelid.Normalize(rawChild)
		if problem != "" {
			diag(Diagnostic{Kind: problem, Source: source, Line: line, Value: rawChild, Detail: "child is not a Hub id; row skipped"})
			continue
		}
		if changed && strings.TrimSpace(rawChild) != id {
			diag(Diagnostic{Kind: KindURLForm, Source: source, Line: line, ID: id, Value: rawChild, Detail: "child id rewritten to " + id})
		}
		rec := Record{ID: id, Kind: KindEdgeList, Source: source, Line: line, Downloads: -1, DownloadsAllTime: -1, Likes: -1}
		var meta CardMeta
		meta.HasBaseModel = true
		for _, p := range strings.Split(row[pc], ",") {
			meta.BaseModel = append(meta.BaseModel, p)
		}
		if rc >= 0 && rc < len(row) && strings.TrimSpace(row[rc]) != "" {
			meta.HasRelation, meta.Relation = true, row[rc]
		}
		if strings.TrimSpace(row[pc]) == "" {
			continue // a row naming no parent states nothing
		}
		rec.ResolveParents(Statement{Card: &meta, CardOrigin: "edge list"}, diag)
		if dc >= 0 && dc < len(row) && strings.EqualFold(strings.TrimSpace(row[dc]), "false") {
			// Our own export marks relations that were inferred.
			for i := range rec.Parents {
				rec.Parents[i].Declared = false
			}
		}
		if rec.ParentFrom == FromCard {
			rec.ParentFrom = FromEdgeList
		}
		recs = append(recs, rec)
		if len(recs) >= 4096 {
			flush()
		}
	}
	flush()
	return nil
}
