package render_test

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/render"
	"github.com/lineage-project/lineage/render/internal/rendertest"
)

var benchDOT = flag.String("benchdot", "", "write the benchmark families as tree-N.dot into this directory")

// BenchmarkTree measures selecting and folding a family and writing its
// DOT, for pictures of 50, 150 and 1000 models (out of families three
// times larger).
func BenchmarkTree(b *testing.B) {
	for _, n := range []int{50, 150, 1000} {
		w := rendertest.Synthetic(3 * n)
		g, info := w.Graph(), w.Info()
		opt := render.Options{Root: 0, MaxNodes: n, Fold: true}
		b.Run(fmt.Sprintf("%d/select+dot", n), func(b *testing.B) {
			for b.Loop() {
				f, err := render.Select(g, info, opt)
				if err != nil {
					b.Fatal(err)
				}
				if err := f.WriteDOT(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
		f := rendertest.Tree(n)
		b.Run(fmt.Sprintf("%d/dot", n), func(b *testing.B) {
			for b.Loop() {
				if err := f.WriteDOT(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%d/mermaid", n), func(b *testing.B) {
			for b.Loop() {
				if err := f.WriteMermaid(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestWriteBenchDOT writes the benchmark pictures for comparing renderers
// (go test ./render -run WriteBenchDOT -benchdot DIR). It checks their
// sizes either way.
func TestWriteBenchDOT(t *testing.T) {
	for _, n := range []int{50, 150, 1000} {
		f := rendertest.Tree(n)
		if f.Shown != n {
			t.Errorf("Tree(%d) shows %d models", n, f.Shown)
		}
		if *benchDOT == "" {
			continue
		}
		var buf bytes.Buffer
		if err := f.WriteDOT(&buf); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*benchDOT, fmt.Sprintf("tree-%d.dot", n)), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkSelectLargeGraph selects the same 1,000-model family inside
// graphs of 10 thousand and 2 million nodes: the time must not grow with
// the graph, only with the family.
func BenchmarkSelectLargeGraph(b *testing.B) {
	for _, total := range []int{10_000, 2_000_000} {
		bl := graph.NewBuilder(total)
		// Family: node 0 with a ternary tree of 999 descendants.
		for v := 1; v < 1000; v++ {
			bl.AddEdge(graph.NodeID((v-1)/3), graph.NodeID(v), 0)
		}
		// The rest of the graph: chains of unrelated models.
		for v := 1001; v < total; v++ {
			if v%10 != 0 {
				bl.AddEdge(graph.NodeID(v-1), graph.NodeID(v), 0)
			}
		}
		g := bl.Build()
		info := render.Info{
			Name:     func(v graph.NodeID) string { return fmt.Sprintf("org/m%d", v) },
			Relation: func(graph.Label) string { return render.Finetune },
		}
		b.Run(fmt.Sprintf("graph=%d", total), func(b *testing.B) {
			for b.Loop() {
				f, err := render.Select(g, info, render.Options{Root: 0, MaxNodes: 150, Fold: true})
				if err != nil || f.Size != 1000 {
					b.Fatal(err, f.Size)
				}
			}
		})
	}
}
