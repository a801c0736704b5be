package graph

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The test DSL writes a graph as lines "child: parent label, parent label".
// "zephyr: mistral-7b finetune" is the edge mistral-7b -> zephyr with label
// finetune; the label may be omitted (finetune). "x:" declares a node with no
// parents. Blank lines and lines starting with # are ignored. Nodes get
// NodeIDs in ascending name order, so "ascending NodeID" reads as
// alphabetical in the tests.

// labelNames are the DSL names of labels 0..3; "lN" names label N.
var labelNames = []string{"finetune", "adapter", "merge", "quantized"}

const (
	lFinetune Label = iota
	lAdapter
	lMerge
	lQuantized
)

// edge is one AddEdge call.
type edge struct {
	from, to NodeID
	lab      Label
}

// testGraph is a graph built from the DSL, with its node names.
type testGraph struct {
	g     *Graph
	names []string          // by NodeID
	ids   map[string]NodeID // by name
	edges []edge            // in AddEdge order, duplicates kept
}

func parseLabel(s string) (Label, error) {
	if i := slices.Index(labelNames, s); i >= 0 {
		return Label(i), nil
	}
	if n, ok := strings.CutPrefix(s, "l"); ok {
		v, err := strconv.Atoi(n)
		if err == nil && v >= 0 && v <= 255 {
			return Label(v), nil
		}
	}
	return 0, fmt.Errorf("unknown label %q", s)
}

func labelName(l Label) string {
	if int(l) < len(labelNames) {
		return labelNames[l]
	}
	return fmt.Sprintf("l%d", l)
}

// parseGraph builds a graph from DSL text.
func parseGraph(t testing.TB, text string) *testGraph {
	t.Helper()
	type rawEdge struct {
		from, to string
		lab      Label
	}
	var raw []rawEdge
	seen := map[string]bool{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		child, parents, ok := strings.Cut(line, ":")
		child = strings.TrimSpace(child)
		if !ok || child == "" || strings.ContainsAny(child, " \t") {
			t.Fatalf("graph line %d: %q: want \"child: parent label, ...\"", i+1, line)
		}
		seen[child] = true
		for p := range strings.SplitSeq(parents, ",") {
			f := strings.Fields(p)
			if len(f) == 0 {
				continue
			}
			if len(f) > 2 {
				t.Fatalf("graph line %d: %q: parent %q has more than a name and a label", i+1, line, p)
			}
			l := lFinetune
			if len(f) == 2 {
				var err error
				if l, err = parseLabel(f[1]); err != nil {
					t.Fatalf("graph line %d: %v", i+1, err)
				}
			}
			seen[f[0]] = true
			raw = append(raw, rawEdge{from: f[0], to: child, lab: l})
		}
	}
	tg := &testGraph{ids: map[string]NodeID{}}
	for name := range seen {
		tg.names = append(tg.names, name)
	}
	slices.Sort(tg.names)
	for i, name := range tg.names {
		tg.ids[name] = NodeID(i)
	}
	b := NewBuilder(len(tg.names))
	for _, e := range raw {
		x := edge{from: tg.ids[e.from], to: tg.ids[e.to], lab: e.lab}
		tg.edges = append(tg.edges, x)
		b.AddEdge(x.from, x.to, x.lab)
	}
	tg.g = b.Build()
	return tg
}

// id returns the NodeID of a name, failing the test for an unknown name.
func (tg *testGraph) id(t testing.TB, name string) NodeID {
	t.Helper()
	v, ok := tg.ids[name]
	if !ok {
		t.Fatalf("no node %q in graph (have %v)", name, tg.names)
	}
	return v
}

// idList parses "a b c" into NodeIDs.
func (tg *testGraph) idList(t testing.TB, s string) []NodeID {
	t.Helper()
	var out []NodeID
	for _, f := range strings.Fields(s) {
		out = append(out, tg.id(t, f))
	}
	return out
}

// nameList formats NodeIDs as "a b c".
func (tg *testGraph) nameList(vs []NodeID) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = tg.names[v]
	}
	return strings.Join(s, " ")
}

// hits formats Reach results as "b:1 c:1 d:2" in result order.
func (tg *testGraph) hits(hs []Hit) string {
	s := make([]string, len(hs))
	for i, h := range hs {
		s[i] = fmt.Sprintf("%s:%d", tg.names[h.Node], h.Depth)
	}
	return strings.Join(s, " ")
}

// paths formats paths as "a>b>d a>c>d".
func (tg *testGraph) paths(ps [][]NodeID) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = strings.ReplaceAll(tg.nameList(p), " ", ">")
	}
	return strings.Join(s, " ")
}

// cycles formats SCC cycles as "a b c | d".
func (tg *testGraph) cycles(cs [][]NodeID) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = tg.nameList(c)
	}
	return strings.Join(s, " | ")
}

// parseLabels parses "finetune merge" into a LabelSet; "" and "all" are AllLabels.
func parseLabels(t testing.TB, s string) LabelSet {
	t.Helper()
	if s == "" || s == "all" {
		return AllLabels
	}
	var ls LabelSet
	for _, f := range strings.Fields(s) {
		l, err := parseLabel(f)
		if err != nil {
			t.Fatal(err)
		}
		ls |= LabelsOf(l)
	}
	return ls
}

func dirName(d Direction) string {
	if d == Up {
		return "Up"
	}
	return "Down"
}

// checkHitTree checks that every hit's Via and Label describe a real edge
// of the BFS tree: Via is the start (depth 1) or an earlier hit one level
// up, and the edge Via -> Node (Node -> Via for Up) exists with that label,
// which is in labels.
func checkHitTree(t testing.TB, g *Graph, start NodeID, dir Direction, labels LabelSet, hs []Hit) {
	t.Helper()
	depth := map[NodeID]int32{start: 0}
	for _, h := range hs {
		d, ok := depth[h.Via]
		if !ok || d != h.Depth-1 {
			t.Errorf("Reach(%d, %s): hit %+v: via is not a node at depth %d reached earlier", start, dirName(dir), h, h.Depth-1)
		}
		from, to := h.Via, h.Node
		if dir == Up {
			from, to = to, from
		}
		if l, ok := g.EdgeLabel(from, to); !ok || l != h.Label || !labels.Has(l) {
			t.Errorf("Reach(%d, %s): hit %+v: edge %d->%d = (%d, %v), want label %d in set", start, dirName(dir), h, from, to, l, ok, h.Label)
		}
		if _, dup := depth[h.Node]; dup {
			t.Errorf("Reach(%d, %s): node %d reported twice", start, dirName(dir), h.Node)
		}
		depth[h.Node] = h.Depth
	}
}
