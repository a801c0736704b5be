package analytics_test

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/analytics"
	"github.com/lineage-project/lineage/lineage/ingest"
)

// A foundation from France, one from China, a finetune of the first and a
// merge of both.
var exampleFS = fstest.MapFS{"models.jsonl": {Data: []byte(`{"id":"mistralai/Mistral-7B-v0.1","createdAt":"2023-09-20T00:00:00.000Z"}
{"id":"Qwen/Qwen-7B","createdAt":"2023-08-03T00:00:00.000Z"}
{"id":"alice/zephyr","createdAt":"2023-10-01T00:00:00.000Z","cardData":{"base_model":"mistralai/Mistral-7B-v0.1"}}
{"id":"bob/merge","createdAt":"2023-10-05T00:00:00.000Z","cardData":{"base_model":["alice/zephyr","Qwen/Qwen-7B"]}}
`)}}

func ExampleNew() {
	s, err := ingest.BuildSources(context.Background(), []ingest.Source{ingest.FSSource(exampleFS, "models.jsonl")}, ingest.Options{})
	if err != nil {
		panic(err)
	}
	// Fractional attribution: the merge gives 1/2 to each foundation.
	a := analytics.New(s, nil, analytics.Scope{Attribution: analytics.AttributionFractional})
	for _, g := range a.Rank(analytics.ByCountry).Groups {
		fmt.Printf("%s (%s): %g derivatives, %.0f%%\n", g.Key, g.Name, g.Derivatives, 100*g.Share)
	}
	v, _ := s.Lookup("mistralai/Mistral-7B-v0.1")
	e := a.Velocity(v, []int{7, 30})
	fmt.Printf("%s created %s: %g within 7 days, %g within 30\n", e.ID, e.Created, e.Windows[0].Derivatives, e.Windows[1].Derivatives)
	fmt.Println(a.Manifest().Attribution, a.Manifest().Counted)
	// Output:
	// FR (France): 1.5 derivatives, 75%
	// CN (China): 0.5 derivatives, 25%
	// mistralai/Mistral-7B-v0.1 created 2023-09-20: 0 within 7 days, 1.5 within 30
	// fractional 2
}

func ExampleOrigins_Lookup() {
	o := analytics.DefaultOrigins()
	for _, org := range []string{"mistralai", "deepseek-ai", "TheBloke"} {
		r, _ := o.Lookup(org)
		fmt.Printf("%s: %s, %q, %s\n", org, r.Name, r.Country, r.Kind)
	}
	fmt.Println(o.Country("meta-llama/Llama-2-7b"), o.Country("someone/model"))
	// Output:
	// mistralai: Mistral AI, "FR", company
	// deepseek-ai: DeepSeek, "CN", company
	// TheBloke: TheBloke, "", rehost
	// US unknown
}

// A re-upload of Qwen under unsloth (a re-host namespace) with a finetune
// built on it: unknown until a resolver (recovered lineage) names the
// model it re-hosts.
var rehostFS = fstest.MapFS{"models.jsonl": {Data: []byte(`{"id":"Qwen/Qwen2.5-7B"}
{"id":"unsloth/Qwen2.5-7B"}
{"id":"alice/qwen-ft","cardData":{"base_model":"unsloth/Qwen2.5-7B"}}
{"id":"bob/qwen-ft","cardData":{"base_model":"Qwen/Qwen2.5-7B"}}
`)}}

func ExampleAnalysis_Coverage() {
	s, err := ingest.BuildSources(context.Background(), []ingest.Source{ingest.FSSource(rehostFS, "models.jsonl")}, ingest.Options{})
	if err != nil {
		panic(err)
	}
	for _, resolve := range []bool{false, true} {
		var sc analytics.Scope
		if resolve {
			sc.Rehosted = func(v graph.NodeID) (graph.NodeID, bool) {
				if s.Name(v) != "unsloth/Qwen2.5-7B" {
					return 0, false
				}
				orig, err := s.Lookup("Qwen/Qwen2.5-7B")
				return orig, err == nil
			}
		}
		a := analytics.New(s, nil, sc)
		c := a.Coverage(5)
		fmt.Printf("known %g of %d, %d under re-hosts;", c.Known, c.Derivatives, c.UnderRehost)
		for _, g := range a.Rank(analytics.ByCountry).Groups {
			fmt.Printf(" %s=%g", g.Key, g.Derivatives)
		}
		fmt.Println()
	}
	// Output:
	// known 1 of 2, 1 under re-hosts; CN=1 unknown=1
	// known 2 of 2, 0 under re-hosts; CN=2
}
