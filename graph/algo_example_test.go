package graph_test

import (
	"errors"
	"fmt"

	"github.com/lineage-project/lineage/graph"
)

func ExampleGraph_Dominators() {
	g := newHubGraph()
	tree := g.Dominators(graph.AllLabels)
	// zephyr-hermes merges two fine-tunes of mistral-7b: neither dominates
	// it, mistral-7b does.
	fmt.Println(models[tree.IDom(3)])
	for _, v := range tree.Dominated(0) {
		fmt.Println("  through", models[0]+":", models[v])
	}
	fmt.Println(tree.IDom(5) == graph.VirtualRoot, tree.NumDominated(5))
	// Output:
	// mistral-7b
	//   through mistral-7b: zephyr-7b
	//   through mistral-7b: openhermes-7b
	//   through mistral-7b: zephyr-hermes
	//   through mistral-7b: zephyr-hermes-q
	// true 0
}

func ExampleGraph_CountPaths() {
	g := newHubGraph()
	n, err := g.CountPaths(4, 0, graph.Up, graph.AllLabels)
	fmt.Println(n.N, n.Saturated, err)
	total, ends, _ := g.CountPathsToEnds(4, graph.Up, graph.AllLabels)
	for _, e := range ends {
		fmt.Printf("%d of %d paths up to %s\n", e.Paths.N, total.N, models[e.Node])
	}
	// A cycle on the paths is refused, not guessed.
	b := graph.NewBuilder(3)
	b.AddEdge(0, 1, finetune)
	b.AddEdge(1, 2, finetune)
	b.AddEdge(2, 1, finetune)
	_, err = b.Build().CountPaths(0, 2, graph.Down, graph.AllLabels)
	var ce *graph.CycleError
	fmt.Println(errors.Is(err, graph.ErrCycle), errors.As(err, &ce) && len(ce.Cycle) == 2)
	// Output:
	// 2 false <nil>
	// 2 of 2 paths up to mistral-7b
	// true true
}

func ExampleGraph_ShortestPath() {
	g := newHubGraph()
	path, hops, ok := g.ShortestPath(4, 0, graph.Up, graph.AllLabels)
	fmt.Println(ok)
	fmt.Print(models[path[0]])
	for i, v := range path[1:] {
		fmt.Printf(" <label %d< %s", hops[i], models[v])
	}
	fmt.Println()
	// Output:
	// true
	// zephyr-hermes-q <label 3< zephyr-hermes <label 2< zephyr-7b <label 0< mistral-7b
}

func ExampleGraph_PathsBetween() {
	g := newHubGraph()
	paths, truncated := g.PathsBetween(0, 4, graph.Down, graph.AllLabels, 1)
	for _, p := range paths {
		for i, v := range p {
			if i > 0 {
				fmt.Print(" > ")
			}
			fmt.Print(models[v])
		}
		fmt.Println()
	}
	fmt.Println("more:", truncated)
	// Output:
	// mistral-7b > zephyr-7b > zephyr-hermes > zephyr-hermes-q
	// more: true
}

func ExampleGraph_CommonAncestors() {
	g := newHubGraph()
	for _, c := range g.CommonAncestors([]graph.NodeID{4, 2}, graph.AllLabels) {
		fmt.Println(models[c.Node], c.Depths, "nearest:", c.Nearest, "foundation:", c.Root)
	}
	// Output:
	// mistral-7b [3 1] nearest: false foundation: true
	// openhermes-7b [2 0] nearest: true foundation: false
}
