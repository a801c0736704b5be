package ingest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/hubapi"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// A hub-stats models.parquet (the daily Hub snapshot published as a
// dataset) holds one row per model with the columns of the Hub API:
// id, author, createdAt, lastModified, downloads, downloadsAllTime, likes,
// tags, pipeline_tag, library_name, baseModels {relation, models: [{_id,
// id}]}, and others lineage does not read. readParquet reads only the
// columns it needs, one row group at a time (row groups are decoded in
// parallel and delivered in file order), and makes of each row the Record
// the JSON listing parser makes of the same model's API object.

// pqField says what one wanted leaf column holds.
type pqField uint8

const (
	pqID pqField = iota
	pqModelID
	pqAuthor
	pqCreated
	pqModified
	pqDownloads
	pqDownloadsAll
	pqLikes
	pqPipeline
	pqLibrary
	pqTags
	pqBMRelation
	pqBMModel
	pqCardData
	numPQFields
)

// pqColumn is one wanted leaf column of the file.
type pqColumn struct {
	field pqField
	index int           // leaf column index in the file
	unit  time.Duration // for timestamps: the unit of an INT64 value; 0 when not a timestamp
	date  bool          // an INT32 DATE
}

// pqColumns finds the leaf columns lineage reads.
func pqColumns(root *parquet.Column) ([]pqColumn, error) {
	flat := map[string]pqField{"id": pqID, "modelId": pqModelID, "author": pqAuthor, "createdAt": pqCreated,
		"created_at": pqCreated, "lastModified": pqModified, "last_modified": pqModified, "downloads": pqDownloads,
		"downloadsAllTime": pqDownloadsAll, "likes": pqLikes, "pipeline_tag": pqPipeline, "library_name": pqLibrary,
		"cardData": pqCardData, "card_data": pqCardData}
	var cols []pqColumn
	seen := [numPQFields]bool{}
	var walk func(c *parquet.Column)
	walk = func(c *parquet.Column) {
		if !c.Leaf() {
			for _, ch := range c.Columns() {
				walk(ch)
			}
			return
		}
		path := c.Path()
		if len(path) == 0 {
			return
		}
		f, ok := numPQFields, false
		switch {
		case len(path) == 1 && c.MaxRepetitionLevel() == 0:
			f, ok = flat[path[0]]
		case path[0] == "tags" && c.Type().Kind() == parquet.ByteArray:
			f, ok = pqTags, true
		case path[0] == "baseModels" && path[len(path)-1] == "relation" && c.MaxRepetitionLevel() == 0:
			f, ok = pqBMRelation, true
		case path[0] == "baseModels" && path[len(path)-1] == "id" && len(path) > 2 && c.MaxRepetitionLevel() == 1:
			f, ok = pqBMModel, true
		}
		if !ok || seen[f] {
			return
		}
		seen[f] = true
		col := pqColumn{field: f, index: c.Index()}
		if lt := c.Type().LogicalType(); lt != nil {
			switch v := lt.Value.(type) {
			case *format.TimestampType:
				if v.Unit.Value != nil {
					col.unit = v.Unit.Value.Duration()
				}
			case *format.DateType:
				col.date = true
			}
		}
		if ct := c.Type().ConvertedType(); ct != nil && col.unit == 0 {
			switch *ct {
			case 9: // TIMESTAMP_MILLIS
				col.unit = time.Millisecond
			case 10: // TIMESTAMP_MICROS
				col.unit = time.Microsecond
			}
		}
		cols = append(cols, col)
	}
	walk(root)
	if !seen[pqID] && !seen[pqModelID] {
		return nil, fmt.Errorf("%w: parquet file has no id or modelId column; want a hub-stats models.parquet", lineage.ErrFormat)
	}
	return cols, nil
}

// readParquet reads a models.parquet from rc, which it needs to read at
// random offsets: a file on disk or in an fs.FS; anything else (a pipe) is
// read into memory first, up to maxParquetInMemory.
func (r *reader) readParquet(rc io.ReadCloser, name string) error {
	ra, size, err := readerAt(rc)
	if err != nil {
		return err
	}
	if size == 0 {
		return errEmpty
	}
	var hashDone chan struct{}
	if ds := r.digests; ds != nil {
		hashDone = make(chan struct{})
		go func() {
			defer close(hashDone)
			h := newHash()
			if _, err := io.Copy(h, io.NewSectionReader(ra, 0, size)); err == nil {
				ds.add(name, h.Sum(nil))
			}
		}()
		defer func() { <-hashDone }()
	}
	f, cols, err := openParquet(ra, size)
	if err != nil {
		return err
	}
	groups := f.RowGroups()
	firstRow := make([]int64, len(groups)+1)
	for i, g := range groups {
		if g.NumRows() < 0 {
			return errCorrupt("negative row count")
		}
		firstRow[i+1] = firstRow[i] + g.NumRows()
	}
	// Every row holds a distinct model id, so a real snapshot has far
	// fewer rows than bytes; a file claiming more is damaged, and reading
	// it would spin on run-length-encoded nothing.
	if rows := firstRow[len(groups)]; rows > 16*size+1024 {
		return errCorrupt(fmt.Sprintf("%d rows claimed in %d bytes", rows, size))
	}
	var groupErr error // the first damaged row group: reading stops there
	done := int64(0)
	// A row group's records are a large batch (100,000 rows in hub-stats):
	// at most two per worker wait to be merged.
	workers := min(r.workers, max(len(groups), 1))
	// With Options.Reuse a group's record slice serves again once merged
	// (the first touch of a fresh 28 MB slice per group was most of the
	// system time).
	var spare chan []lineage.Record
	if r.opt.Reuse {
		spare = make(chan []lineage.Record, 2*workers+1)
	}
	err = orderedN(r.ctx, workers, 2*workers,
		func(send func(int) bool) error {
			for gi := range groups {
				if !send(gi) {
					break
				}
			}
			return nil
		},
		func(gi int) groupResult {
			res := groupResult{gi: gi}
			select {
			case res.b.recs = <-spare:
			default:
			}
			res.err = readRowGroup(groups[gi], cols, name, firstRow[gi], &res.b)
			return res
		},
		func(res groupResult) {
			if groupErr != nil {
				return
			}
			if res.err != nil {
				// Rows of a damaged group are not delivered: the group is
				// where reading stops, at its first row.
				groupErr = &faultError{line: int(firstRow[res.gi]) + 1, err: fmt.Errorf("row group %d: %w", res.gi, res.err)}
				return
			}
			r.sink.Emit(res.b.recs, res.b.diags)
			if spare != nil {
				clear(res.b.recs) // nothing keeps the group's strings alive
				select {
				case spare <- res.b.recs[:0]:
				default:
				}
			}
			if r.opt.Progress != nil && f.NumRows() > 0 {
				// Bytes in proportion to the rows delivered.
				rows := firstRow[res.gi+1]
				r.opt.Progress(size*rows/f.NumRows() - size*done/f.NumRows())
				done = rows
			}
		})
	if groupErr != nil {
		return groupErr
	}
	return err
}

// groupResult is one row group read: its records, or why it could not be.
type groupResult struct {
	gi  int
	b   batch
	err error
}

// maxParquetInMemory bounds a parquet file read from a pipe (which must be
// held whole: parquet is read at random offsets).
const maxParquetInMemory = 256 << 20

func readerAt(rc io.ReadCloser) (io.ReaderAt, int64, error) {
	if ra, ok := rc.(io.ReaderAt); ok {
		if st, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
			if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() {
				return ra, fi.Size(), nil
			}
		}
	}
	data, err := io.ReadAll(io.LimitReader(rc, maxParquetInMemory+1))
	if err != nil {
		return nil, 0, err
	}
	if len(data) > maxParquetInMemory {
		return nil, 0, fmt.Errorf("a parquet file read from a pipe is held in memory, and this one is over %d MiB; save it to a file first", maxParquetInMemory>>20)
	}
	return bytes.NewReader(data), int64(len(data)), nil
}

// pqRow is one row's wanted values.
type pqRow struct {
	str       [numPQFields]string
	has       [numPQFields]bool
	num       [numPQFields]int64 // counts, -1 when null
	time      [numPQFields]int64 // unix seconds of a typed timestamp
	timed     [numPQFields]bool  // time holds the value (not str)
	tags      []string
	formats   lineage.Formats
	bmModels  []string
	bmPresent bool
}

// errCorrupt wraps a panic of the parquet decoder: parquet-go trusts the
// sizes and offsets a file states, and a damaged file can make it index out
// of range. Input must never crash lineage, so such a file is an error.
func errCorrupt(r any) error {
	return fmt.Errorf("%w: corrupt parquet data (%v)", lineage.ErrFormat, r)
}

// openParquet opens the file and finds the wanted columns.
func openParquet(ra io.ReaderAt, size int64) (f *parquet.File, cols []pqColumn, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, cols, err = nil, nil, errCorrupt(r)
		}
	}()
	// The footer's length is checked before parquet-go allocates it.
	var tail [8]byte
	if size < 12 {
		return nil, nil, fmt.Errorf("%w: not a parquet file: %d bytes", lineage.ErrFormat, size)
	}
	if _, err := ra.ReadAt(tail[:], size-8); err != nil {
		return nil, nil, fmt.Errorf("%w: not a parquet file: %v", lineage.ErrFormat, err)
	}
	if string(tail[4:]) != "PAR1" || int64(binary.LittleEndian.Uint32(tail[:4])) > size-12 {
		return nil, nil, fmt.Errorf("%w: not a parquet file (no valid footer)", lineage.ErrFormat)
	}
	f, err = parquet.OpenFile(ra, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: not a parquet file: %v", lineage.ErrFormat, err)
	}
	if err := checkChunks(f.Metadata(), size); err != nil {
		return nil, nil, err
	}
	cols, err = pqColumns(f.Root())
	return f, cols, err
}

// checkChunks rejects column chunks whose stated offsets, sizes and value
// counts cannot fit the file: parquet-go allocates by them.
func checkChunks(md *format.FileMetaData, size int64) error {
	maxValues := 16*size + 1024
	for gi, rg := range md.RowGroups {
		for ci, cc := range rg.Columns {
			m := cc.MetaData
			if m.NumValues < 0 || m.NumValues > maxValues || m.TotalCompressedSize < 0 || m.TotalCompressedSize > size ||
				m.TotalUncompressedSize < 0 || m.TotalUncompressedSize > 1024*size+(1<<20) ||
				m.DataPageOffset < 0 || m.DataPageOffset >= size || m.DictionaryPageOffset < 0 || m.DictionaryPageOffset >= size {
				return errCorrupt(fmt.Sprintf("row group %d column %d states sizes that do not fit a %d-byte file", gi, ci, size))
			}
		}
	}
	return nil
}

// readRowGroup decodes one row group into records.
func readRowGroup(g parquet.RowGroup, cols []pqColumn, source string, first int64, b *batch) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errCorrupt(r)
		}
	}()
	chunks := g.ColumnChunks()
	curs := make([]*colCursor, len(cols))
	for i, c := range cols {
		curs[i] = &colCursor{pages: chunks[c.index].Pages(), buf: make([]parquet.Value, 256)}
		defer curs[i].pages.Close()
	}
	diag := func(d lineage.Diagnostic) { b.diags = append(b.diags, d) }
	var vals []parquet.Value
	n := g.NumRows()
	// Sized once for the group (growing a slice of large records to 100,000
	// copied them over and over; a recycled one is used when it is large
	// enough), and each record assembled in its place.
	if int64(cap(b.recs)) < min(n, 1<<20) {
		b.recs = make([]lineage.Record, 0, min(n, 1<<20))
	}
	for r := int64(0); r < n; r++ {
		var row pqRow
		for i := range row.num {
			row.num[i] = -1
		}
		for i, c := range cols {
			var err error
			vals, err = curs[i].row(vals[:0])
			if err != nil {
				return err
			}
			row.set(c, vals)
		}
		line := int(first + r + 1)
		b.recs = append(b.recs, lineage.Record{})
		if !parquetRecord(&b.recs[len(b.recs)-1], source, line, &row, diag) {
			b.recs = b.recs[:len(b.recs)-1]
		}
	}
	return nil
}

// set stores the values of one column of one row.
func (row *pqRow) set(c pqColumn, vals []parquet.Value) {
	f := c.field
	switch f {
	case pqTags:
		for _, v := range vals {
			if v.IsNull() {
				continue
			}
			row.formats |= lineage.FormatOf(v.ByteArray())
			if keepTag(v.ByteArray()) {
				row.tags = append(row.tags, string(v.ByteArray()))
			}
		}
		return
	case pqBMModel:
		for _, v := range vals {
			if !v.IsNull() {
				row.bmModels = append(row.bmModels, string(v.ByteArray()))
				row.bmPresent = true
			}
		}
		return
	}
	if len(vals) == 0 || vals[0].IsNull() {
		return
	}
	v := vals[0]
	row.has[f] = true
	switch f {
	case pqDownloads, pqDownloadsAll, pqLikes:
		switch v.Kind() {
		case parquet.Int32, parquet.Int64:
			if n := v.Int64(); n >= 0 {
				row.num[f] = n
			}
		case parquet.Float, parquet.Double:
			row.num[f] = number(flexNum(v.Double()))
		case parquet.ByteArray:
			if x, err := strconv.ParseFloat(strings.TrimSpace(string(v.ByteArray())), 64); err == nil {
				row.num[f] = number(flexNum(x))
			}
		}
	case pqCreated, pqModified:
		switch {
		case v.Kind() == parquet.ByteArray:
			row.str[f] = string(v.ByteArray())
		case v.Kind() == parquet.Int96:
			i := v.Int96()
			nanos := int64(i[1])<<32 | int64(i[0])
			row.time[f], row.timed[f] = (int64(i[2])-2440588)*86400+nanos/1e9, true
		case c.date && v.Kind() == parquet.Int32:
			row.time[f], row.timed[f] = int64(v.Int32())*86400, true
		case v.Kind() == parquet.Int64 || v.Kind() == parquet.Int32:
			unit := c.unit
			if unit == 0 { // untyped: guess the unit from the magnitude
				switch x := v.Int64(); {
				case x > 1e17 || x < -1e17:
					unit = time.Nanosecond
				case x > 1e14 || x < -1e14:
					unit = time.Microsecond
				case x > 1e11 || x < -1e11:
					unit = time.Millisecond
				default:
					unit = time.Second
				}
			}
			row.time[f], row.timed[f] = v.Int64()/int64(time.Second/unit), true
		default:
			row.str[f] = v.String()
		}
	default:
		if v.Kind() == parquet.ByteArray {
			row.str[f] = string(v.ByteArray())
		} else {
			row.str[f] = v.String()
		}
	}
}

// parquetRecord makes a Record of one row through AssembleListing, as the
// JSON reader does of the same model's API object.
func parquetRecord(rec *lineage.Record, source string, line int, row *pqRow, diag func(lineage.Diagnostic)) (ok bool) {
	l := lineage.Listing{ID: row.str[pqID], Author: row.str[pqAuthor], Library: row.str[pqLibrary], Pipeline: row.str[pqPipeline],
		Tags: row.tags, Formats: row.formats | lineage.FormatOf(row.str[pqLibrary]),
		Downloads: row.num[pqDownloads], DownloadsAllTime: row.num[pqDownloadsAll], Likes: row.num[pqLikes]}
	if l.ID == "" {
		l.ID = row.str[pqModelID]
	}
	for _, t := range []struct {
		dst *int64
		bad *string
		f   pqField
	}{{&l.Created, &l.BadCreated, pqCreated}, {&l.Modified, &l.BadModified, pqModified}} {
		if row.timed[t.f] {
			*t.dst = row.time[t.f]
			continue
		}
		ts, ok := parseTime(row.str[t.f])
		if !ok {
			*t.bad = row.str[t.f]
		}
		*t.dst = ts
	}
	bad := func(value, detail string) {
		diag(lineage.Diagnostic{Kind: lineage.KindBadRecord, Source: source, Line: line, Value: value, Detail: detail})
	}
	var card *lineage.CardMeta
	if cd := bytes.TrimSpace([]byte(row.str[pqCardData])); len(cd) > 0 {
		var meta lineage.CardMeta
		var ok bool
		if cd[0] == '{' {
			// The fast scanner reads the usual object without building a
			// map; anything unusual goes to the general decoder.
			sc := scanner{b: cd, owned: true} // cd is a copy of its own
			if ok = scanCardData(&sc, &meta) && sc.atEnd(); !ok {
				meta, ok = cardDataMeta(cd, "cardData", bad, dupKey(source, line, diag))
			}
		} else {
			meta, ok = cardTextMeta(cd, "cardData", bad, dupKey(source, line, diag))
		}
		if ok {
			card = &meta
		}
	}
	if row.bmPresent || row.has[pqBMRelation] {
		bm := hubapi.BaseModels{Relation: row.str[pqBMRelation]}
		for _, m := range row.bmModels {
			bm.Models = append(bm.Models, hubapi.ModelRef{ID: m})
		}
		l.BaseModels = &bm
	}
	return lineage.AssembleListingInto(rec, source, line, &l, card, nil, diag)
}

// colCursor hands out the values of one column chunk row by row.
type colCursor struct {
	pages  parquet.Pages
	values parquet.ValueReader
	buf    []parquet.Value
	pos, n int
	eof    bool
}

var errShortColumn = errors.New("column chunk has fewer rows than its row group")

// maxValuesPerRow bounds the list values (tags, base models) of one row.
const maxValuesPerRow = 1 << 16

// fill makes sure buf has an unread value, reading pages as needed; it
// reports false at the end of the chunk.
func (c *colCursor) fill() (bool, error) {
	for c.pos >= c.n {
		if c.eof {
			return false, nil
		}
		if c.values != nil {
			n, err := c.values.ReadValues(c.buf)
			c.pos, c.n = 0, n
			if err == io.EOF {
				c.values = nil
			} else if err != nil {
				return false, err
			}
			continue
		}
		p, err := c.pages.ReadPage()
		if err == io.EOF {
			c.eof = true
			continue
		}
		if err != nil {
			return false, err
		}
		c.values = p.Values()
	}
	return true, nil
}

// row appends the values of the next row (a first value, then those with
// a repetition level above zero) to dst.
func (c *colCursor) row(dst []parquet.Value) ([]parquet.Value, error) {
	ok, err := c.fill()
	if err != nil {
		return dst, err
	}
	if !ok {
		return dst, errShortColumn
	}
	dst = append(dst, c.buf[c.pos])
	c.pos++
	for {
		ok, err := c.fill()
		if err != nil {
			return dst, err
		}
		if !ok || c.buf[c.pos].RepetitionLevel() == 0 {
			return dst, nil
		}
		if len(dst) >= maxValuesPerRow {
			return dst, errCorrupt(fmt.Sprintf("more than %d values in one row of one column", maxValuesPerRow))
		}
		dst = append(dst, c.buf[c.pos])
		c.pos++
	}
}
