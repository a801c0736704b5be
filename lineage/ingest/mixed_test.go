package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/lineage"
)

// TestMixedGoodAndBadKeepsEveryGoodRecord interleaves 300 good records with
// every kind of broken line and checks that every good record, and every
// edge it declares, survives with the right relation.
func TestMixedGoodAndBadKeepsEveryGoodRecord(t *testing.T) {
	bad := []string{
		`{"id":"bad/trunc","cardData":{"base_model":"x/y"`,
		`["not","an","object"]`,
		`{"id":"bad/deep","x":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`,
		`{"id":"./local/path"}`,
		`{"id":"bad/tags","tags":["base_model:x/y",7]}`,
		`{"id":"bad/\u00ff\u0000"}`,
		"\xff\xfe\xfd",
		`{"author":"no-id"}`,
		`{"id":"bad/cd","cardData":42}`,
		`{"id":"bad/yaml","card_data":"base_model: [x"}`,
		`{"id":"bad/nested\"}`,
		``,
		`   `,
		`{"id":"bad/self","cardData":{"base_model":"bad/self"}}`,
		`{"id":"bad/html","cardData":{"base_model":"x/y\"><br>"}}`,
	}
	var b strings.Builder
	want := map[string]string{} // good child -> parent
	for i := 0; i < 300; i++ {
		id := fmt.Sprintf("good/m%03d", i)
		switch {
		case i == 0:
			fmt.Fprintf(&b, `{"id":%q,"downloads":%d}`+"\n", id, i)
		case i%3 == 0:
			parent := fmt.Sprintf("good/m%03d", i-1)
			fmt.Fprintf(&b, `{"id":%q,"tags":["base_model:%s","base_model:adapter:%s"]}`+"\n", id, parent, parent)
			want[id] = parent
		default:
			parent := fmt.Sprintf("good/m%03d", i-1)
			fmt.Fprintf(&b, `{"id":%q,"cardData":{"base_model":%q,"base_model_relation":"finetune"}}`+"\n", id, parent)
			want[id] = parent
		}
		b.WriteString(bad[i%len(bad)] + "\n")
	}
	p := filepath.Join(t.TempDir(), "mixed.jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Build(context.Background(), []string{p}, Options{})
	if err != nil {
		t.Fatalf("Build(mixed) = %v, want the bad lines reported and skipped", err)
	}
	for i := 0; i < 300; i++ {
		id := fmt.Sprintf("good/m%03d", i)
		v, err := s.Lookup(id)
		if err != nil {
			t.Fatalf("good record %s lost: %v", id, err)
		}
		if !s.HasRecord(v) {
			t.Errorf("%s has no record", id)
		}
		parent, ok := want[id]
		if !ok {
			continue
		}
		pv, _ := s.Lookup(parent)
		l, ok := s.G.EdgeLabel(pv, v)
		if !ok {
			t.Errorf("edge %s -> %s lost", parent, id)
			continue
		}
		rel, declared := lineage.LabelRelation(l)
		wantRel := lineage.Finetune
		if i%3 == 0 {
			wantRel = lineage.Adapter
		}
		if rel != wantRel || !declared {
			t.Errorf("edge %s -> %s = %v (declared %v), want %v declared", parent, id, rel, declared, wantRel)
		}
	}
	// The chain is intact: the last model descends from the first.
	last, _ := s.Lookup("good/m299")
	if r := s.Ancestors(last); len(r.Foundations) != 1 || r.Foundations[0] != "good/m000" {
		t.Errorf("Ancestors(good/m299).Foundations = %v, want [good/m000]", r.Foundations)
	}
	// Every bad line was reported, none silently.
	if n := len(s.Diagnostics()); n < 200 {
		t.Errorf("%d diagnostics for 300 bad lines (some blank), want most of them reported", n)
	}
}
