package recovery

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/ingest"
)

// The real-data tests read /work/shared/realdata (see its README.md): the
// hak crawl (edges.csv: source,target,edge over 29k LLMs) and, through the
// embedded sample, the converted crawls and Model Atlas annotations. They
// skip when the data is absent. LINEAGE_REALDATA overrides the location.
func realdataDir(t testing.TB) string {
	t.Helper()
	dir := realdataPath()
	if _, err := os.Stat(filepath.Join(dir, "hak", "edges.csv")); err != nil {
		t.Skipf("real data not available at %s (want /work/shared/realdata next to the repository, or set LINEAGE_REALDATA): %v", dir, err)
	}
	return dir
}

func realdataPath() string {
	if dir := os.Getenv("LINEAGE_REALDATA"); dir != "" {
		return dir
	}
	return "../../../shared/realdata"
}

func realdataPresent() bool {
	_, err := os.Stat(filepath.Join(realdataPath(), "hak", "edges.csv"))
	return err == nil
}

var hakOnce struct {
	sync.Once
	s   *lineage.Store
	err error
}

// hakStore builds a store from hak/edges.csv, its columns mapped to an
// edge list lineage reads (source -> parent, target -> child, edge ->
// relation with finetuned -> finetune, merged -> merge).
func hakStore(t testing.TB) *lineage.Store {
	dir := realdataDir(t)
	hakOnce.Do(func() {
		hakOnce.s, hakOnce.err = buildHak(filepath.Join(dir, "hak", "edges.csv"), t.TempDir())
	})
	if hakOnce.err != nil {
		t.Fatal(hakOnce.err)
	}
	return hakOnce.s
}

func buildHak(path, tmp string) (*lineage.Store, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, err
	}
	if strings.Join(head, ",") != "source,target,edge" {
		return nil, fmt.Errorf("%s: header %q, want source,target,edge", path, head)
	}
	out := filepath.Join(tmp, "hak-edges.csv")
	w, err := os.Create(out)
	if err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"parent", "child", "relation"})
	rel := map[string]string{"finetuned": "finetune", "merged": "merge", "quantized": "quantized", "adapter": "adapter"}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		rr, ok := rel[row[2]]
		if !ok {
			return nil, fmt.Errorf("%s: unknown edge kind %q", path, row[2])
		}
		cw.Write([]string{row[0], row[1], rr})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, err
	}
	w.Close()
	return ingest.Build(context.Background(), []string{out}, ingest.Options{})
}

var sampleOnce struct {
	sync.Once
	s   *lineage.Store
	err error
}

func sampleStore(t testing.TB) *lineage.Store {
	sampleOnce.Do(func() {
		sampleOnce.s, sampleOnce.err = ingest.BuildSources(context.Background(), ingest.Sample(), ingest.Options{})
	})
	if sampleOnce.err != nil {
		t.Fatal(sampleOnce.err)
	}
	return sampleOnce.s
}

// familyOf numbers each model's family: the first foundation (lowest node
// id) reached going up.
func familyOf(g *graph.Graph) []graph.NodeID {
	n := g.NumNodes()
	fam := make([]graph.NodeID, n)
	for i := range fam {
		fam[i] = -1
	}
	var find func(v graph.NodeID, depth int) graph.NodeID
	find = func(v graph.NodeID, depth int) graph.NodeID {
		if fam[v] >= 0 {
			return fam[v]
		}
		ps, _ := g.In(v)
		if len(ps) == 0 || depth > 64 {
			fam[v] = v
			return v
		}
		best := graph.NodeID(-1)
		for _, p := range ps {
			if f := find(p, depth+1); best < 0 || f < best {
				best = f
			}
		}
		fam[v] = best
		return best
	}
	for v := 0; v < n; v++ {
		find(graph.NodeID(v), 0)
	}
	return fam
}

// familySplit accepts the children whose family's foundation id hashes to
// part (0 or 1): the development and the check half of a corpus.
func familySplit(s *lineage.Store, part int) func(graph.NodeID) bool {
	fam := familyOf(s.G)
	return func(v graph.NodeID) bool {
		return int(hashFold(s.Name(fam[v]))>>17)&1 == part
	}
}

func logReport(t *testing.T, name string, rep EvalReport) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d eligible single-parent declarations, %.0f%% hidden (seed %d), threshold %.2f\n", name, rep.Declarations, rep.Fraction*100, rep.Seed, rep.MinConfidence)
	fmt.Fprintf(&b, "  %-10s %7s %8s %7s %7s %9s %6s\n", "relation", "hidden", "proposed", "correct", "samerel", "precision", "recall")
	rels := make([]string, 0, len(rep.ByRelation))
	for k := range rep.ByRelation {
		rels = append(rels, k)
	}
	sort.Strings(rels)
	row := func(k string, s Score) {
		fmt.Fprintf(&b, "  %-10s %7d %8d %7d %7d %9.3f %6.3f\n", k, s.Hidden, s.Proposed, s.Correct, s.SameRel, s.Precision, s.Recall)
	}
	for _, k := range rels {
		row(k, rep.ByRelation[k])
	}
	row("all", rep.All)
	fmt.Fprintf(&b, "  confidence buckets (every proposal for a hidden model):\n")
	for _, bk := range rep.Buckets {
		fmt.Fprintf(&b, "    [%.2f,%.2f) %6d proposed %6d correct  precision %.3f\n", bk.Lo, bk.Hi, bk.Proposed, bk.Correct, bk.Precision)
	}
	fmt.Fprintf(&b, "  by match and rule:\n")
	for _, m := range rep.ByMatch {
		fmt.Fprintf(&b, "    %-14s %-14s %6d proposed %6d correct  precision %.3f\n", m.Match, m.Rule, m.Proposed, m.Correct, m.Precision)
	}
	fmt.Fprintf(&b, "  top foundations: lost descendants restored %.3f (hidden-only proposals %.3f); undeclared models given a parent %d\n", rep.LostRestored, rep.LostRestoredHidden, rep.Undeclared)
	for _, f := range rep.Foundations {
		fmt.Fprintf(&b, "    %-50s before %6d hidden %6d recovered %6d (hidden-only %6d)\n", f.ID, f.Before, f.Hidden, f.Recovered, f.OnlyHidden)
	}
	t.Log(b.String())
}

// TestRealData measures recovery on real Hub lineage: the hak crawl split
// into two halves by family (the confidence table was set on part 0, the
// development half; part 1 checks it) and the embedded sample (converted
// crawls and Model Atlas annotations: another source, with dates). The
// floors sit a little under the measured values (see the package
// documentation); go test -v prints the full tables.
func TestRealData(t *testing.T) {
	s := hakStore(t)
	type floor struct{ quantP, quantR, allP float64 }
	sets := []struct {
		name  string
		c     Corpus
		opt   EvalOptions
		floor floor
	}{
		{"hak part 0 (development)", FromStore(s), EvalOptions{Eligible: familySplit(s, 0)}, floor{0.92, 0.62, 0.90}},
		{"hak part 1 (check)", FromStore(s), EvalOptions{Eligible: familySplit(s, 1)}, floor{0.92, 0.70, 0.90}},
		{"embedded sample (check)", FromStore(sampleStore(t)), EvalOptions{}, floor{0.97, 0.90, 0.95}},
	}
	for _, set := range sets {
		opt := set.opt
		opt.Fraction, opt.Seed, opt.MinConfidence = 0.2, 1, DefaultMinConfidence
		rep := Evaluate(set.c, opt)
		logReport(t, set.name, rep)
		q := rep.ByRelation["quantized"]
		if q.Precision < set.floor.quantP || q.Recall < set.floor.quantR {
			t.Errorf("%s: quantized precision %.3f recall %.3f, want at least %.2f and %.2f", set.name, q.Precision, q.Recall, set.floor.quantP, set.floor.quantR)
		}
		if rep.All.Precision < set.floor.allP {
			t.Errorf("%s: precision over every proposal for a hidden model %.3f, want at least %.2f", set.name, rep.All.Precision, set.floor.allP)
		}
		// Calibration: from the threshold up, each well-filled bucket's
		// observed precision is within 0.1 of its lower bound or above.
		for _, b := range rep.Buckets {
			if b.Lo >= DefaultMinConfidence && b.Proposed >= 50 && b.Precision < b.Lo-0.1 {
				t.Errorf("%s: confidence [%.2f, %.2f): observed precision %.3f over %d proposals", set.name, b.Lo, b.Hi, b.Precision, b.Proposed)
			}
		}
		if rep.LostRestored < 0.5 {
			t.Errorf("%s: %.3f of the top foundations' lost descendants restored, want at least 0.5", set.name, rep.LostRestored)
		}
		if again := Evaluate(set.c, opt); !reflect.DeepEqual(rep, again) {
			t.Errorf("%s: two evaluations with seed 1 differ", set.name)
		}
	}
}
