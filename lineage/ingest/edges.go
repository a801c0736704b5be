package ingest

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// Column names recognised in edge-list headers (compared case-insensitively).
var (
	parentCols    = []string{"parent", "base_model", "parent_id", "parent_model", "source", "from", "base"}
	childCols     = []string{"child", "child_id", "model", "model_id", "modelid", "id", "current_model", "target", "to"}
	relationCols  = []string{"relation", "base_model_relation", "relation_type", "type", "edge_type"}
	declaredCols  = []string{"declared"}
	recoveredCols = []string{"recovered"}
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
// KindEdgeList for the child, delivered to the sink in file order in
// batches. line is the number of the input's first line. A row over
// Limits.MaxRecordBytes is reported and skipped; the CSV reader holds at
// most one row.
func (r *reader) readEdgeList(in io.Reader, source string, comma rune, line int) error {
	lr := &limitedLines{r: bufio.NewReaderSize(in, 1<<16), max: r.lim.MaxRecordBytes}
	cr := csv.NewReader(lr)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = true
	first := line - 1 // csv numbers lines from 1 at the first line it reads
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return errEmpty
		}
		return &faultError{line: line, err: fmt.Errorf("edge list header: %w", err)}
	}
	pc, cc, rc := findCol(header, parentCols), findCol(header, childCols), findCol(header, relationCols)
	dc, kc := findCol(header, declaredCols), findCol(header, recoveredCols)
	if pc < 0 || cc < 0 || pc == cc {
		return &faultError{line: line, err: fmt.Errorf("%w: header %q names no parent and child columns (want e.g. parent,child,relation)", lineage.ErrFormat, strings.Join(header, string(comma)))}
	}
	var recs []lineage.Record
	var diags []lineage.Diagnostic
	diag := func(d lineage.Diagnostic) { diags = append(diags, d) }
	flush := func() {
		if len(recs) > 0 || len(diags) > 0 {
			r.sink.Emit(recs, diags)
			recs, diags = nil, nil
		}
	}
	for {
		if r.ctx.Err() != nil {
			return r.ctx.Err()
		}
		row, err := cr.Read()
		line, _ := cr.FieldPos(0)
		line += first
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.Is(err, errLongLine) {
				diag(lineage.Diagnostic{Kind: lineage.KindBadRecord, Source: source, Line: lr.cutLine + first,
					Detail: fmt.Sprintf("row is over the %d-byte limit; skipped", r.lim.MaxRecordBytes)})
				continue
			}
			if errors.As(err, &pe) {
				diag(lineage.Diagnostic{Kind: lineage.KindBadRecord, Source: source, Line: pe.Line + first, Detail: "CSV: " + pe.Err.Error()})
				continue
			}
			flush()
			return &faultError{line: lr.line + first, err: err}
		}
		if pc >= len(row) || cc >= len(row) {
			diag(lineage.Diagnostic{Kind: lineage.KindBadRecord, Source: source, Line: line, Value: strings.Join(row, string(comma)), Detail: fmt.Sprintf("row has %d fields, header has %d", len(row), len(header))})
			continue
		}
		rawChild := row[cc]
		id, changed, problem := modelid.Normalize(rawChild)
		if problem != "" {
			diag(lineage.Diagnostic{Kind: problem, Source: source, Line: line, Value: rawChild, Detail: "child is not a Hub id; row skipped"})
			continue
		}
		if changed && strings.TrimSpace(rawChild) != id {
			diag(lineage.Diagnostic{Kind: lineage.KindURLForm, Source: source, Line: line, ID: id, Value: rawChild, Detail: "child id rewritten to " + id})
		}
		if kc >= 0 && kc < len(row) && strings.EqualFold(strings.TrimSpace(row[kc]), "true") {
			// Our own export of a graph with recovered lineage: such an
			// edge was proposed from evidence, and reading it back as a
			// declaration would present it as fact.
			diag(lineage.Diagnostic{Kind: lineage.KindRecoveredRow, Source: source, Line: line, ID: id, Value: row[pc],
				Detail: "a recovered edge (proposed from evidence, not declared) is not read as a declaration; row skipped (--recovered proposes it again)"})
			continue
		}
		rec := lineage.Record{ID: id, Kind: lineage.KindEdgeList, Source: source, Line: line, Downloads: -1, DownloadsAllTime: -1, Likes: -1}
		var meta lineage.CardMeta
		meta.HasBaseModel = true
		meta.BaseModel = append(meta.BaseModel, strings.Split(row[pc], ",")...)
		if rc >= 0 && rc < len(row) && strings.TrimSpace(row[rc]) != "" {
			meta.HasRelation, meta.Relation = true, row[rc]
		}
		if strings.TrimSpace(row[pc]) == "" {
			continue // a row naming no parent states nothing
		}
		rec.ResolveParents(lineage.Statement{Card: &meta, CardOrigin: "edge list"}, diag)
		if dc >= 0 && dc < len(row) && strings.EqualFold(strings.TrimSpace(row[dc]), "false") {
			// Our own export marks relations that were inferred.
			for i := range rec.Parents {
				rec.Parents[i].Declared = false
			}
		}
		if rec.ParentFrom == lineage.FromCard {
			rec.ParentFrom = lineage.FromEdgeList
		}
		recs = append(recs, rec)
		if len(recs) >= 4096 {
			flush()
		}
	}
	flush()
	return nil
}

// errLongLine is a line over the record limit.
var errLongLine = errors.New("line over the record limit")

// limitedLines passes text through, but cuts a line longer than max: it
// returns what fits with errLongLine, then skips the rest of that line
// without holding it, so a reader above it never holds more than max bytes
// of one line. line counts the lines read; cutLine is the last one cut.
type limitedLines struct {
	r             *bufio.Reader
	max           int
	cur           int // bytes of the current line so far
	line, cutLine int
	skipping      bool
}

func (l *limitedLines) Read(p []byte) (int, error) {
	for l.skipping {
		_, err := l.r.ReadSlice('\n')
		switch err {
		case nil:
			l.skipping, l.cur = false, 0
			l.line++
		case bufio.ErrBufferFull:
		default:
			return 0, err
		}
	}
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.cur = 0
			l.line++
			continue
		}
		l.cur++
		if l.cur > l.max {
			l.skipping, l.cutLine = true, l.line+1
			return i, errLongLine
		}
	}
	return n, err
}
