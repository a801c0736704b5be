package lineage

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/lineage-project/lineage/lineage/hubapi"
)

// The readers live in lineage/ingest, which imports this package, so this
// package's tests read their inputs with a plain reader of their own: the
// standard library's JSON and CSV decoders, feeding the same rules
// (AssembleListing, ResolveParents) and the same Builder. It reads JSON
// Lines listings and CSV edge lists, optionally gzipped: the shapes the
// tests and the embedded sample use. (lineage/ingest's tests hold its fast
// readers to these rules on every input kind.)

// testSource is an input of a test: a name and its bytes.
type testSource interface {
	Name() string
	Open() (io.ReadCloser, error)
}

// memSrc is an in-memory input.
type memSrc struct {
	name string
	data []byte
}

func (m memSrc) Name() string                 { return m.name }
func (m memSrc) Open() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(m.data)), nil }

// fileSrc is a file on disk.
type fileSrc string

func (f fileSrc) Name() string                 { return string(f) }
func (f fileSrc) Open() (io.ReadCloser, error) { return os.Open(string(f)) }

// plainRecord is a listing object as the Hub API spells it.
type plainRecord struct {
	ID               string          `json:"id"`
	ModelID          string          `json:"modelId"`
	Author           string          `json:"author"`
	CreatedAt        string          `json:"createdAt"`
	LastModified     string          `json:"lastModified"`
	Downloads        *float64        `json:"downloads"`
	DownloadsAllTime *float64        `json:"downloadsAllTime"`
	Likes            *float64        `json:"likes"`
	Library          string          `json:"library_name"`
	Pipeline         string          `json:"pipeline_tag"`
	Tags             []string        `json:"tags"`
	CardData         json.RawMessage `json:"cardData"`
	BaseModels       json.RawMessage `json:"baseModels"`
}

// readPlain reads src into b.
func readPlain(t testing.TB, src testSource, b *Builder) {
	t.Helper()
	rc, err := src.Open()
	if err != nil {
		t.Fatalf("open %s: %v", src.Name(), err)
	}
	defer rc.Close()
	br := bufio.NewReader(rc)
	var in io.Reader = br
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			t.Fatalf("gzip %s: %v", src.Name(), err)
		}
		in = zr
	}
	name := strings.TrimSuffix(src.Name(), ".gz")
	if strings.HasSuffix(name, ".csv") {
		readPlainEdges(t, src.Name(), in, b)
		return
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 16<<20)
	var recs []Record
	var diags []Diagnostic
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var p plainRecord
		if err := json.Unmarshal(text, &p); err != nil {
			t.Fatalf("%s:%d: %v", src.Name(), line, err)
		}
		l, card := p.listing(t)
		if rec, ok := AssembleListing(src.Name(), line, l, card, nil, func(d Diagnostic) { diags = append(diags, d) }); ok {
			recs = append(recs, rec)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", src.Name(), err)
	}
	b.Emit(recs, diags)
}

func (p *plainRecord) listing(t testing.TB) (*Listing, *CardMeta) {
	num := func(f *float64) int64 {
		if f == nil {
			return -1
		}
		return int64(*f)
	}
	date := func(s string, bad *string) int64 {
		if s == "" {
			return 0
		}
		for _, layout := range []string{time.RFC3339, "2006-01-02"} {
			if tm, err := time.Parse(layout, s); err == nil {
				return tm.Unix()
			}
		}
		*bad = s
		return 0
	}
	l := &Listing{ID: p.ID, Author: p.Author,
		Downloads: num(p.Downloads), DownloadsAllTime: num(p.DownloadsAllTime), Likes: num(p.Likes),
		Library: p.Library, Pipeline: p.Pipeline, Formats: FormatOf(p.Library)}
	if l.ID == "" {
		l.ID = p.ModelID
	}
	l.Created = date(p.CreatedAt, &l.BadCreated)
	l.Modified = date(p.LastModified, &l.BadModified)
	for _, tag := range p.Tags {
		l.Formats |= FormatOf(tag)
		switch low := strings.ToLower(tag); {
		case strings.HasPrefix(tag, "base_model:"), low == "peft", low == "lora", low == "qlora", low == "adapter":
			l.Tags = append(l.Tags, tag)
		}
	}
	var card *CardMeta
	if cd := bytes.TrimSpace(p.CardData); len(cd) > 0 && string(cd) != "null" {
		var m map[string]any
		if cd[0] == '"' {
			var s string
			json.Unmarshal(cd, &s)
			if err := yaml.Unmarshal([]byte(s), &m); err != nil {
				t.Fatalf("card_data YAML: %v", err)
			}
		} else if err := json.Unmarshal(cd, &m); err != nil {
			t.Fatalf("cardData: %v", err)
		}
		meta := CardMetaFromMap(m)
		card = &meta
	}
	if bm := bytes.TrimSpace(p.BaseModels); len(bm) > 0 && string(bm) != "null" {
		var v hubapi.BaseModels
		if err := json.Unmarshal(bm, &v); err != nil {
			if err := json.Unmarshal(bm, &v.Models); err != nil {
				t.Fatalf("baseModels: %v", err)
			}
		}
		l.BaseModels = &v
	}
	return l, card
}

// readPlainEdges reads a parent,child[,relation[,declared]] CSV edge list.
func readPlainEdges(t testing.TB, name string, in io.Reader, b *Builder) {
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("read %s: %v", name, err)
	}
	col := func(names ...string) int {
		for _, n := range names {
			for i, h := range rows[0] {
				if strings.EqualFold(strings.TrimSpace(h), n) {
					return i
				}
			}
		}
		return -1
	}
	pc, cc, rc, dc := col("parent", "source"), col("child", "target", "id"), col("relation", "type"), col("declared")
	if pc < 0 || cc < 0 {
		t.Fatalf("%s: header %v names no parent and child", name, rows[0])
	}
	var recs []Record
	var diags []Diagnostic
	for i, row := range rows[1:] {
		rec := Record{ID: row[cc], Kind: KindEdgeList, Source: name, Line: i + 2, Downloads: -1, DownloadsAllTime: -1, Likes: -1}
		meta := CardMeta{HasBaseModel: true, BaseModel: strings.Split(row[pc], ",")}
		if rc >= 0 && strings.TrimSpace(row[rc]) != "" {
			meta.HasRelation, meta.Relation = true, row[rc]
		}
		rec.ResolveParents(Statement{Card: &meta, CardOrigin: "edge list"}, func(d Diagnostic) { diags = append(diags, d) })
		if dc >= 0 && strings.EqualFold(strings.TrimSpace(row[dc]), "false") {
			for j := range rec.Parents {
				rec.Parents[j].Declared = false
			}
		}
		if rec.ParentFrom == FromCard {
			rec.ParentFrom = FromEdgeList
		}
		recs = append(recs, rec)
	}
	b.Emit(recs, diags)
}

// buildPlain builds a Store of srcs with the plain readers.
func buildPlain(t testing.TB, srcs ...testSource) *Store {
	t.Helper()
	b := NewBuilder(BuilderOptions{})
	for _, s := range srcs {
		b.AddSource(s.Name())
		readPlain(t, s, b)
	}
	return b.Finish()
}

// sampleDir holds the embedded sample's files.
var sampleDir = filepath.Join("ingest", "sample")

// sampleSources returns the embedded sample's files.
func sampleSources(t testing.TB) []testSource {
	t.Helper()
	entries, err := os.ReadDir(sampleDir)
	if err != nil {
		t.Fatalf("the embedded sample: %v", err)
	}
	var out []testSource
	for _, e := range entries {
		out = append(out, fileSrc(filepath.Join(sampleDir, e.Name())))
	}
	return out
}

var (
	sampleMu    sync.Mutex
	sampleBuilt *Store
)

// sampleStore is the embedded sample, built once with the plain readers.
func sampleStore(t testing.TB) *Store {
	t.Helper()
	sampleMu.Lock()
	defer sampleMu.Unlock()
	if sampleBuilt == nil {
		sampleBuilt = buildPlain(t, sampleSources(t)...)
	}
	return sampleBuilt
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
