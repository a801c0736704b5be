package web

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/ingest"
	"github.com/lineage-project/lineage/lineage/modelid"
)

var (
	sampleOnce  sync.Once
	sampleStore *lineage.Store
	sampleErr   error
)

// sample is the store of the embedded sample (43k models), built once.
func sample(t testing.TB) *lineage.Store {
	t.Helper()
	sampleOnce.Do(func() {
		sampleStore, sampleErr = ingest.BuildSources(context.Background(), ingest.Sample(), ingest.Options{})
	})
	if sampleErr != nil {
		t.Fatal(sampleErr)
	}
	return sampleStore
}

// refModel is one model as refSearch sees it.
type refModel struct {
	id, lower, name string
	words           []string
	desc            int
	dl              int64
}

func refNonWord(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }

// refModels lists every model of s for refSearch, with its distinct
// descendants counted by Store.Descendants (a traversal per model).
func refModels(s *lineage.Store) []refModel {
	ms := make([]refModel, s.NumModels())
	for v := range graph.NodeID(s.NumModels()) {
		id := s.Name(v)
		l := strings.ToLower(id)
		ms[v] = refModel{id: id, lower: l, name: l[strings.LastIndex(l, "/")+1:], words: strings.FieldsFunc(l, refNonWord), dl: s.Downloads(v)}
		if s.G.OutDegree(v) > 0 {
			ms[v].desc = s.Descendants(v, 0, graph.AllLabels, 1).Count
		}
	}
	return ms
}

// refSearch is the search by its definition, with plain string functions
// over every model: the groups (whole id, name part, prefix of the id or
// the name part, every word), each by distinct descendants, downloads and
// id.
func refSearch(ms []refModel, q string, k int) []string {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil
	}
	fq := modelid.Fold(q) // ids are ASCII: only ASCII letters fold
	normID, _, problem := modelid.Normalize(q)
	if problem == "" {
		fq = modelid.Fold(normID)
	}
	words := strings.FieldsFunc(fq, refNonWord)
	if len(words) == 0 {
		return nil
	}
	type cand struct {
		m     *refModel
		group int
	}
	var cands []cand
	for i := range ms {
		m := &ms[i]
		all := true
		for _, w := range words {
			ok := false
			if len(w) >= 3 {
				ok = strings.Contains(m.lower, w)
			} else {
				for _, tok := range m.words {
					ok = ok || strings.HasPrefix(tok, w)
				}
			}
			all = all && ok
		}
		group := -1
		switch {
		case problem == "" && strings.EqualFold(m.id, normID):
			group = groupExactID
		case !strings.Contains(fq, "/") && m.name == fq:
			group = groupExactName
		case !refNonWord(rune(fq[0])) && (strings.HasPrefix(m.lower, fq) || strings.HasPrefix(m.name, fq)):
			group = groupPrefix
		case all:
			group = groupWords
		}
		if group >= 0 {
			cands = append(cands, cand{m, group})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.group, b.group), cmp.Compare(b.m.desc, a.m.desc), cmp.Compare(b.m.dl, a.m.dl), modelid.Compare(a.m.id, b.m.id))
	})
	var out []string
	for _, c := range cands[:min(k, len(cands))] {
		out = append(out, fmt.Sprintf("%s %s", matchNames[c.group], c.m.id))
	}
	return out
}

func gotSearch(ix *searchIndex, q string, k int) []string {
	var out []string
	for _, h := range ix.search(q, k).Hits {
		out = append(out, fmt.Sprintf("%s %s", matchNames[h.Group], ix.s.Name(h.V)))
	}
	return out
}

// sampleQueries are the queries of the issue and their neighbours, and,
// for random models of s, their ids, case variants, prefixes, name parts,
// inner pieces and words in another order.
func sampleQueries(s *lineage.Store, n int) []string {
	qs := []string{"1776", "mistral 7b", "Mistral-7B", "mistral-7b", "MISTRAL 7B", "mistralai/Mistral-7B-v0.1", "MISTRALAI/mistral-7b-V0.1",
		"perplexity-ai/r1-1776", "Perplexity-AI/R1-1776", "r1-17", "r1", "llama", "Llama 3.1 8B instruct", "meta-llama/Ll", "meta-llama/",
		"gguf", "7b", "a", "q4_k_m", "qwen2.5", "qwen 2.5", "-", "--", "_", "/", "  ", "https://huggingface.co/perplexity-ai/r1-1776",
		"istral", "no-such-model-anywhere", "7b mistral instruct v0.2 gguf", "org/name/extra", "gpt2", "GPT2", "bert base uncased"}
	r := rand.New(rand.NewPCG(1, 2))
	for range n {
		id := s.Name(graph.NodeID(r.IntN(s.NumModels())))
		name := namePart(id)
		toks := strings.FieldsFunc(id, func(r rune) bool { return strings.ContainsRune("-_./", r) })
		i := r.IntN(len(id))
		j := i + r.IntN(len(id)-i) + 1
		qs = append(qs, id, strings.ToUpper(id), name, id[:j], name[:1+r.IntN(len(name))], id[i:j])
		if len(toks) >= 2 {
			a, b := toks[r.IntN(len(toks))], toks[r.IntN(len(toks))]
			qs = append(qs, b+" "+a, strings.ToUpper(a)+"  "+b)
		}
	}
	return qs
}

// TestSearchMatchesReference holds the index's answers to the plain
// search by definition, on the sample, for a page and for a completion.
func TestSearchMatchesReference(t *testing.T) {
	s := sample(t)
	ix := newSearchIndex(s)
	ms := refModels(s)
	for _, q := range sampleQueries(s, 60) {
		want := refSearch(ms, q, maxSearchHits)
		for _, k := range []int{maxSearchHits, 10} {
			if got, want := gotSearch(ix, q, k), want[:min(k, len(want))]; !slices.Equal(got, want) {
				t.Errorf("search(%q, %d) =\n  %s\nwant\n  %s", q, k, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		}
	}
}

// TestSearchIssueQueries states what the queries of the issue find on the
// sample: the model a user means comes first.
func TestSearchIssueQueries(t *testing.T) {
	ix := newSearchIndex(sample(t))
	for _, tc := range []struct {
		q     string
		first []string // the first hits, in order
	}{
		{"1776", []string{"words perplexity-ai/r1-1776"}},
		{"mistral 7b", []string{"words mistralai/Mistral-7B-v0.1"}},
		{"MISTRAL  7B", []string{"words mistralai/Mistral-7B-v0.1"}},
		// An underscore is spelled as written in a prefix.
		{"MISTRAL_7B", []string{"prefix qblocks/mistral_7b_norobots"}},
		// The legacy id spelled so comes first (it is that id), then a
		// model of that name, then the family everyone means.
		{"Mistral-7B", []string{"id Mistral-7b", "name unsloth/mistral-7b", "prefix mistralai/Mistral-7B-v0.1"}},
		{"perplexity-ai/r1-1776", []string{"id perplexity-ai/r1-1776", "words mlx-community/perplexity-ai-r1-1776-bf16"}},
		{"PERPLEXITY-AI/R1-1776", []string{"id perplexity-ai/r1-1776"}},
		{"hf.co/perplexity-ai/r1-1776", []string{"id perplexity-ai/r1-1776"}},
		{"r1-17", []string{"prefix perplexity-ai/r1-1776"}},
	} {
		got := gotSearch(ix, tc.q, maxSearchHits)
		if len(got) < len(tc.first) || !slices.Equal(got[:len(tc.first)], tc.first) {
			t.Errorf("search(%q) starts\n  %s\nwant\n  %s", tc.q, strings.Join(got[:min(len(got), len(tc.first)+2)], "\n  "), strings.Join(tc.first, "\n  "))
		}
	}
	for _, q := range []string{"", "   ", "-_./", "zzzzzzzz-no-such"} {
		if got := gotSearch(ix, q, maxSearchHits); len(got) != 0 {
			t.Errorf("search(%q) = %v, want nothing", q, got)
		}
	}
}

// TestSearchPartial: a query whose candidates exceed the scan budget says
// so, and what it returns is still in the reference's order.
func TestSearchPartial(t *testing.T) {
	s := sample(t)
	ix := newSearchIndex(s)
	ix.maxScan = 50
	res := ix.search("a b c", maxSearchHits)
	if !res.Partial {
		t.Fatalf("search(a b c) with a budget of 50 postings is not partial (%d hits)", len(res.Hits))
	}
	ix.maxScan = defaultMaxScan
	if res := ix.search("a b c", maxSearchHits); res.Partial {
		t.Errorf("search(a b c) with the default budget is partial")
	}
}

// TestSearchTokens: ids split into words on - _ . / only, the first word
// of the id and of the name part lead.
func TestSearchTokens(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"meta-llama/llama-3.1-8b", "meta* llama llama* 3 1 8b"},
		{"gpt2", "gpt2*"},
		{"org/_x", "org* x*"},
		{"a.b_c-d/e", "a* b c d e*"},
		{"--/--", ""},
	} {
		var got []string
		eachToken([]byte(tc.id), func(tok []byte, lead bool) {
			s := string(tok)
			if lead {
				s += "*"
			}
			got = append(got, s)
		})
		if strings.Join(got, " ") != tc.want {
			t.Errorf("tokens(%q) = %q, want %q", tc.id, strings.Join(got, " "), tc.want)
		}
	}
}

func TestFirstK(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		xs := make([]int, r.IntN(40))
		for i := range xs {
			xs[i] = r.IntN(20)
		}
		k := 1 + r.IntN(10)
		want := slices.Clone(xs)
		slices.Sort(want)
		want = want[:min(k, len(want))]
		if got := firstK(xs, k, cmp.Compare[int]); !slices.Equal(got, want) {
			t.Fatalf("firstK(%v, %d) = %v, want %v", xs, k, got, want)
		}
	}
}

// FuzzSearch holds the index to the plain search on a small store of
// look-alike ids, for any query.
func FuzzSearch(f *testing.F) {
	for _, q := range []string{"1776", "mistral 7b", "Mistral-7B", "org/chat", "ORG/CHAT-gguf", "chat gguf", "r1-17", "a", "-", "\u212a", "x/", "hf.co/org/chat", "b c",
		"mis ist str tra ral mistr istra stral mistra istral mistral ai mistralai 7b v0 1 mi st zzz"} {
		f.Add(q)
	}
	listing := `{"id":"org/chat","downloads":7}
{"id":"org/chat-GGUF","tags":["base_model:org/chat"]}
{"id":"Org/Chat-lora","tags":["base_model:adapter:org/chat"]}
{"id":"chat","downloads":3}
{"id":"other/chat","tags":["base_model:finetune:chat"]}
{"id":"perplexity-ai/r1-1776","downloads":9}
{"id":"x/r1-1776-GGUF","tags":["base_model:perplexity-ai/r1-1776"]}
{"id":"a.b_c/d-e.f","downloads":1}
{"id":"Mistral-7b"}
{"id":"mistralai/Mistral-7B-v0.1","downloads":5}
{"id":"u/mistral-7b","tags":["base_model:mistralai/Mistral-7B-v0.1"]}
{"id":"k/Kk_kK-1","downloads":0}
`
	s, err := ingest.BuildSources(context.Background(), []ingest.Source{memSource{"f.jsonl", listing}}, ingest.Options{})
	if err != nil {
		f.Fatal(err)
	}
	ix := newSearchIndex(s)
	ms := refModels(s)
	f.Fuzz(func(t *testing.T, q string) {
		if len(q) > maxQueryLen {
			return
		}
		got, want := gotSearch(ix, q, 5), refSearch(ms, q, 5)
		if !slices.Equal(got, want) {
			t.Errorf("search(%q) = %q, want %q", q, got, want)
		}
	})
}

// TestExactEveryModel: every model of the sample is found by its id in
// upper, lower and its own case, and by its URL; a near miss is not.
func TestExactEveryModel(t *testing.T) {
	s := sample(t)
	ix := newSearchIndex(s)
	for v := range graph.NodeID(s.NumModels()) {
		id := s.Name(v)
		for _, q := range []string{id, strings.ToUpper(id), strings.ToLower(id), "https://huggingface.co/" + id} {
			if got, ok := ix.exact(q); !ok || got != v {
				t.Fatalf("exact(%q) = %d %v, want %d", q, got, ok, v)
			}
		}
		if got, ok := ix.exact(id + "-x"); ok && !strings.EqualFold(s.Name(got), id+"-x") {
			t.Fatalf("exact(%q) = %s", id+"-x", s.Name(got))
		}
	}
}
