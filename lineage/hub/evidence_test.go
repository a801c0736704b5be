package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/hubapi"
	"github.com/lineage-project/lineage/lineage/ingest"
)

const evidenceHub = `
base/llm
org/chat: base/llm finetune
ev/lora
ev/cfg
ev/merge
ev/quant-GGUF
ev/late-GGUF
ev/cut-GGUF
ev/gated
ev/bad
`

// bigTokens is a tokenizer array of n strings: the bulk of a real header.
func bigTokens(n int) gkv {
	a := garr{elem: 8}
	for i := range n {
		a.items = append(a.items, gStr(fmt.Sprintf("tok%05d", i)))
	}
	return gkv{"tokenizer.ggml.tokens", gv{9, a}}
}

// evidenceRepos fills h with a repository of each evidence file kind.
func evidenceRepos(h *fakeHub) {
	h.addFile("ev/lora", "adapter_config.json", []byte(`{"base_model_name_or_path": "base/llm", "r": 8, "peft_type": "LORA"}`), false)
	h.addFile("ev/cfg", "config.json", []byte(`{"_name_or_path": "/home/user/models/llm", "model_type": "llama"}`), false)
	h.addFile("ev/merge", "mergekit_config.yml", []byte(`merge_method: ties
base_model: base/llm
models:
  - model: org/chat
    parameters: {weight: 0.5}
  - model: base/llm
  - other/plain
slices:
  - sources:
      - model: other/x
        layer_range: [0, 32]
      - model: {model: deep/y}
dtype: bfloat16
`), false)
	general := []gkv{
		{"general.architecture", gStr("llama")},
		{"general.name", gStr("Chat 7B")},
		{"general.basename", gStr("chat")},
		{"general.quantized_by", gStr("ev")},
		{"general.base_model.count", gU32(2)},
		{"general.base_model.0.name", gStr("Chat")},
		{"general.base_model.0.organization", gStr("Org")},
		{"general.base_model.0.repo_url", gStr("https://huggingface.co/org/chat")},
		{"general.base_model.1.name", gStr("Llm")}, // no organization: no name fact
		{"general.base_model.1.repo_url", gStr("https://huggingface.co/base/llm")},
	}
	// 120k tokens: about 2 MiB, more than the first range.
	quant := ggufFixture(3, 291, append(append([]gkv{}, general...), gkv{"llama.context_length", gU32(4096)}, bigTokens(120000))...)
	h.addFile("ev/quant-GGUF", "model.Q4_K_M.gguf", append(quant, make([]byte, 1000)...), true)
	h.addFile("ev/quant-GGUF", "model.Q8_0.gguf", []byte("not read"), true)
	h.addFile("ev/quant-GGUF", "a/first-by-name.gguf", []byte("not read: deeper"), true)
	// The general.* keys after 1.5 MiB of vocabulary: read in a second range.
	late := ggufFixture(3, 1, bigTokens(90000), gkv{"general.name", gStr("Late")}, gkv{"general.base_model.0.repo_url", gStr("https://huggingface.co/base/llm")}, gkv{"llama.block_count", gU32(32)})
	h.addFile("ev/late-GGUF", "late.gguf", late, true)
	h.addFile("ev/cut-GGUF", "cut.gguf", ggufFixture(3, 1, general...)[:100], true)
	h.addFile("ev/gated", "adapter_config.json", []byte(`{"base_model_name_or_path": "base/llm"}`), false)
	h.gated["ev/gated"] = true
	h.addFile("ev/bad", "adapter_config.json", []byte(`not json`), false)
	h.addFile("ev/bad", "mergekit_config.yml", []byte("- a list\n- not a mapping\n"), false)
	// org/chat declares its parent: its files are never read.
	h.addFile("org/chat", "adapter_config.json", []byte(`{"base_model_name_or_path": "x/y"}`), false)
}

func fact(file, key, value string) hubapi.FileFact {
	return hubapi.FileFact{File: file, Key: key, Value: value}
}

func TestEvidence(t *testing.T) {
	h, srv := newFakeHub(t, evidenceHub)
	evidenceRepos(h)
	cache, _ := OpenCache(t.TempDir(), time.Hour)
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Cache = cache })
	f := fetcher(t, c, nil)
	if err := f.List(context.Background(), Query{}); err != nil {
		t.Fatal(err)
	}
	if err := f.Evidence(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	want := map[string][]hubapi.FileFact{
		"ev/lora": {fact("adapter_config.json", hubapi.KeyAdapterBase, "base/llm")},
		"ev/cfg":  {fact("config.json", hubapi.KeyConfigName, "/home/user/models/llm")},
		"ev/merge": {
			fact("mergekit_config.yml", hubapi.KeyMergeBase, "base/llm"),
			fact("mergekit_config.yml", hubapi.KeyMergeModel, "org/chat"),
			fact("mergekit_config.yml", hubapi.KeyMergeModel, "base/llm"),
			fact("mergekit_config.yml", hubapi.KeyMergeModel, "other/plain"),
			fact("mergekit_config.yml", hubapi.KeyMergeModel, "other/x"),
			fact("mergekit_config.yml", hubapi.KeyMergeModel, "deep/y"),
		},
		"ev/quant-GGUF": {
			fact("model.Q4_K_M.gguf", hubapi.KeyGGUFBaseRepo, "https://huggingface.co/org/chat"),
			fact("model.Q4_K_M.gguf", hubapi.KeyGGUFBaseName, "Org/Chat"),
			fact("model.Q4_K_M.gguf", hubapi.KeyGGUFBaseRepo, "https://huggingface.co/base/llm"),
			fact("model.Q4_K_M.gguf", hubapi.KeyGGUFBasename, "chat"),
			fact("model.Q4_K_M.gguf", hubapi.KeyGGUFQuantBy, "ev"),
			fact("model.Q4_K_M.gguf", hubapi.KeyGGUFModelName, "Chat 7B"),
		},
		"ev/late-GGUF": {
			fact("late.gguf", hubapi.KeyGGUFBaseRepo, "https://huggingface.co/base/llm"),
			fact("late.gguf", hubapi.KeyGGUFModelName, "Late"),
		},
	}
	var buf bytes.Buffer
	if err := f.WriteJSONL(&buf); err != nil {
		t.Fatal(err)
	}
	got := map[string][]hubapi.FileFact{}
	for i, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m hubapi.Model
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		if m.Evidence != nil {
			got[m.ID] = m.Evidence
		}
		// A line with lineageEvidence is still a listing record lineage
		// reads (it ignores the key until ingest wires it).
		rec, ok := ingest.ParseListingRecord("fetched", i+1, []byte(line), func(d lineage.Diagnostic) { t.Errorf("line %d: %v", i+1, d) })
		if !ok || rec.ID != m.ID {
			t.Errorf("line %d does not parse as a listing record: %s", i+1, line)
		}
	}
	for id, w := range want {
		if !slices.Equal(got[id], w) {
			t.Errorf("evidence of %s =\n  %v\nwant\n  %v", id, got[id], w)
		}
	}
	for id := range got {
		if want[id] == nil {
			t.Errorf("evidence of %s = %v, want none", id, got[id])
		}
	}
	st := f.EvidenceStats()
	// base/llm and the ev/ models (9); org/chat declares its parent.
	if st.Models != 9 || st.WithFacts != 5 || st.Facts != 16 {
		t.Errorf("stats %+v, want 9 models looked at, 5 with 16 facts", st)
	}
	problems := strings.Join(st.Problems, "\n")
	for _, p := range []string{
		"ev/gated: adapter_config.json: gated",
		"ev/bad: adapter_config.json: not a JSON object",
		"ev/bad: mergekit_config.yml: not a mapping at the top (a list)",
		"ev/cut-GGUF: cut.gguf: the file ends inside its header (100 bytes)",
	} {
		if !strings.Contains(problems, p) {
			t.Errorf("problems do not mention %q:\n%s", p, problems)
		}
	}
	if st.Failed != 4 {
		t.Errorf("%d failed reads, want 4:\n%s", st.Failed, problems)
	}
	// Ranges: one of 1 MiB where the general.* keys fit in it; 1 then 3
	// more MiB where they come after the vocabulary; no weights.
	ranges := slices.Clone(h.storeReqs)
	slices.Sort(ranges)
	wantRanges := []string{
		"/models/ev/cut-GGUF/cut.gguf bytes=0-1048575",
		"/models/ev/late-GGUF/late.gguf bytes=0-1048575",
		"/models/ev/late-GGUF/late.gguf bytes=1048576-4194303",
		"/models/ev/quant-GGUF/model.Q4_K_M.gguf bytes=0-1048575",
	}
	if !slices.Equal(ranges, wantRanges) {
		t.Errorf("store requests\n  %q\nwant\n  %q", ranges, wantRanges)
	}
	for _, p := range h.paths {
		if strings.HasPrefix(p, "/org/chat/") || strings.Contains(p, "/api/models/org/chat?") {
			t.Errorf("asked about org/chat, which declares its parent: %s", p)
		}
	}

	// Again, from the cache: no request.
	n := h.requests.Load() + int64(len(h.storeReqs))
	c2, _ := newTestClient(t, srv.URL, func(o *Options) { o.Cache = cache })
	f2 := fetcher(t, c2, nil)
	if err := f2.List(context.Background(), Query{}); err != nil {
		t.Fatal(err)
	}
	if err := f2.Evidence(context.Background(), c2); err != nil {
		t.Fatal(err)
	}
	if m := h.requests.Load() + int64(len(h.storeReqs)); m != n+1 { // the gated file's refusal is not cached
		t.Errorf("a cached rerun sent %d requests, want 1 (the gated file)", m-n)
	}
	if st2 := f2.EvidenceStats(); st2.Facts != st.Facts {
		t.Errorf("cached rerun found %d facts, want %d", st2.Facts, st.Facts)
	}
}

// A walk stopped by the request cap, rate limiting or an unreachable hub
// stops Evidence; a file that cannot be read does not.
func TestEvidenceStops(t *testing.T) {
	h, srv := newFakeHub(t, evidenceHub)
	evidenceRepos(h)
	c, _ := newTestClient(t, srv.URL, nil)
	f := fetcher(t, c, nil)
	if err := f.List(context.Background(), Query{}); err != nil {
		t.Fatal(err)
	}
	capped, _ := newTestClient(t, srv.URL, func(o *Options) { o.MaxRequests = 3 })
	if err := f.Evidence(context.Background(), capped); !errors.Is(err, ErrRequestCap) {
		t.Errorf("Evidence over a 3-request cap = %v, want ErrRequestCap", err)
	}
	// What was cut short is read again by the next call.
	if err := f.Evidence(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if st := f.EvidenceStats(); st.WithFacts != 5 {
		t.Errorf("after a capped and a full call: %+v, want 5 models with facts", st)
	}
}

func TestPastGeneral(t *testing.T) {
	kv := func(keys ...string) *GGUFHeader {
		h := &GGUFHeader{}
		for _, k := range keys {
			h.KV = append(h.KV, GGUFKV{Key: k})
		}
		return h
	}
	cases := []struct {
		h    *GGUFHeader
		want bool
	}{
		{nil, false},
		{kv(), false},
		{kv("general.name"), false},
		{kv("general.name", "llama.block_count"), true},
		{kv("tokenizer.ggml.tokens"), false}, // general.* may come later
		{kv("tokenizer.ggml.tokens", "general.name"), false},
	}
	for _, c := range cases {
		if got := pastGeneral(c.h); got != c.want {
			t.Errorf("pastGeneral(%v) = %v, want %v", c.h, got, c.want)
		}
	}
}
