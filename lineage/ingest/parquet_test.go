package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/modelid"
	"github.com/parquet-go/parquet-go"
)

// The hub-stats models.parquet schema, as far as lineage reads it, plus
// columns it must skip.
type pqTestBaseModel struct {
	OID string `parquet:"_id"`
	ID  string `parquet:"id"`
}

type pqTestBaseModels struct {
	Relation *string           `parquet:"relation,optional"`
	Models   []pqTestBaseModel `parquet:"models,list"`
}

type pqTestModel struct {
	OID              string            `parquet:"_id"`
	ID               string            `parquet:"id"`
	Author           *string           `parquet:"author,optional"`
	CreatedAt        *time.Time        `parquet:"createdAt,optional,timestamp(millisecond)"`
	LastModified     *time.Time        `parquet:"lastModified,optional,timestamp(microsecond)"`
	Downloads        *int64            `parquet:"downloads,optional"`
	DownloadsAllTime *int64            `parquet:"downloadsAllTime,optional"`
	Likes            *int64            `parquet:"likes,optional"`
	TrendingScore    float64           `parquet:"trendingScore"`
	Tags             []string          `parquet:"tags,list"`
	PipelineTag      *string           `parquet:"pipeline_tag,optional"`
	LibraryName      *string           `parquet:"library_name,optional"`
	BaseModels       *pqTestBaseModels `parquet:"baseModels,optional"`
	Siblings         []string          `parquet:"siblings,list"`
}

// hubModel is the same model as the Hub API's JSON shows it.
type hubModel struct {
	ID               string            `json:"id"`
	Author           *string           `json:"author,omitempty"`
	CreatedAt        string            `json:"createdAt,omitempty"`
	LastModified     string            `json:"lastModified,omitempty"`
	Downloads        *int64            `json:"downloads,omitempty"`
	DownloadsAllTime *int64            `json:"downloadsAllTime,omitempty"`
	Likes            *int64            `json:"likes,omitempty"`
	Tags             []string          `json:"tags"`
	PipelineTag      *string           `json:"pipeline_tag,omitempty"`
	LibraryName      *string           `json:"library_name,omitempty"`
	BaseModels       *pqTestBaseModels `json:"baseModels,omitempty"`
}

func ptr[T any](v T) *T { return &v }

func bm(rel string, ids ...string) *pqTestBaseModels {
	b := &pqTestBaseModels{}
	if rel != "" {
		b.Relation = &rel
	}
	for i, id := range ids {
		b.Models = append(b.Models, pqTestBaseModel{OID: strings.Repeat("0", 23) + string(rune('a'+i)), ID: id})
	}
	return b
}

// pqCases covers the lineage statements of a Hub snapshot: baseModels with
// a relation, without one, a merge, tags only, adapters, quantizations by
// name, self-references, bad ids, URL forms, unknown relations, nulls.
func pqCases() []pqTestModel {
	t0 := time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC)
	return []pqTestModel{
		{ID: "meta-llama/Llama-3.1-8B", Author: ptr("meta-llama"), CreatedAt: &t0, LastModified: ptr(t0.Add(time.Hour)), Downloads: ptr[int64](5000000), DownloadsAllTime: ptr[int64](90000000), Likes: ptr[int64](1200), Tags: []string{"transformers", "safetensors", "license:llama3.1"}, PipelineTag: ptr("text-generation"), LibraryName: ptr("transformers"), TrendingScore: 3.5, Siblings: []string{"config.json"}},
		{ID: "org/instruct", CreatedAt: ptr(t0.AddDate(0, 1, 0)), Downloads: ptr[int64](10), Tags: []string{"base_model:meta-llama/Llama-3.1-8B", "base_model:finetune:meta-llama/Llama-3.1-8B"}, BaseModels: bm("finetune", "meta-llama/Llama-3.1-8B")},
		{ID: "org/instruct-GGUF", Tags: []string{"gguf", "base_model:org/instruct", "base_model:quantized:org/instruct"}, BaseModels: bm("quantized", "org/instruct")},
		{ID: "org/instruct-Q4_K_M", Tags: []string{"base_model:org/instruct"}, BaseModels: bm("", "org/instruct")},
		{ID: "org/lora", LibraryName: ptr("peft"), Tags: []string{"peft", "lora", "base_model:adapter:org/instruct", "base_model:org/instruct"}, BaseModels: bm("adapter", "org/instruct")},
		{ID: "org/merge", Tags: []string{"mergekit", "base_model:org/instruct", "base_model:other/tune"}, BaseModels: bm("merge", "org/instruct", "other/tune")},
		{ID: "org/merge-inferred", Tags: []string{"base_model:org/instruct", "base_model:other/tune"}, BaseModels: bm("", "org/instruct", "other/tune")},
		{ID: "other/tune", Tags: []string{"base_model:meta-llama/llama-3.1-8b"}},
		{ID: "other/typed-tag", Tags: []string{"base_model:adapter:meta-llama/Llama-3.1-8B"}},
		{ID: "odd/self", Tags: []string{"base_model:odd/self"}, BaseModels: bm("finetune", "odd/self", "org/instruct")},
		{ID: "odd/badrel", BaseModels: bm("distill", "org/instruct")},
		{ID: "odd/local", BaseModels: bm("", "./checkpoints/last")},
		{ID: "odd/empty", BaseModels: &pqTestBaseModels{Models: []pqTestBaseModel{}}},
		{ID: "https://huggingface.co/odd/url-form", Downloads: ptr[int64](0)},
		{ID: "/home/me/model"},
		{ID: "odd/null-counts", Tags: nil},
	}
}

func toHubJSON(m pqTestModel) hubModel {
	h := hubModel{ID: m.ID, Author: m.Author, Downloads: m.Downloads, DownloadsAllTime: m.DownloadsAllTime, Likes: m.Likes,
		Tags: m.Tags, PipelineTag: m.PipelineTag, LibraryName: m.LibraryName, BaseModels: m.BaseModels}
	if m.CreatedAt != nil {
		h.CreatedAt = m.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if m.LastModified != nil {
		h.LastModified = m.LastModified.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return h
}

func writeParquet[T any](t *testing.T, path string, rows []T, opts ...parquet.WriterOption) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[T](f, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, src Source) collected {
	t.Helper()
	c := collect(t, src, Options{})
	if f := c.fault(); f != "" {
		t.Fatalf("ReadSource(%s): %s", src.Name(), f)
	}
	for i := range c.recs {
		c.recs[i].Source = ""
	}
	for i := range c.diags {
		c.diags[i].Source = ""
	}
	return c
}

// TestParquetMatchesJSON: each row of a models.parquet gives the Record
// (and the diagnostics) the JSON listing parser gives for the same model.
func TestParquetMatchesJSON(t *testing.T) {
	dir := t.TempDir()
	cases := pqCases()
	pq := filepath.Join(dir, "models.parquet")
	writeParquet(t, pq, cases, parquet.MaxRowsPerRowGroup(3))
	var jl bytes.Buffer
	for _, m := range cases {
		b, _ := json.Marshal(toHubJSON(m))
		jl.Write(b)
		jl.WriteByte('\n')
	}
	js := filepath.Join(dir, "models.jsonl")
	os.WriteFile(js, jl.Bytes(), 0o644)

	got := readAll(t, FileSource(pq))
	want := readAll(t, FileSource(js))
	if len(got.recs) != len(want.recs) || len(got.recs) != len(cases)-1 {
		t.Fatalf("parquet gave %d records, JSON %d; want %d", len(got.recs), len(want.recs), len(cases)-1)
	}
	for i := range want.recs {
		if !reflect.DeepEqual(got.recs[i], want.recs[i]) {
			t.Errorf("record %d (%s):\nparquet %+v\njson    %+v", i, want.recs[i].ID, got.recs[i], want.recs[i])
		}
	}
	if !reflect.DeepEqual(got.diags, want.diags) {
		t.Errorf("diagnostics differ:\nparquet %v\njson    %v", got.diags, want.diags)
	}
	// Spot checks that the comparison is not vacuous.
	byID := map[string]lineage.Record{}
	for _, r := range got.recs {
		byID[r.ID] = r
	}
	if r := byID["org/merge"]; len(r.Parents) != 2 || r.Parents[0].Relation != lineage.Merge || !r.Parents[0].Declared || r.ParentFrom != lineage.FromBaseModels {
		t.Errorf("org/merge = %+v, want two declared merge parents from baseModels", r)
	}
	if r := byID["org/instruct-Q4_K_M"]; len(r.Parents) != 1 || r.Parents[0].Relation != lineage.Quantized || r.Parents[0].Declared {
		t.Errorf("org/instruct-Q4_K_M = %+v, want an inferred quantized parent", r)
	}
	if r := byID["meta-llama/Llama-3.1-8B"]; r.Created != time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC).Unix() || r.Downloads != 5000000 || r.DownloadsAllTime != 90000000 || r.Likes != 1200 || r.Library != "transformers" {
		t.Errorf("Llama-3.1-8B facts = %+v", r)
	}
	if r := byID["odd/null-counts"]; r.Downloads != -1 || r.Likes != -1 || r.Created != 0 {
		t.Errorf("null counts = %d %d %d, want -1 -1 0", r.Downloads, r.Likes, r.Created)
	}
	if r := byID["other/typed-tag"]; len(r.Parents) != 1 || r.Parents[0].Relation != lineage.Adapter || r.ParentFrom != lineage.FromTags {
		t.Errorf("other/typed-tag = %+v, want an adapter parent from tags", r)
	}
	kinds := map[string]int{}
	for _, d := range got.diags {
		kinds[d.Kind]++
	}
	for _, k := range []string{lineage.KindSelfRef, lineage.KindUnknownRel, lineage.KindLocalPath, lineage.KindURLForm} {
		if kinds[k] == 0 {
			t.Errorf("no %s diagnostic; got %v", k, kinds)
		}
	}
	if got.recs[len(got.recs)-1].Line != len(cases) {
		t.Errorf("last record line = %d, want row %d", got.recs[len(got.recs)-1].Line, len(cases))
	}
}

// pqStringDates is a snapshot whose dates are strings and counts doubles.
type pqStringDates struct {
	ModelID    string            `parquet:"modelId"`
	CreatedAt  string            `parquet:"createdAt"`
	Downloads  float64           `parquet:"downloads"`
	CardData   *string           `parquet:"cardData,optional"`
	BaseModels *pqTestBaseModels `parquet:"baseModels,optional"`
}

func TestParquetStringDatesAndCardData(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "snap.parquet")
	writeParquet(t, p, []pqStringDates{
		{ModelID: "a/base", CreatedAt: "2023-05-06T07:08:09.000Z", Downloads: 12},
		{ModelID: "a/child", CreatedAt: "yesterday", Downloads: -3, CardData: ptr(`{"base_model":["a/base"],"base_model_relation":"adapter","license":"mit"}`), BaseModels: bm("finetune", "z/other")},
		{ModelID: "a/yaml", CreatedAt: "2023-05-06", CardData: ptr("base_model: a/base\nlicense: apache-2.0\n")},
	})
	c := readAll(t, FileSource(p))
	if len(c.recs) != 3 {
		t.Fatalf("%d records, want 3", len(c.recs))
	}
	base, child, yml := c.recs[0], c.recs[1], c.recs[2]
	if base.Created != time.Date(2023, 5, 6, 7, 8, 9, 0, time.UTC).Unix() || base.Downloads != 12 {
		t.Errorf("a/base = %+v", base)
	}
	if child.Downloads != -1 || child.License != "mit" || len(child.Parents) != 1 || child.Parents[0].ID != "a/base" || child.Parents[0].Relation != lineage.Adapter || child.ParentFrom != lineage.FromCard {
		t.Errorf("a/child = %+v, want the cardData parent a/base as a declared adapter (card beats baseModels)", child)
	}
	if len(c.diags) != 1 || !strings.Contains(c.diags[0].Detail, "createdAt is not a date") {
		t.Errorf("diagnostics = %v, want one bad createdAt", c.diags)
	}
	if yml.License != "apache-2.0" || len(yml.Parents) != 1 || yml.ParentFrom != lineage.FromCard {
		t.Errorf("a/yaml = %+v, want the YAML cardData parent", yml)
	}
}

func TestParquetBuildAndSources(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "hub", "models.parquet")
	os.MkdirAll(filepath.Dir(p), 0o755)
	writeParquet(t, p, pqCases(), parquet.MaxRowsPerRowGroup(4))
	data, _ := os.ReadFile(p)

	// A directory input picks the parquet file up; progress sums to its size.
	var seen int64
	s, err := Build(context.Background(), []string{dir}, Options{Progress: func(n int64) { seen += n }})
	if err != nil {
		t.Fatal(err)
	}
	if seen != int64(len(data)) {
		t.Errorf("progress reported %d bytes, want the file's %d", seen, len(data))
	}
	if InputSize([]string{dir}) != int64(len(data)) {
		t.Errorf("InputSize does not count the parquet file")
	}
	v, err := s.Lookup("meta-llama/Llama-3.1-8B")
	if err != nil {
		t.Fatal(err)
	}
	if d := s.Descendants(v, 0, 0xff, 0); d.Count != 10 {
		t.Errorf("descendants of Llama-3.1-8B = %d %v, want 10", d.Count, d.Descendants)
	}
	if !strings.HasPrefix(s.Digest(), "sha256:") {
		t.Errorf("digest = %q", s.Digest())
	}
	// An fs.FS file and a plain stream read the same.
	a := readAll(t, FSSource(fstest.MapFS{"m.parquet": {Data: data}}, "m.parquet"))
	b := readAll(t, streamSource{"m.parquet", data})
	if len(a.recs) != len(pqCases())-1 || !reflect.DeepEqual(a, b) {
		t.Errorf("fs.FS read %d records, stream read %d; want %d each, equal", len(a.recs), len(b.recs), len(pqCases())-1)
	}
}

type streamSource struct {
	name string
	data []byte
}

func (s streamSource) Name() string { return s.name }
func (s streamSource) Open() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(s.data)), nil
}

func TestParquetErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.parquet")
	os.WriteFile(bad, []byte("not parquet at all"), 0o644)
	if f := collect(t, FileSource(bad), Options{}).fault(); !strings.Contains(f, lineage.ErrFormat.Error()) {
		t.Errorf("ReadSource(garbage.parquet) reports %q, want a format error", f)
	}
	type noID struct {
		Name string `parquet:"name"`
	}
	p := filepath.Join(dir, "noid.parquet")
	writeParquet(t, p, []noID{{"x"}})
	if f := collect(t, FileSource(p), Options{}).fault(); !strings.Contains(f, "no id or modelId column") {
		t.Errorf("ReadSource(no id column) reports %q", f)
	}
	// In a directory, an unreadable parquet file is reported and skipped;
	// with nothing else to read, the read fails.
	var c collected
	if _, err := Read(context.Background(), []string{dir}, Options{}, &c); !errors.Is(err, ErrNothingRead) {
		t.Errorf("Read(dir of bad parquet files) = %v, want ErrNothingRead", err)
	}
	if len(c.diags) != 2 || c.diags[0].Kind != lineage.KindSkippedInput {
		t.Errorf("directory with bad parquet files: %v, want 2 skipped_input", c.diags)
	}
}

// FuzzParquet: no input makes the parquet reader panic or hang; whatever
// it accepts yields records with valid ids.
func FuzzParquet(f *testing.F) {
	dir := f.TempDir()
	p := filepath.Join(dir, "seed.parquet")
	t := &testing.T{}
	writeParquet(t, p, pqCases()[:6], parquet.MaxRowsPerRowGroup(2))
	seed, _ := os.ReadFile(p)
	f.Add(seed)
	f.Add([]byte("PAR1PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := collect(t, streamSource{"f.parquet", data}, Options{})
		for _, r := range c.recs {
			if id, _, problem := modelid.Normalize(r.ID); problem != "" || id != r.ID {
				t.Errorf("record id %q is not a normalised hub id", r.ID)
			}
		}
	})
}

// TestParquetCorruptNoPanic damages a valid file at every ninth byte:
// every result is records or an error, never a panic (parquet-go trusts
// the lengths a file states; readParquet checks the footer and the chunk
// sizes first, and turns the decoder's panics into errors).
func TestParquetCorruptNoPanic(t *testing.T) {
	if testing.Short() {
		t.Skip("corruption sweep skipped in -short mode")
	}
	p := filepath.Join(t.TempDir(), "m.parquet")
	writeParquet(t, p, pqCases()[:6], parquet.MaxRowsPerRowGroup(2))
	data, _ := os.ReadFile(p)
	failed, recovered := 0, 0
	type damage struct {
		at   int
		flip byte
	}
	var cases []damage
	for i := 0; i < len(data); i += 9 {
		cases = append(cases, damage{i, 0xff})
	}
	// Footer bytes that made parquet-go v0.32.0 panic (slice bounds out of
	// range) before openParquet recovered; found by sweeping every byte.
	cases = append(cases, damage{6842, 0x01}, damage{7076, 0x01}, damage{7180, 0x01})
	for _, c := range cases {
		d := bytes.Clone(data)
		if c.at >= len(d) {
			continue
		}
		d[c.at] ^= c.flip
		f := collect(t, streamSource{"m.parquet", d}, Options{}).fault()
		if f != "" {
			failed++
		}
		if strings.Contains(f, "corrupt parquet data") {
			recovered++
		}
	}
	t.Logf("%d damaged files: %d read with an error (%d stopped by the size checks or a recovered decoder panic)", len(cases), failed, recovered)
}
