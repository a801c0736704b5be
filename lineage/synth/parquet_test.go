package synth_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/hubapi"
	"github.com/lineage-project/lineage/lineage/ingest"
	"github.com/lineage-project/lineage/lineage/synth"
)

// jsonModel is a JSON listing line as the Hub API writes it, decoded by
// the standard library.
type jsonModel struct {
	ID               string          `json:"id"`
	Author           string          `json:"author"`
	CreatedAt        time.Time       `json:"createdAt"`
	LastModified     time.Time       `json:"lastModified"`
	Downloads        *int64          `json:"downloads"`
	DownloadsAllTime *int64          `json:"downloadsAllTime"`
	Likes            *int64          `json:"likes"`
	TrendingScore    *int64          `json:"trendingScore"`
	Library          string          `json:"library_name"`
	Pipeline         string          `json:"pipeline_tag"`
	Gated            any             `json:"gated"`
	Tags             []string        `json:"tags"`
	CardData         json.RawMessage `json:"cardData"`
	Safetensors      *struct {
		Total int64 `json:"total"`
	} `json:"safetensors"`
}

func writeBoth(t *testing.T, opt synth.Options) (jsonl, pq string) {
	t.Helper()
	dir := t.TempDir()
	jsonl, pq = filepath.Join(dir, "hub.jsonl"), filepath.Join(dir, "hub.parquet")
	sj, err := synth.WriteFile(jsonl, opt)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := synth.WriteFile(pq, opt)
	if err != nil {
		t.Fatal(err)
	}
	if sj != sp {
		t.Fatalf("stats differ: JSON Lines %+v, parquet %+v", sj, sp)
	}
	return jsonl, pq
}

// TestParquetRows reads the parquet file back with parquet-go and checks
// each row against the same line of the JSON listing.
func TestParquetRows(t *testing.T) {
	opt := synth.Options{Models: 20000, Seed: 11, RowGroup: 3000}
	jsonl, pq := writeBoth(t, opt)

	f, err := os.Open(pq)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pf.RowGroups()); n != (opt.Models+opt.RowGroup-1)/opt.RowGroup {
		t.Errorf("%d row groups, want %d of %d rows", n, (opt.Models+opt.RowGroup-1)/opt.RowGroup, opt.RowGroup)
	}
	rows := parquet.NewGenericReader[hubapi.ParquetModel](pf)
	defer rows.Close()

	jf, err := os.Open(jsonl)
	if err != nil {
		t.Fatal(err)
	}
	defer jf.Close()
	sc := bufio.NewScanner(jf)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	buf := make([]hubapi.ParquetModel, 500)
	line, withBase, withCard := 0, 0, 0
	for {
		n, err := rows.Read(buf)
		for _, r := range buf[:n] {
			line++
			if !sc.Scan() {
				t.Fatalf("parquet row %d: the JSON listing has no line %d", line, line)
			}
			var j jsonModel
			if err := json.Unmarshal(sc.Bytes(), &j); err != nil {
				t.Fatal(err)
			}
			if msg := sameModel(r, j); msg != "" {
				t.Fatalf("row %d (%s): %s", line, j.ID, msg)
			}
			if r.BaseModels != nil {
				withBase++
			}
			if r.CardData != "" {
				withCard++
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if sc.Scan() || line != opt.Models {
		t.Fatalf("parquet has %d rows, the listing more or %d wanted", line, opt.Models)
	}
	if withBase == 0 || withCard == 0 {
		t.Errorf("%d rows with baseModels, %d with cardData", withBase, withCard)
	}
}

// sameModel says how a parquet row differs from the JSON record, or "".
func sameModel(r hubapi.ParquetModel, j jsonModel) string {
	var tags []string
	for _, p := range r.Tags {
		if p == nil {
			return "null tag"
		}
		tags = append(tags, *p)
	}
	gated := hubapi.GatedFalse
	if g, ok := j.Gated.(string); ok {
		gated = g
	}
	switch {
	case r.ID != j.ID || r.Author != j.Author:
		return "id or author"
	case !r.CreatedAt.Equal(j.CreatedAt) || !r.LastModified.Equal(j.LastModified):
		return "dates " + r.CreatedAt.String() + " vs " + j.CreatedAt.String()
	case !eqNum(r.Downloads, j.Downloads) || !eqNum(r.DownloadsAllTime, j.DownloadsAllTime) ||
		!eqNum(r.Likes, j.Likes) || !eqNum(r.TrendingScore, j.TrendingScore):
		return "counts"
	case r.Library != j.Library || r.Pipeline != j.Pipeline || r.Gated != gated:
		return "library, pipeline or gated"
	case !slices.Equal(tags, j.Tags):
		return "tags"
	case (r.Safetensors == nil) != (j.Safetensors == nil) || r.Safetensors != nil && !eqNum(r.Safetensors.Total, &j.Safetensors.Total):
		return "safetensors"
	}
	if r.CardData != "" || j.CardData != nil {
		var a, b any
		if json.Unmarshal([]byte(r.CardData), &a) != nil || json.Unmarshal(j.CardData, &b) != nil || !reflect.DeepEqual(a, b) {
			return "cardData " + r.CardData + " vs " + string(j.CardData)
		}
	}
	// baseModels: the tagged parents (the model itself included) and the
	// tags' relation.
	var parents []string
	rel := ""
	for _, tag := range j.Tags {
		rest, ok := strings.CutPrefix(tag, "base_model:")
		if !ok {
			continue
		}
		if rl, id, typed := strings.Cut(rest, ":"); typed {
			rel, parents = rl, append(parents, id)
		}
	}
	if len(parents) == 0 {
		if r.BaseModels != nil {
			return "baseModels without parent tags"
		}
		return ""
	}
	if r.BaseModels == nil || r.BaseModels.Relation != rel || len(r.BaseModels.Models) != len(parents) {
		return "baseModels"
	}
	for i, m := range r.BaseModels.Models {
		if m == nil || m.ID != parents[i] {
			return "baseModels.models"
		}
	}
	return ""
}

func eqNum(a, b *int64) bool { return a != nil && b != nil && *a == *b }

// TestParquetStore builds a store from each form of the same listing with
// lineage's readers and compares them: models, facts, edges, relations,
// statistics and the problems found.
func TestParquetStore(t *testing.T) {
	jsonl, pq := writeBoth(t, synth.Options{Models: 30000, Seed: 12, RowGroup: 7000})
	build := func(path string) *lineage.Store {
		s, err := ingest.Build(context.Background(), []string{path}, ingest.Options{})
		if err != nil {
			t.Fatalf("Build(%s): %v", path, err)
		}
		return s
	}
	sj, sp := build(jsonl), build(pq)
	dump := func(s *lineage.Store) (string, string) {
		var listing, edges bytes.Buffer
		if err := s.WriteListing(&listing); err != nil {
			t.Fatal(err)
		}
		if err := s.WriteEdgeList(&edges); err != nil {
			t.Fatal(err)
		}
		return listing.String(), edges.String()
	}
	lj, ej := dump(sj)
	lp, ep := dump(sp)
	if lj != lp {
		t.Errorf("WriteListing differs:\n%s", firstDiff(lj, lp))
	}
	if ej != ep {
		t.Errorf("WriteEdgeList differs:\n%s", firstDiff(ej, ep))
	}
	if strings.Count(ej, "\n") < 5000 {
		t.Errorf("only %d edges", strings.Count(ej, "\n"))
	}
	// Self-references are counted per statement that names the model
	// itself, and a parquet row states its parents once more (baseModels):
	// the same models are reported, not always as often.
	a, b := sj.Stats(), sp.Stats()
	selfJ, selfP := selfRefModels(sj), selfRefModels(sp)
	if !slices.Equal(selfJ, selfP) || len(selfJ) == 0 {
		t.Errorf("models reported as naming themselves: JSON Lines %v, parquet %v", selfJ, selfP)
	}
	a.SelfReferences, b.SelfReferences = 0, 0
	delete(a.Diagnostics, lineage.KindSelfRef)
	delete(b.Diagnostics, lineage.KindSelfRef)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("Stats differ:\nJSON Lines %+v\nparquet    %+v", a, b)
	}
	for v := range sj.NumModels() {
		id := sj.Name(graph.NodeID(v))
		w, err := sp.Lookup(id)
		if err != nil {
			t.Fatalf("%s: not in the parquet store", id)
		}
		if !sj.Created(graph.NodeID(v)).Equal(sp.Created(w)) || sj.Downloads(graph.NodeID(v)) != sp.Downloads(w) ||
			sj.Likes(graph.NodeID(v)) != sp.Likes(w) || sj.License(graph.NodeID(v)) != sp.License(w) {
			t.Fatalf("%s: facts differ", id)
		}
	}
}

// selfRefModels returns the ids of the models reported as naming
// themselves, sorted, each once.
func selfRefModels(s *lineage.Store) []string {
	var ids []string
	for _, d := range s.Diagnostics() {
		if d.Kind == lineage.KindSelfRef {
			ids = append(ids, d.ID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return "line " + strconv.Itoa(i+1) + ": " + la[i] + "\n      vs " + lb[i]
		}
	}
	return "lengths differ"
}
