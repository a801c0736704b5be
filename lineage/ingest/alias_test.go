package ingest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/lineage"
)

// TestRenamedModels: a record that lists earlier ids (lineage fetch writes
// them for a repository the Hub redirects) takes the edges of those ids,
// before and after it in the input; a lookup of an earlier id finds it,
// also from an index; the child naming the old id is told the new one.
func TestRenamedModels(t *testing.T) {
	for _, order := range []string{"child first", "model first"} {
		t.Run(order, func(t *testing.T) {
			child := `{"id":"user/tune","cardData":{"base_model":"old-org/base"}}`
			model := `{"id":"new-org/base","lineageAliases":["old-org/base","https://huggingface.co/older/base"]}`
			grand := `{"id":"user/tune-GGUF","tags":["base_model:quantized:user/tune"]}`
			lines := []string{child, model, grand}
			if order == "model first" {
				lines = []string{model, child, grand}
			}
			s, err := BuildSources(context.Background(), []Source{memSrc{"l.jsonl", []byte(strings.Join(lines, "\n"))}}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			check := func(s *lineage.Store) {
				t.Helper()
				base := mustLookup(t, s, "new-org/base")
				for _, old := range []string{"old-org/base", "OLDER/base"} {
					if v := mustLookup(t, s, old); v != base {
						t.Errorf("Lookup(%s) = %s, want new-org/base", old, s.Name(v))
					}
				}
				d := s.Descendants(base, 0, 0xff, 0)
				if got := hopIDs(d.Descendants); got != "user/tune user/tune-GGUF" {
					t.Errorf("descendants of new-org/base = %q", got)
				}
				if st := s.Stats(); st.Foundations != 1 || st.Edges != 2 {
					t.Errorf("stats: %d foundations, %d edges; want 1 and 2 (an alias is not a foundation)", st.Foundations, st.Edges)
				}
			}
			check(s)
			var renamed []lineage.Diagnostic
			for _, d := range s.Diagnostics() {
				if d.Kind == lineage.KindRenamed {
					renamed = append(renamed, d)
				}
			}
			if len(renamed) != 1 || renamed[0].ID != "user/tune" || renamed[0].Fix != "base_model: new-org/base" {
				t.Errorf("renamed_parent diagnostics = %v", renamed)
			}
			p := filepath.Join(t.TempDir(), "a.lidx")
			if err := s.WriteIndex(p); err != nil {
				t.Fatal(err)
			}
			l, err := lineage.LoadIndex(p)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			check(l)
		})
	}
	// The fast scanner and the general decoder both read the fields.
	for _, line := range []string{
		`{"id":"a/b","lineageAliases":["a/old"],"lineageEvidence":[{"file":"adapter_config.json","key":"base_model_name_or_path","value":"org/base"}]}`,
		`{"id":"a/b","lineageAliases":["a/old"],"lineageEvidence":[{"file":"adapter_config.json","key":"base_model_name_or_path","value":"org/base"}],"x":"\u00e9"}`,
	} {
		rec, ok := ParseListingRecord("x", 1, []byte(line), func(lineage.Diagnostic) {})
		if !ok || len(rec.Aliases) != 1 || rec.Aliases[0] != "a/old" || len(rec.Hints) != 1 || rec.Hints[0].Value != "org/base" {
			t.Errorf("ParseListingRecord(%s) = aliases %v hints %v", line, rec.Aliases, rec.Hints)
		}
	}
}
