package analytics

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
)

// figGraph is anGraph with downloads: us/base's derivatives download
// 10 + 20 + 80 (us/ft1, cn/ft1, us/merge; zz/q unknown), cn/base's
// 40 + 80 (us/ft2, us/merge), xx/base's 160 (nod/ft, undated). The
// foundations' own downloads are not part of any sum.
const figGraph = `
us/base@2024-01-01=1000:
cn/base@2024-02-01=2000:
xx/base@2024-01-01:
us/ft1@2024-01-03=10: us/base finetune
cn/ft1@2024-01-20=20: us/base finetune
us/ft2@2024-02-10=40: cn/base finetune
us/merge@2024-02-15=80: us/ft1 merge, cn/base merge
zz/q@2024-03-01: us/merge quantized
nod/ft=160: xx/base finetune
`

func figuresString(gs []GroupShare) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		f, _ := g.Figure()
		parts[i] = fmt.Sprintf("%s=%g(%.4f)", g.Key, f, *g.FigureShare)
	}
	return strings.Join(parts, " ")
}

func TestAnalysisRankByDownloads(t *testing.T) {
	s := anStore(t, figGraph)
	feb := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		by   GroupBy
		sc   Scope
		want string
		// total is the downloads of the counted derivatives, each once;
		// unknown the counted derivatives without a figure.
		total   float64
		unknown int
	}{
		// Full attribution: us/merge's 80 count for both foundations.
		{ByCountry, Scope{}, "unknown=160(0.5161) CN=120(0.3871) US=110(0.3548)", 310, 1},
		{ByFoundation, Scope{}, "xx/base=160(0.5161) cn/base=120(0.3871) us/base=110(0.3548)", 310, 1},
		// Fractional: us/merge gives 40 to each; shares add up to 1.
		{ByFoundation, Scope{Attribution: AttributionFractional}, "xx/base=160(0.5161) cn/base=80(0.2581) us/base=70(0.2258)", 310, 1},
		// From February: us/ft2, us/merge and zz/q; nod/ft is undated.
		{ByCountry, Scope{From: feb}, "CN=120(1.0000) US=80(0.6667)", 120, 1},
	}
	for _, tt := range tests {
		a := New(s, anOrigins(), tt.sc)
		r, err := a.RankBy(tt.by, lineage.MeasureDownloads)
		if err != nil {
			t.Fatal(err)
		}
		if got := figuresString(r.Groups); got != tt.want || r.Total != tt.total || r.Unknown != tt.unknown {
			t.Errorf("RankBy(%s, downloads, %+v) = %s (total %g, unknown %d), want %s (%g, %d)", tt.by, tt.sc, got, r.Total, r.Unknown, tt.want, tt.total, tt.unknown)
		}
		// The groups are Rank's groups, with their derivative credit.
		plain := a.Rank(tt.by)
		if len(plain.Groups) != len(r.Groups) {
			t.Errorf("RankBy(%s) has %d groups, Rank %d", tt.by, len(r.Groups), len(plain.Groups))
		}
		for _, g := range r.Groups {
			for _, p := range plain.Groups {
				if p.Key == g.Key && p.Derivatives != g.Derivatives {
					t.Errorf("RankBy(%s): %s credits %g derivatives, Rank %g", tt.by, g.Key, g.Derivatives, p.Derivatives)
				}
			}
		}
	}
}

// TestAnalysisRankByPageRank: a group's PageRank is the sum of its
// foundations' Store.PageRank; ranked by it; shares of their total.
func TestAnalysisRankByPageRank(t *testing.T) {
	s := anStore(t, figGraph)
	a := New(s, anOrigins(), Scope{})
	r, err := a.RankBy(ByFoundation, lineage.MeasurePageRank)
	if err != nil {
		t.Fatal(err)
	}
	pr := s.PageRank(graph.AllLabels)
	var total float64
	for i, g := range r.Groups {
		v, _ := s.Lookup(g.Key)
		total += pr[v]
		if *g.PageRank != lineage.RoundPageRank(pr[v]) {
			t.Errorf("%s: PageRank %v, want %v", g.Key, *g.PageRank, lineage.RoundPageRank(pr[v]))
		}
		if i > 0 && *r.Groups[i-1].PageRank < *g.PageRank {
			t.Errorf("%s ranks after %s with a larger PageRank", g.Key, r.Groups[i-1].Key)
		}
	}
	if r.Total != lineage.RoundPageRank(total) || len(r.Groups) != 3 {
		t.Errorf("total %v over %d groups, want %v over 3", r.Total, len(r.Groups), lineage.RoundPageRank(total))
	}
	// cn/base's PageRank counts toward CN, us/base's toward US.
	byCountry, _ := a.RankBy(ByCountry, lineage.MeasurePageRank)
	for _, g := range byCountry.Groups {
		f := map[string]string{"US": "us/base", "CN": "cn/base", Unknown: "xx/base"}[g.Key]
		v, _ := s.Lookup(f)
		if *g.PageRank != lineage.RoundPageRank(pr[v]) || g.TopFoundation != f {
			t.Errorf("country %s: PageRank %v (top %s), want %v (%s)", g.Key, *g.PageRank, g.TopFoundation, lineage.RoundPageRank(pr[v]), f)
		}
	}
}

func TestAnalysisRankByErrors(t *testing.T) {
	s := anStore(t, figGraph)
	a := New(s, anOrigins(), Scope{From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
	if _, err := a.RankBy(ByCountry, lineage.MeasurePageRank); !errors.Is(err, lineage.ErrUsage) {
		t.Errorf("PageRank with a window: %v, want a usage error", err)
	}
	if r, err := a.RankBy(ByCountry, lineage.MeasureDescendants); err != nil || r.Measure != lineage.MeasureDescendants || r.Groups[0].FigureShare != nil {
		t.Errorf("RankBy(descendants) = %+v, %v; want Rank", r, err)
	}
}

// TestTopGroupsFoldsFigures: the groups folded into "other" add up their
// figures and figure shares too.
func TestTopGroupsFoldsFigures(t *testing.T) {
	s := anStore(t, figGraph)
	a := New(s, anOrigins(), Scope{})
	r, _ := a.RankBy(ByFoundation, lineage.MeasureDownloads)
	top := TopGroups(r.Groups, 1, r.Derivatives)
	if len(top) != 2 || top[1].Key != Other || *top[1].Downloads != 230 || *top[1].FigureShare != 0.741935484 {
		t.Errorf("TopGroups(1) = %s, want xx/base=160 and other=230 (0.7419)", figuresString(top))
	}
}
