package analytics

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/ingest"
)

// The analytics tests write small graphs with creation dates as lines
//
//	child@2024-01-15=500: parent relation, parent relation
//
// ("@DATE" and "=DOWNLOADS" optional; "x@2024-01-01:" is a foundation),
// fed through the real listing reader as Hub API JSON Lines.

type anSrc struct {
	name string
	data []byte
}

func (m anSrc) Name() string                 { return m.name }
func (m anSrc) Open() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(m.data)), nil }

func anStore(t testing.TB, text string) *lineage.Store {
	t.Helper()
	var buf bytes.Buffer
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		head, rest, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("analytics DSL line %q: want child[@DATE]: parent relation, ...", line)
		}
		head, downloads, _ := strings.Cut(strings.TrimSpace(head), "=")
		id, date, _ := strings.Cut(head, "@")
		rec := map[string]any{"id": id}
		if downloads != "" {
			rec["downloads"] = json.Number(downloads)
		}
		if date != "" {
			rec["createdAt"] = date + "T12:00:00.000Z"
		}
		var parents []string
		rel := ""
		for _, item := range strings.Split(rest, ",") {
			f := strings.Fields(item)
			if len(f) == 0 {
				continue
			}
			parents = append(parents, f[0])
			if len(f) > 1 {
				rel = f[1]
			}
		}
		if len(parents) > 0 {
			cd := map[string]any{"base_model": parents}
			if rel != "" {
				cd["base_model_relation"] = rel
			}
			rec["cardData"] = cd
		}
		b, _ := json.Marshal(rec)
		buf.Write(b)
		buf.WriteByte('\n')
	}
	s, err := ingest.BuildSources(context.Background(), []ingest.Source{anSrc{"analytics.jsonl", buf.Bytes()}}, ingest.Options{NoDigest: true})
	if err != nil {
		t.Fatalf("BuildSources: %v", err)
	}
	return s
}

// anGraph has three foundations (us/base, cn/base of known countries,
// xx/base of an organisation the table does not know), a merge of two
// countries, a quantization of that merge, an undated derivative and an
// author organisation without a country.
const anGraph = `
us/base@2024-01-01:
cn/base@2024-02-01:
xx/base@2024-01-01:
us/ft1@2024-01-03: us/base finetune
cn/ft1@2024-01-20: us/base finetune
us/ft2@2024-02-10: cn/base finetune
us/merge@2024-02-15: us/ft1 merge, cn/base merge
zz/q@2024-03-01: us/merge quantized
nod/ft: xx/base finetune
`

func anOrigins() *Origins {
	return NewOrigins([]Origin{
		{Org: "us", Name: "US Lab", Country: "US", Kind: KindLab},
		{Org: "cn", Name: "CN Co", Country: "CN", Kind: KindCompany},
		{Org: "zz", Name: "ZZ Community", Kind: KindCommunity},
	}, "test")
}

func groupsString(gs []GroupShare) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = fmt.Sprintf("%s=%g(%.4f)", g.Key, g.Derivatives, g.Share)
	}
	return strings.Join(parts, " ")
}

func TestAnalysisRank(t *testing.T) {
	s := anStore(t, anGraph)
	tests := []struct {
		by   GroupBy
		attr Attribution
		want string
	}{
		{ByCountry, AttributionFull, "US=4(0.6667) CN=3(0.5000) unknown=1(0.1667)"},
		{ByCountry, AttributionFractional, "US=3(0.5000) CN=2(0.3333) unknown=1(0.1667)"},
		{ByOrg, AttributionFull, "US Lab=4(0.6667) CN Co=3(0.5000) unknown=1(0.1667)"},
		{ByFoundation, AttributionFull, "us/base=4(0.6667) cn/base=3(0.5000) xx/base=1(0.1667)"},
		{ByFoundation, AttributionFractional, "us/base=3(0.5000) cn/base=2(0.3333) xx/base=1(0.1667)"},
	}
	for _, tt := range tests {
		a := New(s, anOrigins(), Scope{Attribution: tt.attr})
		r := a.Rank(tt.by)
		if got := groupsString(r.Groups); got != tt.want {
			t.Errorf("Rank(%s, %s) = %s, want %s", tt.by, tt.attr, got, tt.want)
		}
		if r.Derivatives != 6 {
			t.Errorf("Rank(%s, %s).Derivatives = %d, want 6", tt.by, tt.attr, r.Derivatives)
		}
		if tt.attr == AttributionFractional {
			var sum float64
			for _, g := range r.Groups {
				sum += g.Share
			}
			if math.Abs(sum-1) > 1e-5 {
				t.Errorf("Rank(%s, fractional) shares sum to %v, want 1", tt.by, sum)
			}
		}
	}
	// Full attribution by foundation is exactly Store.Rank.
	a := New(s, anOrigins(), Scope{})
	for _, e := range s.Rank(0, graph.AllLabels) {
		found := false
		for _, g := range a.Rank(ByFoundation).Groups {
			if g.Key == e.ID {
				found = g.Derivatives == float64(e.Descendants)
			}
		}
		if !found {
			t.Errorf("Rank(ByFoundation) disagrees with Store.Rank for %s (%d descendants)", e.ID, e.Descendants)
		}
	}
	org := a.Rank(ByOrg).Groups[0]
	if org.Country != "US" || org.TopFoundation != "us/base" || strings.Join(org.HubOrgs, ",") != "us" || org.Foundations != 1 {
		t.Errorf("Rank(ByOrg)[0] = %+v, want country US, top us/base, hub orgs [us], 1 foundation", org)
	}
}

func TestAnalysisTopGroups(t *testing.T) {
	gs := []GroupShare{{Key: "a", Derivatives: 5}, {Key: "b", Derivatives: 3}, {Key: "c", Derivatives: 2}, {Key: Unknown, Derivatives: 1}, {Key: "d", Derivatives: 1}}
	got := groupsString(TopGroups(gs, 1, 10))
	if want := "a=5(0.0000) unknown=1(0.0000) other=6(0.6000)"; got != want {
		t.Errorf("TopGroups(1) = %s, want %s", got, want)
	}
	if got := TopGroups(gs, 0, 10); len(got) != len(gs) {
		t.Errorf("TopGroups(0) kept %d groups, want all %d", len(got), len(gs))
	}
}

func TestAnalysisMatrix(t *testing.T) {
	s := anStore(t, anGraph)
	for _, tt := range []struct {
		attr  Attribution
		cells string
	}{
		{AttributionFull, "US>US=2(0.6667) US>CN=2(0.6667) CN>US=1(1.0000)"},
		{AttributionFractional, "US>US=1.5(0.5000) US>CN=1.5(0.5000) CN>US=1(1.0000)"},
	} {
		m := New(s, anOrigins(), Scope{Attribution: tt.attr}).Matrix()
		var parts []string
		for _, c := range m.Cells {
			parts = append(parts, fmt.Sprintf("%s>%s=%g(%.4f)", c.Author, c.Foundation, c.Derivatives, c.ShareOfRow))
		}
		if got := strings.Join(parts, " "); got != tt.cells {
			t.Errorf("Matrix(%s).Cells = %s, want %s", tt.attr, got, tt.cells)
		}
		if m.Derivatives != 6 || m.KnownAuthor != 4 || m.AuthorNotInTable != 1 || m.AuthorNoCountry != 1 {
			t.Errorf("Matrix(%s) counts = %d derivatives, %d known, %d not in table, %d no country; want 6 4 1 1", tt.attr, m.Derivatives, m.KnownAuthor, m.AuthorNotInTable, m.AuthorNoCountry)
		}
		if math.Abs(m.UnknownAuthorShare-2.0/6) > 1e-6 {
			t.Errorf("Matrix(%s).UnknownAuthorShare = %v, want 1/3", tt.attr, m.UnknownAuthorShare)
		}
		if got := fmt.Sprint(m.Columns); got != "[US CN]" {
			t.Errorf("Matrix(%s).Columns = %s, want [US CN]", tt.attr, got)
		}
	}
	a := New(s, anOrigins(), Scope{})
	var ids []string
	for _, c := range a.CellModels("us", "CN") {
		ids = append(ids, c.ID+"<"+strings.Join(c.Foundations, "+"))
	}
	if got, want := strings.Join(ids, " "), "us/ft2<cn/base us/merge<cn/base"; got != want {
		t.Errorf("CellModels(us, CN) = %s, want %s", got, want)
	}
	if got := a.CellModels("US", "unknown"); len(got) != 0 {
		t.Errorf("CellModels(US, unknown) = %v, want none", got)
	}
}

func TestAnalysisTimeline(t *testing.T) {
	s := anStore(t, anGraph)
	monthsString := func(tl Timeline) string {
		var parts []string
		for _, m := range tl.Months {
			parts = append(parts, fmt.Sprintf("%s:%d[%s]", m.Month, m.Derivatives, groupsString(m.Groups)))
		}
		return strings.Join(parts, " ")
	}
	tl := New(s, anOrigins(), Scope{}).Timeline(ByCountry)
	want := "2024-01:2[US=2(1.0000)] 2024-02:2[CN=2(1.0000) US=1(0.5000)] 2024-03:1[CN=1(1.0000) US=1(1.0000)]"
	if got := monthsString(tl); got != want {
		t.Errorf("Timeline(country, full) = %s\nwant %s", got, want)
	}
	if tl.Undated != 1 || tl.Derivatives != 5 {
		t.Errorf("Timeline undated %d dated %d, want 1 5", tl.Undated, tl.Derivatives)
	}
	tl = New(s, anOrigins(), Scope{Attribution: AttributionFractional}).Timeline(ByCountry)
	want = "2024-01:2[US=2(1.0000)] 2024-02:2[CN=1.5(0.7500) US=0.5(0.2500)] 2024-03:1[CN=0.5(0.5000) US=0.5(0.5000)]"
	if got := monthsString(tl); got != want {
		t.Errorf("Timeline(country, fractional) = %s\nwant %s", got, want)
	}
	f := tl.Fold([]string{"CN"})
	if got := groupsString(f.Totals); got != "CN=2(0.4000) other=3(0.6000)" {
		t.Errorf("Fold(CN).Totals = %s", got)
	}
	// A window: February only; the undated and the out-of-window
	// derivatives are left out and counted.
	from := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	a := New(s, anOrigins(), Scope{From: from, To: from.AddDate(0, 1, 0)})
	tl = a.Timeline(ByFoundation)
	if got := monthsString(tl); got != "2024-02:2[cn/base=2(1.0000) us/base=1(0.5000)]" {
		t.Errorf("Timeline(foundation, February) = %s", got)
	}
	m := a.Manifest()
	if m.Counted != 2 || m.Undated != 1 || m.OutsideWindow != 3 || m.Window != (Window{"2024-02-01", "2024-02-29"}) {
		t.Errorf("Manifest(February) = counted %d undated %d outside %d window %+v; want 2 1 3 2024-02-01..2024-02-29", m.Counted, m.Undated, m.OutsideWindow, m.Window)
	}
}

func TestAnalysisVelocity(t *testing.T) {
	s := anStore(t, anGraph)
	v := mustLookupAn(t, s, "us/base")
	for _, tt := range []struct {
		attr Attribution
		want string
	}{
		{AttributionFull, "7:1 30:2 90:4* 365:4*"},
		{AttributionFractional, "7:1 30:2 90:3* 365:3*"},
	} {
		e := New(s, anOrigins(), Scope{Attribution: tt.attr}).Velocity(v, nil)
		var parts []string
		for _, w := range e.Windows {
			p := fmt.Sprintf("%d:%g", w.Days, w.Derivatives)
			if !w.Complete {
				p += "*"
			}
			parts = append(parts, p)
		}
		if got := strings.Join(parts, " "); got != tt.want {
			t.Errorf("Velocity(us/base, %s) = %s, want %s", tt.attr, got, tt.want)
		}
		if e.Created != "2024-01-01" || e.Dated != 4 || e.Undated != 0 || e.ObservedDays != 60 || !e.IsFoundation {
			t.Errorf("Velocity(us/base) = %+v", e)
		}
	}
	a := New(s, anOrigins(), Scope{})
	curve := a.VelocityCurve(v, 60)
	if len(curve) != 61 || curve[0] != 0 || curve[2] != 1 || curve[19] != 2 || curve[45] != 3 || curve[60] != 4 {
		t.Errorf("VelocityCurve(us/base, 60) = %v", curve)
	}
	// A derivative dated before its foundation is in no window.
	s2 := anStore(t, "a/f@2024-05-01:\nb/early@2024-04-01: a/f\nb/late@2024-05-02: a/f\nb/nodate: a/f")
	e := New(s2, nil, Scope{}).Velocity(mustLookupAn(t, s2, "a/f"), []int{1, 7})
	if e.BeforeRelease != 1 || e.Undated != 1 || e.Dated != 2 || e.Descendants != 3 || e.Windows[0].Derivatives != 1 {
		t.Errorf("Velocity(a/f) = %+v, want 1 before release, 1 undated, 2 dated, 3 in all, 1 within a day", e)
	}
	// Unknown creation: no windows, no curve.
	s3 := anStore(t, "a/f:\nb/x@2024-01-01: a/f")
	a3 := New(s3, nil, Scope{})
	if e := a3.Velocity(mustLookupAn(t, s3, "a/f"), nil); e.Created != "" || len(e.Windows) != 0 || e.Descendants != 1 {
		t.Errorf("Velocity(undated foundation) = %+v", e)
	}
	if c := a3.VelocityCurve(mustLookupAn(t, s3, "a/f"), 10); c != nil {
		t.Errorf("VelocityCurve(undated foundation) = %v, want nil", c)
	}
}

func mustLookupAn(t testing.TB, s *lineage.Store, id string) graph.NodeID {
	t.Helper()
	v, err := s.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAnalysisRelationsAndCycles(t *testing.T) {
	s := anStore(t, anGraph+"\nloop/a@2024-01-01: loop/b finetune\nloop/b@2024-01-01: loop/a finetune\n")
	ft, _ := lineage.ParseRelations("finetune")
	a := New(s, anOrigins(), Scope{Labels: ft})
	r := a.Rank(ByFoundation)
	if got := groupsString(r.Groups); got != "us/base=2(0.5000) cn/base=1(0.2500) xx/base=1(0.2500)" {
		t.Errorf("Rank(finetune) = %s", got)
	}
	m := a.Manifest()
	// us/merge and zz/q hang below a merge edge; loop/a and loop/b have no
	// foundation at all.
	if m.NotReached != 4 || m.Derivatives != 4 || m.Foundations != 3 || strings.Join(m.Relations, ",") != "finetune" {
		t.Errorf("Manifest(finetune) = %+v", m)
	}
	if m.Attribution != "full" || !strings.Contains(m.AttributionRule, "more than 100%") || m.Origins.Version != "test" || m.Origins.Organisations != 3 {
		t.Errorf("Manifest(finetune) = %+v", m)
	}
	lines := strings.Join(m.Lines(), "\n")
	for _, want := range []string{"input        (none recorded) [analytics.jsonl]", "relations    finetune", "attribution  full", "window       all dates", "origins      test sha256:"} {
		if !strings.Contains(lines, want) {
			t.Errorf("Manifest.Lines() lacks %q:\n%s", want, lines)
		}
	}
}

func TestParseAnalyticsFlags(t *testing.T) {
	for _, s := range []string{"", "full", "FULL", " fractional "} {
		if _, err := ParseAttribution(s); err != nil {
			t.Errorf("ParseAttribution(%q): %v", s, err)
		}
	}
	if _, err := ParseAttribution("half"); err == nil {
		t.Errorf("ParseAttribution(half) = nil error")
	}
	for s, want := range map[string]GroupBy{"country": ByCountry, "org": ByOrg, "organization": ByOrg, "foundation": ByFoundation} {
		if g, err := ParseGroupBy(s); err != nil || g != want {
			t.Errorf("ParseGroupBy(%q) = %v, %v", s, g, err)
		}
	}
	if _, err := ParseGroupBy("continent"); err == nil {
		t.Errorf("ParseGroupBy(continent) = nil error")
	}
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
	frac := New(s, nil, Scope{Attribution: AttributionFractional})
	full := New(s, nil, Scope{})
	sum := func(gs []GroupShare) (credit, share float64) {
		for _, g := range gs {
			credit += g.Derivatives
			share += g.Share
		}
		return
	}
	for _, by := range []GroupBy{ByCountry, ByOrg, ByFoundation} {
		r := frac.Rank(by)
		c, sh := sum(r.Groups)
		if math.Abs(c-float64(r.Derivatives)) > 1e-3 || math.Abs(sh-1) > 1e-4 {
			t.Errorf("fractional Rank(%s): credit %v of %d derivatives, shares sum to %v; want 100%%", by, c, r.Derivatives, sh)
		}
		if by != ByFoundation && !hasKey(r.Groups, Unknown) {
			t.Errorf("Rank(%s) has no %s bucket", by, Unknown)
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
	got := full.Rank(ByFoundation).Groups
	if len(got) != len(want) {
		t.Errorf("Rank(ByFoundation) has %d foundations, Store.Rank %d", len(got), len(want))
	}
	for _, g := range got {
		if float64(want[g.Key]) != g.Derivatives {
			t.Errorf("Rank(ByFoundation) %s = %v, Store.Rank says %d", g.Key, g.Derivatives, want[g.Key])
			break
		}
	}
	tl := frac.Timeline(ByCountry)
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

func hasKey(gs []GroupShare, k string) bool {
	for _, g := range gs {
		if g.Key == k {
			return true
		}
	}
	return false
}

// rhGraph adds re-hosts to anGraph: rh/cn-base re-hosts cn/base (its
// finetunes declare only the re-host), rh/a re-hosts rh/b which re-hosts
// us/base, rh/x and rh/y name each other, and rh/orphan re-hosts a model
// nobody can name.
const rhGraph = anGraph + `
rh/cn-base@2024-02-02:
rh/a@2024-01-05:
rh/b@2024-01-04:
rh/x@2024-01-04:
rh/y@2024-01-04:
rh/orphan@2024-01-04:
us/on-rh@2024-02-10: rh/cn-base finetune
cn/on-rh@2024-02-11: rh/cn-base finetune
us/chain@2024-02-12: rh/a finetune
zz/loop@2024-02-13: rh/x finetune
xx/orphan-ft@2024-02-14: rh/orphan finetune, us/base merge
`

func rhOrigins() *Origins {
	return anOrigins().With([]Origin{{Org: "rh", Name: "Re-host", Kind: KindRehost}}, "rh.csv")
}

// rhResolver answers as recovered lineage would: by id.
func rhResolver(t *testing.T, s *lineage.Store) func(graph.NodeID) (graph.NodeID, bool) {
	m := map[string]string{"rh/cn-base": "cn/base", "rh/a": "rh/b", "rh/b": "us/base", "rh/x": "rh/y", "rh/y": "rh/x"}
	return func(v graph.NodeID) (graph.NodeID, bool) {
		to, ok := m[s.Name(v)]
		if !ok {
			return 0, false
		}
		return mustLookupAn(t, s, to), true
	}
}

func TestAnalysisRehost(t *testing.T) {
	s := anStore(t, rhGraph)
	tests := []struct {
		name     string
		rehosted bool
		country  string // Rank(ByCountry), fractional
		org      string // Rank(ByOrg), fractional
		known    float64
		under    int
		unknown  string // Coverage().Unknown
	}{
		// Without a resolver every re-hosted foundation is unknown:
		// us/on-rh, cn/on-rh, us/chain, zz/loop and half of
		// xx/orphan-ft sit under re-hosts.
		{"no resolver", false, "unknown=5.5(0.5000) US=3.5(0.3182) CN=2(0.1818)", "unknown=5.5(0.5000) US Lab=3.5(0.3182) CN Co=2(0.1818)",
			5.5, 5, "rh:rehost:5:4:rh/cn-base xx:not in table:1:1:xx/base"},
		// With one, rh/cn-base counts for CN and the chain rh/a -> rh/b
		// for US; the loop rh/x <-> rh/y and rh/orphan stay unknown.
		{"resolver", true, "US=4.5(0.4091) CN=4(0.3636) unknown=2.5(0.2273)", "US Lab=4.5(0.4091) CN Co=4(0.3636) unknown=2.5(0.2273)",
			8.5, 2, "rh:rehost:2:2:rh/orphan xx:not in table:1:1:xx/base"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := Scope{Attribution: AttributionFractional}
			if tt.rehosted {
				sc.Rehosted = rhResolver(t, s)
			}
			a := New(s, rhOrigins(), sc)
			if got := groupsString(a.Rank(ByCountry).Groups); got != tt.country {
				t.Errorf("Rank(country) = %s, want %s", got, tt.country)
			}
			if got := groupsString(a.Rank(ByOrg).Groups); got != tt.org {
				t.Errorf("Rank(org) = %s, want %s", got, tt.org)
			}
			c := a.Coverage(0)
			var parts []string
			for _, u := range c.Unknown {
				parts = append(parts, fmt.Sprintf("%s:%s:%d:%d:%s", u.Org, u.Reason, u.Derivatives, u.Foundations, u.TopFoundation))
			}
			if c.Derivatives != 11 || c.Known != tt.known || c.UnderRehost != tt.under || strings.Join(parts, " ") != tt.unknown {
				t.Errorf("Coverage = %d derivatives, %v known, %d under re-hosts, unknown %s; want 11, %v, %d, %s",
					c.Derivatives, c.Known, c.UnderRehost, strings.Join(parts, " "), tt.known, tt.under, tt.unknown)
			}
			if math.Abs(c.KnownShare-tt.known/11) > 1e-9 || c.UnknownOrgs != len(c.Unknown) {
				t.Errorf("Coverage share %v, %d unknown orgs listed of %d", c.KnownShare, len(c.Unknown), c.UnknownOrgs)
			}
			if tt.rehosted && c.ResolvedRehosts != 2 {
				t.Errorf("Coverage.ResolvedRehosts = %d, want 2 (rh/cn-base, rh/a)", c.ResolvedRehosts)
			}
			// The foundations stay themselves: placing is not re-parenting.
			if got := a.Rank(ByFoundation).Groups; !hasKey(got, "rh/cn-base") || hasKey(got, "rh/b") {
				t.Errorf("Rank(foundation) = %s, want rh/cn-base kept and rh/b absent (no derivative)", groupsString(got))
			}
		})
	}
	// A resolver answering nonsense (a node out of range, itself) places nothing.
	a := New(s, rhOrigins(), Scope{Rehosted: func(v graph.NodeID) (graph.NodeID, bool) {
		if s.Name(v) == "rh/a" {
			return graph.NodeID(s.NumModels() + 5), true
		}
		return v, true
	}})
	if c := a.Coverage(0); c.ResolvedRehosts != 0 || c.UnderRehost != 5 {
		t.Errorf("Coverage with a bad resolver = %+v, want nothing resolved, 5 under re-hosts", c)
	}
}

// TestCoverageSample checks Coverage on the embedded sample against a
// brute force over Store.Ancestors: the foundations of every derivative,
// placed with the embedded table.
func TestCoverageSample(t *testing.T) {
	s, err := ingest.BuildSources(context.Background(), ingest.Sample(), ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultOrigins()
	var known float64
	counted, under := 0, 0
	orgDerivs := map[string]int{}
	for v := range s.NumModels() {
		d := graph.NodeID(v)
		if s.IsFoundation(d) {
			continue
		}
		fs := s.Ancestors(d).Foundations
		if len(fs) == 0 {
			continue // on a cycle, below no foundation
		}
		counted++
		n, rh := 0, false
		orgs := map[string]bool{}
		for _, f := range fs {
			if o.Country(f) != Unknown {
				n++
				continue
			}
			rh = rh || o.IsRehost(f)
			orgs[strings.ToLower(OrgOf(f))] = true
		}
		known += float64(n) / float64(len(fs))
		if rh {
			under++
		}
		for org := range orgs {
			orgDerivs[org]++
		}
	}
	c := New(s, o, Scope{}).Coverage(0)
	if c.Derivatives != counted || math.Abs(c.Known-known) > 1e-4 || c.UnderRehost != under || c.UnknownOrgs != len(orgDerivs) {
		t.Errorf("Coverage = %d derivatives, %v known, %d under re-hosts, %d unknown orgs; brute force %d, %v, %d, %d",
			c.Derivatives, c.Known, c.UnderRehost, c.UnknownOrgs, counted, known, under, len(orgDerivs))
	}
	for i, u := range c.Unknown {
		if want := orgDerivs[strings.ToLower(u.Org)]; u.Derivatives != want {
			t.Errorf("Coverage.Unknown %s = %d derivatives, brute force %d", u.Org, u.Derivatives, want)
		}
		if i > 0 && u.Derivatives > c.Unknown[i-1].Derivatives {
			t.Errorf("Coverage.Unknown not sorted: %s after %s", u.Org, c.Unknown[i-1].Org)
		}
	}
	if len(c.Unknown) == 0 || c.UnderRehost == 0 {
		t.Errorf("Coverage on the sample = %+v, want unknown organisations and derivatives under re-hosts (unsloth)", c)
	}
	t.Logf("sample: country known for %.1f of %d derivatives (%.1f%%), %d under re-hosts", c.Known, c.Derivatives, 100*c.KnownShare, c.UnderRehost)
}
