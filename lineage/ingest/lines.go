package ingest

import (
	"bytes"
	"errors"
	"io"
	"runtime/debug"

	"github.com/lineage-project/lineage/lineage"
)

// chunkSize is how much of a JSON Lines input one worker parses at a time.
const chunkSize = 1 << 20

// readJSONLines parses a JSON Lines stream in parallel: one goroutine cuts
// the stream into ~1 MiB chunks at line boundaries, workers decode the
// chunks, and the results reach the sink in input order. Memory is bounded
// by a few chunks per worker and the longest line (a line over
// Limits.MaxRecordBytes is reported and skipped without being held); the
// file is never held whole. line is the number of the stream's first line.
// Records alias their chunk: a chunk is reused only with Options.Reuse, and
// then only after the sink has returned.
//
// A read error (a truncated or corrupt gzip stream, an I/O error) ends the
// stream: the whole lines before it are delivered, and the error is a
// faultError at the first line not read.
func (r *reader) readJSONLines(in io.Reader, source string, line int) error {
	var pool *chunkPool
	if r.opt.Reuse {
		pool = newChunkPool(4*r.workers + 4)
	}
	maxRec := r.lim.MaxRecordBytes
	return r.parseLines(source, pool, nil, line, func(send func(lineChunk) bool, failed func() bool) error {
		skip := 0        // lines before the next chunk, not in a chunk
		var carry []byte // the unfinished last line of the previous read
		var carryBuf []byte
		skipping := false // inside an over-long line being skipped
		for {
			if failed() {
				return nil
			}
			// The unfinished line of the previous read starts the next
			// chunk (it was copied out of a chunk that may be reused).
			buf := pool.buf(len(carry) + chunkSize)
			copy(buf, carry)
			n, err := fill(in, buf[len(carry):])
			data := buf[:len(carry)+n]
			carry = nil
			eof := err == io.EOF
			if err != nil && !eof {
				// Deliver the whole lines read before the fault, then stop.
				if cut := bytes.LastIndexByte(data, '\n'); cut >= 0 && !skipping {
					send(lineChunk{skip: skip, data: data[:cut+1], buf: buf})
				} else {
					pool.put(batch{buf: buf})
				}
				return err
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
				if len(carry) > maxRec {
					// Report the over-long line as a one-line chunk of its
					// own (buf is then the chunk's: not back to the pool).
					if !send(lineChunk{skip: skip, data: carry[: maxRec+1 : maxRec+1]}) {
						return nil
					}
					skip = 0
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
				if !send(lineChunk{skip: skip, data: whole, buf: buf}) {
					return nil
				}
				skip = 0
			} else {
				pool.put(batch{buf: buf})
			}
			if eof {
				return nil
			}
		}
	})
}

// fill reads into buf until it is full or the reader stops: err is io.EOF
// only at the real end of the input (unlike io.ReadFull, which also turns a
// truncated gzip stream's io.ErrUnexpectedEOF into a clean short read).
func fill(in io.Reader, buf []byte) (n int, err error) {
	for n < len(buf) {
		var m int
		m, err = in.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// parseLines decodes the chunks produce sends, on every CPU, and delivers
// the records to the sink in input order, numbering lines from line; after
// each delivered batch it calls done with the batch's end (nil: no call)
// and hands the batch to pool. produce must stop early when failed reports
// true or send returns false.
//
// A memory fault while reading a chunk (a mapped file truncated while it
// is read) is recovered and reported as an error, not a crash.
func (r *reader) parseLines(source string, pool *chunkPool, done func(end int), line int,
	produce func(send func(lineChunk) bool, failed func() bool) error) error {
	var faults faultLog
	lean, lim := r.opt.GraphOnly, r.lim
	err := ordered(r.ctx, r.workers,
		func(send func(lineChunk) bool) error {
			defer faults.catch()
			debug.SetPanicOnFault(true) // this goroutine's own setting
			return produce(send, faults.failed)
		},
		func(c lineChunk) batch {
			// About one record per 200 bytes or more; append grows the rest.
			b := batch{recs: pool.records(len(c.data)/200 + 1), ar: pool.arena(), end: c.end, skip: c.skip}
			if pool != nil {
				b.buf = c.buf
			}
			if !faults.failed() {
				faults.guard(func() { parseChunk(&b, c, source, lean, lim) })
			}
			return b
		},
		func(b batch) {
			b.renumber(line + b.skip)
			line += b.skip + b.lines
			if !faults.failed() {
				faults.guard(func() { r.sink.Emit(b.recs, b.diags) })
			}
			if done != nil {
				done(b.end)
			}
			pool.put(b)
		})
	if ferr := faults.err(); ferr != nil {
		return &faultError{line: line, err: ferr}
	}
	if err != nil && !errors.Is(err, r.ctx.Err()) {
		return &faultError{line: line, err: err}
	}
	return err
}

// batch is a unit of parsed input, delivered in input order. A JSON Lines
// chunk's lines are numbered from 1 within the chunk by its worker; the
// deliverer renumbers them in input order: skip lines not in any chunk
// precede the chunk, and the chunk holds lines line ends. So no goroutine
// counts the lines of a chunk but the one parsing it.
type batch struct {
	recs        []lineage.Record
	diags       []lineage.Diagnostic
	buf         []byte         // the chunk the records alias, recycled after delivery when allowed
	ar          *lineage.Arena // the records' small slices, recycled with them
	end         int            // a mapped input: the offset just past the chunk
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

// lineChunk is a run of whole lines of a JSON Lines input, preceded by skip
// lines not sent in any chunk (the rest of an over-long line); buf is the
// pooled buffer holding it, end (a mapped input) the offset just past it.
type lineChunk struct {
	skip      int
	data, buf []byte
	end       int
}

// parseChunk parses the lines of c into b, numbering them from 1, and
// sets b.lines to the number of line ends in c.
func parseChunk(b *batch, c lineChunk, source string, lean bool, lim Limits) {
	diag := func(d lineage.Diagnostic) { b.diags = append(b.diags, d) }
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
		if len(l) > lim.MaxRecordBytes {
			l = l[:lim.MaxRecordBytes+1] // as the stream reader cuts it
		}
		if len(l) > 0 {
			// The chunk is not modified while its records live, so
			// records may alias it.
			// The record is parsed in its place in the batch (a Record is
			// large; copying it out costs as much as parsing).
			b.recs = append(b.recs, lineage.Record{})
			if !parseListing(&b.recs[len(b.recs)-1], source, line, l, true, lean, b.ar, lim, diag) {
				b.recs = b.recs[:len(b.recs)-1]
			}
		}
		line++
	}
}

// chunkPool holds input chunks and record slices for reuse (see
// Options.Reuse); its channels bound how many are kept.
type chunkPool struct {
	bufs   chan []byte
	recs   chan []lineage.Record
	arenas chan *lineage.Arena
}

func newChunkPool(n int) *chunkPool {
	return &chunkPool{bufs: make(chan []byte, n), recs: make(chan []lineage.Record, n), arenas: make(chan *lineage.Arena, n)}
}

// arena returns an empty arena: a recycled one when there is one.
func (p *chunkPool) arena() *lineage.Arena {
	if p != nil {
		select {
		case a := <-p.arenas:
			return a
		default:
		}
	}
	return new(lineage.Arena)
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

func (p *chunkPool) records(n int) []lineage.Record {
	if p != nil {
		select {
		case r := <-p.recs:
			return r[:0]
		default:
		}
	}
	return make([]lineage.Record, 0, n)
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
