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

// SumDescendants adds up a per-node figure (here downloads, from the
// caller's table) over each start's distinct descendants: the merge
// zephyr-hermes, reached along two paths, counts once.
func ExampleGraph_SumDescendants() {
	g := newHubGraph()
	downloads := []int64{900, 50, 30, 7, 400, 1000}
	starts := []graph.NodeID{0, 5}
	sums := g.SumDescendants(starts, graph.AllLabels, func(v graph.NodeID) int64 { return downloads[v] })
	for i, v := range starts {
		fmt.Printf("%s: %d downloads below it\n", models[v], sums[i])
	}
	// Output:
	// mistral-7b: 487 downloads below it
	// llama-2-7b: 0 downloads below it
}

// PageRankDir with Up lets rank flow from each model to what it is built
// on, so the foundation of the family ranks first.
func ExampleGraph_PageRankDir() {
	g := newHubGraph()
	pr := g.PageRankDir(graph.Up, graph.AllLabels, 0.85, 1e-10)
	for _, v := range []graph.NodeID{0, 3, 4, 5} {
		fmt.Printf("%s %.3f\n", models[v], pr[v])
	}
	// Output:
	// mistral-7b 0.352
	// zephyr-hermes 0.161
	// zephyr-hermes-q 0.087
	// llama-2-7b 0.087
}
