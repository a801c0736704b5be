package graph

import (
	"errors"
	"slices"
	"testing"
)

// decodeCSR turns fuzz bytes into CSR arrays for a graph of up to 7 nodes
// and 15 edges: n, m, a flag byte that shortens one array, then the six
// arrays, one signed byte per entry (missing bytes read as 0).
func decodeCSR(data []byte) csrArrays {
	at := 0
	next := func() byte {
		if at >= len(data) {
			return 0
		}
		at++
		return data[at-1]
	}
	n, m, flags := int(next()%8), int(next()%16), next()
	offs := func(k int) []int32 {
		s := make([]int32, k)
		for i := range s {
			s[i] = int32(int8(next()))
		}
		return s
	}
	ids := func(k int) []NodeID {
		s := make([]NodeID, k)
		for i := range s {
			s[i] = NodeID(int8(next()))
		}
		return s
	}
	labs := func(k int) []Label {
		s := make([]Label, k)
		for i := range s {
			s[i] = Label(next())
		}
		return s
	}
	short := func(bit uint, k int) int {
		if flags&(1<<bit) != 0 && k > 0 {
			return k - 1
		}
		return k
	}
	c := csrArrays{n: n}
	c.fwdOff = offs(short(0, n+1))
	c.fwdDst = ids(short(1, m))
	c.fwdLab = labs(short(2, m))
	c.revOff = offs(short(3, n+1))
	c.revDst = ids(short(4, m))
	c.revLab = labs(short(5, m))
	return c
}

// encodeCSR is the inverse of decodeCSR for small valid graphs, for seeds.
func encodeCSR(g *Graph) []byte {
	fo, fd, fl, ro, rd, rl := g.CSR()
	out := []byte{byte(g.NumNodes()), byte(len(fd)), 0}
	for _, o := range fo {
		out = append(out, byte(o))
	}
	for _, d := range fd {
		out = append(out, byte(d))
	}
	for _, l := range fl {
		out = append(out, byte(l))
	}
	for _, o := range ro {
		out = append(out, byte(o))
	}
	for _, d := range rd {
		out = append(out, byte(d))
	}
	for _, l := range rl {
		out = append(out, byte(l))
	}
	return out
}

// FuzzFromCSR checks that FromCSR never panics, and that a graph it accepts
// is consistent: it equals the graph the Builder makes from its edges, so
// every query on it is safe and answers as for a built graph.
func FuzzFromCSR(f *testing.F) {
	for _, text := range []string{mergeGraph, cycleGraph, selfLoopGraph, dupGraph, "a:"} {
		tg := parseGraph(f, text)
		if tg.g.NumNodes() < 8 && tg.g.NumEdges() < 16 {
			f.Add(encodeCSR(tg.g))
		}
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := decodeCSR(data)
		g, err := c.load()
		if err != nil {
			if !errors.Is(err, ErrInvalid) || g != nil {
				t.Fatalf("FromCSR = %v, %v, want nil and an error wrapping ErrInvalid", g, err)
			}
			return
		}
		b := NewBuilder(g.NumNodes())
		for v := range NodeID(g.NumNodes()) {
			dst, lab := g.Out(v)
			for i, w := range dst {
				b.AddEdge(v, w, lab[i])
			}
		}
		built := b.Build()
		if !slices.Equal(encodeCSR(built), encodeCSR(g)) {
			t.Fatalf("FromCSR accepted arrays that differ from the built graph:\n got %v\nwant %v", encodeCSR(g), encodeCSR(built))
		}
		all := make([]NodeID, g.NumNodes())
		for v := range all {
			all[v] = NodeID(v)
			g.Reach(NodeID(v), Up, AllLabels, 0)
			g.Paths(NodeID(v), Down, AllLabels, 3)
		}
		g.CountDescendants(all, AllLabels)
		g.SCC(AllLabels)
		g.Dominators(AllLabels)
		g.CommonAncestors(all, AllLabels)
		for v := range NodeID(g.NumNodes()) {
			g.CountPathsToEnds(v, Down, AllLabels)
			w := NodeID(g.NumNodes()) - 1 - v
			g.CountPaths(v, w, Up, AllLabels)
			g.ShortestPath(v, w, Down, AllLabels)
			g.PathsBetween(v, w, Down, AllLabels, 3)
		}
	})
}
