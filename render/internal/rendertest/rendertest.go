// Package rendertest builds small lineage graphs from a text DSL for the
// tests of render and its subpackages.
//
// Each non-blank line is either an edge line or a metadata line:
//
//	zephyr: mistral-7b finetune            # child: parent relation [parent relation ...]
//	zephyr: mistral-7b finetune?           # a trailing ? marks an inferred relation
//	zephyr-gguf: zephyr quantized~         # a trailing ~ marks a recovered edge
//	mistral-7b = 1200000 2023-09-27        # name = downloads [created]
//
// Names are taken verbatim (they may contain spaces only through Add).
// Node ids are assigned in order of first appearance. Labels use an
// encoding of their own (relation index times two, plus one when
// inferred; 16 plus the relation index when recovered), unlike the
// lineage package's, so tests prove that render decodes labels only
// through its callbacks. Every recovered edge has confidence
// RecoveredConfidence.
package rendertest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/render"
)

// RecoveredConfidence is the confidence of every recovered edge.
const RecoveredConfidence = 0.9

// recoveredBase is the label of the first recovered relation.
const recoveredBase = 16

// Relations lists the relation names in label order.
var Relations = []string{"finetune", "adapter", "quantized", "merge"}

// World is a parsed graph with its node table.
type World struct {
	names   []string
	ids     map[string]graph.NodeID
	dls     []int64
	created []string
	edges   []edge
	g       *graph.Graph
}

type edge struct {
	from, to graph.NodeID
	l        graph.Label
}

// New returns an empty world.
func New() *World { return &World{ids: map[string]graph.NodeID{}} }

// Parse builds a world from DSL text. It panics on malformed input: the
// input is test source.
func Parse(text string) *World {
	w := New()
	for n, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if name, rest, ok := strings.Cut(line, " = "); ok {
			f := strings.Fields(rest)
			d, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				panic(fmt.Sprintf("line %d: %v", n+1, err))
			}
			c := ""
			if len(f) > 1 {
				c = f[1]
			}
			w.Meta(strings.TrimSpace(name), d, c)
			continue
		}
		child, rest, ok := strings.Cut(line, ":")
		if !ok {
			panic(fmt.Sprintf("line %d: want 'child: parent relation ...' or 'name = downloads [date]': %q", n+1, line))
		}
		f := strings.Fields(rest)
		if len(f)%2 != 0 {
			panic(fmt.Sprintf("line %d: parents and relations must pair up: %q", n+1, line))
		}
		w.Node(strings.TrimSpace(child))
		for i := 0; i < len(f); i += 2 {
			w.Add(f[i], strings.TrimSpace(child), f[i+1])
		}
	}
	return w
}

// Node returns the id of name, adding it if new.
func (w *World) Node(name string) graph.NodeID {
	if id, ok := w.ids[name]; ok {
		return id
	}
	id := graph.NodeID(len(w.names))
	w.ids[name] = id
	w.names = append(w.names, name)
	w.dls = append(w.dls, -1)
	w.created = append(w.created, "")
	w.g = nil
	return id
}

// Add adds the edge parent -> child with relation rel ("finetune",
// "adapter", "quantized", "merge", with a trailing "?" when inferred or
// "~" when recovered).
func (w *World) Add(parent, child, rel string) {
	p, c := w.Node(parent), w.Node(child)
	w.edges = append(w.edges, edge{p, c, Label(rel)})
	w.g = nil
}

// Meta sets the downloads and creation date of name.
func (w *World) Meta(name string, downloads int64, created string) {
	id := w.Node(name)
	w.dls[id], w.created[id] = downloads, created
}

// Label encodes a relation name as a label in this package's encoding.
func Label(rel string) graph.Label {
	inferred := strings.HasSuffix(rel, "?")
	recovered := strings.HasSuffix(rel, "~")
	rel = strings.TrimSuffix(strings.TrimSuffix(rel, "?"), "~")
	for i, r := range Relations {
		if r == rel {
			if recovered {
				return graph.Label(recoveredBase + i)
			}
			l := graph.Label(i * 2)
			if inferred {
				l++
			}
			return l
		}
	}
	panic("unknown relation " + rel)
}

// Graph returns the frozen graph.
func (w *World) Graph() *graph.Graph {
	if w.g == nil {
		b := graph.NewBuilder(len(w.names))
		for _, e := range w.edges {
			b.AddEdge(e.from, e.to, e.l)
		}
		w.g = b.Build()
	}
	return w.g
}

// ID returns the id of an existing node; it panics if there is none.
func (w *World) ID(name string) graph.NodeID {
	id, ok := w.ids[name]
	if !ok {
		panic("no node " + name)
	}
	return id
}

// Name returns the name of v.
func (w *World) Name(v graph.NodeID) string { return w.names[v] }

// Downloads returns the downloads of v, -1 when unknown.
func (w *World) Downloads(v graph.NodeID) int64 { return w.dls[v] }

// Created returns the creation date of v or "".
func (w *World) Created(v graph.NodeID) string { return w.created[v] }

// Relation returns the relation name of a label.
func (w *World) Relation(l graph.Label) string {
	if l >= recoveredBase {
		return Relations[l-recoveredBase]
	}
	return Relations[l/2]
}

// Inferred reports whether a label marks an inferred relation.
func (w *World) Inferred(l graph.Label) bool { return l < recoveredBase && l%2 == 1 }

// Recovered reports whether a label marks a recovered edge.
func (w *World) Recovered(l graph.Label) bool { return l >= recoveredBase }

// Confidence returns the confidence of a recovered edge.
func (w *World) Confidence(parent, child graph.NodeID) float64 { return RecoveredConfidence }

// Synthetic returns a deterministic family of n models grown from
// "base/model-0" with a realistic mix: finetunes (which get children of
// their own), quantized and adapter leaves, merges of two parents and some
// inferred relations. Early models get more children, as on the Hub.
func Synthetic(n int) *World {
	w := New()
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	name := func(i int) string { return fmt.Sprintf("org%d/model-%d", i%37, i) }
	w.Meta(name(0), 50_000_000, "2023-09-27")
	parents := []int{0} // models that may have children
	for i := 1; i < n; i++ {
		// Prefer early parents: square a uniform draw.
		u := rng.Float64()
		p := parents[int(u*u*float64(len(parents)))]
		child := name(i)
		switch r := rng.IntN(100); {
		case r < 40:
			w.Add(name(p), child, "finetune")
			parents = append(parents, i)
		case r < 48:
			w.Add(name(p), child, "finetune?")
			parents = append(parents, i)
		case r < 73:
			w.Add(name(p), child, "quantized")
		case r < 90:
			w.Add(name(p), child, "adapter")
		default:
			q := parents[rng.IntN(len(parents))]
			w.Add(name(p), child, "merge")
			if q != p {
				w.Add(name(q), child, "merge")
			}
			parents = append(parents, i)
		}
		w.Meta(child, int64(rng.ExpFloat64()*float64(100_000/(1+i%50))), fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+i%28))
	}
	return w
}

// Info returns the render callbacks of the world.
func (w *World) Info() render.Info {
	return render.Info{Name: w.Name, Downloads: w.Downloads, Created: w.Created, Relation: w.Relation, Inferred: w.Inferred,
		Recovered: w.Recovered, Confidence: w.Confidence}
}

// Tree returns the picture used by benchmarks: n models drawn (with
// folding) out of a synthetic family of 3n, so that the budget binds.
func Tree(n int) *render.Family {
	w := Synthetic(3 * n)
	f, err := render.Select(w.Graph(), w.Info(), render.Options{Root: 0, MaxNodes: n, Fold: true})
	if err != nil {
		panic(err)
	}
	return f
}
