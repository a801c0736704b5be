package lineage

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/lineage-project/lineage/lineage/modelid"
)

// Source is a named input that can be opened for reading: a file on disk,
// an embedded file, or anything else with a path-like name.
type Source interface {
	// Name identifies the source in messages and decides the format by its
	// extension (.jsonl, .json, .csv, .tsv, optionally .gz; README.md for a
	// card).
	Name() string
	// Open returns the raw (possibly gzip-compressed) content.
	Open() (io.ReadCloser, error)
}

type fileSource struct{ path string }

func (f fileSource) Name() string                 { return f.path }
func (f fileSource) Open() (io.ReadCloser, error) { return os.Open(f.path) }

type fsSource struct {
	fsys fs.FS
	path string
}

func (f fsSource) Name() string                 { return f.path }
func (f fsSource) Open() (io.ReadCloser, error) { return f.fsys.Open(f.path) }

// FileSource returns a Source for a file on disk.
func FileSource(path string) Source { return fileSource{path} }

// FSSource returns a Source for a file in fsys (for example an embed.FS).
func FSSource(fsys fs.FS, path string) Source { return fsSource{fsys, path} }

// ReadPaths reads every path in order: a directory is walked in lexical
// order (README.md files are model cards whose id is their folder relative
// to the directory, listings and edge lists are read by extension, other
// files are ignored); a file is read by its format. Records and diagnostics
// reach emit in input order from one goroutine.
func ReadPaths(ctx context.Context, paths []string, emit Emit) error {
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("read input: %w", err)
		}
		if st.IsDir() {
			if err := readDir(ctx, p, emit); err != nil {
				return err
			}
			continue
		}
		if isCardName(p) {
			data, err := os.ReadFile(p)
			if err != nil {
				return fmt.Errorf("read card: %w", err)
			}
			if ds := digestsOf(ctx); ds != nil {
				sum := sha256.Sum256(data)
				ds.add(p, sum[:])
			}
			id := cardIDFromPath(filepath.Dir(p))
			var diags []Diagnostic
			rec, ok := ParseCard(id, p, data, func(d Diagnostic) { diags = append(diags, d) })
			if ok && rec.ID != "" {
				emit([]Record{rec}, diags)
			} else {
				emit(nil, diags)
			}
			continue
		}
		if err := ReadSource(ctx, FileSource(p), emit); err != nil {
			return err
		}
	}
	return nil
}

func isCardName(p string) bool { return strings.EqualFold(filepath.Base(p), "README.md") }

// cardIDFromPath turns a card folder into a model id: the last two path
// segments (ORG/NAME) or one for a legacy id. Hub ids have at most two.
func cardIDFromPath(dir string) string {
	dir = filepath.ToSlash(filepath.Clean(dir))
	parts := strings.Split(strings.Trim(dir, "/"), "/")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return strings.Join(parts, "/")
}

// ReadSource reads one listing or edge-list source, detecting gzip from the
// content and the format from the name and the first bytes.
func ReadSource(ctx context.Context, src Source, emit Emit) error {
	rc, err := src.Open()
	if err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	defer rc.Close()
	name := src.Name()
	if isParquetName(name) {
		return readParquet(ctx, rc, name, emit)
	}
	base := strings.ToLower(strings.TrimSuffix(strings.ToLower(name), ".gz"))
	isEdges := strings.HasSuffix(base, ".csv") || strings.HasSuffix(base, ".tsv")
	// A Builder's JSON Lines file is read in place (see readMappedJSONLines).
	if f, ok := rc.(*os.File); ok && !isEdges && recycling(ctx) && digestsOf(ctx) == nil {
		if handled, err := readMappedJSONLines(ctx, f, name, emit); handled {
			return err
		}
	}
	var in io.Reader = rc
	if fn := progressOf(ctx); fn != nil {
		in = countingReader{rc, fn}
	}
	if ds := digestsOf(ctx); ds != nil {
		h := sha256.New()
		in = io.TeeReader(in, h)
		defer func() {
			// Hash what was not consumed too, so the digest is of the file.
			io.Copy(h, rc)
			ds.add(name, h.Sum(nil))
		}()
	}
	br := bufio.NewReaderSize(in, 1<<16)
	var r io.Reader = br
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("read %s: gzip: %w", name, err)
		}
		defer zr.Close()
		r = zr
	}
	switch {
	case strings.HasSuffix(base, ".csv"):
		return readEdgeList(ctx, r, name, ',', emit)
	case strings.HasSuffix(base, ".tsv"):
		return readEdgeList(ctx, r, name, '\t', emit)
	}
	// JSON: array or JSON Lines, told apart by the first non-space byte.
	pr := bufio.NewReaderSize(r, 1<<16)
	skipped := 0 // newlines consumed before the first record
	for {
		b, err := pr.Peek(1)
		if err != nil {
			if err == io.EOF {
				return nil // empty input
			}
			return fmt.Errorf("read %s: %w", name, err)
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			if c, _ := pr.ReadByte(); c == '\n' {
				skipped++
			}
			continue
		case '\xef': // a UTF-8 byte-order mark, and only that, is skipped
			if bom, _ := pr.Peek(3); string(bom) == "\xef\xbb\xbf" {
				pr.Discard(3)
				continue
			}
		case '[':
			return readJSONArray(ctx, pr, name, emit)
		case '{':
			// Hand the skipped blank lines back so line numbers stay right.
			return readJSONLines(ctx, io.MultiReader(strings.NewReader(strings.Repeat("\n", skipped)), pr), name, emit)
		}
		head, _ := pr.Peek(16)
		return fmt.Errorf("read %s: %w: starts with %q; want JSON Lines (.jsonl), a JSON array (.json), CSV/TSV edges, or a directory of model cards", name, ErrFormat, head)
	}
}

// readDir walks a directory: cards are parsed in parallel and delivered in
// path order, then listings and edge lists in path order.
func readDir(ctx context.Context, root string, emit Emit) error {
	var cards, others []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read directory %s: %w", root, err)
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case isCardName(p):
			if filepath.Dir(rel) != "." {
				cards = append(cards, p)
			}
		case isDataName(p):
			others = append(others, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := readCards(ctx, root, cards, emit); err != nil {
		return err
	}
	for _, p := range others {
		err := ReadSource(ctx, FileSource(p), emit)
		if err != nil && isFormatErr(err) {
			// Inside a directory, a file we cannot read as lineage data is
			// reported and skipped rather than failing the whole input.
			emit(nil, []Diagnostic{{Kind: KindSkippedInput, Source: p, Detail: err.Error()}})
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func isFormatErr(err error) bool {
	return err != nil && strings.Contains(err.Error(), ErrFormat.Error())
}

func isDataName(p string) bool {
	b := strings.TrimSuffix(strings.ToLower(p), ".gz")
	for _, ext := range []string{".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet"} {
		if strings.HasSuffix(b, ext) {
			return true
		}
	}
	return false
}

// readCards parses cards in parallel and emits them in the given order.
func readCards(ctx context.Context, root string, paths []string, emit Emit) error {
	if len(paths) == 0 {
		return nil
	}
	sort.Strings(paths)
	const per = 256
	jobs := make(chan int)
	results := make(chan batch, 8)
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := range jobs {
				b := batch{seq: start / per}
				diag := func(d Diagnostic) { b.diags = append(b.diags, d) }
				for _, p := range paths[start:min(start+per, len(paths))] {
					data, err := os.ReadFile(p)
					if err != nil {
						errOnce.Do(func() { firstErr = fmt.Errorf("read card: %w", err) })
						continue
					}
					if ds := digestsOf(ctx); ds != nil {
						sum := sha256.Sum256(data)
						ds.add(p, sum[:])
					}
					rel, _ := filepath.Rel(root, filepath.Dir(p))
					id := cardIDFromPath(rel)
					if _, _, problem := modelid.Normalize(id); problem != "" {
						diag(Diagnostic{Kind: problem, Source: p, Value: id, Detail: "card folder is not a Hub id (want ORG/NAME/README.md); skipped"})
						continue
					}
					if bytes.Contains(data[:min(len(data), 512)], []byte{0}) {
						diag(Diagnostic{Kind: KindBadRecord, Source: p, ID: id, Detail: "card is binary, not text; skipped"})
						continue
					}
					if rec, ok := ParseCard(id, p, data, diag); ok {
						b.recs = append(b.recs, rec)
					}
				}
				results <- b
			}
		}()
	}
	go func() {
		for s := 0; s < len(paths); s += per {
			if ctx.Err() != nil {
				break
			}
			jobs <- s
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	progress := progressOf(ctx)
	deliverInOrder(results, func(recs []Record, diags []Diagnostic) {
		if progress != nil {
			var n int64
			for _, r := range recs {
				if st, err := os.Stat(r.Source); err == nil {
					n += st.Size()
				}
			}
			progress(n)
		}
		emit(recs, diags)
	}, nil, nil)
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}
