package lineage_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/ingest"
)

// Real-data analytics tests over the converted Hub data in
// ../../shared/realdata (see its README.md); they skip when it is absent.

const anRealdata = "../../shared/realdata"

var anRealOnce struct {
	sync.Once
	s   *lineage.Store
	err error
}

func anRealStore(t *testing.T) *lineage.Store {
	t.Helper()
	var paths []string
	for _, f := range []string{"cards", "hub", "edges", "atlas"} {
		p := filepath.Join(anRealdata, f)
		if _, err := os.Stat(p); err != nil {
			t.Skipf("real data not available at %s (want /work/shared/realdata next to the repository): %v", p, err)
		}
		paths = append(paths, p)
	}
	anRealOnce.Do(func() { anRealOnce.s, anRealOnce.err = ingest.Build(context.Background(), paths, ingest.Options{}) })
	if anRealOnce.err != nil {
		t.Fatalf("Build(%v): %v", paths, anRealOnce.err)
	}
	return anRealOnce.s
}

// anCreatedAt reads createdAt of every record of hub/models.jsonl with
// encoding/json, independently of the package's listing reader; ids are
// folded to lower case.
func anCreatedAt(t *testing.T) map[string]time.Time {
	t.Helper()
	f, err := os.Open(filepath.Join(anRealdata, "hub", "models.jsonl"))
	if err != nil {
		t.Skipf("real data not available: %v", err)
	}
	defer f.Close()
	out := map[string]time.Time{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var rec struct {
			ID        string `json:"id"`
			CreatedAt string `json:"createdAt"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("hub/models.jsonl: %v", err)
		}
		if c, err := time.Parse(time.RFC3339, rec.CreatedAt); err == nil {
			out[strings.ToLower(rec.ID)] = c
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRealdataAnalyticsInvariants(t *testing.T) {
	s := anRealStore(t)
	checkAnalysisInvariants(t, s)
}

// TestRealdataVelocity recomputes the velocity windows of real foundations
// from the raw createdAt values and the store's descendant lists.
func TestRealdataVelocity(t *testing.T) {
	s := anRealStore(t)
	created := anCreatedAt(t)
	a := lineage.NewAnalysis(s, nil, lineage.Scope{})
	for _, id := range []string{"deepseek-ai/DeepSeek-R1", "meta-llama/Llama-2-7b", "google/gemma-7b", "microsoft/phi-2"} {
		v, err := s.Lookup(id)
		if err != nil {
			t.Fatalf("Lookup(%s): %v", id, err)
		}
		rel, ok := created[strings.ToLower(id)]
		if !ok {
			t.Fatalf("%s has no createdAt in hub/models.jsonl", id)
		}
		want := map[int]int{}
		dated, undated, before := 0, 0, 0
		desc := s.Descendants(v, 0, graph.AllLabels, 0)
		for _, h := range desc.Descendants {
			c, ok := created[strings.ToLower(h.ID)]
			if !ok {
				undated++
				continue
			}
			dated++
			age := c.Sub(rel).Hours() / 24
			if age < 0 {
				before++
				continue
			}
			for _, n := range lineage.VelocityDays {
				if age <= float64(n) {
					want[n]++
				}
			}
		}
		e := a.Velocity(v, nil)
		if e.Created != rel.Format(time.DateOnly) || e.Dated != dated || e.Undated != undated || e.BeforeRelease != before || int(e.Descendants) != desc.Count {
			t.Errorf("Velocity(%s) = created %s dated %d undated %d before %d all %v; want %s %d %d %d %d",
				id, e.Created, e.Dated, e.Undated, e.BeforeRelease, e.Descendants, rel.Format(time.DateOnly), dated, undated, before, desc.Count)
		}
		for i, w := range e.Windows {
			if int(w.Derivatives) != want[w.Days] {
				t.Errorf("Velocity(%s) within %d days = %v, want %d", id, w.Days, w.Derivatives, want[w.Days])
			}
			if i > 0 && w.Derivatives < e.Windows[i-1].Derivatives {
				t.Errorf("Velocity(%s) windows not cumulative: %+v", id, e.Windows)
			}
		}
		t.Logf("%s (created %s): %+v, %d dated, %d undated", id, e.Created, e.Windows, e.Dated, e.Undated)
	}
	// DeepSeek-R1 gathered descendants fast: most of its dated ones within
	// 90 days (the crawl ends in 2025-04).
	r1 := a.Velocity(mustLookupAn(t, s, "deepseek-ai/DeepSeek-R1"), nil)
	if len(r1.Windows) != 4 || r1.Windows[2].Derivatives < 0.9*float64(r1.Dated-r1.BeforeRelease) {
		t.Errorf("DeepSeek-R1 velocity = %+v", r1)
	}
}

// TestRealdataCountryShares checks the country aggregation against a sum
// over Store.Rank with the embedded origins table, and that the unknown
// bucket is reported.
func TestRealdataCountryShares(t *testing.T) {
	s := anRealStore(t)
	o := lineage.DefaultOrigins()
	want := map[string]float64{}
	for _, e := range s.Rank(0, graph.AllLabels) {
		want[o.Country(e.ID)] += float64(e.Descendants)
	}
	a := lineage.NewAnalysis(s, o, lineage.Scope{})
	r := a.Rank(lineage.ByCountry)
	for _, g := range r.Groups {
		if math.Abs(g.Derivatives-want[g.Key]) > 1e-6 {
			t.Errorf("Rank(country) %s = %v, want %v (sum of Store.Rank)", g.Key, g.Derivatives, want[g.Key])
		}
	}
	if len(r.Groups) != len(want) || !hasKey(r.Groups, lineage.Unknown) {
		t.Errorf("Rank(country) groups = %s; want %d groups with %s", groupsString(r.Groups), len(want), lineage.Unknown)
	}
	// The big foundation countries of the real data are known.
	for _, c := range []string{"US", "CN", "FR", "GB"} {
		if !hasKey(r.Groups, c) {
			t.Errorf("Rank(country) has no %s group: %s", c, groupsString(r.Groups))
		}
	}
	tl := lineage.NewAnalysis(s, o, lineage.Scope{Attribution: lineage.AttributionFractional}).Timeline(lineage.ByCountry)
	t.Logf("country shares of %d dated derivatives (fractional): %s", tl.Derivatives, groupsString(lineage.TopGroups(tl.Totals, 6, tl.Derivatives)))
}

// TestAnalysisSample checks invariants over the embedded sample: fractional
// shares sum to 100% in every aggregation, full attribution by foundation
// is Store.Rank, and the unknown bucket is reported.
func TestAnalysisSample(t *testing.T) {
	s, err := ingest.BuildSources(context.Background(), ingest.Sample(), ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkAnalysisInvariants(t, s)
}

func checkAnalysisInvariants(t *testing.T, s *lineage.Store) {
	t.Helper()
	frac := lineage.NewAnalysis(s, nil, lineage.Scope{Attribution: lineage.AttributionFractional})
	full := lineage.NewAnalysis(s, nil, lineage.Scope{})
	sum := func(gs []lineage.GroupShare) (credit, share float64) {
		for _, g := range gs {
			credit += g.Derivatives
			share += g.Share
		}
		return
	}
	for _, by := range []lineage.GroupBy{lineage.ByCountry, lineage.ByOrg, lineage.ByFoundation} {
		r := frac.Rank(by)
		c, sh := sum(r.Groups)
		if math.Abs(c-float64(r.Derivatives)) > 1e-3 || math.Abs(sh-1) > 1e-4 {
			t.Errorf("fractional Rank(%s): credit %v of %d derivatives, shares sum to %v; want 100%%", by, c, r.Derivatives, sh)
		}
		if by != lineage.ByFoundation && !hasKey(r.Groups, lineage.Unknown) {
			t.Errorf("Rank(%s) has no %s bucket", by, lineage.Unknown)
		}
		fc, fsh := sum(full.Rank(by).Groups)
		if fc < c-1e-6 || fsh < 1-1e-4 {
			t.Errorf("full Rank(%s): credit %v, shares %v; want at least the fractional %v, 100%%", by, fc, fsh, c)
		}
	}
	want := map[string]int{}
	for _, e := range s.Rank(0, graph.AllLabels) {
		want[e.ID] = e.Descendants
	}
	got := full.Rank(lineage.ByFoundation).Groups
	if len(got) != len(want) {
		t.Errorf("Rank(ByFoundation) has %d foundations, Store.Rank %d", len(got), len(want))
	}
	for _, g := range got {
		if float64(want[g.Key]) != g.Derivatives {
			t.Errorf("Rank(ByFoundation) %s = %v, Store.Rank says %d", g.Key, g.Derivatives, want[g.Key])
			break
		}
	}
	tl := frac.Timeline(lineage.ByCountry)
	if tl.Derivatives+tl.Undated != frac.Counted() {
		t.Errorf("Timeline: %d dated + %d undated != %d counted", tl.Derivatives, tl.Undated, frac.Counted())
	}
	n := 0
	for _, m := range tl.Months {
		n += m.Derivatives
		if m.Derivatives == 0 {
			continue
		}
		if c, _ := sum(m.Groups); math.Abs(c-float64(m.Derivatives)) > 1e-3 {
			t.Errorf("Timeline %s: fractional credit %v for %d derivatives", m.Month, c, m.Derivatives)
		}
	}
	if n != tl.Derivatives {
		t.Errorf("Timeline months hold %d derivatives, want %d", n, tl.Derivatives)
	}
	m := frac.Matrix()
	if m.KnownAuthor+m.AuthorNotInTable+m.AuthorNoCountry != m.Derivatives {
		t.Errorf("Matrix: %d known + %d not in table + %d no country != %d", m.KnownAuthor, m.AuthorNotInTable, m.AuthorNoCountry, m.Derivatives)
	}
	rowCredit := map[string]float64{}
	for _, c := range m.Cells {
		rowCredit[c.Author] += c.Derivatives
	}
	for _, r := range m.Rows {
		if math.Abs(rowCredit[r.Country]-float64(r.Derivatives)) > 1e-3 {
			t.Errorf("Matrix row %s: fractional credit %v for %d derivatives", r.Country, rowCredit[r.Country], r.Derivatives)
		}
	}
	man := full.Manifest()
	if man.InputDigest != s.Digest() || man.Models != s.NumModels() || man.Counted != full.Counted() || len(man.Relations) != 4 {
		t.Errorf("Manifest = %+v", man)
	}
}

func hasKey(gs []lineage.GroupShare, k string) bool {
	for _, g := range gs {
		if g.Key == k {
			return true
		}
	}
	return false
}

func mustLookupAn(t testing.TB, s *lineage.Store, id string) graph.NodeID {
	t.Helper()
	v, err := s.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func groupsString(gs []lineage.GroupShare) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = fmt.Sprintf("%s=%g(%.4f)", g.Key, g.Derivatives, g.Share)
	}
	return strings.Join(parts, " ")
}
