package lineage_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/ingest"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// plainGrandparentShortcuts is the grandparent-shortcut rule written
// plainly: every model indexed by its lower-cased name part, and for each
// quantization C of P whose name without its marker is B, the children X
// of P named B (X not C, X not already a parent of C), the likeliest by
// organisation, number of children and id.
func plainGrandparentShortcuts(s *lineage.Store) []string {
	byName := map[string][]graph.NodeID{}
	for v := range graph.NodeID(s.NumModels()) {
		byName[strings.ToLower(namePart(s.Name(v)))] = append(byName[strings.ToLower(namePart(s.Name(v)))], v)
	}
	org := func(v graph.NodeID) string {
		n := s.Name(v)
		return strings.ToLower(n[:max(strings.IndexByte(n, '/'), 0)])
	}
	var out []string
	for c := range graph.NodeID(s.NumModels()) {
		ps, labs := s.G.In(c)
		quant := false
		for _, l := range labs {
			quant = quant || relation(l) == lineage.Quantized
		}
		base, ok := lineage.QuantBase(s.Name(c))
		if !quant || !ok {
			continue
		}
		for i, p := range ps {
			if relation(labs[i]) != lineage.Quantized || strings.EqualFold(namePart(s.Name(p)), base) {
				continue
			}
			var xs []graph.NodeID
			for _, x := range byName[strings.ToLower(base)] {
				_, isChild := s.G.EdgeLabel(p, x)
				_, already := s.G.EdgeLabel(x, c)
				if x != c && x != p && isChild && !already {
					xs = append(xs, x)
				}
			}
			if len(xs) == 0 {
				continue
			}
			slices.SortFunc(xs, func(a, b graph.NodeID) int {
				if oa, ob := org(a) == org(p), org(b) == org(p); oa != ob {
					if oa {
						return -1
					}
					return 1
				}
				if da, db := s.G.OutDegree(a), s.G.OutDegree(b); da != db {
					if da > db {
						return -1
					}
					return 1
				}
				return modelid.Compare(s.Name(a), s.Name(b))
			})
			out = append(out, fmt.Sprintf("%s declares %s for %s", s.Name(c), s.Name(p), s.Name(xs[0])))
		}
	}
	return out
}

func relation(l graph.Label) lineage.Relation { r, _ := lineage.LabelRelation(l); return r }

func namePart(id string) string { return id[strings.LastIndexByte(id, '/')+1:] }

func shortcutStrings(ds []lineage.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		if d.Kind == lineage.KindGrandparentShortcut {
			x := strings.TrimPrefix(strings.SplitN(d.Fix, "\n", 2)[0], "base_model: ")
			out = append(out, fmt.Sprintf("%s declares %s for %s", d.ID, d.Value, x))
		}
	}
	return out
}

// TestGrandparentShortcutsMatchPlain holds the edge-bounded search to the
// plain rule: on the sample, on random families of look-alike names, and
// on the real data when it is present.
func TestGrandparentShortcutsMatchPlain(t *testing.T) {
	check := func(name string, s *lineage.Store) {
		t.Helper()
		got, want := shortcutStrings(s.GrandparentShortcuts()), plainGrandparentShortcuts(s)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: GrandparentShortcuts finds %d, the plain rule %d; first differences:\n%s", name, len(got), len(want), firstDiff(got, want))
		}
		if len(want) == 0 {
			t.Errorf("%s: no shortcut to compare", name)
		}
	}
	sample, err := ingest.BuildSources(context.Background(), ingest.Sample(), ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	check("sample", sample)
	for seed := range uint64(20) {
		check(fmt.Sprintf("random seed %d", seed), randomQuantFamilies(seed))
	}
	real := "../../shared/realdata/hub/models.jsonl"
	if _, err := os.Stat(real); err != nil {
		t.Logf("real data not found (%v); compared on the sample and random families only", err)
		return
	}
	s, err := ingest.Build(context.Background(), []string{real, "../../shared/realdata/edges/derivatives.csv"}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	check("realdata", s)
}

func firstDiff(got, want []string) string {
	var b strings.Builder
	for _, x := range got {
		if !slices.Contains(want, x) && b.Len() < 2000 {
			fmt.Fprintf(&b, "  only found: %s\n", x)
		}
	}
	for _, x := range want {
		if !slices.Contains(got, x) && b.Len() < 2000 {
			fmt.Fprintf(&b, "  only plain: %s\n", x)
		}
	}
	return b.String()
}

// randomQuantFamilies builds families in which quantizations name a
// model while declaring its parent, its grandparent or itself, with
// look-alike names across organisations, case variants and ties.
func randomQuantFamilies(seed uint64) *lineage.Store {
	r := rand.New(rand.NewPCG(seed, 7))
	b := lineage.NewBuilder(lineage.BuilderOptions{})
	orgs := []string{"acme", "Acme2", "other", "zed"}
	names := []string{"base", "base-Instruct", "base-chat", "Base-Instruct", "tiny"}
	var ids []string
	add := func(id string, dl int64, parents ...lineage.Parent) {
		b.Add(&lineage.Record{ID: id, Kind: lineage.KindListing, Downloads: dl, Likes: -1, DownloadsAllTime: -1, Parents: parents, ParentFrom: lineage.FromTags})
		ids = append(ids, id)
	}
	for f := range 6 {
		root := fmt.Sprintf("%s/fam%d", orgs[r.IntN(len(orgs))], f)
		add(root, int64(r.IntN(3)))
		for range 2 + r.IntN(5) {
			n := fmt.Sprintf("%s/%s", orgs[r.IntN(len(orgs))], names[r.IntN(len(names))])
			if !slices.ContainsFunc(ids, func(id string) bool { return strings.EqualFold(id, n) }) {
				add(n, int64(r.IntN(3)), lineage.Parent{ID: ids[r.IntN(len(ids))], Relation: lineage.Finetune, Declared: true})
			}
		}
		for q := range 3 + r.IntN(6) {
			base := names[r.IntN(len(names))]
			id := fmt.Sprintf("%s/%s-GGUF-%d-%d", orgs[r.IntN(len(orgs))], base, f, q)
			if r.IntN(3) == 0 {
				id = fmt.Sprintf("q%d/%s-Q4_K_M", q, base)
			}
			if slices.ContainsFunc(ids, func(x string) bool { return strings.EqualFold(x, id) }) {
				continue
			}
			ps := []lineage.Parent{{ID: ids[r.IntN(len(ids))], Relation: lineage.Quantized, Declared: r.IntN(2) == 0}}
			if r.IntN(4) == 0 {
				ps = append(ps, lineage.Parent{ID: ids[r.IntN(len(ids))], Relation: lineage.Quantized, Declared: true})
			}
			add(id, int64(r.IntN(3)), ps...)
		}
	}
	return b.Finish()
}

// TestConflictingRelations: a model whose parents carry different
// relations is reported once, with the declared relation kept in the
// fix; one relation over several parents, declared or inferred, is not.
func TestConflictingRelations(t *testing.T) {
	p := func(id string, r lineage.Relation, declared bool) lineage.Parent {
		return lineage.Parent{ID: id, Relation: r, Declared: declared}
	}
	for _, tc := range []struct {
		name    string
		parents []lineage.Parent
		value   string // "" when nothing is reported
		fix     string
	}{
		{"declared finetune, inferred merge", []lineage.Parent{p("a/x", lineage.Finetune, true), p("b/y", lineage.Merge, false)},
			"finetune (declared), merge (inferred)", "base_model: a/x\nbase_model_relation: finetune"},
		{"declared adapter, inferred finetune of two", []lineage.Parent{p("b/y", lineage.Finetune, false), p("a/x", lineage.Adapter, true), p("C/z", lineage.Finetune, false)},
			"adapter (declared), finetune (inferred)", "base_model: a/x\nbase_model_relation: adapter"},
		{"two declared relations", []lineage.Parent{p("b/y", lineage.Quantized, true), p("a/x", lineage.Finetune, true), p("c/z", lineage.Finetune, true)},
			"finetune (declared), quantized (declared)", "base_model: [a/x, c/z]\nbase_model_relation: finetune"},
		{"inferred merge", []lineage.Parent{p("a/x", lineage.Merge, false), p("b/y", lineage.Merge, false)}, "", ""},
		{"declared and inferred finetune", []lineage.Parent{p("a/x", lineage.Finetune, true), p("b/y", lineage.Finetune, false)}, "", ""},
		{"one parent", []lineage.Parent{p("a/x", lineage.Quantized, false)}, "", ""},
	} {
		b := lineage.NewBuilder(lineage.BuilderOptions{})
		b.Add(&lineage.Record{ID: "m/child", Kind: lineage.KindListing, Source: "t.jsonl", Line: 1, Downloads: -1, Likes: -1, DownloadsAllTime: -1, Parents: tc.parents, ParentFrom: lineage.FromTags})
		s := b.Finish()
		var got []lineage.Diagnostic
		for _, d := range s.Lint() {
			if d.Kind == lineage.KindConflictingRelations {
				got = append(got, d)
			}
		}
		switch {
		case tc.value == "" && len(got) > 0:
			t.Errorf("%s: reported %+v, want nothing", tc.name, got)
		case tc.value == "":
		case len(got) != 1:
			t.Errorf("%s: %d reports, want 1: %+v", tc.name, len(got), got)
		case got[0].ID != "m/child" || got[0].Value != tc.value || got[0].Fix != tc.fix:
			t.Errorf("%s: reported %q %q fix %q, want m/child %q fix %q", tc.name, got[0].ID, got[0].Value, got[0].Fix, tc.value, tc.fix)
		}
		if n := s.Stats().Diagnostics[lineage.KindConflictingRelations]; n != len(got) {
			t.Errorf("%s: Stats counts %d conflicting_relations, Lint lists %d", tc.name, n, len(got))
		}
	}
}

// TestLintCountsAreStats: the problems Lint lists, counted by kind, are
// Stats().Diagnostics, on the sample and on the fixtures; and what Stats
// counts survives the index.
func TestLintCountsAreStats(t *testing.T) {
	fixtures, err := filepath.Glob("../testdata/fixtures/*")
	if err != nil || len(fixtures) == 0 {
		t.Fatalf("fixtures: %v %v", fixtures, err)
	}
	sample, err := ingest.BuildSources(context.Background(), ingest.Sample(), ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fix, err := ingest.Build(context.Background(), fixtures, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*lineage.Store{"sample": sample, "fixtures": fix} {
		lint := lineage.LintSummary(s.Lint())
		stats := maps.Clone(s.Stats().Diagnostics)
		maps.DeleteFunc(stats, func(_ string, n int) bool { return n == 0 })
		if !maps.Equal(lint, stats) {
			t.Errorf("%s: Lint counts %v, Stats %v", name, lint, stats)
		}
		idx := filepath.Join(t.TempDir(), "i.idx")
		if err := s.WriteIndex(idx); err != nil {
			t.Fatal(err)
		}
		loaded, err := lineage.LoadIndex(idx)
		if err != nil {
			t.Fatal(err)
		}
		if got := loaded.Stats().Diagnostics; !maps.Equal(got, s.Stats().Diagnostics) {
			t.Errorf("%s: the index counts %v, the store %v", name, got, s.Stats().Diagnostics)
		}
		loaded.Close()
	}
	if n := sample.Stats().Diagnostics[lineage.KindGrandparentShortcut]; n == 0 {
		t.Errorf("sample: no grandparent_shortcut counted")
	}
	if n := sample.Stats().Diagnostics[lineage.KindConflictingRelations]; n == 0 {
		t.Errorf("sample: no conflicting_relations counted (cr6276/mymodel has one)")
	}
}
