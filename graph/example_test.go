package graph_test

import (
	"fmt"

	"github.com/lineage-project/lineage/graph"
)

// Edge labels are opaque to the package; the caller gives them meaning.
const (
	finetune graph.Label = iota
	adapter
	merge
	quantized
)

// models is the caller's node table, indexed by NodeID.
var models = []string{
	"mistral-7b",      // 0
	"zephyr-7b",       // 1
	"openhermes-7b",   // 2
	"zephyr-hermes",   // 3: a merge of 1 and 2
	"zephyr-hermes-q", // 4
	"llama-2-7b",      // 5
}

func newHubGraph() *graph.Graph {
	b := graph.NewBuilder(len(models))
	b.AddEdge(0, 1, finetune)
	b.AddEdge(0, 2, finetune)
	b.AddEdge(1, 3, merge)
	b.AddEdge(2, 3, merge)
	b.AddEdge(3, 4, quantized)
	b.AddEdge(0, 1, adapter) // repeated edge: the first label (finetune) is kept
	return b.Build()
}

func ExampleBuilder() {
	g := newHubGraph()
	fmt.Println(g.NumNodes(), "nodes,", g.NumEdges(), "edges")
	children, labels := g.Out(0)
	for i, c := range children {
		fmt.Printf("%s -> %s (label %d)\n", models[0], models[c], labels[i])
	}
	parents, _ := g.In(3)
	fmt.Println("parents of", models[3]+":", len(parents))
	// Output:
	// 6 nodes, 5 edges
	// mistral-7b -> zephyr-7b (label 0)
	// mistral-7b -> openhermes-7b (label 0)
	// parents of zephyr-hermes: 2
}

func ExampleGraph_Reach() {
	g := newHubGraph()
	// Ancestors of the quantized merge; zephyr-hermes is reached by two
	// paths but listed once, at its shortest depth.
	for _, h := range g.Reach(4, graph.Up, graph.AllLabels, 0) {
		fmt.Printf("%d %s (via %s)\n", h.Depth, models[h.Node], models[h.Via])
	}
	// Descendants of mistral-7b along fine-tune edges only.
	for _, h := range g.Reach(0, graph.Down, graph.LabelsOf(finetune), 0) {
		fmt.Printf("%d %s\n", h.Depth, models[h.Node])
	}
	// Output:
	// 1 zephyr-hermes (via zephyr-hermes-q)
	// 2 zephyr-7b (via zephyr-hermes)
	// 2 openhermes-7b (via zephyr-hermes)
	// 3 mistral-7b (via zephyr-7b)
	// 1 zephyr-7b
	// 1 openhermes-7b
}

func ExampleGraph_CountDescendants() {
	g := newHubGraph()
	roots := g.Roots(graph.AllLabels)
	counts := g.CountDescendants(roots, graph.AllLabels)
	for i, r := range roots {
		fmt.Printf("%s: %d derived models\n", models[r], counts[i])
	}
	// Without merges, zephyr-hermes and its quantization are nobody's
	// descendants.
	noMerge := graph.LabelsOf(finetune, adapter, quantized)
	fmt.Println(models[0]+":", g.CountDescendants([]graph.NodeID{0}, noMerge)[0], "without merges")
	// Output:
	// mistral-7b: 4 derived models
	// llama-2-7b: 0 derived models
	// mistral-7b: 2 without merges
}
