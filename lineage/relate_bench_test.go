package lineage_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/ingest"
)

// The benchmarks of path, common, impact and diff run on the listings of
// bench_test.go, written once as indexes (and, for diff, an older snapshot
// derived from the listing by oldSnapshot) into $TMPDIR/lineage-bench:
//
//	LINEAGE_BENCH_2M=1 go test -run '^$' -bench 'Path|Common|Dominators|Impact|Diff' -count 6 ./lineage

// benchIndex returns an index of the listing of n models (old: of its
// older snapshot), written on first use.
func benchIndex(b *testing.B, n int, old bool) string {
	b.Helper()
	src := benchListing(b, n)
	if old {
		src = oldSnapshot(b, src)
	}
	p := strings.TrimSuffix(src, ".jsonl") + ".idx"
	if _, err := os.Stat(p); err == nil {
		return p
	}
	s, err := ingest.Build(context.Background(), []string{src}, ingest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.WriteIndex(p); err != nil {
		b.Fatal(err)
	}
	return p
}

func loadIndex(b *testing.B, p string) *lineage.Store {
	b.Helper()
	s, err := lineage.LoadIndex(p)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// oldSnapshot writes, beside listing, an older snapshot of it: the first
// 95% of the records (the listing is in createdAt order), of which every
// 500th with parents has none yet, every 700th names another parent (the
// previous record's), every 300th has its relations changed (finetune to
// adapter), and every 1000th has a sibling record deleted since. Against
// the listing, its diff has models and edges added and removed,
// re-parented models, relation changes and new foundations.
func oldSnapshot(b *testing.B, listing string) string {
	b.Helper()
	out := strings.TrimSuffix(listing, ".jsonl") + "-old.jsonl"
	if _, err := os.Stat(out); err == nil {
		return out
	}
	in, err := os.Open(listing)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	total := 0
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		total++
	}
	in.Seek(0, 0)
	f, err := os.Create(out + ".tmp")
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	sc = bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	prevParent := ""
	for i := 1; sc.Scan() && i <= total*95/100; i++ {
		line := sc.Text()
		var rec struct {
			ID   string   `json:"id"`
			Tags []string `json:"tags"`
		}
		parent := ""
		if strings.Contains(line, `"base_model:`) {
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				b.Fatal(err)
			}
			for _, t := range rec.Tags {
				if p, ok := strings.CutPrefix(t, "base_model:"); ok && !strings.Contains(p, ":") {
					parent = p
					break
				}
			}
		}
		switch {
		case parent != "" && i%500 == 0:
			var m map[string]any
			json.Unmarshal([]byte(line), &m)
			m["tags"] = slices.DeleteFunc(rec.Tags, func(t string) bool { return strings.HasPrefix(t, "base_model:") })
			if cd, ok := m["cardData"].(map[string]any); ok {
				delete(cd, "base_model")
				delete(cd, "base_model_relation")
			}
			nb, _ := json.Marshal(m)
			line = string(nb)
		case parent != "" && prevParent != "" && prevParent != parent && prevParent != rec.ID && i%700 == 0:
			line = strings.ReplaceAll(line, ":"+parent+`"`, ":"+prevParent+`"`)
			line = strings.ReplaceAll(line, `"`+parent+`"`, `"`+prevParent+`"`)
		case parent != "" && i%300 == 0:
			line = strings.ReplaceAll(line, "base_model:finetune:", "base_model:adapter:")
			line = strings.ReplaceAll(line, `"base_model_relation":"finetune"`, `"base_model_relation":"adapter"`)
		}
		if parent != "" {
			prevParent = parent
		}
		w.WriteString(line)
		w.WriteByte('\n')
		if i%1000 == 0 {
			fmt.Fprintf(w, `{"id":"deleted-org/model-%d","tags":["base_model:%s"]}`+"\n", i, strings.ReplaceAll(parent, `"`, ""))
		}
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	if err := os.Rename(out+".tmp", out); err != nil {
		b.Fatal(err)
	}
	return out
}

// benchTargets picks, in the largest family, its foundation, its deepest
// descendant and its two deepest merges (ties by id).
func benchTargets(s *lineage.Store) (top, deep, merge1, merge2 graph.NodeID) {
	top = s.Rank(1, graph.AllLabels)[0].Node()
	hits := s.G.Reach(top, graph.Down, graph.AllLabels, 0)
	slices.SortFunc(hits, func(a, b graph.Hit) int {
		if a.Depth != b.Depth {
			return int(b.Depth - a.Depth)
		}
		return strings.Compare(s.Name(a.Node), s.Name(b.Node))
	})
	deep = hits[0].Node
	merge1, merge2 = -1, -1
	for _, h := range hits {
		if s.G.InDegree(h.Node) < 2 {
			continue
		}
		if merge1 < 0 {
			merge1 = h.Node
		} else if merge2 < 0 {
			merge2 = h.Node
			break
		}
	}
	return top, deep, merge1, merge2
}

// BenchmarkPath: every path from the largest foundation to its deepest
// descendant (listed and counted), and the same as one shortest path.
func BenchmarkPath(b *testing.B) {
	for _, n := range benchSizes() {
		s := loadIndex(b, benchIndex(b, n, false))
		top, deep, merge, _ := benchTargets(s)
		b.Run(name(n)+"/shortest", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Path(top, deep, lineage.PathOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name(n)+"/all", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Path(top, merge, lineage.PathOptions{All: true, MaxPaths: 1000}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCommon: the common ancestry of the two deepest merges of the
// largest family.
func BenchmarkCommon(b *testing.B) {
	for _, n := range benchSizes() {
		s := loadIndex(b, benchIndex(b, n, false))
		_, _, m1, m2 := benchTargets(s)
		b.Run(name(n), func(b *testing.B) {
			for b.Loop() {
				if len(s.Common([]graph.NodeID{m1, m2}).Common) == 0 {
					b.Fatal("no common ancestor")
				}
			}
		})
	}
}

// BenchmarkDominators is the dominator tree a store computes on first use
// (Store.Dominators) over the whole graph.
func BenchmarkDominators(b *testing.B) {
	for _, n := range benchSizes() {
		s := loadIndex(b, benchIndex(b, n, false))
		b.Run(name(n), func(b *testing.B) {
			for b.Loop() {
				s.G.Dominators(graph.AllLabels)
			}
		})
	}
}

// BenchmarkImpact: the impact of the largest foundation, listed from the
// tree (tree built beforehand), and counted from its descendants alone
// (ImpactCount on a store without the tree, as descendants does).
func BenchmarkImpact(b *testing.B) {
	for _, n := range benchSizes() {
		p := benchIndex(b, n, false)
		s := loadIndex(b, p)
		top, _, _, _ := benchTargets(s)
		s.Dominators()
		b.Run(name(n)+"/tree", func(b *testing.B) {
			for b.Loop() {
				s.Impact(top, 50)
			}
		})
		fresh := loadIndex(b, p)
		b.Run(name(n)+"/count-local", func(b *testing.B) {
			for b.Loop() {
				fresh.ImpactCount(top)
			}
		})
		b.Run(name(n)+"/descendants", func(b *testing.B) {
			for b.Loop() {
				fresh.Descendants(top, 0, graph.AllLabels, 50)
			}
		})
	}
}

// BenchmarkDiff compares the older snapshot with the listing, both loaded
// from indexes.
func BenchmarkDiff(b *testing.B) {
	for _, n := range benchSizes() {
		old := loadIndex(b, benchIndex(b, n, true))
		cur := loadIndex(b, benchIndex(b, n, false))
		b.Run(name(n), func(b *testing.B) {
			for b.Loop() {
				d := lineage.Diff(old, cur, lineage.DiffOptions{Top: 10, Limit: 20})
				if d.Reparented == 0 || d.ModelsRemoved == 0 {
					b.Fatalf("diff found no change: %+v", d)
				}
			}
		})
	}
}
