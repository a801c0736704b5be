package graph

import (
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// realdataEdges is the typed parent->child edge list of the real Hugging
// Face data (see /work/shared/realdata/README.md), relative to the package
// directory as in the lineage package's tests.
var realdataEdges = filepath.Join("..", "..", "shared", "realdata", "edges", "derivatives.csv")

// loadRealEdges reads derivatives.csv into a graph (ids by first
// appearance, labels by relation: the order of labelNames), skipping the
// test when the file is absent.
func loadRealEdges(t *testing.T) (int, []edge) {
	t.Helper()
	f, err := os.Open(realdataEdges)
	if err != nil {
		t.Skipf("real data not available at %s (want /work/shared/realdata next to the repository): %v", realdataEdges, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	ids := map[string]NodeID{}
	id := func(s string) NodeID {
		v, ok := ids[s]
		if !ok {
			v = NodeID(len(ids))
			ids[s] = v
		}
		return v
	}
	var edges []edge
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s:%d: %v", realdataEdges, line, err)
		}
		if line == 1 {
			continue // header
		}
		lab, err := parseLabel(rec[2])
		if err != nil {
			t.Fatalf("%s:%d: %v", realdataEdges, line, err)
		}
		edges = append(edges, edge{id(rec[0]), id(rec[1]), lab})
	}
	return len(ids), edges
}

// TestRealDataAlgorithms runs the dominator tree against gonum, and path
// counts, shortest paths and common ancestors against the references, on
// the real edge list.
func TestRealDataAlgorithms(t *testing.T) {
	n, edges := loadRealEdges(t)
	g := buildEdges(n, edges)
	ref := newRefGraph(n, edges)
	var merges []NodeID
	for v := range NodeID(n) {
		if g.InDegree(v) > 1 {
			merges = append(merges, v)
		}
	}
	t.Logf("%d nodes, %d edges, %d with several parents", n, g.NumEdges(), len(merges))
	if n < 5000 || len(merges) == 0 {
		t.Fatalf("real edge list has %d nodes and %d merges; expected the README's 9k-node graph with merges", n, len(merges))
	}
	for _, ls := range []LabelSet{AllLabels, LabelsOf(lFinetune, lMerge)} {
		tree := g.Dominators(ls)
		want := gonumDominators(g, ref.entries(ls), ls)
		for v := range NodeID(n) {
			if tree.IDom(v) != want[v] {
				t.Fatalf("Dominators(%#x).IDom(%d) = %d, gonum says %d", ls, v, tree.IDom(v), want[v])
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	multi := 0
	sample := slices.Clone(merges) // every merge, then random nodes
	for range 300 {
		sample = append(sample, NodeID(r.IntN(n)))
	}
	for _, v := range sample {
		isEnd := func(w NodeID) bool { return ref.isEnd(w, Up, AllLabels) }
		total, _, err := g.CountPathsToEnds(v, Up, AllLabels)
		if ref.onCycleBetween(v, Up, AllLabels, isEnd) {
			if !errors.Is(err, ErrCycle) {
				t.Fatalf("CountPathsToEnds(%d) = %v, %v; want ErrCycle", v, total, err)
			}
			continue
		}
		paths, _ := ref.simplePaths(v, Up, AllLabels, isEnd, 1<<20)
		if err != nil || total.N != int64(len(paths)) {
			t.Fatalf("CountPathsToEnds(%d) = %v, %v; want %d", v, total, err, len(paths))
		}
		if len(paths) > 1 {
			multi++
		}
		// Two nodes: v and a sibling or a random node.
		w := NodeID(r.IntN(n))
		if src, _ := g.In(v); len(src) > 0 {
			if sib, _ := g.Out(src[0]); len(sib) > 1 {
				w = sib[r.IntN(len(sib))]
			}
		}
		got := g.CommonAncestors([]NodeID{v, w}, AllLabels)
		wantC := ref.common([]NodeID{v, w}, AllLabels)
		if len(got) != len(wantC) {
			t.Fatalf("CommonAncestors(%d, %d) = %d nodes, want %d", v, w, len(got), len(wantC))
		}
		for i, c := range wantC {
			if got[i].Node != c.node || !slices.Equal(got[i].Depths, c.depths) || got[i].Nearest != c.nearest || got[i].Root != c.root {
				t.Fatalf("CommonAncestors(%d, %d)[%d] = %+v, want %+v", v, w, i, got[i], c)
			}
		}
		if len(got) > 0 {
			a := got[0].Node
			path, _, ok := g.ShortestPath(v, a, Up, AllLabels)
			if !ok || len(path)-1 != int(got[0].Depths[0]) {
				t.Fatalf("ShortestPath(%d, %d) = %v, %v; want %d hops (CommonAncestors' depth)", v, a, path, ok, got[0].Depths[0])
			}
		}
	}
	t.Logf("%d of the sampled nodes have several paths to their foundations", multi)
}
