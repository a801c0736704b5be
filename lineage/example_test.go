package lineage_test

import (
	"context"
	"fmt"
	"log"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/ingest"
)

// Rank lists the foundations by their number of distinct descendants.
func ExampleStore_Rank() {
	s, err := ingest.Build(context.Background(), []string{"testdata/example"}, ingest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for i, e := range s.Rank(0, graph.AllLabels) {
		fmt.Printf("%d. %s: %d descendants, %d finetune, %d quantized direct\n", i+1, e.ID, e.Descendants, e.Direct["finetune"], e.Direct["quantized"])
	}
	// Output:
	// 1. mistralai/Mistral-7B-v0.1: 3 descendants, 1 finetune, 0 quantized direct
	// 2. meta-llama/Llama-2-7b-hf: 2 descendants, 1 finetune, 0 quantized direct
}

// Lookup reports an unknown id with the closest known ids.
func ExampleStore_Lookup() {
	s, err := ingest.Build(context.Background(), []string{"testdata/example"}, ingest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	_, err = s.Lookup("mistralai/Mistral-7B-v0.2")
	fmt.Println(err)
	// Output:
	// model "mistralai/Mistral-7B-v0.2" not found; did you mean mistralai/Mistral-7B-v0.1?
}
