package ingest

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// Seed corpora are short synthetic inputs in the shapes found on the Hub
// (no card prose is copied from real cards).

var seedCards = []string{
	"---\nbase_model: org/base\n---\n# Model\n",
	"---\nlicense: apache-2.0\nbase_model:\n- org/a\n- org/b\nbase_model_relation: merge\ntags:\n- mergekit\n---\n\n# Merge\n",
	"\ufeff---\r\nbase_model: https://huggingface.co/org/base/tree/main\r\n---\r\n",
	"\n---\nbase_model: ./local/checkpoint\n---\n",
	"---\nbase_model:\n---\n",
	"---\nbase_model: [org/model, org/a, null, {x: y}]\n---\n",
	"---\nfinetuned_from: org/base\nlibrary_name: peft\n---\n",
	"---\nbase_model: org/a\n# no closing delimiter\n",
	"---\nbase_model: [org/a\n---\n",
	"---\n- a\n- b\n---\n",
	"---\na: &x [*x]\n---\n",
	"---\nbase_model: 'org/a\">org/a</a>'\nbase_model_relation: Quantized\n---\n",
	"# README without front matter\n",
	"",
}

func checkRecord(t *testing.T, what string, rec lineage.Record) {
	t.Helper()
	self := modelid.Fold(rec.ID)
	seen := map[string]bool{}
	for _, p := range rec.Parents {
		if id, changed, problem := modelid.Normalize(p.ID); id != p.ID || changed || problem != "" {
			t.Fatalf("%s: parent %q is not a normalised id (NormalizeID = %q, %v, %q)", what, p.ID, id, changed, problem)
		}
		k := modelid.Fold(p.ID)
		if k == self {
			t.Fatalf("%s: parent %q is the model itself", what, p.ID)
		}
		if seen[k] {
			t.Fatalf("%s: parent %q listed twice", what, p.ID)
		}
		seen[k] = true
		if int(p.Relation) >= len(lineage.Relations) {
			t.Fatalf("%s: parent %q has relation %d", what, p.ID, p.Relation)
		}
	}
	if (len(rec.Parents) == 0) != (rec.ParentFrom == lineage.FromNone) {
		t.Fatalf("%s: %d parents from %v", what, len(rec.Parents), rec.ParentFrom)
	}
}

// buildAndQuery builds a store from records and runs every query on it.
func buildAndQuery(t *testing.T, recs []lineage.Record) {
	t.Helper()
	b := lineage.NewBuilder(lineage.BuilderOptions{})
	b.Emit(recs, nil)
	s := b.Finish()
	if s.Stats().Edges != s.G.NumEdges() {
		t.Fatalf("Stats().Edges = %d, graph has %d", s.Stats().Edges, s.G.NumEdges())
	}
	for v := graph.NodeID(0); int(v) < s.NumModels(); v++ {
		if u, err := s.Lookup(s.Name(v)); err != nil || u != v {
			t.Fatalf("Lookup(Name(%d) = %q) = %d, %v", v, s.Name(v), u, err)
		}
		s.Ancestors(v)
		s.Paths(v, 8)
		if d := s.Descendants(v, 0, graph.AllLabels, 0); d.Count != len(d.Descendants) {
			t.Fatalf("Descendants(%q).Count = %d, list has %d", s.Name(v), d.Count, len(d.Descendants))
		}
	}
	s.Rank(0, graph.AllLabels)
}

// FuzzFrontMatter fuzzes the front matter splitter and ParseCard.
func FuzzFrontMatter(f *testing.F) {
	for _, c := range seedCards {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Larger cards add no new front matter shapes; keeping inputs small
		// keeps the engine's minimisation of new inputs (quadratic in their
		// size) from eating the fuzzing time.
		if len(data) > 256 {
			return
		}
		yml, first, found, closed, _ := frontMatter(data)
		if !found && (yml != nil || first != 0 || closed) {
			t.Fatalf("frontMatter: not found but yml=%q first=%d closed=%v", yml, first, closed)
		}
		if found {
			if first < 2 {
				t.Fatalf("frontMatter: first YAML line %d, want >= 2", first)
			}
			// CRLF is turned into LF ("\r\r\n" leaves one "\r\n").
			if bytes.Contains(yml, []byte("\r\n")) && !bytes.Contains(data, []byte("\r\r\n")) {
				t.Fatalf("frontMatter: CRLF left in %q", yml)
			}
		}
		var diags []lineage.Diagnostic
		rec, ok := ParseCard("org/model", "org/model/README.md", data, func(d lineage.Diagnostic) { diags = append(diags, d) })
		if !ok {
			t.Fatalf("ParseCard ok = false")
		}
		checkRecord(t, "ParseCard", rec)
		for _, d := range diags {
			if d.Source != "org/model/README.md" || d.Line < 1 || d.Kind == "" {
				t.Fatalf("ParseCard diagnostic %+v lacks source, line or kind", d)
			}
			_ = d.String()
		}
	})
}

var seedListings = []string{
	`{"id":"org/m"}`,
	`{"modelId":"org/m","created_at":"2024-01-02 03:04:05+00:00","downloads":3}`,
	`{"id":"org/m","author":"org","createdAt":"2024-01-02T03:04:05.000Z","lastModified":"2024-02-02T00:00:00.000Z","downloads":12,"likes":1,"library_name":"peft","pipeline_tag":"text-generation","tags":["peft","base_model:org/base","base_model:adapter:org/base"],"cardData":{"base_model":"org/base","license":"mit"}}`,
	`{"id":"org/m","cardData":{"base_model":["org/a","org/b"],"base_model_relation":"merge"}}`,
	`{"id":"org/m","card_data":"---\nbase_model: org/a\n---\n"}`,
	`{"id":"org/m","baseModels":{"relation":"quantized","models":[{"id":"org/a"}]}}`,
	`{"id":"org/m","baseModels":[{"id":"org/a"},{"id":"hf.co/org/b"}]}`,
	`{"id":"https://huggingface.co/org/m","tags":["base_model:finetune:org/m","base_model:sideways:org/x"]}`,
	`{"id":"org/m","downloads":1.5e3,"likes":"7","cardData":"not: [yaml"}`,
	`{"id":"org/m","cardData":5,"baseModels":"x"}`,
	`{"id":""}`,
	`[1,2]`,
	`{"id":"org/m"`,
}

// FuzzListingRecord fuzzes ParseListingRecord.
func FuzzListingRecord(f *testing.F) {
	for _, c := range seedListings {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var diags []lineage.Diagnostic
		rec, ok := ParseListingRecord("hub.jsonl", 1, data, func(d lineage.Diagnostic) { diags = append(diags, d) })
		for _, d := range diags {
			if d.Source != "hub.jsonl" || d.Line != 1 || d.Kind == "" {
				t.Fatalf("diagnostic %+v lacks source, line or kind", d)
			}
		}
		if !ok {
			if len(diags) == 0 {
				t.Fatalf("record rejected without a diagnostic")
			}
			return
		}
		if id, _, problem := modelid.Normalize(rec.ID); id != rec.ID || problem != "" {
			t.Fatalf("record id %q is not normalised (%q, %q)", rec.ID, id, problem)
		}
		if rec.Kind != lineage.KindListing {
			t.Fatalf("record kind %v", rec.Kind)
		}
		checkRecord(t, "ParseListingRecord", rec)
		// The same record as a one-line JSON Lines source gives the same
		// record (when it fits on one line).
		if !bytes.ContainsAny(data, "\r\n") && len(bytes.TrimSpace(data)) > 0 && bytes.TrimSpace(data)[0] == '{' {
			recs, _, err := readOne(t, memSrc{"hub.jsonl", data})
			if err != nil || len(recs) != 1 || recs[0].ID != rec.ID || parentsString(recs[0].Parents) != parentsString(rec.Parents) {
				t.Fatalf("ReadSource(one line) = %v, %v; want the record %q < %s", recordsString(recs), err, rec.ID, parentsString(rec.Parents))
			}
		}
	})
}

var seedEdgeLists = []string{
	"parent,child,relation\norg/a,org/b,finetune\norg/b,org/c-GGUF,quantized\n",
	"parent,child\n\"org/a,org/b\",org/m\n",
	"base_model\tmodel_id\ttype\norg/a\torg/b\tadapter\n",
	"\ufeffsource,target\nhttps://huggingface.co/org/a/tree/main,org/b/\n",
	"parent,child,relation,declared\norg/a,org/b,merge,false\n,org/c,\n../x,org/d,\norg/e,org/e,finetune\n",
	"parent,child\norg/a,org/b\norg/b,org/a\n",
	"n,parent,child\n1,org/a\n",
	"parent,child\n\"unterminated,org/b\n",
	"foo,bar\n1,2\n",
	"",
}

// FuzzEdgeList fuzzes the CSV/TSV edge-list reader.
func FuzzEdgeList(f *testing.F) {
	for _, c := range seedEdgeLists {
		f.Add([]byte(c), false)
		f.Add([]byte(strings.ReplaceAll(c, ",", "\t")), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, tsv bool) {
		comma := ','
		if tsv {
			comma = '\t'
		}
		var recs []lineage.Record
		var diags []lineage.Diagnostic
		r := newReader(context.Background(), Options{}, SinkFunc(func(r []lineage.Record, d []lineage.Diagnostic) {
			recs = append(recs, r...)
			diags = append(diags, d...)
		}))
		err := r.readEdgeList(bytes.NewReader(data), "e.csv", comma, 1)
		if err != nil {
			if len(recs) != 0 {
				t.Fatalf("readEdgeList returned %d records and error %v", len(recs), err)
			}
			return
		}
		for _, r := range recs {
			if r.Kind != lineage.KindEdgeList || r.Line < 2 {
				t.Fatalf("record %+v: want an edge-list record after the header", r)
			}
			if id, _, problem := modelid.Normalize(r.ID); id != r.ID || problem != "" {
				t.Fatalf("record id %q is not normalised", r.ID)
			}
			checkRecord(t, "readEdgeList", r)
			if len(r.Parents) > 0 && r.ParentFrom != lineage.FromEdgeList {
				t.Fatalf("record %s: ParentFrom = %v", r.ID, r.ParentFrom)
			}
		}
		for _, d := range diags {
			if d.Source != "e.csv" || d.Kind == "" {
				t.Fatalf("diagnostic %+v lacks source or kind", d)
			}
		}
		buildAndQuery(t, recs)
	})
}
