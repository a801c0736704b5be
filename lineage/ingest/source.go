package ingest

import (
	"embed"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// Source is a named input that can be opened for reading: a file on disk,
// an embedded file, standard input, or anything else with a path-like name.
type Source interface {
	// Name identifies the source in messages and, by its extension
	// (.jsonl, .ndjson, .json, .csv, .tsv, .parquet, optionally .gz;
	// README.md for a card), decides its format; a name without one of
	// these is read by its content (JSON, or CSV/TSV with a header).
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

type readerSource struct {
	name string
	r    io.Reader
}

func (s readerSource) Name() string                 { return s.name }
func (s readerSource) Open() (io.ReadCloser, error) { return io.NopCloser(s.r), nil }

// FileSource returns a Source for a file on disk.
func FileSource(path string) Source { return fileSource{path} }

// FSSource returns a Source for a file in fsys (for example an embed.FS).
func FSSource(fsys fs.FS, path string) Source { return fsSource{fsys, path} }

// ReaderSource returns a Source that reads r once, named name: its format
// is told by the name's extension, else by the content. Read uses it for
// standard input (the input "-"), named "stdin".
func ReaderSource(name string, r io.Reader) Source { return readerSource{name, r} }

//go:embed sample
var sampleFS embed.FS

// Sample returns the embedded default data: real Hugging Face lineage
// facts (ids, edges, relations, dates, downloads; no card text) drawn from
// public crawls of the Hub, as a listing plus an edge list.
func Sample() []Source {
	entries, _ := fs.ReadDir(sampleFS, "sample")
	var out []Source
	for _, e := range entries {
		if p := path.Join("sample", e.Name()); !e.IsDir() && formatOf(p) != formatUnknown {
			out = append(out, FSSource(sampleFS, p))
		}
	}
	return out
}

// inputFormat is what a file holds, as its name says.
type inputFormat uint8

const (
	formatUnknown inputFormat = iota
	formatCard                // README.md
	formatLines               // .jsonl, .ndjson: JSON Lines, whatever the first byte
	formatJSON                // .json: a JSON array, JSON Lines, or concatenated objects
	formatCSV                 // .csv
	formatTSV                 // .tsv
	formatParquet             // .parquet
)

// formatOf tells a file's format from its name (a .gz suffix is ignored;
// gzip is detected from the content).
func formatOf(name string) inputFormat {
	base := strings.ToLower(path.Base(strings.ReplaceAll(name, "\\", "/")))
	if base == "readme.md" {
		return formatCard
	}
	base = strings.TrimSuffix(base, ".gz")
	switch path.Ext(base) {
	case ".jsonl", ".ndjson":
		return formatLines
	case ".json":
		return formatJSON
	case ".csv":
		return formatCSV
	case ".tsv":
		return formatTSV
	case ".parquet":
		return formatParquet
	}
	return formatUnknown
}
