package ingest_test

import (
	"context"
	"fmt"
	"log"
	"testing/fstest"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/ingest"
)

// Build reads a directory of model cards (ORG/NAME/README.md), Hub API
// listings and edge lists; Lookup accepts any spelling and URL form of an
// id; Ancestors answers "what is this model built on".
func ExampleBuild() {
	s, err := ingest.Build(context.Background(), []string{"../testdata/example"}, ingest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	v, err := s.Lookup("https://huggingface.co/thebloke/zephyr-7b-beta-gguf/tree/main")
	if err != nil {
		log.Fatal(err)
	}
	res := s.Ancestors(v)
	fmt.Println(res.ID)
	for _, h := range res.Ancestors {
		fmt.Printf("  %d %s (%s)\n", h.Depth, h.ID, h.Relation)
	}
	fmt.Println("foundations:", res.Foundations)
	// Output:
	// TheBloke/zephyr-7B-beta-GGUF
	//   1 HuggingFaceH4/zephyr-7b-beta (quantized)
	//   2 mistralai/Mistral-7B-v0.1 (finetune)
	// foundations: [mistralai/Mistral-7B-v0.1]
}

// BuildSources reads named sources, here files of an in-memory file
// system; a relation filter restricts the ranking to some kinds of edges.
func ExampleBuildSources() {
	fsys := fstest.MapFS{
		"models.jsonl": {Data: []byte(`{"id":"org/base"}
{"id":"org/chat","cardData":{"base_model":"org/base","base_model_relation":"finetune"}}
{"id":"org/chat-AWQ","tags":["base_model:quantized:org/chat"]}
{"id":"org/merge","cardData":{"base_model":["org/chat","other/model"]}}
`)},
		"edges.csv": {Data: []byte("parent,child,relation\norg/base,org/instruct,finetune\n")},
	}
	s, err := ingest.BuildSources(context.Background(), []ingest.Source{
		ingest.FSSource(fsys, "models.jsonl"),
		ingest.FSSource(fsys, "edges.csv"),
	}, ingest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	v, err := s.Lookup("ORG/BASE")
	if err != nil {
		log.Fatal(err)
	}
	d := s.Descendants(v, 0, graph.AllLabels, 0)
	fmt.Println(d.ID, "has", d.Count, "descendants:")
	for _, h := range d.Descendants {
		fmt.Printf("  %d %s (%s via %s)\n", h.Depth, h.ID, h.Relation, h.Via)
	}
	finetunes, err := lineage.ParseRelations("finetune")
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range s.Rank(0, finetunes) {
		fmt.Println("finetune only:", e.ID, e.Descendants)
	}
	// Output:
	// org/base has 4 descendants:
	//   1 org/chat (finetune via org/base)
	//   1 org/instruct (finetune via org/base)
	//   2 org/chat-AWQ (quantized via org/chat)
	//   2 org/merge (merge via org/chat)
	// finetune only: org/base 2
}
