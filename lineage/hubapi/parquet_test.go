package hubapi_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/lineage-project/lineage/lineage/hubapi"
)

// TestParquetSchema holds ParquetModel to the schema its comment states:
// the Hub's column names, every column and list item optional, three-level
// lists, millisecond UTC timestamps, INT64 counts, strings.
func TestParquetSchema(t *testing.T) {
	schema := parquet.SchemaOf(hubapi.ParquetModel{})
	type leaf struct {
		path string
		kind string // parquet physical type and logical annotation
		rep  int    // maximum repetition level
		def  int    // maximum definition level
	}
	want := []leaf{
		{"id", "BYTE_ARRAY STRING", 0, 1},
		{"author", "BYTE_ARRAY STRING", 0, 1},
		{"createdAt", "INT64 TIMESTAMP(isAdjustedToUTC=true,unit=MILLIS)", 0, 1},
		{"lastModified", "INT64 TIMESTAMP(isAdjustedToUTC=true,unit=MILLIS)", 0, 1},
		{"downloads", "INT64 INT(64,true)", 0, 1},
		{"downloadsAllTime", "INT64 INT(64,true)", 0, 1},
		{"likes", "INT64 INT(64,true)", 0, 1},
		{"trendingScore", "INT64 INT(64,true)", 0, 1},
		{"library_name", "BYTE_ARRAY STRING", 0, 1},
		{"pipeline_tag", "BYTE_ARRAY STRING", 0, 1},
		{"gated", "BYTE_ARRAY STRING", 0, 1},
		{"tags.list.element", "BYTE_ARRAY STRING", 1, 3},
		{"cardData", "BYTE_ARRAY STRING", 0, 1},
		{"baseModels.relation", "BYTE_ARRAY STRING", 0, 2},
		{"baseModels.models.list.element.id", "BYTE_ARRAY STRING", 1, 5},
		{"safetensors.total", "INT64 INT(64,true)", 0, 2},
	}
	var got []leaf
	for _, path := range schema.Columns() {
		col, ok := schema.Lookup(path...)
		if !ok {
			t.Fatalf("column %v not found", path)
		}
		typ := col.Node.Type()
		kind := typ.Kind().String()
		if lt := typ.LogicalType(); lt != nil {
			kind += " " + lt.String()
		}
		got = append(got, leaf{strings.Join(path, "."), kind, col.MaxRepetitionLevel, col.MaxDefinitionLevel})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("schema leaves:\n got %v\nwant %v\n%s", got, want, schema)
	}
	// The top-level names are the Hub's, as package hubapi spells them.
	for _, f := range schema.Fields() {
		field, ok := hubapi.Lookup(f.Name())
		if !ok || field.Name() != f.Name() {
			t.Errorf("column %q is not the canonical spelling of a hubapi field", f.Name())
		}
		if !f.Optional() {
			t.Errorf("column %q is not optional", f.Name())
		}
	}
}

// TestParquetRoundTrip writes rows with parquet-go and reads them back:
// what the struct's tags write is what they read, nulls included.
func TestParquetRoundTrip(t *testing.T) {
	str := func(s string) *string { return &s }
	num := func(n int64) *int64 { return &n }
	t0 := time.Date(2024, 7, 14, 22, 20, 15, 0, time.UTC)
	rows := []hubapi.ParquetModel{
		{ID: "meta-llama/Llama-3.1-8B", Author: "meta-llama", CreatedAt: t0, LastModified: t0.Add(time.Hour),
			Downloads: num(5_000_000), DownloadsAllTime: num(90_000_000), Likes: num(1500), TrendingScore: num(40),
			Library: "transformers", Pipeline: "text-generation", Gated: "manual",
			Tags: []*string{str("transformers"), str("safetensors")}, CardData: `{"license":"llama3.1"}`,
			Safetensors: &hubapi.ParquetSafetensors{Total: num(8_030_261_248)}},
		{ID: "someone/Llama-3.1-8B-GGUF", CreatedAt: t0.Add(48 * time.Hour), Downloads: num(0), Likes: num(0),
			Gated: hubapi.GatedFalse, Tags: []*string{str("gguf"), str("base_model:meta-llama/Llama-3.1-8B"),
				str("base_model:quantized:meta-llama/Llama-3.1-8B")},
			BaseModels: &hubapi.ParquetBaseModels{Relation: "quantized",
				Models: []*hubapi.ParquetModelRef{{ID: "meta-llama/Llama-3.1-8B"}}}},
		{ID: "x/no-facts"},
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[hubapi.ParquetModel](&buf)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := parquet.Read[hubapi.ParquetModel](bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("read %d rows, want %d", len(got), len(rows))
	}
	for i := range rows {
		a, b := rows[i], got[i]
		// time.Time and pointers compare by value.
		if !a.CreatedAt.Equal(b.CreatedAt) || !a.LastModified.Equal(b.LastModified) {
			t.Errorf("row %d: dates %v %v, read %v %v", i, a.CreatedAt, a.LastModified, b.CreatedAt, b.LastModified)
		}
		a.CreatedAt, a.LastModified, b.CreatedAt, b.LastModified = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("row %d:\nwrote %+v\n read %+v", i, a, b)
		}
	}
	if got[2].Tags != nil || got[2].BaseModels != nil || got[2].Downloads != nil {
		t.Errorf("nulls did not stay null: %+v", got[2])
	}
}
