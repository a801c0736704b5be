package lineage

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"

	json "github.com/goccy/go-json"
	"github.com/lineage-project/lineage/lineage/hubapi"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// jsonRecord is one model of a Hub API listing, in the field names the Hub
// API and huggingface_hub use.
type jsonRecord struct {
	ID               string          `json:"id"`
	ModelID          string          `json:"modelId"`
	Author           string          `json:"author"`
	CreatedAt        flexString      `json:"createdAt"`
	CreatedAt2       flexString      `json:"created_at"`
	LastModified     flexString      `json:"lastModified"`
	LastModified2    flexString      `json:"last_modified"`
	Downloads        flexNum         `json:"downloads"` // preset to -1: absent stays -1
	DownloadsAllTime flexNum         `json:"downloadsAllTime"`
	Likes            flexNum         `json:"likes"`
	Library          string          `json:"library_name"`
	Pipeline         string          `json:"pipeline_tag"`
	Tags             lineageTags     `json:"tags"`
	Evidence         json.RawMessage `json:"lineageEvidence"`
	CardData         json.RawMessage `json:"cardData"`
	CardData2        json.RawMessage `json:"card_data"`
	BaseModels       json.RawMessage `json:"baseModels"`

	// Dates the fast scanner already parsed (the string field is then "").
	createdTS, created2TS, modifiedTS, modified2TS                 int64
	createdParsed, created2Parsed, modifiedParsed, modified2Parsed bool
}

// ParseListingRecord parses one JSON object of a Hub API listing. line is its
// line (JSON Lines) or element number (JSON array). It reports problems
// through diag and returns ok=false when the record cannot be used at all.
// It never panics on any input.
func ParseListingRecord(source string, line int, data []byte, diag func(Diagnostic)) (rec Record, ok bool) {
	return parseListing(source, line, data, false, false, nil, diag)
}

// parseListing is ParseListingRecord; owned says data is never reused, so
// the record's strings may alias it; lean says only the graph is wanted
// (see withGraphOnly); ar (nil: none) holds the record's small slices.
func parseListing(source string, line int, data []byte, owned, lean bool, ar *Arena, diag func(Diagnostic)) (rec Record, ok bool) {
	bad := func(value, detail string) {
		diag(Diagnostic{Kind: KindBadRecord, Source: source, Line: line, Value: value, Detail: detail})
	}
	if len(data) > MaxRecordBytes {
		bad("", fmt.Sprintf("record is over the %d-byte limit; skipped", MaxRecordBytes))
		return rec, false
	}
	// j stays on the stack on the fast path; the general decoder gets a
	// record of its own (a value it decodes into escapes to the heap).
	j := jsonRecord{Downloads: -1, DownloadsAllTime: -1, Likes: -1}
	var pre CardMeta
	hasPre := false
	if scanListing(data, owned, lean, ar, &j, &pre, &hasPre) {
		return assembleListing(source, line, &j, &pre, hasPre, ar, diag)
	}
	return parseListingGeneral(source, line, data, diag)
}

// parseListingGeneral decodes one listing record with the general decoder.
func parseListingGeneral(source string, line int, data []byte, diag func(Diagnostic)) (rec Record, ok bool) {
	bad := func(value, detail string) {
		diag(Diagnostic{Kind: KindBadRecord, Source: source, Line: line, Value: value, Detail: detail})
	}
	j := &jsonRecord{Downloads: -1, DownloadsAllTime: -1, Likes: -1}
	if d := jsonDepth(data); d > maxYAMLDepth {
		bad("", fmt.Sprintf("record nests %d levels deep, over the limit of %d; skipped", d, maxYAMLDepth))
		return rec, false
	}
	if !stdjson.Valid(data) {
		// goccy/go-json reads past the end of some truncated input (an
		// escape ending a key: {"\y\) and panics; only valid JSON reaches it.
		bad(snippet(data), fmt.Sprintf("invalid JSON: %v", stdjson.Unmarshal(data, new(stdjson.RawMessage))))
		return rec, false
	}
	if err := json.Unmarshal(data, j); err != nil {
		bad(snippet(data), "invalid JSON: "+err.Error())
		return rec, false
	}
	return assembleListing(source, line, j, nil, false, nil, diag)
}

// parseListingSlow is ParseListingRecord without the fast scanner (for
// tests that compare the two paths).
func parseListingSlow(source string, line int, data []byte, diag func(Diagnostic)) (Record, bool) {
	return parseListingGeneral(source, line, data, diag)
}

// assembleListing turns a decoded listing object into a Record through
// AssembleListing. pre is the already-scanned cardData when hasPre is set;
// otherwise j.CardData is decoded here.
func assembleListing(source string, line int, j *jsonRecord, pre *CardMeta, hasPre bool, ar *Arena, diag func(Diagnostic)) (rec Record, ok bool) {
	l := Listing{ID: j.ID, Author: j.Author, Library: j.Library, Pipeline: j.Pipeline,
		Tags: j.Tags.kept, Formats: j.Tags.formats | FormatOf(j.Library),
		Downloads: number(j.Downloads), DownloadsAllTime: number(j.DownloadsAllTime), Likes: number(j.Likes)}
	if l.ID == "" {
		l.ID = j.ModelID
	}
	// The first spelling of a date wins when it is non-empty.
	date := func(a, b string, aTS, bTS int64, aOK, bOK bool) (int64, string) {
		if aOK {
			return aTS, ""
		}
		v := a
		if v == "" {
			if bOK {
				return bTS, ""
			}
			v = b
		}
		ts, ok := parseTime(v)
		if !ok {
			return 0, v
		}
		return ts, ""
	}
	l.Created, l.BadCreated = date(string(j.CreatedAt), string(j.CreatedAt2), j.createdTS, j.created2TS, j.createdParsed, j.created2Parsed)
	l.Modified, l.BadModified = date(string(j.LastModified), string(j.LastModified2), j.modifiedTS, j.modified2TS, j.modifiedParsed, j.modified2Parsed)
	bad := func(value, detail string) {
		diag(Diagnostic{Kind: KindBadRecord, Source: source, Line: line, Value: value, Detail: detail})
	}
	var meta CardMeta
	if hasPre {
		l.Card = pre
	} else {
		cd, name := j.CardData, "cardData"
		if len(cd) == 0 || string(cd) == "null" {
			cd, name = j.CardData2, "card_data"
		}
		if m, ok := cardDataMeta(cd, name, bad); ok {
			meta = m
			l.Card = &meta
		}
	}
	var bm hubapi.BaseModels
	if len(j.BaseModels) > 0 && string(j.BaseModels) != "null" {
		if err := json.Unmarshal(j.BaseModels, &bm); err != nil {
			// The Hub also returns baseModels as a bare list of models.
			var list []hubapi.ModelRef
			if err2 := json.Unmarshal(j.BaseModels, &list); err2 != nil {
				bad("baseModels", "baseModels is not {relation, models}: "+err.Error())
			} else {
				bm.Models = append(bm.Models, list...)
			}
		}
		l.BaseModels = &bm
	}
	if len(j.Evidence) > 0 && string(j.Evidence) != "null" {
		if err := json.Unmarshal(j.Evidence, &l.Evidence); err != nil {
			bad("lineageEvidence", "lineageEvidence is not a list of {file, key, value}: "+err.Error())
			l.Evidence = nil
		}
	}
	return AssembleListing(source, line, &l, ar, diag)
}

// cardDataMeta reads a listing's cardData (name says which spelling it
// came under): a JSON object, or YAML text as huggingface_hub writes
// card_data, reporting what it cannot read through bad. ok is false when
// there is no usable cardData.
func cardDataMeta(cd []byte, name string, bad func(value, detail string)) (meta CardMeta, ok bool) {
	cd = bytes.TrimSpace(cd)
	if len(cd) == 0 || string(cd) == "null" {
		return meta, false
	}
	var m map[string]any
	switch cd[0] {
	case '{':
		if !stdjson.Valid(cd) {
			// goccy/go-json can read past the end of truncated input.
			bad(name, name+" is not valid JSON; ignored")
			return meta, false
		}
		if err := json.Unmarshal(cd, &m); err != nil {
			bad(name, name+" is not a JSON object: "+err.Error())
			return meta, false
		}
	case '"':
		var s string
		if err := json.Unmarshal(cd, &s); err != nil {
			bad(name, name+" is not a JSON string: "+err.Error())
			return meta, false
		}
		return cardTextMeta([]byte(s), name, bad)
	default:
		bad(name, name+" is neither an object nor a YAML string; ignored")
		return meta, false
	}
	if m == nil {
		return meta, false
	}
	return CardMetaFromMap(m), true
}

// cardTextMeta reads card metadata given as YAML text (huggingface_hub's
// card_data, a parquet cardData string): the front matter of a whole card,
// or bare YAML.
func cardTextMeta(yml []byte, name string, bad func(value, detail string)) (meta CardMeta, ok bool) {
	if y, _, found, _ := frontMatter(yml); found {
		yml = y
	}
	m, err := parseYAMLMap(yml)
	if err != nil {
		bad(name, name+" YAML: "+err.Error())
	}
	if m == nil {
		return meta, false
	}
	return CardMetaFromMap(m), true
}

func number(n flexNum) int64 {
	f := float64(n)
	if f < 0 || f != f || f > 1<<62 {
		return -1
	}
	return int64(f)
}

func snippet(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

// batch is a unit of parsed input, delivered in input order.
type batch struct {
	seq   int
	recs  []Record
	diags []Diagnostic
	buf   []byte // the chunk the records alias, recycled after emit when allowed
	ar    *Arena // the records' small slices, recycled with them
	end   int    // a mapped input: the offset just past the chunk
	// A JSON Lines chunk's lines are numbered from 1 within the chunk by
	// its worker; deliverInOrder renumbers them in input order: skip lines
	// not in any chunk precede the chunk, and the chunk holds lines line
	// ends. So no goroutine counts the lines of a chunk but the one parsing
	// it.
	relative    bool
	skip, lines int
}

// renumber turns b's chunk-relative line numbers (1-based; 0 is no line)
// into input line numbers, the chunk's first line being first.
func (b *batch) renumber(first int) {
	for i := range b.recs {
		b.recs[i].Line += first - 1
	}
	for i := range b.diags {
		if b.diags[i].Line > 0 {
			b.diags[i].Line += first - 1
		}
	}
}

// Emit receives parsed records and diagnostics in input order, always from
// one goroutine at a time.
type Emit func(recs []Record, diags []Diagnostic)

const chunkSize = 1 << 20

type recycleKey struct{}

type graphOnlyKey struct{}

// withRecycling marks ctx for readers whose emit keeps nothing of the
// records and diagnostics it is given past the call (the Builder copies
// what it keeps): their input chunks and record slices are then reused
// instead of allocated afresh, which saves zeroing and faulting in a new
// megabyte per megabyte of input.
func withRecycling(ctx context.Context) context.Context {
	return context.WithValue(ctx, recycleKey{}, true)
}

func recycling(ctx context.Context) bool {
	ok, _ := ctx.Value(recycleKey{}).(bool)
	return ok
}

// withGraphOnly marks ctx for readers whose emit keeps only the graph
// (BuildOptions.GraphOnly): the fast listing scanner then still checks
// dates but does not convert them to unix seconds (its records' Created
// and Modified stay 0), and keeps library and pipeline names as they are
// instead of interning them. Everything that decides edges and problems is
// unchanged.
func withGraphOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, graphOnlyKey{}, true)
}

func graphOnly(ctx context.Context) bool {
	ok, _ := ctx.Value(graphOnlyKey{}).(bool)
	return ok
}

// chunkPool holds input chunks and record slices for reuse (see
// withRecycling); its channels bound how many are kept.
type chunkPool struct {
	bufs   chan []byte
	recs   chan []Record
	arenas chan *Arena
}

func newChunkPool(n int) *chunkPool {
	return &chunkPool{bufs: make(chan []byte, n), recs: make(chan []Record, n), arenas: make(chan *Arena, n)}
}

// arena returns an empty arena: a recycled one when there is one.
func (p *chunkPool) arena() *Arena {
	if p != nil {
		select {
		case a := <-p.arenas:
			return a
		default:
		}
	}
	return new(Arena)
}

// buf returns a buffer of length n: a recycled one when one is big enough.
func (p *chunkPool) buf(n int) []byte {
	if p != nil {
		select {
		case b := <-p.bufs:
			if cap(b) >= n {
				return b[:n]
			}
		default:
		}
		// Room for a long unfinished line, so most buffers fit again.
		return make([]byte, n, max(n, chunkSize+chunkSize/4))
	}
	return make([]byte, n)
}

func (p *chunkPool) records(n int) []Record {
	if p != nil {
		select {
		case r := <-p.recs:
			return r[:0]
		default:
		}
	}
	return make([]Record, 0, n)
}

// put hands a delivered batch's chunk and records back for reuse.
func (p *chunkPool) put(b batch) {
	if p == nil {
		return
	}
	if b.buf != nil {
		select {
		case p.bufs <- b.buf[:cap(b.buf)]:
		default:
		}
	}
	if b.recs != nil {
		select {
		case p.recs <- b.recs[:0]:
		default:
		}
	}
	if a := b.ar; a != nil {
		a.Reset()
		select {
		case p.arenas <- a:
		default:
		}
	}
}

// readJSONLines parses a JSON Lines stream in parallel: one goroutine cuts
// the stream into ~1 MiB chunks at line boundaries, workers decode the
// chunks, and the results are delivered to emit in input order. Memory is
// bounded by a few chunks per worker; the file is never held whole.
// Records alias their chunk: a chunk is never reused unless ctx allows it
// (withRecycling), and then only after its records were emitted.
func readJSONLines(ctx context.Context, r io.Reader, source string, emit Emit) error {
	var pool *chunkPool
	if recycling(ctx) {
		pool = newChunkPool(4*runtime.GOMAXPROCS(0) + 4)
	}
	return parseLines(ctx, source, emit, pool, nil, func(chunks chan<- lineChunk, failed func() bool) error {
		seq, skip := 0, 0 // skip: lines before the next chunk, not in a chunk
		var carry []byte  // the unfinished last line of the previous read
		var carryBuf []byte
		skipping := false // inside an over-long line being skipped
		for {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if failed() {
				return nil
			}
			// The unfinished line of the previous read starts the next
			// chunk (it was copied out of a chunk that may be reused).
			buf := pool.buf(len(carry) + chunkSize)
			copy(buf, carry)
			n, err := io.ReadFull(r, buf[len(carry):])
			data := buf[:len(carry)+n]
			carry = nil
			eof := err == io.EOF || err == io.ErrUnexpectedEOF
			if err != nil && !eof {
				return fmt.Errorf("read %s: %w", source, err)
			}
			if skipping {
				i := bytes.IndexByte(data, '\n')
				if i < 0 {
					pool.put(batch{buf: buf})
					if eof {
						return nil
					}
					continue
				}
				data = data[i+1:]
				skip++ // the over-long line
				skipping = false
			}
			cut := bytes.LastIndexByte(data, '\n')
			if cut < 0 && !eof {
				carry = data
				if len(carry) > MaxRecordBytes {
					// Report the over-long line as a one-line chunk of its
					// own (buf is then the chunk's: not back to the pool).
					chunks <- lineChunk{seq: seq, skip: skip, data: carry[: MaxRecordBytes+1 : MaxRecordBytes+1]}
					seq, skip = seq+1, 0
					carry = nil
					skipping = true
				} else if pool != nil {
					// buf goes back to the pool: keep a copy of the line.
					carryBuf = append(carryBuf[:0], carry...)
					carry = carryBuf
					pool.put(batch{buf: buf})
				}
				continue
			}
			whole := data
			if !eof {
				whole = data[:cut+1]
				carryBuf = append(carryBuf[:0], data[cut+1:]...)
				carry = carryBuf
			}
			if len(whole) > 0 {
				chunks <- lineChunk{seq: seq, skip: skip, data: whole, buf: buf}
				seq, skip = seq+1, 0
			} else {
				pool.put(batch{buf: buf})
			}
			if eof {
				return nil
			}
		}
	})
}

// lineChunk is a run of whole lines of a JSON Lines input, preceded by skip
// lines not sent in any chunk (skipped at the start, or the rest of an
// over-long line); buf is the pooled buffer holding it, end (a mapped
// input) the offset just past it.
type lineChunk struct {
	seq, skip int
	data, buf []byte
	end       int
}

// parseLines decodes the chunks produce sends, on every CPU, and delivers
// the records to emit in input order; after each delivered batch it calls
// done with the batch's end (nil: no call) and hands the batch to pool.
// produce must stop early when failed reports true.
//
// A memory fault while reading a chunk (a mapped file truncated while it
// is read) is recovered and reported as an error, not a crash.
func parseLines(ctx context.Context, source string, emit Emit, pool *chunkPool, done func(end int),
	produce func(chunks chan<- lineChunk, failed func() bool) error) error {
	workers := runtime.GOMAXPROCS(0)
	lean := graphOnly(ctx)
	chunks := make(chan lineChunk, workers*2)
	results := make(chan batch, workers*2)
	var faults faultLog
	var readErr error
	go func() {
		defer close(chunks)
		defer faults.catch()
		debug.SetPanicOnFault(true) // this goroutine's own setting
		readErr = produce(chunks, faults.failed)
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				// About one record per 200 bytes or more; append grows the rest.
				b := batch{seq: c.seq, recs: pool.records(len(c.data)/200 + 1), ar: pool.arena(), end: c.end, relative: true, skip: c.skip}
				if pool != nil {
					b.buf = c.buf
				}
				if !faults.failed() {
					faults.guard(func() { parseChunk(&b, c, source, lean) })
				}
				results <- b
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	deliverInOrder(results, func(recs []Record, diags []Diagnostic) {
		if !faults.failed() {
			faults.guard(func() { emit(recs, diags) })
		}
	}, pool, done)
	if err := faults.err(source); err != nil {
		return err
	}
	return readErr
}

// parseChunk parses the lines of c into b, numbering them from 1, and
// sets b.lines to the number of line ends in c.
func parseChunk(b *batch, c lineChunk, source string, lean bool) {
	diag := func(d Diagnostic) { b.diags = append(b.diags, d) }
	data, line := c.data, 1
	for len(data) > 0 {
		l := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
			b.lines++
		} else {
			data = nil
		}
		l = bytes.TrimSpace(l)
		if len(l) > MaxRecordBytes {
			l = l[:MaxRecordBytes+1] // as the stream reader cuts it
		}
		if len(l) > 0 {
			// The chunk is not modified while its records live, so
			// records may alias it.
			if rec, ok := parseListing(source, line, l, true, lean, b.ar, diag); ok {
				b.recs = append(b.recs, rec)
			}
		}
		line++
	}
}

// deliverInOrder passes batches to emit sorted by seq (renumbering the
// lines of relative ones), then calls done (if not nil) with the batch's
// end and hands the batch to pool (nil: none).
func deliverInOrder(results <-chan batch, emit Emit, pool *chunkPool, done func(end int)) {
	pending := map[int]batch{}
	next := 0
	line := 1 // the number of the line after those delivered
	for b := range results {
		pending[b.seq] = b
		for {
			x, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			if x.relative {
				x.renumber(line + x.skip)
				line += x.skip + x.lines
			}
			emit(x.recs, x.diags)
			if done != nil {
				done(x.end)
			}
			pool.put(x)
			next++
		}
	}
}

// readJSONArray parses a JSON array of model objects. Elements are split
// out by a streaming decoder and decoded by workers in batches.
func readJSONArray(ctx context.Context, r io.Reader, source string, emit Emit) error {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("parse %s: %w", source, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("parse %s: %w: want a JSON array or JSON Lines", source, ErrFormat)
	}
	type job struct {
		seq, first int
		elems      []json.RawMessage
	}
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan job, workers*2)
	results := make(chan batch, workers*2)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				b := batch{seq: j.seq}
				diag := func(d Diagnostic) { b.diags = append(b.diags, d) }
				for i, e := range j.elems {
					if rec, ok := ParseListingRecord(source, j.first+i, e, diag); ok {
						b.recs = append(b.recs, rec)
					}
				}
				results <- b
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	var parseErr error
	go func() {
		defer close(jobs)
		seq, n := 0, 0
		var cur []json.RawMessage
		first := 1
		for dec.More() {
			if ctx.Err() != nil {
				parseErr = ctx.Err()
				return
			}
			var e json.RawMessage
			if err := dec.Decode(&e); err != nil {
				parseErr = fmt.Errorf("parse %s (element %d): %w", source, n+1, err)
				break
			}
			n++
			cur = append(cur, e)
			if len(cur) == 2048 {
				jobs <- job{seq: seq, first: first, elems: cur}
				seq++
				first = n + 1
				cur = nil
			}
		}
		if len(cur) > 0 {
			jobs <- job{seq: seq, first: first, elems: cur}
		}
	}()
	deliverInOrder(results, emit, nil, nil)
	return parseErr
}

// lineageTags decodes a listing's tags array keeping only the tags lineage
// reads (base_model:..., and peft/lora/adapter markers) and the format
// markers of all of them: Hub records carry a dozen other tags each, and
// allocating them dominates decoding.
type lineageTags struct {
	kept    []string
	formats Formats // the format markers of all the tags (see FormatOf)
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *lineageTags) UnmarshalJSON(data []byte) error {
	*t = lineageTags{}
	i := 0
	skipWS := func() {
		for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
			i++
		}
	}
	skipWS()
	if i < len(data) && data[i] == 'n' {
		return nil // null
	}
	if i >= len(data) || data[i] != '[' {
		return fmt.Errorf("tags: want an array of strings")
	}
	i++
	for {
		skipWS()
		if i < len(data) && data[i] == ']' {
			return nil
		}
		if i >= len(data) || data[i] != '"' {
			return fmt.Errorf("tags: want an array of strings")
		}
		start := i
		i++
		escaped := false
		for i < len(data) && data[i] != '"' {
			if data[i] == '\\' {
				escaped = true
				i++
			}
			i++
		}
		if i >= len(data) {
			return fmt.Errorf("tags: unterminated string")
		}
		i++
		raw := data[start+1 : i-1]
		t.formats |= FormatOf(raw)
		if keepTag(raw) {
			var s string
			if escaped {
				if err := json.Unmarshal(data[start:i], &s); err != nil {
					return fmt.Errorf("tags: %w", err)
				}
			} else {
				s = string(raw)
			}
			t.kept = append(t.kept, s)
		}
		skipWS()
		if i < len(data) && data[i] == ',' {
			i++
			continue
		}
		if i < len(data) && data[i] == ']' {
			return nil
		}
		return fmt.Errorf("tags: want , or ] after a tag")
	}
}

func keepTag(raw []byte) bool {
	if bytes.HasPrefix(raw, []byte("base_model:")) {
		return true
	}
	switch len(raw) {
	case 4:
		return modelid.EqualFoldASCII(raw, "peft") || modelid.EqualFoldASCII(raw, "lora")
	case 5:
		return modelid.EqualFoldASCII(raw, "qlora")
	case 7:
		return modelid.EqualFoldASCII(raw, "adapter")
	}
	return false
}

// jsonDepth returns the deepest nesting of arrays and objects in data,
// ignoring brackets inside strings.
func jsonDepth(data []byte) int {
	depth, best := 0, 0
	in := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if in {
			switch c {
			case '\\':
				i++
			case '"':
				in = false
			}
			continue
		}
		switch c {
		case '"':
			in = true
		case '[', '{':
			depth++
			best = max(best, depth)
		case ']', '}':
			depth--
		}
	}
	return best
}

// flexString is a JSON string that also accepts a number (unix seconds in
// a date field) or any other value as its raw text, so that one odd field
// is reported by its own check (e.g. "createdAt is not a date") instead of
// rejecting the whole record. null leaves it unchanged.
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	default:
		*f = flexString(b)
	}
	return nil
}

// flexNum is a JSON number that also accepts a numeric string; any other
// value means unknown (-1). null leaves it unchanged.
type flexNum float64

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexNum) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	if b[0] == '"' {
		b = bytes.Trim(b, `"`)
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		*f = -1
		return nil
	}
	*f = flexNum(v)
	return nil
}
