package recovery

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/ingest"
)

// synthCorpus is a Hub-shaped corpus made in memory: families of a base
// model with finetunes, conversions named by the quantizers' conventions
// (some declared, most not), re-uploads under the same name, and many
// unrelated models, in the proportions of the Hub (about 30% declare a
// parent).
type synthCorpus struct {
	g       *graph.Graph
	names   []string
	created []int64
	dl      []int64
}

func (s *synthCorpus) Graph() *graph.Graph                    { return s.g }
func (s *synthCorpus) Name(v graph.NodeID) string             { return s.names[v] }
func (s *synthCorpus) Created(v graph.NodeID) int64           { return s.created[v] }
func (s *synthCorpus) Downloads(v graph.NodeID) int64         { return s.dl[v] }
func (s *synthCorpus) Formats(v graph.NodeID) lineage.Formats { return 0 }
func (s *synthCorpus) Hints(v graph.NodeID) []lineage.Hint    { return nil }

var quantizers = []string{"TheBloke", "bartowski", "mradermacher", "mlx-community", "QuantFactory", "unsloth", "lmstudio-community", "RichardErkhov"}
var convSuffix = []string{"-GGUF", "-AWQ", "-GPTQ", "-4bit", "-i1-GGUF", "-Q4_K_M-GGUF", "-bnb-4bit", "-6.0bpw-h6-exl2", "-fp8", "-MLX"}
var tuneWords = []string{"Instruct", "chat", "dpo", "sft", "uncensored", "abliterated", "v2", "math", "code", "rp"}

func newSynthCorpus(n int, seed uint64) *synthCorpus {
	r := rand.New(rand.NewPCG(seed, 11))
	s := &synthCorpus{}
	type edge struct{ p, c graph.NodeID }
	var edges []edge
	add := func(name string, t int64) graph.NodeID {
		s.names = append(s.names, name)
		s.created = append(s.created, t)
		s.dl = append(s.dl, int64(r.IntN(100000)))
		return graph.NodeID(len(s.names) - 1)
	}
	t := int64(1.6e9)
	var bases []graph.NodeID
	for len(s.names) < n {
		t += 60
		switch k := r.IntN(100); {
		case k < 2 || len(bases) == 0: // a new base model
			bases = append(bases, add(fmt.Sprintf("org%d/Model%d-%dB", r.IntN(5000), len(bases), 1+r.IntN(70)), t))
		case k < 30: // a conversion by a quantizer's convention, 30% declared
			b := bases[r.IntN(len(bases))]
			org, name := "", s.names[b]
			for i := range name {
				if name[i] == '/' {
					org, name = name[:i], name[i+1:]
					break
				}
			}
			q := quantizers[r.IntN(len(quantizers))]
			id := q + "/" + name + convSuffix[r.IntN(len(convSuffix))]
			if q == "bartowski" || q == "RichardErkhov" {
				id = q + "/" + org + "_" + name + "-GGUF"
			}
			c := add(id, t) // several quantizers' copies may share an id here: a corpus, not a listing
			if r.IntN(10) < 3 {
				edges = append(edges, edge{b, c})
			}
		case k < 45: // a finetune named after its base, half declared
			b := bases[r.IntN(len(bases))]
			c := add(fmt.Sprintf("user%d/%s-%s", r.IntN(200000), s.names[b][len("org")+1:], tuneWords[r.IntN(len(tuneWords))]), t)
			if r.IntN(2) == 0 {
				edges = append(edges, edge{b, c})
			}
		case k < 50: // a re-upload under the same name
			b := bases[r.IntN(len(bases))]
			name := s.names[b]
			for i := range name {
				if name[i] == '/' {
					name = name[i+1:]
					break
				}
			}
			add(fmt.Sprintf("user%d/%s", r.IntN(200000), name), t)
		default: // an unrelated model
			add(fmt.Sprintf("user%d/project-%d", r.IntN(200000), len(s.names)), t)
		}
	}
	b := graph.NewBuilder(len(s.names))
	for _, e := range edges {
		b.AddEdge(e.p, e.c, lineage.EdgeLabel(lineage.Quantized, true))
	}
	s.g = b.Build()
	return s
}

// BenchmarkRecoverSynthetic recovers over an in-memory Hub-shaped corpus
// (LINEAGE_BENCH_MODELS models, 2,000,000 by default; 200,000 with -short).
func BenchmarkRecoverSynthetic(b *testing.B) {
	n := 2_000_000
	if testing.Short() {
		n = 200_000
	}
	if v := os.Getenv("LINEAGE_BENCH_MODELS"); v != "" {
		fmt.Sscan(v, &n)
	}
	c := newSynthCorpus(n, 1)
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	res := loopCPU(b, c)
	b.ReportMetric(float64(res.Summary.Undeclared), "undeclared")
	b.ReportMetric(float64(res.Summary.Edges), "proposals")
}

// BenchmarkRecoverListing builds a store from the listing named by
// LINEAGE_BENCH_LISTING (a hubsynth output) and recovers over it.
func BenchmarkRecoverListing(b *testing.B) {
	path := os.Getenv("LINEAGE_BENCH_LISTING")
	if path == "" {
		b.Skip("set LINEAGE_BENCH_LISTING to a listing, e.g. go run ./cmd/hubsynth --models 2000000 -o /tmp/hub-2m.jsonl")
	}
	s, err := ingest.Build(context.Background(), []string{path}, ingest.Options{NoDigest: true})
	if err != nil {
		b.Fatal(err)
	}
	c := FromStore(s)
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	res := loopCPU(b, c)
	b.ReportMetric(float64(res.Summary.Undeclared), "undeclared")
	b.ReportMetric(float64(res.Summary.Edges), "proposals")
}

// loopCPU runs Recover in a b.Loop and reports, besides wall time, the CPU
// time of the whole process per operation (cpu-ns/op): on a shared, loaded
// machine wall time swings with the neighbours' load while CPU time stays
// put.
func loopCPU(b *testing.B, c Corpus) Result {
	var res Result
	start := processCPU()
	for b.Loop() {
		res = Recover(c, Options{MinConfidence: DefaultMinConfidence})
	}
	if end := processCPU(); start >= 0 && end >= 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
	return res
}
