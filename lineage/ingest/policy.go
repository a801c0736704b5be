package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/lineage-project/lineage/lineage"
)

// The file-level policy, in one place: a file that cannot be read at all is
// a skipped_input problem, and the run goes on with the rest; a file that
// could be read up to a point keeps every record before the fault, and the
// fault is an input_fault problem at its line. Only cancellation, and a
// read in which nothing at all could be read, are errors.

// faultError is a fault at a place in a file: the line (and column, when
// known) where reading stopped.
type faultError struct {
	line, col int
	err       error
}

func (e *faultError) Error() string {
	if e.col > 0 {
		return fmt.Sprintf("line %d, column %d: %v", e.line, e.col, e.err)
	}
	if e.line > 0 {
		return fmt.Sprintf("line %d: %v", e.line, e.err)
	}
	return e.err.Error()
}

func (e *faultError) Unwrap() error { return e.err }

// errEmpty is a file with nothing in it.
var errEmpty = errors.New("the file is empty")

// skip reports an input that cannot be read at all.
func (r *reader) skip(name, reason string) {
	r.sum.Skipped++
	r.skipped = append(r.skipped, name+": "+reason)
	r.sink.Emit(nil, []lineage.Diagnostic{{Kind: lineage.KindSkippedInput, Source: name, Detail: reason + "; skipped"}})
}

// readSource reads one listing, edge list or parquet file under the policy.
// explicit says the user named it (rather than a walk finding it).
func (r *reader) readSource(src Source, explicit bool) {
	name := src.Name()
	before := r.delivered
	err := r.readData(src)
	switch {
	case err == nil:
		r.sum.Files++
	case r.ctx.Err() != nil:
	case r.delivered > before:
		// Read in part: what came before the fault is kept.
		r.sum.Files++
		d := lineage.Diagnostic{Kind: lineage.KindInputFault, Source: name,
			Detail: "reading stopped here: " + faultText(err) + "; the records before this point were kept, the rest of the file was not read"}
		var fe *faultError
		if errors.As(err, &fe) {
			d.Line = fe.line
		}
		r.sink.Emit(nil, []lineage.Diagnostic{d})
	default:
		r.skip(name, faultText(err))
	}
}

// faultText is err without the location a diagnostic carries anyway.
func faultText(err error) string {
	var fe *faultError
	if errors.As(err, &fe) {
		if fe.col > 0 {
			return fmt.Sprintf("%v (column %d)", fe.err, fe.col)
		}
		return fe.err.Error()
	}
	return err.Error()
}

// readData opens src, undoes gzip, tells its format from its name and
// content, and reads it.
func (r *reader) readData(src Source) error {
	rc, err := src.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	name := src.Name()
	f := formatOf(name)
	if f == formatCard {
		return fmt.Errorf("a model card is read as part of a directory or by its path")
	}
	file, isFile := rc.(*os.File)
	regular := true
	if st, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil {
			regular = fi.Mode().IsRegular()
			if fi.IsDir() {
				return fmt.Errorf("is a directory")
			}
		}
	} else {
		regular = false
	}
	if f == formatParquet {
		return r.readParquet(rc, name)
	}
	// A Builder's plain JSON Lines file is read in place (see readMapped).
	if isFile && regular && r.opt.Reuse && r.digests == nil && f != formatCSV && f != formatTSV {
		if handled, err := r.readMapped(file, name); handled {
			return err
		}
	}
	var in io.Reader = rc
	if r.opt.Progress != nil {
		in = countingReader{in, r.opt.Progress}
	}
	if r.digests != nil {
		h := newHash()
		in = io.TeeReader(in, h)
		defer func() {
			// Hash what was not consumed too, so the digest is of the file;
			// only a regular file has an end to read to.
			if regular {
				io.Copy(h, rc)
			}
			r.digests.add(name, h.Sum(nil))
		}()
	}
	br := bufio.NewReaderSize(in, 1<<16)
	var body io.Reader = br
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		body = gzipErrors{zr}
	}
	pr := bufio.NewReaderSize(body, 1<<16)
	// What comes before the first record: a byte-order mark and blank
	// lines (counted, for line numbers; never kept).
	line, err := skipBlank(pr)
	if err != nil {
		return err
	}
	head, _ := pr.Peek(1)
	if len(head) == 0 {
		if line > 1 {
			return fmt.Errorf("the file holds only blank lines")
		}
		return errEmpty
	}
	// A copy: the peeked bytes move when the checks below peek further.
	first := head[0]
	var src2 io.Reader = pr
	if crOnly(pr) {
		src2 = crReader{pr} // old Mac line ends: every CR is a line end
	}
	switch {
	case f == formatCSV:
		return r.readEdgeList(src2, name, ',', line)
	case f == formatTSV:
		return r.readEdgeList(src2, name, '\t', line)
	case f == formatLines:
		return r.readJSONLines(src2, name, line)
	case first == '[':
		return r.readJSONStream(src2, name, line)
	case first == '{' && firstLineIsJSON(pr):
		return r.readJSONLines(src2, name, line)
	case first == '{':
		return r.readJSONStream(src2, name, line) // pretty-printed objects
	case f == formatUnknown && looksLikeTable(pr, '\t'):
		return r.readEdgeList(src2, name, '\t', line)
	case f == formatUnknown && looksLikeTable(pr, ','):
		return r.readEdgeList(src2, name, ',', line)
	}
	head, _ = pr.Peek(16)
	return fmt.Errorf("%w: starts with %q; want JSON Lines (.jsonl), a JSON array (.json), CSV/TSV edges with a header, a hub-stats .parquet, or a directory of model cards", lineage.ErrFormat, head)
}

// gzipErrors says what a gzip reader's errors mean for the file.
type gzipErrors struct{ r io.Reader }

func (g gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	switch {
	case err == nil, err == io.EOF:
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = fmt.Errorf("the gzip stream is cut off (the file is truncated): %w", err)
	case errors.Is(err, gzip.ErrChecksum):
		err = fmt.Errorf("the gzip stream is damaged (its checksum does not match): %w", err)
	default:
		err = fmt.Errorf("gzip: %w", err)
	}
	return n, err
}

// skipBlank consumes a UTF-8 byte-order mark and white space before the
// first record, and returns the number of the line the record starts on. It
// holds nothing but the reader's buffer, however many blank lines there are.
func skipBlank(pr *bufio.Reader) (line int, err error) {
	line = 1
	if bom, _ := pr.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		pr.Discard(3)
	}
	crs := 0 // CRs not followed by LF count as line ends (see crOnly)
	for {
		b, err := pr.Peek(1)
		if err != nil {
			if err == io.EOF {
				return line + crs, nil
			}
			return line, err
		}
		switch b[0] {
		case '\n':
			line++
			crs = 0
		case '\r':
			crs++
		case ' ', '\t':
		default:
			return line + crs, nil
		}
		pr.Discard(1)
	}
}

// crOnly reports whether the text ahead ends its lines with CR alone (old
// Mac line ends): a CR in the first 64 KiB and no LF there.
func crOnly(pr *bufio.Reader) bool {
	head, _ := pr.Peek(1 << 16)
	return bytes.IndexByte(head, '\r') >= 0 && bytes.IndexByte(head, '\n') < 0
}

// crReader turns every CR into LF.
type crReader struct{ r io.Reader }

func (c crReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// firstLineIsJSON reports whether the first line ahead is a whole JSON
// value (JSON Lines), not the start of a pretty-printed object.
func firstLineIsJSON(pr *bufio.Reader) bool {
	head, _ := pr.Peek(1 << 16)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	} else if len(head) == 1<<16 {
		return true // a long first line: JSON Lines, as before
	}
	return json.Valid(bytes.TrimSpace(head))
}

// looksLikeTable reports whether the first line ahead has sep in it (a
// CSV or TSV header), for an input whose name says nothing.
func looksLikeTable(pr *bufio.Reader, sep byte) bool {
	head, _ := pr.Peek(4096)
	if i := bytes.IndexAny(head, "\r\n"); i >= 0 {
		head = head[:i]
	}
	return bytes.IndexByte(head, sep) >= 0
}

type countingReader struct {
	r  io.Reader
	fn func(int64)
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.fn(int64(n))
	}
	return n, err
}

// InputSize returns the total size in bytes of the regular files Read
// would read from inputs (for a progress display). It follows the links
// the walk follows and opens nothing.
func InputSize(inputs []string) int64 {
	raw, _ := inputSizes(inputs)
	return raw
}

// ExpandedSize estimates the size of inputs as plain JSON Lines: a
// compressed file counts for what it holds (a .gz five times its size, a
// parquet snapshot 5.6 times, the ratios of Hub listings), so that memory
// and tables can be sized by what will be parsed, not by bytes on disk.
func ExpandedSize(inputs []string) int64 {
	_, expanded := inputSizes(inputs)
	return expanded
}

// Expansion ratios of compressed inputs (bytes of JSON Lines per byte on
// disk), measured on Hub-shaped listings.
const (
	gzipExpansion    = 5.0
	parquetExpansion = 5.6
)

func inputSizes(inputs []string) (raw, expanded int64) {
	var total, weighted int64
	seen := map[any]bool{}
	var visit func(p string, top bool)
	visit = func(p string, top bool) {
		st, err := os.Stat(p)
		if err != nil {
			return
		}
		if st.IsDir() {
			k := dirKey(p, st)
			if seen[k] {
				return
			}
			seen[k] = true
			entries, _ := os.ReadDir(p)
			for _, e := range entries {
				if e.IsDir() && len(e.Name()) > 0 && e.Name()[0] == '.' {
					continue
				}
				visit(p+string(os.PathSeparator)+e.Name(), false)
			}
			return
		}
		if st.Mode().IsRegular() && (top || isInputName(st.Name())) {
			total += st.Size()
			w := float64(st.Size())
			switch low := strings.ToLower(st.Name()); {
			case strings.HasSuffix(low, ".parquet"):
				w *= parquetExpansion
			case strings.HasSuffix(low, ".gz"):
				w *= gzipExpansion
			}
			weighted += int64(w)
		}
	}
	for _, p := range inputs {
		if p != "-" {
			visit(p, true)
		}
	}
	return total, weighted
}
