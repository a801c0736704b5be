package ingest

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/lineage-project/lineage/lineage"
)

// readJSONStream reads a JSON text that holds arrays of model objects, or
// objects, one after another: a .json listing as the API or a tool writes
// it ([{...}, {...}]), several such arrays, or pretty-printed objects. A
// splitter cuts the text into top-level values and array elements, noting
// the line and column each starts at; workers parse them in parallel and
// the records reach the sink in order. Content after an array's closing
// bracket is reported, and further arrays or objects there are read. An
// element over Limits.MaxRecordBytes or nested deeper than Limits.MaxDepth
// is reported and skipped without being held; a text cut off inside a
// value keeps every element before it (a faultError at the value's line).
func (r *reader) readJSONStream(in io.Reader, source string, line int) error {
	sp := &splitter{r: bufio.NewReaderSize(in, 1<<16), line: line, col: 1, lim: r.lim}
	type job struct{ elems []element }
	lean, lim := r.opt.GraphOnly, r.lim
	var fault error
	err := ordered(r.ctx, r.workers,
		func(send func(job) bool) error {
			var cur []element
			flush := func() bool {
				if len(cur) == 0 {
					return true
				}
				ok := send(job{cur})
				cur = nil
				return ok
			}
			for {
				e, err := sp.next()
				if err == io.EOF {
					break
				}
				if err != nil {
					fault = err
					break
				}
				cur = append(cur, e)
				if len(cur) == 2048 && !flush() {
					return nil
				}
			}
			flush()
			return nil
		},
		func(j job) batch {
			var b batch
			diag := func(d lineage.Diagnostic) { b.diags = append(b.diags, d) }
			for _, e := range j.elems {
				if e.problem != "" {
					diag(lineage.Diagnostic{Kind: e.kind, Source: source, Line: e.line, Column: e.col, Detail: e.problem})
					continue
				}
				var rec lineage.Record
				ok := parseListing(&rec, source, e.line, e.data, true, lean, nil, lim, func(d lineage.Diagnostic) {
					if d.Line == e.line && d.Column > 0 {
						d.Line, d.Column = e.position(d.Column)
					} else if d.Line == e.line {
						d.Column = e.col
					}
					diag(d)
				})
				if ok {
					b.recs = append(b.recs, rec)
				}
			}
			return b
		},
		func(b batch) { r.sink.Emit(b.recs, b.diags) })
	if err != nil {
		return err
	}
	return fault
}

// element is one value the splitter cut out: a record to parse, or a
// problem to report instead.
type element struct {
	data      []byte
	line, col int    // where it starts
	kind      string // the problem's kind
	problem   string // "" for a record to parse
}

// position turns a 1-based byte offset within e into its line and column
// in the input.
func (e element) position(off int) (line, col int) {
	line, col = e.line, e.col
	for i := 0; i < off-1 && i < len(e.data); i++ {
		if e.data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// splitter cuts a JSON text into records: the elements of top-level arrays
// and top-level objects. It holds one element at a time, at most
// Limits.MaxRecordBytes of it.
type splitter struct {
	r         *bufio.Reader
	line, col int // of the next byte
	lim       Limits
	inArray   bool // inside a top-level array, after '[' or ','
	first     bool // no element yet in the current array
	afterTop  bool // a top-level array has ended: what follows is reported
	reported  bool // content after an array was reported
}

var errCutOff = errors.New("the JSON text ends inside a value")

func (s *splitter) read() (byte, error) {
	c, err := s.r.ReadByte()
	if err != nil {
		return 0, err
	}
	if c == '\n' {
		s.line, s.col = s.line+1, 1
	} else {
		s.col++
	}
	return c, nil
}

// skipSpace consumes white space and returns the next byte without
// consuming it.
func (s *splitter) skipSpace() (byte, error) {
	for {
		b, err := s.r.Peek(1)
		if err != nil {
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			s.read()
		default:
			return b[0], nil
		}
	}
}

// next returns the next element; io.EOF at the clean end of the text; a
// faultError when the text is cut off or broken between values.
func (s *splitter) next() (element, error) {
	for {
		c, err := s.skipSpace()
		if err == io.EOF {
			if s.inArray {
				return element{}, &faultError{line: s.line, col: s.col, err: errors.New("the JSON array is not closed: the text ends before its ]")}
			}
			return element{}, io.EOF
		}
		if err != nil {
			return element{}, &faultError{line: s.line, col: s.col, err: err}
		}
		if s.inArray {
			switch {
			case c == ']':
				s.read()
				s.inArray, s.afterTop = false, true
				continue
			case c == ',' && !s.first:
				s.read()
				if c, err := s.skipSpace(); err == nil && c == ']' {
					return element{line: s.line, col: s.col, kind: lineage.KindBadRecord, problem: "a comma before ] (a trailing comma is not JSON); ignored"}, nil
				}
			case !s.first:
				line, col := s.line, s.col
				s.read()
				return element{}, &faultError{line: line, col: col, err: fmt.Errorf("want , or ] between array elements, found %q", c)}
			}
			s.first = false
			return s.value()
		}
		// Top level.
		if s.afterTop && !s.reported {
			// Reported once; the next call reads what is there.
			s.reported = true
			e := element{line: s.line, col: s.col, kind: lineage.KindBadRecord,
				problem: "content after the closing ] of the JSON array (a JSON text holds one value); further arrays and objects here are read, anything else is skipped"}
			if c != '[' && c != '{' {
				s.skipLine()
			}
			return e, nil
		}
		switch c {
		case '[':
			s.read()
			s.inArray, s.first = true, true
			continue
		case '{':
			return s.value()
		}
		if s.afterTop {
			s.skipLine() // junk after an array, already reported
			continue
		}
		return element{}, &faultError{line: s.line, col: s.col, err: fmt.Errorf("want a JSON array or object, found %q", c)}
	}
}

// skipLine consumes the rest of the current line.
func (s *splitter) skipLine() {
	for {
		c, err := s.read()
		if err != nil || c == '\n' {
			return
		}
	}
}

// value reads one JSON value starting at the next byte.
func (s *splitter) value() (element, error) {
	e := element{line: s.line, col: s.col}
	depth, maxDepth, inString, escaped := 0, 0, false, false
	over := false
	for {
		c, err := s.read()
		if err != nil {
			if err == io.EOF {
				err = errCutOff
			}
			return element{}, &faultError{line: e.line, col: e.col, err: err}
		}
		if !over {
			if len(e.data) >= s.lim.MaxRecordBytes {
				over, e.data = true, nil
			} else {
				e.data = append(e.data, c)
			}
		}
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			if !inString && depth == 0 {
				break
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			continue
		case '[', '{':
			depth++
			maxDepth = max(maxDepth, depth)
		case ']', '}':
			depth--
		}
		if depth > 0 {
			continue
		}
		if depth < 0 {
			return element{}, &faultError{line: s.line, col: s.col - 1, err: fmt.Errorf("unbalanced %q", c)}
		}
		// A value at depth 0 ends here when it is a container, or at the
		// next delimiter when it is a scalar.
		if c == '}' || c == ']' {
			break
		}
		if b, err := s.r.Peek(1); err != nil || isDelim(b[0]) {
			break
		}
	}
	switch {
	case over:
		e.kind, e.problem = lineage.KindBadRecord, fmt.Sprintf("record is over the %d-byte limit; skipped", s.lim.MaxRecordBytes)
	case maxDepth > s.lim.MaxDepth:
		e.kind, e.problem, e.data = lineage.KindBadRecord, fmt.Sprintf("record nests %d levels deep, over the limit of %d; skipped", maxDepth, s.lim.MaxDepth), nil
	case len(e.data) > 0 && e.data[0] != '{':
		e.kind, e.problem = lineage.KindBadRecord, fmt.Sprintf("array element is %s, not an object of a model; skipped", snippet(e.data))
	}
	return e, nil
}

func isDelim(c byte) bool {
	switch c {
	case ',', ']', '}', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}
