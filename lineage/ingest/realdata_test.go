package ingest

import (
	"bufio"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// The real-data tests read the converted Hugging Face lineage data in
// /work/shared/realdata (see its README.md): model cards, Hub API records
// and a crawled edge list. Expected values are computed here from the
// files with an independent, deliberately simple reader (a regexp for the
// front matter, the YAML library, encoding/json, encoding/csv and a plain
// BFS), not with the package under test.

// realdataDir is relative to the package directory, the tests' working
// directory.
const realdataDir = "../../../shared/realdata"

func realdataPath(t testing.TB, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{realdataDir}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data not available at %s (want /work/shared/realdata next to the repository): %v", p, err)
	}
	return p
}

// rdFrontMatter is the huggingface_hub front matter rule, simplified: an
// opening --- line, the YAML, a closing --- line.
var rdFrontMatter = regexp.MustCompile(`(?s)\A\s*---\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\z)`)

// rdValidID accepts ORG/NAME or a legacy NAME.
var rdValidID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$`)

// rdData is the independent reading of the real data, ids folded to
// lower case.
type rdData struct {
	card     map[string][]string // card front matter base_model (valid ids)
	cardData map[string][]string // hub record cardData.base_model
	tags     map[string][]string // hub record base_model:[REL:]ID tags
	csvRows  [][3]string         // parent, child, relation as in the file
	records  map[string]bool     // ids with a card or a hub record
	invalid  int                 // base_model values rejected by rdValidID
}

func rdList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, it := range x {
			if s, ok := it.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func (d *rdData) validIDs(vals []string) []string {
	var out []string
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if !rdValidID.MatchString(v) {
			d.invalid++
			continue
		}
		if k := strings.ToLower(v); !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

var rdOnce = sync.OnceValues(readRealdata)

func loadRealdata(t testing.TB) *rdData {
	t.Helper()
	realdataPath(t)
	d, err := rdOnce()
	if err != nil {
		t.Fatalf("reading real data independently: %v", err)
	}
	return d
}

func readRealdata() (*rdData, error) {
	d := &rdData{card: map[string][]string{}, cardData: map[string][]string{}, tags: map[string][]string{}, records: map[string]bool{}}
	cardsDir := filepath.Join(realdataDir, "cards")
	err := filepath.WalkDir(cardsDir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || e.Name() != "README.md" {
			return err
		}
		rel, _ := filepath.Rel(cardsDir, filepath.Dir(p))
		id := strings.ToLower(filepath.ToSlash(rel))
		d.records[id] = true
		text, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		m := rdFrontMatter.FindSubmatch([]byte(strings.TrimPrefix(string(text), "\ufeff")))
		if m == nil {
			return nil
		}
		var y map[string]any
		if yaml.Unmarshal(m[1], &y) != nil {
			return nil
		}
		if ps := d.validIDs(rdList(y["base_model"])); len(ps) > 0 {
			d.card[id] = ps
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(realdataDir, "hub", "models.jsonl"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r struct {
			ID       string         `json:"id"`
			Tags     []string       `json:"tags"`
			CardData map[string]any `json:"cardData"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, err
		}
		id := strings.ToLower(r.ID)
		d.records[id] = true
		if ps := d.validIDs(rdList(r.CardData["base_model"])); len(ps) > 0 {
			d.cardData[id] = ps
		}
		var tagIDs []string
		for _, tg := range r.Tags {
			if rest, ok := strings.CutPrefix(tg, "base_model:"); ok {
				// base_model:ID or base_model:REL:ID; ids hold no ':'.
				tagIDs = append(tagIDs, rest[strings.LastIndexByte(rest, ':')+1:])
			}
		}
		if ps := d.validIDs(tagIDs); len(ps) > 0 {
			d.tags[id] = ps
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	ef, err := os.Open(filepath.Join(realdataDir, "edges", "derivatives.csv"))
	if err != nil {
		return nil, err
	}
	defer ef.Close()
	cr := csv.NewReader(ef)
	header, err := cr.Read()
	if err != nil {
		return nil, err
	}
	if !slices.Equal(header, []string{"parent", "child", "relation"}) {
		return nil, errors.New("derivatives.csv header is not parent,child,relation")
	}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		d.csvRows = append(d.csvRows, [3]string{row[0], row[1], row[2]})
	}
	return d, nil
}

// declaredParents returns a model's parents as stated by its own records,
// by the documented precedence: card front matter / cardData base_model,
// then tags. (The files hold no baseModels field.)
func (d *rdData) declaredParents(id string) []string {
	if ps := d.card[id]; len(ps) > 0 {
		return ps
	}
	if ps := d.cardData[id]; len(ps) > 0 {
		return ps
	}
	return d.tags[id]
}

var (
	rdStoreMu sync.Mutex
	rdStores  = map[string]*lineage.Store{}
)

// realdataStore builds (once per set of inputs) a store from the named
// realdata folders.
func realdataStore(t testing.TB, folders ...string) *lineage.Store {
	t.Helper()
	var paths []string
	for _, f := range folders {
		paths = append(paths, realdataPath(t, f))
	}
	key := strings.Join(folders, "+")
	rdStoreMu.Lock()
	defer rdStoreMu.Unlock()
	if s, ok := rdStores[key]; ok {
		return s
	}
	s, err := Build(context.Background(), paths, Options{})
	if err != nil {
		t.Fatalf("Build(%v): %v", paths, err)
	}
	rdStores[key] = s
	return s
}

func TestRealdataR1776(t *testing.T) {
	for _, folders := range [][]string{{"cards", "hub"}, {"cards", "hub", "edges"}} {
		s := realdataStore(t, folders...)
		v := mustLookup(t, s, "perplexity-ai/r1-1776")
		res := s.Ancestors(v)
		var found bool
		for _, h := range res.Ancestors {
			if h.ID == "deepseek-ai/DeepSeek-R1" {
				found = true
				if h.Depth != 1 {
					t.Errorf("%v: Ancestors(perplexity-ai/r1-1776): DeepSeek-R1 at depth %d, want 1 (a direct parent)", folders, h.Depth)
				}
			}
		}
		if !found {
			t.Errorf("%v: Ancestors(perplexity-ai/r1-1776) = %q, want deepseek-ai/DeepSeek-R1 among them", folders, hopIDs(res.Ancestors))
		}
		if !slices.Contains(res.Foundations, "deepseek-ai/DeepSeek-R1") {
			t.Errorf("%v: Ancestors(perplexity-ai/r1-1776).Foundations = %v, want deepseek-ai/DeepSeek-R1", folders, res.Foundations)
		}
		if s.Name(v) != "perplexity-ai/r1-1776" {
			t.Errorf("%v: Name(r1-1776) = %q", folders, s.Name(v))
		}
	}
}

// TestRealdataCardAndCardDataAgree justifies a simplification of the
// independent reader: card front matter and cardData never disagree in
// these files, so their relative order (both are the highest precedence)
// does not change any answer.
func TestRealdataCardAndCardDataAgree(t *testing.T) {
	d := loadRealdata(t)
	differ := 0
	for id, ps := range d.card {
		if cd, ok := d.cardData[id]; ok && !sameSet(ps, cd) {
			differ++
		}
	}
	if differ != 0 {
		t.Errorf("%d models have card base_model != cardData base_model; the reference below assumes 0", differ)
	}
	if d.invalid != 0 {
		t.Errorf("%d base_model values are not plain Hub ids; the reference below assumes 0 (the data README reports none)", d.invalid)
	}
	if len(d.card) < 1800 || len(d.tags) < 2900 || len(d.csvRows) < 9000 {
		t.Errorf("independent reader found %d card parents, %d tag parents, %d edges: the files look incomplete", len(d.card), len(d.tags), len(d.csvRows))
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// TestRealdataEdgesReproduced: every crawled edge whose child has a card
// or Hub record declaring a parent must be an edge of the store built from
// cards + hub alone (the edge list not read).
func TestRealdataEdgesReproduced(t *testing.T) {
	d := loadRealdata(t)
	s := realdataStore(t, "cards", "hub")
	checked, misses := 0, 0
	relMismatch := 0
	for _, row := range d.csvRows {
		parent, child, rel := row[0], row[1], row[2]
		if len(d.declaredParents(strings.ToLower(child))) == 0 {
			continue
		}
		checked++
		pv, err1 := s.Lookup(parent)
		cv, err2 := s.Lookup(child)
		if err1 != nil || err2 != nil {
			misses++
			t.Errorf("edge %s -> %s: endpoint missing from the store (%v, %v)", parent, child, err1, err2)
			continue
		}
		l, ok := s.G.EdgeLabel(pv, cv)
		if !ok {
			misses++
			if misses <= 20 {
				t.Errorf("edge %s -> %s (%s) not reproduced from cards + hub; child's parents there: %v", parent, child, rel, s.Ancestors(cv).Ancestors)
			}
			continue
		}
		// Where the store holds a declared relation (a typed tag or a
		// card base_model_relation), it must agree with the crawl's.
		if r, declared := lineage.LabelRelation(l); declared && r.String() != rel {
			relMismatch++
		}
	}
	t.Logf("%d of %d crawled edges have a child with a declared parent; %d not reproduced; %d declared relations differ from the crawl's", checked, len(d.csvRows), misses, relMismatch)
	if misses != 0 {
		t.Errorf("%d crawled edges not reproduced from cards + hub, want 0", misses)
	}
	// The independent reader finds 3000 such edges today; a large drop
	// would mean the check silently covers nothing.
	if checked < 2900 {
		t.Errorf("only %d crawled edges were checked, want about 3000", checked)
	}
	if relMismatch != 0 {
		t.Errorf("%d edges with a declared relation disagree with the crawl's relation, want 0", relMismatch)
	}
}

// refRank computes the ranking over cards + hub + edges independently:
// each model's parents by precedence (card/cardData, else tags, else the
// union of its edge-list rows), self-references dropped, a foundation is a
// model with no parent, its count the number of distinct models reached
// by a BFS over child links.
func (d *rdData) refRank() []lineage.RankEntry {
	parents := map[string][]string{}
	nodes := map[string]bool{}
	for id := range d.records {
		nodes[id] = true
		if ps := d.declaredParents(id); len(ps) > 0 {
			parents[id] = ps
		}
	}
	csvParents := map[string][]string{}
	for _, row := range d.csvRows {
		p, c := strings.ToLower(row[0]), strings.ToLower(row[1])
		nodes[p], nodes[c] = true, true
		if !slices.Contains(csvParents[c], p) {
			csvParents[c] = append(csvParents[c], p)
		}
	}
	for c, ps := range csvParents {
		if _, ok := parents[c]; !ok {
			parents[c] = ps
		}
	}
	children := map[string][]string{}
	for c, ps := range parents {
		for _, p := range ps {
			nodes[p] = true
			if p != c {
				children[p] = append(children[p], c)
			}
		}
	}
	var out []lineage.RankEntry
	for v := range nodes {
		hasParent := false
		for _, p := range parents[v] {
			if p != v {
				hasParent = true
			}
		}
		if hasParent {
			continue
		}
		seen := map[string]bool{v: true}
		queue := []string{v}
		for len(queue) > 0 {
			x := queue[0]
			queue = queue[1:]
			for _, c := range children[x] {
				if !seen[c] {
					seen[c] = true
					queue = append(queue, c)
				}
			}
		}
		if len(seen) > 1 {
			out = append(out, lineage.RankEntry{ID: v, Descendants: len(seen) - 1})
		}
	}
	slices.SortFunc(out, func(a, b lineage.RankEntry) int {
		return cmp.Or(cmp.Compare(b.Descendants, a.Descendants), strings.Compare(a.ID, b.ID))
	})
	return out
}

func TestRealdataRank(t *testing.T) {
	d := loadRealdata(t)
	s := realdataStore(t, "cards", "hub", "edges")
	want := d.refRank()
	got := s.Rank(0, graph.AllLabels)
	if len(got) != len(want) {
		t.Errorf("Rank(0) has %d foundations with descendants, want %d", len(got), len(want))
	}
	const top = 25
	for i := 0; i < min(top, len(want), len(got)); i++ {
		if modelid.Fold(got[i].ID) != want[i].ID || got[i].Descendants != want[i].Descendants {
			t.Errorf("Rank(0)[%d] = %s=%d, want %s=%d", i, got[i].ID, got[i].Descendants, want[i].ID, want[i].Descendants)
		}
	}
	// Every foundation, not only the top: the full ranking agrees.
	for i := range min(len(want), len(got)) {
		if modelid.Fold(got[i].ID) != want[i].ID || got[i].Descendants != want[i].Descendants {
			t.Errorf("Rank(0)[%d] = %s=%d, want %s=%d (first difference)", i, got[i].ID, got[i].Descendants, want[i].ID, want[i].Descendants)
			break
		}
	}
	// Sanity: the data's largest families lead, and the reference is not
	// trivially empty.
	if len(want) < 50 || want[0].Descendants < 1000 {
		t.Fatalf("reference ranking looks wrong: %d entries, top %v", len(want), want[:min(3, len(want))])
	}
	// Top-N is a prefix of the full ranking.
	if head := s.Rank(5, graph.AllLabels); !slices.EqualFunc(head, got[:5], func(a, b lineage.RankEntry) bool { return a.ID == b.ID && a.Descendants == b.Descendants }) {
		t.Errorf("Rank(5) = %s, want prefix of Rank(0) %s", rankString(head), rankString(got[:5]))
	}
	// Descendants of each of the top foundations agree with Rank.
	for _, e := range got[:min(10, len(got))] {
		if res := s.Descendants(e.Node(), 0, graph.AllLabels, 1); res.Count != e.Descendants {
			t.Errorf("Descendants(%s).Count = %d, want %d as in Rank", e.ID, res.Count, e.Descendants)
		}
	}
	st := s.Stats()
	if st.Cycles != 0 || st.SelfReferences != 0 {
		t.Errorf("Stats cycles %d self-references %d, want 0 0 (the data README reports none)", st.Cycles, st.SelfReferences)
	}
}

// TestSampleSources builds the embedded sample and checks that it holds
// the families it is documented to hold.
func TestSampleSources(t *testing.T) {
	srcs := Sample()
	if len(srcs) < 2 {
		t.Fatalf("Sample() = %d sources, want a listing and an edge list", len(srcs))
	}
	s := sampleStore(t)
	families := []struct {
		root string
		min  int
		kin  string // a known descendant
	}{
		{"deepseek-ai/DeepSeek-R1", 100, "perplexity-ai/r1-1776"},
		{"meta-llama/Llama-2-7b-chat-hf", 100, ""},
		{"mistralai/Mistral-7B-v0.1", 10, ""},
		{"HuggingFaceTB/SmolLM2-1.7B", 100, "HuggingFaceTB/SmolLM2-1.7B-Instruct"},
	}
	for _, f := range families {
		v, err := s.Lookup(f.root)
		if err != nil {
			t.Errorf("sample: Lookup(%s): %v", f.root, err)
			continue
		}
		res := s.Descendants(v, 0, graph.AllLabels, 0)
		if res.Count < f.min {
			t.Errorf("sample: Descendants(%s).Count = %d, want at least %d", f.root, res.Count, f.min)
		}
		if f.kin != "" {
			k, err := s.Lookup(f.kin)
			if err != nil {
				t.Errorf("sample: Lookup(%s): %v", f.kin, err)
				continue
			}
			in := false
			for _, h := range s.Ancestors(k).Ancestors {
				if h.Node() == v {
					in = true
				}
			}
			if !in {
				t.Errorf("sample: Ancestors(%s) lacks %s", f.kin, f.root)
			}
		}
	}
	if st := s.Stats(); st.Models < 1000 || st.Edges < 1000 {
		t.Errorf("sample: %d models %d edges, want thousands", st.Models, st.Edges)
	}
	if es := s.Rank(3, graph.AllLabels); len(es) != 3 {
		t.Errorf("sample: Rank(3) = %s, want 3 entries", rankString(es))
	}
}
