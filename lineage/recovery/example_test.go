package recovery_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/lineage-project/lineage/lineage/ingest"
	"github.com/lineage-project/lineage/lineage/recovery"
)

// memSource is an in-memory listing for lineage.BuildSources.
type memSource struct{ name, data string }

func (m memSource) Name() string { return m.name }
func (m memSource) Open() (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader(m.data)), nil
}

func ExampleRecover() {
	// Two GGUF conversions that declare nothing; only one names its source.
	listing := `{"id":"mistralai/Mistral-7B-Instruct-v0.2","createdAt":"2023-12-11T00:00:00.000Z"}
{"id":"bartowski/Mistral-7B-Instruct-v0.2-Q4_K_M-GGUF","createdAt":"2024-01-05T00:00:00.000Z","tags":["gguf"]}
{"id":"someone/my-model-GGUF","createdAt":"2024-02-01T00:00:00.000Z"}
`
	s, err := ingest.BuildSources(context.Background(), []ingest.Source{memSource{"hub.jsonl", listing}}, ingest.Options{})
	if err != nil {
		panic(err)
	}
	res := recovery.Recover(recovery.FromStore(s), recovery.Options{MinConfidence: recovery.DefaultMinConfidence})
	for _, p := range res.Proposals {
		fmt.Printf("%s <- %s (%s, %.2f)\n", s.Name(p.Child), s.Name(p.Parent), p.Relation, p.Confidence)
		for _, e := range p.Evidence {
			fmt.Printf("  %s: %s\n", e.Kind, e.Detail)
		}
	}
	// The store with the recovered edges, marked as such.
	o, err := s.WithEdges(res.Edges())
	if err != nil {
		panic(err)
	}
	fmt.Println(o.NumRecovered(), "recovered edge(s)")
	// Output:
	// bartowski/Mistral-7B-Instruct-v0.2-Q4_K_M-GGUF <- mistralai/Mistral-7B-Instruct-v0.2 (quantized, 0.94)
	//   name: "Mistral-7B-Instruct-v0.2-Q4_K_M-GGUF" less format suffix "Q4_K_M-GGUF" is the name of mistralai/Mistral-7B-Instruct-v0.2 (the only model of that name that passes the guards)
	//   tags: gguf
	//   time: parent created 2023-12-11, child 2024-01-05
	// 1 recovered edge(s)
}
