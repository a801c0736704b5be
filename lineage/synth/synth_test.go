package synth

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/lineage/hubapi"
)

func generate(t *testing.T, models int, seed uint64) ([]byte, Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := Generate(&buf, Options{Models: models, Seed: seed})
	if err != nil {
		t.Fatalf("Generate(%d, %d): %v", models, seed, err)
	}
	return buf.Bytes(), st
}

func TestDeterministic(t *testing.T) {
	a, _ := generate(t, 5000, 7)
	b, _ := generate(t, 5000, 7)
	if !bytes.Equal(a, b) {
		t.Fatal("same (models, seed) gave different bytes")
	}
	c, _ := generate(t, 5000, 8)
	if bytes.Equal(a, c) {
		t.Fatal("seeds 7 and 8 gave identical bytes")
	}
}

// record is the part of a listing line the tests read.
type record struct {
	ID               string   `json:"id"`
	Author           string   `json:"author"`
	CreatedAt        string   `json:"createdAt"`
	LastModified     string   `json:"lastModified"`
	Downloads        *int64   `json:"downloads"`
	DownloadsAllTime *int64   `json:"downloadsAllTime"`
	Likes            *int64   `json:"likes"`
	Library          string   `json:"library_name"`
	Gated            any      `json:"gated"`
	Tags             []string `json:"tags"`
	CardData         *struct {
		BaseModel json.RawMessage `json:"base_model"`
		Relation  string          `json:"base_model_relation"`
	} `json:"cardData"`
	Safetensors *struct {
		Total int64 `json:"total"`
	} `json:"safetensors"`
}

type parsed struct {
	recs    []record
	byLower map[string]int // lower-cased id -> index in recs
	parents [][]string     // per record, from the typed tags, lower-cased
	rels    []string       // per record, relation of the typed tags ("" if none)
}

func parseListing(t *testing.T, data []byte) parsed {
	t.Helper()
	p := parsed{byLower: map[string]int{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d: %v: %s", line, err, sc.Text())
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &keys); err != nil {
			t.Fatal(err)
		}
		for k := range keys {
			if _, ok := hubapi.Lookup(k); !ok {
				t.Fatalf("line %d: key %q is not a Hub API field (package hubapi)", line, k)
			}
		}
		if r.Downloads == nil || r.DownloadsAllTime == nil || r.Likes == nil || *r.DownloadsAllTime < *r.Downloads {
			t.Fatalf("line %d: downloads %v, all time %v, likes %v", line, r.Downloads, r.DownloadsAllTime, r.Likes)
		}
		if r.CreatedAt == "" || r.LastModified < r.CreatedAt {
			t.Fatalf("line %d: created %q, modified %q", line, r.CreatedAt, r.LastModified)
		}
		if g, ok := r.Gated.(string); r.Gated != nil && (!ok || g != "auto" && g != "manual") {
			t.Fatalf("line %d: gated %v", line, r.Gated)
		}
		if (r.Safetensors != nil) != slices.Contains(r.Tags, "safetensors") || r.Safetensors != nil && r.Safetensors.Total <= 0 {
			t.Fatalf("line %d: safetensors %v with tags %v", line, r.Safetensors, r.Tags)
		}
		if r.ID == "" || !strings.Contains(r.ID, "/") {
			t.Fatalf("line %d: bad id %q", line, r.ID)
		}
		low := strings.ToLower(r.ID)
		if _, dup := p.byLower[low]; dup {
			t.Fatalf("line %d: id %q repeats (case-insensitively)", line, r.ID)
		}
		p.byLower[low] = len(p.recs)
		var ps, untyped []string
		rel := ""
		for _, tag := range r.Tags {
			rest, ok := strings.CutPrefix(tag, "base_model:")
			if !ok {
				continue
			}
			if rl, id, ok := strings.Cut(rest, ":"); ok {
				if rel != "" && rl != rel {
					t.Fatalf("line %d: relations %s and %s in one record", line, rel, rl)
				}
				rel = rl
				ps = append(ps, strings.ToLower(id))
			} else {
				untyped = append(untyped, strings.ToLower(rest))
			}
		}
		if strings.Join(ps, " ") != strings.Join(untyped, " ") {
			t.Fatalf("line %d: typed tags %v differ from untyped %v", line, ps, untyped)
		}
		if r.CardData != nil && r.CardData.BaseModel != nil {
			var list []string
			var one string
			if json.Unmarshal(r.CardData.BaseModel, &one) == nil {
				list = []string{one}
			} else if err := json.Unmarshal(r.CardData.BaseModel, &list); err != nil {
				t.Fatalf("line %d: cardData.base_model: %v", line, err)
			}
			if got := strings.ToLower(strings.Join(list, " ")); got != strings.Join(ps, " ") {
				t.Fatalf("line %d: cardData.base_model %v differs from tags %v", line, list, ps)
			}
		}
		p.recs = append(p.recs, r)
		p.parents = append(p.parents, ps)
		p.rels = append(p.rels, rel)
	}
	return p
}

func TestShape(t *testing.T) {
	const n = 20000
	data, st := generate(t, n, 1)
	p := parseListing(t, data)
	if len(p.recs) != n || st.Models != n {
		t.Fatalf("got %d records (stats %d), want %d", len(p.recs), st.Models, n)
	}

	var edges [numRels]int
	withParents, selfRefs, merges, cardBase := 0, 0, 0, 0
	for i, ps := range p.parents {
		if len(ps) == 0 {
			continue
		}
		withParents++
		r := slices.Index(RelationNames[:], p.rels[i])
		if r < 0 {
			t.Fatalf("%s: unknown relation %q", p.recs[i].ID, p.rels[i])
		}
		edges[r] += len(ps)
		low := strings.ToLower(p.recs[i].ID)
		for _, q := range ps {
			if q == low {
				selfRefs++
			}
		}
		if r == relMerge && len(ps) >= 2 {
			merges++
		}
		if r == relAdapter && p.recs[i].Library != "peft" && p.recs[i].Library != "diffusers" && p.recs[i].Library != "" {
			t.Errorf("%s: adapter with library_name %q", p.recs[i].ID, p.recs[i].Library)
		}
		if c := p.recs[i].CardData; c != nil && c.BaseModel != nil {
			cardBase++
		}
	}
	if edges != st.Edges || withParents != st.WithParents || selfRefs != st.SelfRefs {
		t.Errorf("stats %+v disagree with the output: edges %v, with parents %d, self-references %d", st, edges, withParents, selfRefs)
	}

	total := 0
	for _, e := range edges {
		total += e
	}
	want := [numRels]float64{42.6, 35.9, 19.2, 2.3}
	for r := range numRels {
		got := pct(edges[r], total)
		if math.Abs(got-want[r]) > 2.5 {
			t.Errorf("%s edges = %.1f%%, want %.1f%% ± 2.5", RelationNames[r], got, want[r])
		}
	}
	if f := pct(withParents, n); f < 26 || f > 30 {
		t.Errorf("models with parents = %.1f%%, want about 28%%", f)
	}
	if selfRefs < 1 {
		t.Error("no self-reference")
	}
	if merges < 1 {
		t.Error("no merge with 2 or more parents")
	}
	if cardBase == 0 || cardBase == withParents {
		t.Errorf("cardData.base_model in %d of %d children, want a fraction", cardBase, withParents)
	}

	// Depth, dangling parents, case variants, dates.
	depth := make([]int, len(p.recs))
	state := make([]uint8, len(p.recs)) // 0 new, 1 on stack, 2 done
	var visit func(i int) int
	visit = func(i int) int {
		switch state[i] {
		case 1:
			return 0 // cycle
		case 2:
			return depth[i]
		}
		state[i] = 1
		d := 0
		for _, q := range p.parents[i] {
			if j, ok := p.byLower[q]; ok && j != i {
				d = max(d, 1+visit(j))
			} else if !ok {
				d = max(d, 1)
			}
		}
		state[i], depth[i] = 2, d
		return d
	}
	maxDepth, dangling, caseVariants, earlierChild := 0, 0, 0, 0
	for i := range p.recs {
		maxDepth = max(maxDepth, visit(i))
		for _, q := range p.parents[i] {
			j, ok := p.byLower[q]
			if !ok {
				dangling++
				continue
			}
			if !slices.Contains(p.recs[i].Tags, "base_model:"+p.recs[j].ID) {
				caseVariants++
			}
			if j != i && p.recs[j].CreatedAt >= p.recs[i].CreatedAt {
				earlierChild++
			}
		}
	}
	if maxDepth < 5 {
		t.Errorf("max depth = %d, want >= 5", maxDepth)
	}
	if dangling == 0 {
		t.Error("no dangling parent")
	}
	if caseVariants == 0 {
		t.Error("no parent referenced with other letter case")
	}
	if earlierChild == 0 || earlierChild > 3*st.Cycles {
		t.Errorf("%d parents not older than their child, want one per cycle (%d cycles)", earlierChild, st.Cycles)
	}
	for _, id := range []string{"meta-llama/Llama-3.1-8B", "Qwen/Qwen2.5-7B", "black-forest-labs/FLUX.1-dev"} {
		if _, ok := p.byLower[strings.ToLower(id)]; !ok {
			t.Errorf("named foundation %s missing", id)
		}
	}
}

func TestSmall(t *testing.T) {
	for _, n := range []int{0, 1, 2, 10, 100} {
		data, st := generate(t, n, 3)
		if got := bytes.Count(data, []byte("\n")); got != n || st.Models != n {
			t.Errorf("Generate(%d) wrote %d lines (stats %d)", n, got, st.Models)
		}
		parseListing(t, data)
	}
}

func TestIDSet(t *testing.T) {
	s := newIDSet(1) // grows several times
	for i := range 5000 {
		id := "Org/Model-" + strconv.Itoa(i)
		if !s.add(id) {
			t.Fatalf("add(%q) = false for a new id", id)
		}
		if s.add(strings.ToLower(id)) {
			t.Fatalf("add(%q) after add(%q) = true", strings.ToLower(id), id)
		}
	}
}
