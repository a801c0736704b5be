package lineage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// influenceModel is one generated model: its parents and its figures (-1
// unknown; created 0 unknown).
type influenceModel struct {
	id                        string
	record                    bool
	parents                   []string
	rels                      []string
	downloads, allTime, likes int64
	created                   int64
}

// genInfluence generates a random lineage graph with figures: merges,
// back edges (cycles), parents without a record (dangling: no figures, no
// date), unknown figures and dates. It returns the models and the Hub API
// JSON Lines of those with a record.
func genInfluence(t *testing.T, r *rand.Rand) ([]influenceModel, []byte) {
	t.Helper()
	rels := []string{"finetune", "adapter", "quantized", "merge"}
	n := 2 + r.IntN(30)
	ms := make([]influenceModel, n)
	fig := func() int64 {
		if r.IntN(4) == 0 {
			return -1
		}
		return int64(r.IntN(1_000_000))
	}
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i := range ms {
		ms[i].id = fmt.Sprintf("org%d/m%02d", i%3, i)
	}
	for i := range ms {
		m := &ms[i]
		m.record = r.IntN(8) != 0
		m.downloads, m.allTime, m.likes = -1, -1, -1
		if !m.record {
			continue
		}
		m.downloads, m.allTime, m.likes = fig(), fig(), fig()
		if r.IntN(5) != 0 {
			m.created = base + int64(r.IntN(3*365))*86400
		}
		k := r.IntN(4)
		if r.IntN(3) == 0 {
			k = 0
		}
		used := map[int]bool{i: true}
		for range k {
			p := r.IntN(n)
			if r.IntN(3) != 0 && i > 0 {
				p = r.IntN(i) // mostly acyclic, some back edges
			}
			if used[p] {
				continue
			}
			used[p] = true
			m.parents = append(m.parents, ms[p].id)
			m.rels = append(m.rels, rels[r.IntN(len(rels))])
		}
	}
	var buf bytes.Buffer
	for _, m := range ms {
		if !m.record {
			continue
		}
		rec := map[string]any{"id": m.id}
		for k, v := range map[string]int64{"downloads": m.downloads, "downloadsAllTime": m.allTime, "likes": m.likes} {
			if v >= 0 {
				rec[k] = v
			}
		}
		if m.created != 0 {
			rec["createdAt"] = time.Unix(m.created, 0).UTC().Format("2006-01-02T15:04:05.000Z")
		}
		if len(m.parents) > 0 {
			cd := map[string]any{"base_model": m.parents}
			var tags []string
			for i, p := range m.parents {
				tags = append(tags, "base_model:"+m.rels[i]+":"+p)
			}
			rec["tags"] = tags
			rec["cardData"] = cd
		}
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return ms, buf.Bytes()
}

// influenceRef is the plain reference: maps and a breadth-first search
// per foundation, figures summed over the set it reaches.
type influenceRef struct {
	byID     map[string]*influenceModel
	children map[string][]string // parent -> children along rels
	parents  map[string]int      // child -> number of parents (any relation)
}

func newInfluenceRef(ms []influenceModel, rels map[string]bool) *influenceRef {
	ref := &influenceRef{byID: map[string]*influenceModel{}, children: map[string][]string{}, parents: map[string]int{}}
	referenced := map[string]bool{}
	for _, m := range ms {
		for _, p := range m.parents {
			referenced[p] = true
		}
	}
	for i := range ms {
		if ms[i].record || referenced[ms[i].id] { // a model without either is not in the store
			ref.byID[ms[i].id] = &ms[i]
		}
	}
	for _, m := range ms {
		for i, p := range m.parents {
			ref.parents[m.id]++
			if rels == nil || rels[m.rels[i]] {
				ref.children[p] = append(ref.children[p], m.id)
			}
		}
	}
	return ref
}

func (ref *influenceRef) reach(start string) []string {
	seen := map[string]bool{start: true}
	queue := []string{start}
	var out []string
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, c := range ref.children[v] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
				queue = append(queue, c)
			}
		}
	}
	return out
}

func (m *influenceModel) figure(by Measure) int64 {
	switch by {
	case MeasureDownloads:
		return m.downloads
	case MeasureDownloadsAllTime:
		return m.allTime
	case MeasureLikes:
		return m.likes
	}
	return -1
}

// refEntry is the reference's answer for one foundation.
type refEntry struct {
	id                            string
	descendants, unknown, undated int
	sum, own                      int64
}

// rank returns the reference's entries for the foundations with a
// descendant inside the window, unsorted.
func (ref *influenceRef) rank(by Measure, from, to int64) []refEntry {
	var out []refEntry
	inside := func(m *influenceModel) bool {
		if from == 0 && to == 0 {
			return true
		}
		return m.created != 0 && (from == 0 || m.created >= from) && (to == 0 || m.created < to)
	}
	for id, m := range ref.byID {
		if ref.parents[id] > 0 {
			continue
		}
		e := refEntry{id: id, own: m.figure(by)}
		for _, d := range ref.reach(id) {
			dm := ref.byID[d]
			if (from != 0 || to != 0) && dm.created == 0 {
				e.undated++
			}
			if !inside(dm) {
				continue
			}
			e.descendants++
			if f := dm.figure(by); f >= 0 {
				e.sum += f
			} else {
				e.unknown++
			}
		}
		if e.descendants > 0 {
			out = append(out, e)
		}
	}
	return out
}

// pageRank is a plain power iteration over the reversed graph (rank flows
// from a child to each parent along rels), 2000 steps.
func (ref *influenceRef) pageRank(rels map[string]bool) map[string]float64 {
	ids := make([]string, 0, len(ref.byID))
	for id := range ref.byID {
		ids = append(ids, id)
	}
	n := float64(len(ids))
	up := map[string][]string{}
	for _, m := range ref.byID {
		for i, p := range m.parents {
			if rels == nil || rels[m.rels[i]] {
				up[m.id] = append(up[m.id], p)
			}
		}
	}
	pr := map[string]float64{}
	for _, id := range ids {
		pr[id] = 1 / n
	}
	for range 2000 {
		next := map[string]float64{}
		dangling := 0.0
		for _, id := range ids {
			if len(up[id]) == 0 {
				dangling += pr[id]
				continue
			}
			for _, p := range up[id] {
				next[p] += PageRankDamping * pr[id] / float64(len(up[id]))
			}
		}
		for _, id := range ids {
			next[id] += (1-PageRankDamping)/n + PageRankDamping*dangling/n
		}
		pr = next
	}
	return pr
}

// TestRankByAgainstReference compares RankBy with the reference on random
// graphs, for every measure, relation filter and window.
func TestRankByAgainstReference(t *testing.T) {
	filters := []string{"", "finetune", "adapter,quantized", "merge,finetune"}
	day := func(s string) time.Time { tm, _ := time.Parse(time.DateOnly, s); return tm }
	windows := []struct{ from, to time.Time }{
		{}, {from: day("2024-01-01")}, {to: day("2024-06-01")}, {from: day("2023-06-01"), to: day("2025-01-01")},
	}
	r := rand.New(rand.NewPCG(16, 3))
	for iter := range 150 {
		ms, jsonl := genInfluence(t, r)
		b := NewBuilder(BuilderOptions{})
		src := memSrc{"gen.jsonl", jsonl}
		b.AddSource(src.Name())
		readPlain(t, src, b)
		s := b.Finish()
		for _, f := range filters {
			var rset map[string]bool
			if f != "" {
				rset = map[string]bool{}
				for _, rel := range strings.Split(f, ",") {
					rset[rel] = true
				}
			}
			ref := newInfluenceRef(ms, rset)
			labels := mustRelations(t, f)
			for _, by := range Measures {
				for _, w := range windows {
					windowed := !w.from.IsZero() || !w.to.IsZero()
					if by == MeasurePageRank && windowed {
						continue
					}
					name := fmt.Sprintf("graph %d, relations %q, by %s, window %v..%v", iter, f, by, w.from.Format(time.DateOnly), w.to.Format(time.DateOnly))
					top := []int{0, 1, 3}[iter%3]
					got, err := s.RankBy(RankOptions{Top: top, Labels: labels, By: by, From: w.from, To: w.to})
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					var from, to int64
					if !w.from.IsZero() {
						from = w.from.Unix()
					}
					if !w.to.IsZero() {
						to = w.to.Unix()
					}
					checkRanking(t, name, s, got, ref, by, from, to, top, rset)
				}
			}
		}
	}
}

func checkRanking(t *testing.T, name string, s *Store, got Ranking, ref *influenceRef, by Measure, from, to int64, top int, rset map[string]bool) {
	t.Helper()
	want := ref.rank(by, from, to)
	windowed := from != 0 || to != 0
	var pr map[string]float64
	key := func(e refEntry) float64 {
		switch {
		case by == MeasureDescendants:
			return float64(e.descendants)
		case by == MeasurePageRank:
			return pr[e.id]
		}
		return float64(e.sum)
	}
	if by == MeasurePageRank {
		pr = ref.pageRank(rset)
	}
	byID := map[string]refEntry{}
	for _, e := range want {
		byID[e.id] = e
	}
	if top == 0 && len(got.Entries) != len(want) || top > 0 && len(got.Entries) != min(top, len(want)) {
		t.Fatalf("%s: %d entries, want %d of %d", name, len(got.Entries), min(top, len(want)), len(want))
	}
	for i, e := range got.Entries {
		w, ok := byID[e.ID]
		if !ok {
			t.Fatalf("%s: entry %s is not a foundation with a descendant", name, e.ID)
		}
		if e.Descendants != w.descendants {
			t.Fatalf("%s: %s has %d descendants, want %d", name, e.ID, e.Descendants, w.descendants)
		}
		switch {
		case by.Summed():
			if e.Figure() != float64(w.sum) || *e.Own != w.own || *e.Unknown != w.unknown {
				t.Fatalf("%s: %s sum %v own %d unknown %d, want %d, %d, %d", name, e.ID, e.Figure(), *e.Own, *e.Unknown, w.sum, w.own, w.unknown)
			}
		case by == MeasurePageRank:
			if x := *e.PageRank; math.Abs(x-pr[e.ID]) > 1e-3*pr[e.ID] || x != RoundPageRank(x) {
				t.Fatalf("%s: %s PageRank %v, want %v to %d digits", name, e.ID, x, pr[e.ID], PageRankDigits)
			}
		}
		if windowed != (e.Undated != nil) || windowed && *e.Undated != w.undated {
			t.Fatalf("%s: %s undated %v, want %d (windowed: %v)", name, e.ID, e.Undated, w.undated, windowed)
		}
		if (e.Own != nil) != by.Summed() || (e.PageRank != nil) != (by == MeasurePageRank) {
			t.Fatalf("%s: %s has the figures of another measure: %+v", name, e.ID, e)
		}
		// Order: figure descending, then id; every foundation left out
		// ranks after the last one shown.
		if i > 0 {
			p := got.Entries[i-1]
			if p.Figure() < e.Figure() || p.Figure() == e.Figure() && modelid.Compare(p.ID, e.ID) >= 0 {
				t.Fatalf("%s: %s (%v) before %s (%v)", name, p.ID, p.Figure(), e.ID, e.Figure())
			}
		}
	}
	if n := len(got.Entries); n > 0 && n < len(want) && by != MeasurePageRank {
		last := got.Entries[n-1]
		for _, w := range want {
			if slices.ContainsFunc(got.Entries, func(e RankEntry) bool { return e.ID == w.id }) {
				continue
			}
			if k := key(w); k > last.Figure() || k == last.Figure() && modelid.Compare(w.id, last.ID) < 0 {
				t.Fatalf("%s: %s (%v) left out, but %s (%v) shown", name, w.id, k, last.ID, last.Figure())
			}
		}
	}
	// What the figures cover: every model below a foundation, once.
	below := map[string]bool{}
	for id := range ref.byID {
		if ref.parents[id] == 0 {
			for _, d := range ref.reach(id) {
				below[d] = true
			}
		}
	}
	var desc, unknown, undated, outside int
	for d := range below {
		m := ref.byID[d]
		switch {
		case windowed && m.created == 0:
			undated++
		case windowed && (from != 0 && m.created < from || to != 0 && m.created >= to):
			outside++
		default:
			desc++
			if by.Summed() && m.figure(by) < 0 {
				unknown++
			}
		}
	}
	if by == MeasureDescendants && !windowed {
		desc = 0 // the plain ranking does not count them
	}
	if got.Descendants != desc || got.Unknown != unknown || got.Undated != undated || got.Outside != outside {
		t.Fatalf("%s: ranking covers %d descendants (%d unknown, %d undated, %d outside), want %d (%d, %d, %d)",
			name, got.Descendants, got.Unknown, got.Undated, got.Outside, desc, unknown, undated, outside)
	}
	if got.By != by {
		t.Fatalf("%s: Ranking.By = %s", name, got.By)
	}
}

// TestRankByDefaultIsRank: the default options are Rank, entry for entry,
// and an entry of the default ranking carries no figure of another
// measure (its JSON is what it always was).
func TestRankByDefaultIsRank(t *testing.T) {
	s := sampleStore(t)
	r, err := s.RankBy(RankOptions{Top: 50})
	if err != nil {
		t.Fatal(err)
	}
	want := s.Rank(50, graph.AllLabels)
	if rankString(r.Entries) != rankString(want) {
		t.Fatalf("RankBy(default) = %s, want %s", rankString(r.Entries), rankString(want))
	}
	b, _ := json.Marshal(r.Entries[0])
	var keys map[string]json.RawMessage
	json.Unmarshal(b, &keys)
	if len(keys) != 3 || keys["id"] == nil || keys["descendants"] == nil || keys["direct"] == nil {
		t.Errorf("default entry JSON = %s, want only id, descendants and direct", b)
	}
}

func TestRankByErrors(t *testing.T) {
	s := dslStore(t, "b: a finetune")
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		opt  RankOptions
		want error
	}{
		{RankOptions{By: MeasurePageRank, From: day}, ErrUsage},
		{RankOptions{From: day, To: day}, ErrUsage},
		{RankOptions{By: Measure(99)}, ErrUsage},
	} {
		if _, err := s.RankBy(tt.opt); !errors.Is(err, tt.want) {
			t.Errorf("RankBy(%+v) = %v, want %v", tt.opt, err, tt.want)
		}
	}
	b := NewBuilder(BuilderOptions{GraphOnly: true})
	src := memSrc{"dsl.jsonl", dslJSONL(t, "b: a finetune")}
	b.AddSource(src.Name())
	readPlain(t, src, b)
	lean := b.Finish()
	for _, opt := range []RankOptions{{By: MeasureDownloads}, {From: day}} {
		if _, err := lean.RankBy(opt); !errors.Is(err, ErrNoMetadata) {
			t.Errorf("graph-only RankBy(%+v) = %v, want ErrNoMetadata", opt, err)
		}
	}
	for _, opt := range []RankOptions{{}, {By: MeasurePageRank}} {
		if r, err := lean.RankBy(opt); err != nil || len(r.Entries) != 1 {
			t.Errorf("graph-only RankBy(%+v) = %v, %v; want one entry", opt, r.Entries, err)
		}
	}
}

func TestParseMeasure(t *testing.T) {
	for _, m := range Measures {
		for _, s := range []string{m.String(), strings.ToUpper(m.String()), m.Key()} {
			if got, err := ParseMeasure(s); got != m || err != nil {
				t.Errorf("ParseMeasure(%q) = %v, %v, want %v", s, got, err, m)
			}
		}
	}
	if got, err := ParseMeasure(""); got != MeasureDescendants || err != nil {
		t.Errorf("ParseMeasure(\"\") = %v, %v", got, err)
	}
	if _, err := ParseMeasure("stars"); !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "downloads-all") {
		t.Errorf("ParseMeasure(stars) = %v, want a usage error listing the measures", err)
	}
}

func TestRoundPageRank(t *testing.T) {
	for _, tt := range []struct{ in, want float64 }{
		{0.0403849, 0.04038}, {0.0403851, 0.04039}, {1.23456e-7, 1.235e-7}, {0, 0}, {1, 1},
	} {
		if got := RoundPageRank(tt.in); got != tt.want {
			t.Errorf("RoundPageRank(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
