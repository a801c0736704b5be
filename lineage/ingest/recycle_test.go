package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
)

// TestBuildReusingChunksMatchesFreshChunks builds a listing of many input
// chunks twice: with Build, which reuses each chunk once its records are
// merged, and with a Builder fed by ReadSource, whose chunks are never
// reused. Anything the Builder kept that aliases a chunk (a name, a
// library or license string, a diagnostic's value) would be overwritten by
// later input in the first build, so the two indexes and diagnostic lists
// must be identical.
func TestBuildReusingChunksMatchesFreshChunks(t *testing.T) {
	var b strings.Builder
	n := 0
	for b.Len() < 24*chunkSize {
		id := fmt.Sprintf("org%d/model-%d", n%97, n)
		switch n % 7 {
		case 0: // a foundation with metadata whose strings are new in every chunk
			fmt.Fprintf(&b, `{"id":%q,"downloads":%d,"library_name":"lib-%d","pipeline_tag":"pipe-%d","cardData":{"license":"lic-%d"},"tags":["a","b","c"]}`+"\n", id, n, n/5000, n/7000, n/3000)
		case 1: // a case-variant parent spelling (a diagnostic quoting input)
			fmt.Fprintf(&b, `{"id":%q,"cardData":{"base_model":%q,"base_model_relation":"finetune"}}`+"\n", id, strings.ToUpper(fmt.Sprintf("org%d/model-%d", (n-1)%97, n-1)))
		case 2: // a URL-form parent (a rewritten value)
			fmt.Fprintf(&b, `{"id":%q,"tags":["base_model:https://huggingface.co/org%d/model-%d","base_model:adapter:org%d/model-%d"]}`+"\n", id, (n-2)%97, n-2, (n-2)%97, n-2)
		case 3: // a broken record (a snippet of the line in the diagnostic)
			fmt.Fprintf(&b, `{"id":%q,"cardData":{"base_model":"x/y"`+"\n", id)
		case 4: // a contradicted relation
			fmt.Fprintf(&b, `{"id":%q,"cardData":{"base_model":"org%d/model-%d","base_model_relation":"quantized"}}`+"\n", id, (n-4)%97, n-4)
		case 5: // a duplicate record of an earlier model, declaring another parent
			fmt.Fprintf(&b, `{"id":"org%d/model-%d","cardData":{"base_model":"org%d/model-%d"}}`+"\n", (n-4)%97, n-4, (n-5)%97, n-5)
		default: // a merge
			fmt.Fprintf(&b, `{"id":%q,"cardData":{"base_model":["org%d/model-%d","org%d/model-%d"]}}`+"\n", id, (n-6)%97, n-6, (n-1)%97, n-1)
		}
		n++
	}
	p := filepath.Join(t.TempDir(), "many-chunks.jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	fb := lineage.NewBuilder(lineage.BuilderOptions{})
	fb.AddSource(p)
	if err := ReadSource(context.Background(), FileSource(p), Options{}, fb); err != nil {
		t.Fatal(err)
	}
	fresh := fb.Finish()
	freshIndex := writeIndexBytes(t, fresh)
	// With a digest the file is streamed into reused chunks; without one
	// it is mapped (readMapped) and unmapped before Build returns,
	// so a kept alias would also crash here.
	for _, opt := range []Options{{}, {NoDigest: true}} {
		reused, err := Build(context.Background(), []string{p}, opt)
		if err != nil {
			t.Fatal(err)
		}
		if reused.NumModels() < n/2 || len(reused.Diagnostics()) < n/2 {
			t.Fatalf("built %d models and %d diagnostics from %d lines; the input did not exercise the build", reused.NumModels(), len(reused.Diagnostics()), n)
		}
		if !reflect.DeepEqual(reused.Diagnostics(), fresh.Diagnostics()) {
			for i := range min(len(reused.Diagnostics()), len(fresh.Diagnostics())) {
				if r, f := reused.Diagnostics()[i], fresh.Diagnostics()[i]; r != f {
					t.Fatalf("%+v: diagnostic %d:\n %v\nwith fresh chunks:\n %v", opt, i, r, f)
				}
			}
			t.Fatalf("%+v: %d diagnostics, %d with fresh chunks", opt, len(reused.Diagnostics()), len(fresh.Diagnostics()))
		}
		if opt.NoDigest == (reused.Digest() != "") {
			t.Fatalf("%+v: digest %q", opt, reused.Digest())
		}
		// The fresh build computed no digest: only then are the index
		// files comparable byte for byte.
		if opt.NoDigest && !bytes.Equal(writeIndexBytes(t, reused), freshIndex) {
			t.Fatalf("%+v: the index differs from the one built with fresh chunks", opt)
		}
	}
}

// TestMappedInputTruncatedWhileRead truncates a mapped listing while it is
// read: the pages past the new end fault, and the build must fail with
// ErrInputChanged instead of crashing the process.
func TestMappedInputTruncatedWhileRead(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 16*chunkSize; i++ {
		fmt.Fprintf(&b, `{"id":"org/model-%d","cardData":{"base_model":"org/model-%d"},"tags":["a","b"]}`+"\n", i, i/2)
	}
	p := filepath.Join(t.TempDir(), "shrinking.jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	batches := 0
	emit := func(recs []lineage.Record, diags []lineage.Diagnostic) {
		if batches++; batches == 1 {
			if err := os.Truncate(p, chunkSize/2); err != nil {
				t.Error(err)
			}
		}
	}
	r := newReader(context.Background(), Options{Reuse: true, NoDigest: true}, SinkFunc(emit))
	handled, err := r.readMapped(f, p)
	if !handled {
		t.Skip("the file could not be mapped here")
	}
	if !errors.Is(err, lineage.ErrInputChanged) {
		t.Fatalf("reading a listing truncated while read: %v after %d batches, want ErrInputChanged", err, batches)
	}
}

// TestBuildGraphOnlyKeepsTheGraphAndProblems builds the embedded sample
// with and without GraphOnly: names, lookups, edges, statistics, problems
// and the ranking must be identical, the metadata of the graph-only store unknown,
// and writing it as an index refused.
func TestBuildGraphOnlyKeepsTheGraphAndProblems(t *testing.T) {
	ctx := context.Background()
	full, err := BuildSources(ctx, Sample(), Options{NoDigest: true})
	if err != nil {
		t.Fatal(err)
	}
	lean, err := BuildSources(ctx, Sample(), Options{NoDigest: true, GraphOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if full.GraphOnly() || !lean.GraphOnly() {
		t.Fatalf("GraphOnly() = %v (full), %v (graph-only)", full.GraphOnly(), lean.GraphOnly())
	}
	if !reflect.DeepEqual(lean.Stats(), full.Stats()) || !reflect.DeepEqual(lean.Diagnostics(), full.Diagnostics()) {
		t.Fatalf("graph-only stats or problems differ:\n%+v\n%+v", lean.Stats(), full.Stats())
	}
	var le, fe bytes.Buffer
	if err := lean.WriteEdgeList(&le); err != nil {
		t.Fatal(err)
	}
	if err := full.WriteEdgeList(&fe); err != nil {
		t.Fatal(err)
	}
	if le.Len() == 0 || !bytes.Equal(le.Bytes(), fe.Bytes()) {
		t.Fatal("graph-only edge list differs from the full one")
	}
	if !reflect.DeepEqual(lean.Rank(0, graph.AllLabels), full.Rank(0, graph.AllLabels)) {
		t.Fatal("graph-only ranking differs from the full one")
	}
	withMeta := 0
	for v := graph.NodeID(0); int(v) < full.NumModels(); v++ {
		if lean.Name(v) != full.Name(v) {
			t.Fatalf("node %d: %q graph-only, %q full", v, lean.Name(v), full.Name(v))
		}
		// The graph-only name table is built on the first lookup.
		queries := []string{full.Name(v), strings.ToUpper(full.Name(v))}
		if v%1009 == 0 {
			queries = append(queries, full.Name(v)+"-x") // not found: suggestions scan every name
		}
		for _, q := range queries {
			lv, lerr := lean.Lookup(q)
			fv, ferr := full.Lookup(q)
			if lv != fv || (lerr == nil) != (ferr == nil) {
				t.Fatalf("Lookup(%q) = %d, %v graph-only; %d, %v full", q, lv, lerr, fv, ferr)
			}
		}
		if !lean.Created(v).IsZero() || lean.Downloads(v) != -1 || lean.Likes(v) != -1 || lean.Library(v) != "" || lean.Pipeline(v) != "" || lean.License(v) != "" {
			t.Fatalf("graph-only %s has metadata", lean.Name(v))
		}
		if full.Downloads(v) >= 0 {
			withMeta++
		}
	}
	if withMeta == 0 {
		t.Fatal("the full sample store has no downloads at all; the comparison above proves nothing")
	}
	if err := lean.WriteIndex(filepath.Join(t.TempDir(), "x.lidx")); err == nil || !strings.Contains(err.Error(), "graph-only") {
		t.Fatalf("WriteIndex(graph-only) = %v, want a graph-only error", err)
	}
}

// TestOverlongLineIsReportedAndSkipped puts a line longer than
// DefaultMaxRecordBytes between two good records, and reads the file streamed (a
// digest is wanted) and mapped (none is): both report the long line as a
// bad record at its line and keep the records after it, with their lines.
func TestOverlongLineIsReportedAndSkipped(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"id":"org/first"}` + "\n")
	b.WriteString(`{"id":"org/long","pad":"` + strings.Repeat("x", DefaultMaxRecordBytes+3*chunkSize) + `"}` + "\n") // long enough that the stream reader cuts it
	b.WriteString(`{"id":"org/after","cardData":{"base_model":"org/first"}}` + "\n")
	b.WriteString(`{"id":"org/last","createdAt":"not a date"}` + "\n") // numbered after the long line
	p := filepath.Join(t.TempDir(), "long.jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, opt := range []Options{{}, {NoDigest: true}} {
		s, err := Build(context.Background(), []string{p}, opt)
		if err != nil {
			t.Fatalf("%+v: %v", opt, err)
		}
		var bad []lineage.Diagnostic
		for _, d := range s.Diagnostics() {
			if d.Kind == lineage.KindBadRecord {
				bad = append(bad, d)
			}
		}
		if len(bad) != 2 || bad[0].Line != 2 || !strings.Contains(bad[0].Detail, "limit") ||
			bad[1].Line != 4 || bad[1].ID != "org/last" {
			t.Fatalf("%+v: bad records %v, want the line-2 record over the limit and line 4's date", opt, bad)
		}
		v, err := s.Lookup("org/after")
		if err != nil {
			t.Fatalf("%+v: the record after the long line is lost: %v", opt, err)
		}
		if anc := s.Ancestors(v); len(anc.Ancestors) != 1 || anc.Ancestors[0].ID != "org/first" {
			t.Fatalf("%+v: ancestors of org/after = %+v, want org/first", opt, anc)
		}
		if _, err := s.Lookup("org/long"); err == nil {
			t.Fatalf("%+v: the over-long record was kept", opt)
		}
	}
}

// TestMappedAndStreamedReadAlike reads every input under testdata/bad (one
// file per failure mode: BOMs, blank lines, CRLF, truncation, gzip, bad
// JSON, bad dates, ...) and a few odd layouts three times, streamed (a
// digest is wanted), mapped where the mapped reader takes the file (none
// is), and mapped graph-only as rank --in reads: the problems, statistics
// and edges must be the same.
func TestMappedAndStreamedReadAlike(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "bad", "*"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"bom-blank-lines.jsonl":  "\xef\xbb\xbf\n\n  \n" + `{"id":"a/b","cardData":{"base_model":"c/d"}}` + "\n",
		"crlf.jsonl":             `{"id":"a/b"}` + "\r\n" + `{"id":"a/c","tags":["base_model:a/b"]}` + "\r\n",
		"no-final-newline.jsonl": `{"id":"a/b"}` + "\n" + `{"id":"a/c","cardData":{"base_model":"a/b"}}`,
		"blank-inside.jsonl":     `{"id":"a/b"}` + "\n\n\n" + `{"id":"a/c","cardData":{"base_model":"a/x"}}` + "\n" + `{"id":`,
		"array.json":             `[{"id":"a/b"},{"id":"a/c","cardData":{"base_model":"a/b"}}]`,
		"only-blank.jsonl":       "\n\n\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	compared := 0
	for _, p := range paths {
		if strings.HasSuffix(p, ".want") {
			continue
		}
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			continue // card folders are not listings
		}
		streamed, err1 := Build(context.Background(), []string{p}, Options{})
		mapped, err2 := Build(context.Background(), []string{p}, Options{NoDigest: true})
		if (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
			t.Errorf("%s: streamed error %v, mapped error %v", p, err1, err2)
			continue
		}
		if err1 != nil {
			compared++
			continue
		}
		var se, me bytes.Buffer
		if err := streamed.WriteEdgeList(&se); err != nil {
			t.Fatal(err)
		}
		if err := mapped.WriteEdgeList(&me); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(streamed.Diagnostics(), mapped.Diagnostics()) || !reflect.DeepEqual(streamed.Stats(), mapped.Stats()) || !bytes.Equal(se.Bytes(), me.Bytes()) {
			t.Errorf("%s: streamed and mapped reads differ:\n%v\n%v", p, streamed.Diagnostics(), mapped.Diagnostics())
		}
		// And as rank --in reads: mapped, graph only, dates checked but
		// not converted.
		lean, err := Build(context.Background(), []string{p}, Options{NoDigest: true, GraphOnly: true})
		if err != nil {
			t.Fatalf("%s: graph-only: %v", p, err)
		}
		var le bytes.Buffer
		if err := lean.WriteEdgeList(&le); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(lean.Diagnostics(), mapped.Diagnostics()) || !reflect.DeepEqual(lean.Stats(), mapped.Stats()) || !bytes.Equal(le.Bytes(), me.Bytes()) {
			t.Errorf("%s: graph-only and full reads differ:\n%v\n%v", p, lean.Diagnostics(), mapped.Diagnostics())
		}
		compared++
	}
	if compared < 30 {
		t.Fatalf("compared %d inputs; testdata/bad is missing?", compared)
	}
}

// TestLineNumbersAcrossChunks writes a listing of several chunks, with
// blank lines, a leading BOM and blank lines, and a bad date on known
// lines (some the first or last line of a chunk), and reads it streamed
// (digest wanted) and mapped: every problem must carry its line number
// (each worker numbers its own chunk's lines, and the deliverer renumbers
// them in input order).
func TestLineNumbersAcrossChunks(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("\xef\xbb\xbf\n\n")
	line := 3
	var want []int
	for b.Len() < 4*chunkSize+chunkSize/2 {
		switch {
		case line%1000 == 7:
			b.WriteString("\n")
		case line%997 == 0 || b.Len()%chunkSize > chunkSize-300:
			fmt.Fprintf(&b, `{"id":"org/bad-%d","createdAt":"not a date"}`+"\n", line)
			want = append(want, line)
		default:
			fmt.Fprintf(&b, `{"id":"org/m-%d","tags":["a","b"],"cardData":{"base_model":"org/m-%d"}}`+"\n", line, line/2)
		}
		line++
	}
	p := filepath.Join(t.TempDir(), "lines.jsonl")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, opt := range []Options{{}, {NoDigest: true}} {
		s, err := Build(context.Background(), []string{p}, opt)
		if err != nil {
			t.Fatalf("%+v: %v", opt, err)
		}
		var got []int
		for _, d := range s.Diagnostics() {
			if d.Kind != lineage.KindBadRecord {
				continue
			}
			got = append(got, d.Line)
			if wantID := fmt.Sprintf("org/bad-%d", d.Line); d.ID != wantID {
				t.Fatalf("%+v: %s at line %d, want %s", opt, d.ID, d.Line, wantID)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%+v: bad dates on %d lines, want %d (first got %v, want %v)", opt, len(got), len(want), got[:min(5, len(got))], want[:min(5, len(want))])
		}
	}
}
