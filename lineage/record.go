package lineage

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors callers branch on.
var (
	// ErrUsage marks an error in how the caller asked (bad flag value).
	ErrUsage = errors.New("usage")
	// ErrNotFound marks an unknown model id.
	ErrNotFound = errors.New("model not found")
	// ErrFormat marks an input whose format cannot be recognised.
	ErrFormat = errors.New("unrecognised input format")
	// ErrIndexVersion marks an index file written by another format version.
	ErrIndexVersion = errors.New("index format version mismatch")
	// ErrIndexCorrupt marks a truncated or corrupted index file.
	ErrIndexCorrupt = errors.New("index file corrupt")
	// ErrInputChanged marks an input file that changed while it was read.
	ErrInputChanged = errors.New("input file changed while it was read")
)

// SourceKind says what kind of input a record came from.
type SourceKind uint8

// Input kinds.
const (
	KindCard SourceKind = iota + 1
	KindListing
	KindEdgeList
)

func (k SourceKind) String() string {
	switch k {
	case KindCard:
		return "card"
	case KindListing:
		return "listing"
	case KindEdgeList:
		return "edges"
	}
	return "unknown"
}

// ParentSource says where a record's parents were read from, in increasing
// precedence order (a higher value wins when one model states its parents in
// several places).
type ParentSource uint8

// Parent sources, lowest precedence first.
const (
	FromNone       ParentSource = iota
	FromEdgeList                // a row of a CSV/TSV edge list
	FromTags                    // base_model:ID and base_model:REL:ID tags
	FromBaseModels              // the API's baseModels field
	FromCard                    // card front matter or cardData base_model (or finetuned_from)
)

func (p ParentSource) String() string {
	return [...]string{"none", "edge list", "tags", "baseModels", "card"}[p]
}

// Parent is one declared parent of a record.
type Parent struct {
	ID       string   // normalised id, as spelled in the declaration
	Relation Relation // relation of the child to this parent
	Declared bool     // false when the relation was inferred

	hash uint64 // foldHash(ID), computed by the parser's worker (0: not yet)
}

// Record is one model as stated by one input record.
type Record struct {
	ID     string // normalised model id as spelled by the record
	Kind   SourceKind
	Source string // file the record came from
	Line   int    // line (cards, JSON Lines, CSV) or element number (JSON array)

	Author           string
	Created          int64 // unix seconds, 0 when unknown
	Modified         int64 // unix seconds, 0 when unknown
	Downloads        int64 // -1 when unknown
	DownloadsAllTime int64 // -1 when unknown
	Likes            int64 // -1 when unknown
	Library          string
	Pipeline         string
	License          string
	Tags             []string // the tags lineage reads (base_model:..., peft, lora ...), not every tag
	Languages        []string
	Formats          Formats  // weight-format and publishing markers of its tags and library
	Hints            []Hint   // evidence of a parent that is not a declaration (card body, repo files)
	Aliases          []string // earlier ids of the model (a renamed repository answers to them)

	Parents    []Parent
	ParentFrom ParentSource

	hash uint64 // foldHash(ID), computed by the parser's worker (0: not yet)
}

// Diagnostic is one problem found in the input: what, where, and the fix.
type Diagnostic struct {
	Kind   string `json:"kind"`
	Source string `json:"source,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"` // the byte within the line, where a format can tell (JSON)
	ID     string `json:"id,omitempty"`     // the model the problem belongs to
	Value  string `json:"value,omitempty"`  // the offending value
	Detail string `json:"detail,omitempty"`
	Fix    string `json:"fix,omitempty"` // the corrected front matter, when one can be given
}

func (d Diagnostic) String() string {
	loc := d.Source
	if d.Line > 0 {
		loc = fmt.Sprintf("%s:%d", d.Source, d.Line)
		if d.Column > 0 {
			loc += fmt.Sprintf(":%d", d.Column)
		}
	}
	s := d.Kind
	if loc != "" {
		s = loc + ": " + s
	}
	if d.ID != "" {
		s += " " + d.ID
	}
	if d.Value != "" {
		s += fmt.Sprintf(" %q", d.Value)
	}
	if d.Detail != "" {
		s += ": " + d.Detail
	}
	if d.Fix != "" {
		s += " (fix: " + strings.ReplaceAll(d.Fix, "\n", " ") + ")"
	}
	return s
}
