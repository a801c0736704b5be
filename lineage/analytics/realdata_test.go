package analytics

import (
	"bufio"
	"context"
	"encoding/json"
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
// ../../../shared/realdata (see its README.md); they skip when it is absent.

const anRealdata = "../../../shared/realdata"

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
	a := New(s, nil, Scope{})
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
			for _, n := range VelocityDays {
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
	o := DefaultOrigins()
	want := map[string]float64{}
	for _, e := range s.Rank(0, graph.AllLabels) {
		want[o.Country(e.ID)] += float64(e.Descendants)
	}
	a := New(s, o, Scope{})
	r := a.Rank(ByCountry)
	for _, g := range r.Groups {
		if math.Abs(g.Derivatives-want[g.Key]) > 1e-6 {
			t.Errorf("Rank(country) %s = %v, want %v (sum of Store.Rank)", g.Key, g.Derivatives, want[g.Key])
		}
	}
	if len(r.Groups) != len(want) || !hasKey(r.Groups, Unknown) {
		t.Errorf("Rank(country) groups = %s; want %d groups with %s", groupsString(r.Groups), len(want), Unknown)
	}
	// The big foundation countries of the real data are known.
	for _, c := range []string{"US", "CN", "FR", "GB"} {
		if !hasKey(r.Groups, c) {
			t.Errorf("Rank(country) has no %s group: %s", c, groupsString(r.Groups))
		}
	}
	tl := New(s, o, Scope{Attribution: AttributionFractional}).Timeline(ByCountry)
	t.Logf("country shares of %d dated derivatives (fractional): %s", tl.Derivatives, groupsString(TopGroups(tl.Totals, 6, tl.Derivatives)))
}
