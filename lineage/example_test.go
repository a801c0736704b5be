package lineage_test

import (
	"context"
	"fmt"
	"log"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
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

// RankBy ranks foundations by a figure summed over their distinct
// descendants (here downloads; unknown figures count as 0 and are counted),
// or by PageRank over the graph of derivatives pointing at their bases.
func ExampleStore_RankBy() {
	s, err := ingest.Build(context.Background(), []string{"testdata/example"}, ingest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	r, err := s.RankBy(lineage.RankOptions{By: lineage.MeasureDownloads})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range r.Entries {
		fmt.Printf("%s: %d downloads below it (%d of %d descendants unknown); its own: %d\n", e.ID, *e.Downloads, *e.Unknown, e.Descendants, *e.Own)
	}
	r, _ = s.RankBy(lineage.RankOptions{By: lineage.MeasurePageRank})
	for _, e := range r.Entries {
		fmt.Printf("%s: PageRank %g\n", e.ID, *e.PageRank)
	}
	// Output:
	// mistralai/Mistral-7B-v0.1: 150000 downloads below it (2 of 3 descendants unknown); its own: -1
	// meta-llama/Llama-2-7b-hf: 0 downloads below it (2 of 2 descendants unknown); its own: -1
	// mistralai/Mistral-7B-v0.1: PageRank 0.2456
	// meta-llama/Llama-2-7b-hf: PageRank 0.1917
}
