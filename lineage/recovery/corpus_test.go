package recovery

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
)

// memCorpus is a Corpus built by tests from a small text form, one model a
// line:
//
//	ID [< PARENT [RELATION]] [created=YYYY-MM-DD] [dl=N] [tags=gguf,peft] [hint=KEY:VALUE]...
//
// "TheBloke/X-GGUF < org/X quantized" declares org/X -> TheBloke/X-GGUF;
// a model named only as a parent is added without attributes. Hint keys:
// adapter, config, merge, mergebase, link, ggufrepo, ggufname. Lines may be
// separated by ";".
type memCorpus struct {
	g       *graph.Graph
	names   []string
	created []int64
	dl      []int64
	formats []lineage.Formats
	hints   [][]lineage.Hint
}

func (m *memCorpus) Graph() *graph.Graph                    { return m.g }
func (m *memCorpus) Name(v graph.NodeID) string             { return m.names[v] }
func (m *memCorpus) Created(v graph.NodeID) int64           { return m.created[v] }
func (m *memCorpus) Downloads(v graph.NodeID) int64         { return m.dl[v] }
func (m *memCorpus) Formats(v graph.NodeID) lineage.Formats { return m.formats[v] }
func (m *memCorpus) Hints(v graph.NodeID) []lineage.Hint    { return m.hints[v] }
func (m *memCorpus) node(t testing.TB, id string) graph.NodeID {
	t.Helper()
	v := m.index(id, false)
	if v < 0 {
		t.Fatalf("no model %s in the corpus", id)
	}
	return v
}

func (m *memCorpus) index(id string, add bool) graph.NodeID {
	for i, n := range m.names {
		if strings.EqualFold(n, id) {
			return graph.NodeID(i)
		}
	}
	if !add {
		return -1
	}
	m.names = append(m.names, id)
	m.created = append(m.created, 0)
	m.dl = append(m.dl, -1)
	m.formats = append(m.formats, 0)
	m.hints = append(m.hints, nil)
	return graph.NodeID(len(m.names) - 1)
}

var hintKeys = map[string]string{
	"adapter": lineage.HintAdapterBase, "config": lineage.HintConfigName, "merge": lineage.HintMergeModel,
	"mergebase": lineage.HintMergeBase, "link": lineage.HintLinkFrom, "ggufrepo": lineage.HintGGUFBaseRepo,
	"ggufname": lineage.HintGGUFBaseName,
}

func newCorpus(t testing.TB, text string) *memCorpus {
	t.Helper()
	m := &memCorpus{}
	type edge struct {
		p, c graph.NodeID
		l    graph.Label
	}
	var edges []edge
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ';' }) {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		v := m.index(f[0], true)
		for i := 1; i < len(f); i++ {
			k, val, isAttr := strings.Cut(f[i], "=")
			switch {
			case f[i] == "<":
				if i+1 >= len(f) {
					t.Fatalf("line %q: < names no parent", line)
				}
				p := m.index(f[i+1], true)
				rel := lineage.Finetune
				i++
				if i+1 < len(f) && !strings.Contains(f[i+1], "=") {
					r, ok := lineage.ParseRelation(f[i+1])
					if !ok {
						t.Fatalf("line %q: bad relation %q", line, f[i+1])
					}
					rel = r
					i++
				}
				edges = append(edges, edge{p, v, lineage.EdgeLabel(rel, true)})
			case isAttr && k == "created":
				d, err := time.Parse("2006-01-02", val)
				if err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				m.created[v] = d.Unix()
			case isAttr && k == "dl":
				n, err := strconv.ParseInt(val, 10, 64)
				if err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				m.dl[v] = n
			case isAttr && k == "tags":
				for _, tag := range strings.Split(val, ",") {
					fm := lineage.FormatOf(tag)
					if fm == 0 {
						t.Fatalf("line %q: tag %q is no format marker", line, tag)
					}
					m.formats[v] |= fm
				}
			case isAttr && k == "hint":
				hk, hv, _ := strings.Cut(val, ":")
				key, ok := hintKeys[hk]
				if !ok {
					t.Fatalf("line %q: unknown hint key %q", line, hk)
				}
				kind := lineage.HintFile
				if key == lineage.HintMergeModel || key == lineage.HintMergeBase || key == lineage.HintLinkFrom {
					kind = lineage.HintCard
				}
				m.hints[v] = append(m.hints[v], lineage.Hint{Kind: kind, Source: "test", Key: key, Value: hv})
			default:
				t.Fatalf("line %q: cannot read %q", line, f[i])
			}
		}
	}
	b := graph.NewBuilder(len(m.names))
	for _, e := range edges {
		b.AddEdge(e.p, e.c, e.l)
	}
	m.g = b.Build()
	return m
}

// proposalsOf returns the proposals for one child, as "parent relation" strings.
func proposalsOf(m *memCorpus, res Result, child graph.NodeID) []Proposal {
	var out []Proposal
	for _, p := range res.Proposals {
		if p.Child == child {
			out = append(out, p)
		}
	}
	return out
}

func describe(m *memCorpus, ps []Proposal) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("%s %s (%s/%s %.2f)", m.names[p.Parent], p.Relation, p.Match, p.Rule, p.Confidence))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, "; ")
}
