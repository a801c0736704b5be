package lineage_test

import (
	"context"
	"fmt"
	"log"
	"strings"
	"sync"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/ingest"
)

var (
	sampleOnce  sync.Once
	sampleStore *lineage.Store
)

// sample is the embedded sample of real Hub lineage facts, built once.
func sample() *lineage.Store {
	sampleOnce.Do(func() {
		s, err := ingest.BuildSources(context.Background(), ingest.Sample(), ingest.Options{NoDigest: true, GraphOnly: true})
		if err != nil {
			log.Fatal(err)
		}
		sampleStore = s
	})
	return sampleStore
}

func mustLookup(s *lineage.Store, id string) graph.NodeID {
	v, err := s.Lookup(id)
	if err != nil {
		log.Fatal(err)
	}
	return v
}

// Path tells how one model derives from another; with All, every path and
// their number.
func ExampleStore_Path() {
	s := sample()
	res, err := s.Path(mustLookup(s, "deepseek-ai/DeepSeek-R1"), mustLookup(s, "Bixho/idkai"), lineage.PathOptions{All: true, MaxPaths: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d paths, the shortest %d hop(s)\n", *res.Count, res.Hops)
	for _, p := range res.Paths {
		var b strings.Builder
		for i, l := range p {
			if i > 0 {
				fmt.Fprintf(&b, " -%s-> ", l.Relation)
			}
			b.WriteString(l.ID)
		}
		fmt.Println(b.String())
	}
	// Asked the other way round, the answer is the same path, reversed.
	res, _ = s.Path(mustLookup(s, "Bixho/idkai"), mustLookup(s, "deepseek-ai/DeepSeek-R1"), lineage.PathOptions{})
	fmt.Println(res.Reversed, res.From, "->", res.To)
	// Output:
	// 2 paths, the shortest 1 hop(s)
	// deepseek-ai/DeepSeek-R1 -merge-> Bixho/idkai
	// deepseek-ai/DeepSeek-R1 -finetune-> perplexity-ai/r1-1776 -merge-> Bixho/idkai
	// true deepseek-ai/DeepSeek-R1 -> Bixho/idkai
}

// Common finds what two merges share: perplexity-ai/r1-1776 is the nearest
// common ancestor, DeepSeek-R1 the shared foundation.
func ExampleStore_Common() {
	s := sample()
	res := s.Common([]graph.NodeID{mustLookup(s, "Bixho/idkai"), mustLookup(s, "cr6276/mymodel")})
	for _, c := range res.Common {
		fmt.Println(c.ID, c.Depth["Bixho/idkai"], c.Depth["cr6276/mymodel"])
	}
	fmt.Println("nearest:", res.Nearest, "foundations:", res.Foundations)
	// Output:
	// perplexity-ai/r1-1776 1 1
	// deepseek-ai/DeepSeek-R1 1 1
	// nearest: [perplexity-ai/r1-1776] foundations: [deepseek-ai/DeepSeek-R1]
}

// Impact counts the models that exist only through one model: withdrawing
// it would cut them off from every foundation.
func ExampleStore_Impact() {
	s := sample()
	v := mustLookup(s, "perplexity-ai/r1-1776")
	res := s.Impact(v, 3)
	fmt.Printf("%d of %d descendants depend on %s alone\n", res.Count, s.Descendants(v, 0, graph.AllLabels, 0).Count, res.ID)
	for _, h := range res.Models {
		fmt.Println(h.Depth, h.Relation, h.ID)
	}
	// Output:
	// 25 of 29 descendants depend on perplexity-ai/r1-1776 alone
	// 1 finetune ALESSIO66/Law_CCII_IT_ProceduresCloud
	// 1 quantized bartowski/perplexity-ai_r1-1776-GGUF
	// 1 adapter copywr1ter/copytest
}

// Diff compares two snapshots: here a listing and a later one in which a
// model was re-parented, one added and one relation changed.
func ExampleDiff() {
	build := func(listing string) *lineage.Store {
		s, err := ingest.BuildSources(context.Background(), []ingest.Source{ingest.ReaderSource("snapshot.jsonl", strings.NewReader(listing))}, ingest.Options{NoDigest: true})
		if err != nil {
			log.Fatal(err)
		}
		return s
	}
	old := build(`{"id":"org/base"}
{"id":"org/chat","cardData":{"base_model":"org/base","base_model_relation":"finetune"}}
{"id":"bob/chat-GGUF","cardData":{"base_model":"org/base","base_model_relation":"quantized"}}
{"id":"bob/lora","cardData":{"base_model":"org/chat","base_model_relation":"finetune"}}
`)
	cur := build(`{"id":"org/base"}
{"id":"org/chat","cardData":{"base_model":"org/base","base_model_relation":"finetune"}}
{"id":"bob/chat-GGUF","cardData":{"base_model":"ORG/chat","base_model_relation":"quantized"}}
{"id":"bob/lora","cardData":{"base_model":"org/chat","base_model_relation":"adapter"}}
{"id":"eve/merge","cardData":{"base_model":["org/chat","bob/lora"]}}
`)
	d := lineage.Diff(old, cur, lineage.DiffOptions{})
	fmt.Println("added:", d.Added)
	for _, m := range d.ReparentedModels {
		fmt.Println("re-parented:", m.ID, m.Before, "->", m.After)
	}
	for _, c := range d.RelationChanges {
		fmt.Println("relation:", c.Parent, "->", c.Child, c.Before, "->", c.After)
	}
	for _, f := range d.Foundations {
		fmt.Println("grew:", f.ID, f.Before, "->", f.After)
	}
	// Output:
	// added: [eve/merge]
	// re-parented: bob/chat-GGUF [org/base] -> [org/chat]
	// relation: org/chat -> bob/lora finetune -> adapter
	// grew: org/base 3 -> 4
}
