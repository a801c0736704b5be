package lineage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// The test DSL writes a lineage graph as lines
//
//	child: parent relation, parent relation
//
// "zephyr: mistral-7b finetune" declares mistral-7b -> zephyr with the
// relation finetune; the relation may be omitted (it is then inferred by
// the package, exactly as for a card without base_model_relation). "x:"
// is a record with no parents. Lines are separated by newlines or ";";
// blank lines and lines starting with # are ignored. A repeated child is a
// second listing record of that model (later wins).
//
// Each line becomes one Hub API JSON Lines record, read by the plain
// reader (plain_test.go) into AssembleListing, so the id normalisation,
// precedence and relation rules are exercised:
//
//   - parents go to cardData.base_model (a string for one parent, a list
//     otherwise);
//   - when every parent names the same relation it is written as
//     cardData.base_model_relation;
//   - when parents name different relations, each named relation is
//     written as a "base_model:REL:ID" tag (the card list still wins for
//     the parents, the tags supply the relations).

// dslParent is one "id relation" item of a DSL line.
type dslParent struct{ id, rel string }

// dslLine is one parsed DSL line.
type dslLine struct {
	child   string
	parents []dslParent
}

// parseDSL parses DSL text into lines.
func parseDSL(t testing.TB, text string) []dslLine {
	t.Helper()
	var out []dslLine
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ';' }) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// The child ends at the first ": " or at a final ":" (so that URL
		// ids such as https://... keep their scheme).
		var child, rest string
		if i := strings.Index(line, ": "); i >= 0 {
			child, rest = line[:i], line[i+2:]
		} else if strings.HasSuffix(line, ":") {
			child = strings.TrimSuffix(line, ":")
		} else {
			t.Fatalf("DSL line %q: want \"child: parent relation, ...\"", line)
		}
		l := dslLine{child: strings.TrimSpace(child)}
		for _, item := range strings.Split(rest, ",") {
			f := strings.Fields(item)
			switch len(f) {
			case 0:
				continue
			case 1:
				l.parents = append(l.parents, dslParent{id: f[0]})
			case 2:
				l.parents = append(l.parents, dslParent{id: f[0], rel: f[1]})
			default:
				t.Fatalf("DSL line %q: parent item %q: want \"id [relation]\"", line, item)
			}
		}
		out = append(out, l)
	}
	return out
}

// dslJSONL renders DSL text as Hub API JSON Lines.
func dslJSONL(t testing.TB, text string) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, l := range parseDSL(t, text) {
		rec := map[string]any{"id": l.child}
		if len(l.parents) > 0 {
			ids := make([]string, len(l.parents))
			rels := map[string]bool{}
			for i, p := range l.parents {
				ids[i] = p.id
				rels[p.rel] = true
			}
			cd := map[string]any{}
			if len(ids) == 1 {
				cd["base_model"] = ids[0]
			} else {
				cd["base_model"] = ids
			}
			switch {
			case len(rels) == 1 && !rels[""]:
				cd["base_model_relation"] = l.parents[0].rel
			case len(rels) > 1:
				var tags []string
				for _, p := range l.parents {
					if p.rel != "" {
						tags = append(tags, "base_model:"+p.rel+":"+p.id)
					}
				}
				rec["tags"] = tags
			}
			rec["cardData"] = cd
		}
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// dslStore builds a Store from DSL text through the plain reader.
func dslStore(t testing.TB, text string) *Store {
	t.Helper()
	b := NewBuilder(BuilderOptions{})
	src := memSrc{"dsl.jsonl", dslJSONL(t, text)}
	b.AddSource(src.Name())
	readPlain(t, src, b)
	return b.Finish()
}

// mustLookup returns the node of id or fails the test.
func mustLookup(t testing.TB, s *Store, id string) graph.NodeID {
	t.Helper()
	v, err := s.Lookup(id)
	if err != nil {
		t.Fatalf("Lookup(%q): %v", id, err)
	}
	return v
}

func hopIDs(hs []Hop) string {
	ids := make([]string, len(hs))
	for i, h := range hs {
		ids[i] = h.ID
	}
	return strings.Join(ids, " ")
}

func rankString(es []RankEntry) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = fmt.Sprintf("%s=%d", e.ID, e.Descendants)
	}
	return strings.Join(parts, " ")
}

func mustRelations(t testing.TB, s string) graph.LabelSet {
	t.Helper()
	set, err := ParseRelations(s)
	if err != nil {
		t.Fatalf("ParseRelations(%q): %v", s, err)
	}
	return set
}

func TestDSLDescendants(t *testing.T) {
	const chain = "a:; b: a finetune; c: b adapter; d: c quantized"
	const diamond = "base:; l: base finetune; r: base finetune; m: l merge, r merge; z: m finetune"
	tests := []struct {
		name  string
		graph string
		id    string
		depth int
		rels  string
		want  string // descendants sorted by depth then id
		count int
	}{
		{"chain", chain, "a", 0, "", "b c d", 3},
		{"chain middle", chain, "b", 0, "", "c d", 2},
		{"leaf", chain, "d", 0, "", "", 0},
		{"depth 1", chain, "a", 1, "", "b", 1},
		{"depth 2", chain, "a", 2, "", "b c", 2},
		{"depth beyond", chain, "a", 9, "", "b c d", 3},
		{"negative depth is unlimited", chain, "a", -1, "", "b c d", 3},
		{"filter finetune", chain, "a", 0, "finetune", "b", 1},
		{"filter finetune+adapter", chain, "a", 0, "finetune,adapter", "b c", 2},
		{"filter adapter only stops at first hop", chain, "a", 0, "adapter", "", 0},
		{"filter from middle", chain, "b", 0, "adapter,quantized", "c d", 2},
		{"diamond counts merge once", diamond, "base", 0, "", "l r m z", 4},
		{"diamond depth 2", diamond, "base", 2, "", "l r m", 3},
		{"diamond side", diamond, "l", 0, "", "m z", 2},
		{"merge of two foundations", "a:; b:; m: a merge, b merge", "a", 0, "", "m", 1},
		{"cycle excludes start", "a: c; b: a; c: b", "a", 0, "", "b c", 2},
		{"cycle below a foundation", "r:; a: r finetune, c finetune; b: a; c: b", "r", 0, "", "a b c", 3},
		{"cycle with depth", "a: c; b: a; c: b", "a", 1, "", "b", 1},
		{"two-node cycle", "a: b; b: a", "b", 0, "", "a", 1},
		{"wide fan-out", "f:; c1: f; c2: f; c3: f; c4: f; g: c1, c2, c3, c4", "f", 0, "", "c1 c2 c3 c4 g", 5},
		{"case variants are one node", "Org/Base:; x: org/base; y: ORG/BASE", "org/BASE", 0, "", "x y", 2},
		{"url ids normalise", "org/base:; x: https://huggingface.co/org/base/tree/main; y: hf.co/org/base/; z: https://huggingface.co/org/base/blob/main/config.json", "org/base", 0, "", "x y z", 3},
		{"self reference dropped", "a:; b: b, a", "b", 0, "", "", 0},
		{"dangling parent", "x: missing/base finetune; y: x adapter", "missing/base", 0, "", "x y", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := dslStore(t, tt.graph)
			v := mustLookup(t, s, tt.id)
			res := s.Descendants(v, tt.depth, mustRelations(t, tt.rels), 0)
			if got := hopIDs(res.Descendants); got != tt.want {
				t.Errorf("Descendants(%s, depth %d, %q) = %q, want %q", tt.id, tt.depth, tt.rels, got, tt.want)
			}
			if res.Count != tt.count {
				t.Errorf("Descendants(%s, depth %d, %q).Count = %d, want %d", tt.id, tt.depth, tt.rels, res.Count, tt.count)
			}
			sum := 0
			for _, n := range res.ByRelation {
				sum += n
			}
			if sum != res.Count {
				t.Errorf("Descendants(%s).ByRelation = %v sums to %d, want Count %d", tt.id, res.ByRelation, sum, res.Count)
			}
			if res.Truncated {
				t.Errorf("Descendants(%s, limit 0).Truncated = true, want false", tt.id)
			}
		})
	}
}

func TestDSLDescendantsLimit(t *testing.T) {
	s := dslStore(t, "f:; e: f; d: f; c: f; b: f; a: b")
	res := s.Descendants(mustLookup(t, s, "f"), 0, graph.AllLabels, 3)
	if got, want := hopIDs(res.Descendants), "b c d"; got != want {
		t.Errorf("Descendants(f, limit 3) = %q, want %q", got, want)
	}
	if res.Count != 5 || !res.Truncated {
		t.Errorf("Descendants(f, limit 3) Count=%d Truncated=%v, want 5 true", res.Count, res.Truncated)
	}
}

func TestDSLAncestors(t *testing.T) {
	tests := []struct {
		name        string
		graph       string
		id          string
		want        string // ancestors by depth then id
		foundations string
		isFound     bool
		inCycle     bool
	}{
		{"chain", "a:; b: a; c: b; d: c", "d", "c b a", "a", false, false},
		{"foundation itself", "a:; b: a", "a", "", "", true, false},
		{"merge has two foundations", "a:; b:; m: a merge, b merge", "m", "a b", "a b", false, false},
		{"diamond counts top once", "base:; l: base; r: base; m: l, r", "m", "l r base", "base", false, false},
		{"dangling parent is a foundation", "x: missing/base; y: x", "y", "x missing/base", "missing/base", false, false},
		{"pure cycle has no foundation", "a: c; b: a; c: b", "a", "c b", "", false, true},
		{"cycle under a foundation", "r:; a: r, c; b: a; c: b", "b", "a c r", "r", false, true},
		{"outside the cycle", "r:; a: r, c; b: a; c: b; z: b", "z", "b a c r", "r", false, false},
		{"self reference dropped", "a:; b: b, a", "b", "a", "a", false, false},
		{"only a self reference", "b: b", "b", "", "", true, false},
		{"case variant parent", "Org/A:; b: ORG/a; c: b", "c", "b Org/A", "Org/A", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := dslStore(t, tt.graph)
			res := s.Ancestors(mustLookup(t, s, tt.id))
			if got := hopIDs(res.Ancestors); got != tt.want {
				t.Errorf("Ancestors(%s) = %q, want %q", tt.id, got, tt.want)
			}
			if got := strings.Join(res.Foundations, " "); got != tt.foundations {
				t.Errorf("Ancestors(%s).Foundations = %q, want %q", tt.id, got, tt.foundations)
			}
			if res.IsFoundation != tt.isFound {
				t.Errorf("Ancestors(%s).IsFoundation = %v, want %v", tt.id, res.IsFoundation, tt.isFound)
			}
			if res.InCycle != tt.inCycle {
				t.Errorf("Ancestors(%s).InCycle = %v, want %v", tt.id, res.InCycle, tt.inCycle)
			}
		})
	}
}

func TestDSLAncestorHopRelations(t *testing.T) {
	s := dslStore(t, "a:; b: a finetune; c: b adapter; d: c quantized")
	res := s.Ancestors(mustLookup(t, s, "d"))
	var got []string
	for _, h := range res.Ancestors {
		got = append(got, fmt.Sprintf("%s/%d/%s/%s", h.ID, h.Depth, h.Relation, h.Via))
	}
	want := []string{"c/1/quantized/d", "b/2/adapter/c", "a/3/finetune/b"}
	if !slices.Equal(got, want) {
		t.Errorf("Ancestors(d) hops = %v, want %v", got, want)
	}
}

func TestDSLRank(t *testing.T) {
	tests := []struct {
		name  string
		graph string
		top   int
		rels  string
		want  string
	}{
		{"count desc", "a:; b:; a1: a; a2: a; a3: a1; b1: b", 0, "", "a=3 b=1"},
		{"ties by id case-insensitively", "B:; a:; c:; x1: B; x2: a; x3: c; x4: c", 0, "", "c=2 a=1 B=1"},
		{"tie order is not byte order", "Zeta:; alpha:; beta:; z1: Zeta; a1: alpha; b1: beta", 0, "", "alpha=1 beta=1 Zeta=1"},
		{"top cuts after sorting", "a:; b:; c:; a1: a; b1: b; b2: b; c1: c; c2: c; c3: c", 2, "", "c=3 b=2"},
		{"foundations without descendants omitted", "a:; b:; c:; a1: a", 0, "", "a=1"},
		{"merge shared by two foundations", "a:; b:; m: a merge, b merge; z: m", 0, "", "a=2 b=2"},
		{"diamond counted once", "base:; l: base; r: base; m: l, r", 0, "", "base=3"},
		{"dangling parent ranks", "x: missing/base; y: x", 0, "", "missing/base=2"},
		{"pure cycle has no foundation", "a: c; b: a; c: b", 0, "", ""},
		{"cycle under foundation", "r:; a: r, c; b: a; c: b", 0, "", "r=3"},
		{"self reference does not stop a foundation", "a: a; b: a", 0, "", "a=1"},
		{"relation filter", "a:; b:; a1: a finetune; a2: a adapter; a3: a adapter; b1: b finetune", 0, "adapter", "a=2"},
		{"relation filter path", "a:; a1: a finetune; a2: a1 adapter; a3: a2 finetune", 0, "finetune", "a=1"},
		{"relation filter two", "a:; b:; a1: a finetune; a2: a adapter; b1: b quantized", 0, "finetune,quantized", "a=1 b=1"},
		{"case variants are one foundation", "Org/A:; x: org/a; y: ORG/A", 0, "", "Org/A=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := dslStore(t, tt.graph)
			if got := rankString(s.Rank(tt.top, mustRelations(t, tt.rels))); got != tt.want {
				t.Errorf("Rank(%d, %q) = %q, want %q", tt.top, tt.rels, got, tt.want)
			}
		})
	}
}

func TestDSLRankDirect(t *testing.T) {
	s := dslStore(t, "a:; b:; f1: a finetune; f2: a finetune; ad: a adapter; q-GGUF: a; m: a, b; x: f1")
	es := s.Rank(1, graph.AllLabels)
	if len(es) != 1 || es[0].ID != "a" {
		t.Fatalf("Rank(1) = %q, want a first", rankString(es))
	}
	want := map[string]int{"finetune": 2, "adapter": 1, "quantized": 1, "merge": 1}
	for rel, n := range want {
		if es[0].Direct[rel] != n {
			t.Errorf("Rank(1)[a].Direct[%s] = %d, want %d (all: %v)", rel, es[0].Direct[rel], n, es[0].Direct)
		}
	}
	if es[0].Descendants != 6 {
		t.Errorf("Rank(1)[a].Descendants = %d, want 6", es[0].Descendants)
	}
	if s.Name(es[0].Node()) != "a" {
		t.Errorf("Rank(1)[a].Node() names %q, want a", s.Name(es[0].Node()))
	}
}

// TestDSLEdgeRelations checks the relation and declared flag stored on
// every edge.
func TestDSLEdgeRelations(t *testing.T) {
	tests := []struct {
		name     string
		graph    string
		parent   string
		child    string
		rel      Relation
		declared bool
	}{
		{"declared finetune", "a:; b: a finetune", "a", "b", Finetune, true},
		{"declared adapter", "a:; b: a adapter", "a", "b", Adapter, true},
		{"declared quantized", "a:; b: a quantized", "a", "b", Quantized, true},
		{"declared merge with one parent", "a:; b: a merge", "a", "b", Merge, true},
		{"inferred finetune", "a:; b: a", "a", "b", Finetune, false},
		{"inferred quantized from id", "a:; org/b-GGUF: a", "a", "org/b-GGUF", Quantized, false},
		{"inferred quantized awq", "a:; org/b-AWQ: a", "a", "org/b-AWQ", Quantized, false},
		{"inferred merge", "a:; c:; m: a, c", "a", "m", Merge, false},
		{"inferred merge other parent", "a:; c:; m: a, c", "c", "m", Merge, false},
		{"mixed relations via tags first", "a:; c:; m: a adapter, c finetune", "a", "m", Adapter, true},
		{"mixed relations via tags second", "a:; c:; m: a adapter, c finetune", "c", "m", Finetune, true},
		{"mixed declared and inferred", "a:; c:; m: a adapter, c", "c", "m", Merge, false},
		{"declared beats quant marker", "a:; org/b-GGUF: a finetune", "a", "org/b-GGUF", Finetune, true},
		{"self reference is not a second parent", "a:; b: b, a", "a", "b", Finetune, false},
		{"listing one parent twice declares a merge", "a:; b: a, A", "a", "b", Merge, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := dslStore(t, tt.graph)
			p, c := mustLookup(t, s, tt.parent), mustLookup(t, s, tt.child)
			l, ok := s.G.EdgeLabel(p, c)
			if !ok {
				t.Fatalf("edge %s -> %s missing", tt.parent, tt.child)
			}
			rel, declared := LabelRelation(l)
			if rel != tt.rel || declared != tt.declared {
				t.Errorf("edge %s -> %s = %v declared=%v, want %v declared=%v", tt.parent, tt.child, rel, declared, tt.rel, tt.declared)
			}
		})
	}
}

func TestDSLNames(t *testing.T) {
	tests := []struct {
		name  string
		graph string
		query string
		want  string
	}{
		{"own record spelling", "Org/Base:; x: org/base; y: ORG/BASE", "org/base", "Org/Base"},
		{"own record after references", "x: org/base; y: ORG/BASE; Org/Base:", "ORG/base", "Org/Base"},
		{"first spelling without record", "x: ORG/base; y: org/Base", "org/base", "ORG/base"},
		{"later duplicate record wins", "Org/Base:; ORG/BASE:", "org/base", "ORG/BASE"},
		{"url child", "https://huggingface.co/Org/Child/tree/main: a; a:", "org/child", "Org/Child"},
		{"url parent spelling", "x: https://hf.co/Org/Base/", "org/base", "Org/Base"},
		{"lookup by url", "org/base:", "https://huggingface.co/ORG/base", "org/base"},
		{"lookup with revision", "org/base:", "org/base/tree/v1.0", "org/base"},
		{"legacy id without org", "gpt2:; x: GPT2", "Gpt2", "gpt2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := dslStore(t, tt.graph)
			v := mustLookup(t, s, tt.query)
			if got := s.Name(v); got != tt.want {
				t.Errorf("Name(Lookup(%q)) = %q, want %q", tt.query, got, tt.want)
			}
			// Exactly one node carries the folded id.
			n := 0
			for u := 0; u < s.NumModels(); u++ {
				if modelid.Fold(s.Name(graph.NodeID(u))) == modelid.Fold(tt.want) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d nodes named %q case-insensitively, want 1", n, tt.want)
			}
		})
	}
}

func TestDSLLookupNotFound(t *testing.T) {
	s := dslStore(t, "mistralai/Mistral-7B-v0.1:; x: mistralai/Mistral-7B-v0.1")
	for _, q := range []string{"mistralai/Mistral-7B-v0.2", "", "./local/path", "nobody/nothing-at-all"} {
		_, err := s.Lookup(q)
		if err == nil {
			t.Errorf("Lookup(%q) = nil error, want ErrNotFound", q)
			continue
		}
		var nf *NotFoundError
		if !errors.As(err, &nf) || !errors.Is(err, ErrNotFound) {
			t.Errorf("Lookup(%q) error = %v, want a *NotFoundError wrapping ErrNotFound", q, err)
		}
	}
	_, err := s.Lookup("mistralai/Mistral-7B-v0.2")
	var nf *NotFoundError
	if errors.As(err, &nf) && !slices.Contains(nf.Suggestions, "mistralai/Mistral-7B-v0.1") {
		t.Errorf("Lookup(mistralai/Mistral-7B-v0.2).Suggestions = %v, want mistralai/Mistral-7B-v0.1 among them", nf.Suggestions)
	}
	if got := s.Suggest("mistral-7b-v0.1", 3); !slices.Contains(got, "mistralai/Mistral-7B-v0.1") {
		t.Errorf("Suggest(mistral-7b-v0.1) = %v, want mistralai/Mistral-7B-v0.1 among them", got)
	}
}

func TestDSLPaths(t *testing.T) {
	tests := []struct {
		name      string
		graph     string
		id        string
		limit     int
		want      []string // each path as "id <rel id <rel id"
		truncated bool
	}{
		{"chain", "a:; b: a finetune; c: b adapter", "c", 100, []string{"c <adapter b <finetune a"}, false},
		{"merge gives a path per parent", "a:; b:; m: a merge, b merge; z: m finetune", "z", 100,
			[]string{"z <finetune m <merge a", "z <finetune m <merge b"}, false},
		{"diamond gives two paths to one foundation", "base:; l: base; r: base; m: l merge, r merge", "m", 100,
			[]string{"m <merge l <finetune base", "m <merge r <finetune base"}, false},
		{"limit truncates", "a:; b:; c:; m: a merge, b merge, c merge", "m", 2,
			[]string{"m <merge a", "m <merge b"}, true},
		{"limit equal to count", "a:; b:; m: a merge, b merge", "m", 2,
			[]string{"m <merge a", "m <merge b"}, false},
		{"foundation has no paths", "a:; b: a", "a", 100, nil, false},
		{"cycle terminates", "a: c finetune; b: a finetune; c: b finetune", "a", 100, []string{"a <finetune c <finetune b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := dslStore(t, tt.graph)
			paths, truncated := s.Paths(mustLookup(t, s, tt.id), tt.limit)
			var got []string
			for _, p := range paths {
				var sb strings.Builder
				for i, st := range p {
					if i > 0 {
						sb.WriteString(" <" + st.Relation + " ")
					}
					sb.WriteString(st.ID)
				}
				got = append(got, sb.String())
			}
			sort.Strings(got)
			if !slices.Equal(got, tt.want) || truncated != tt.truncated {
				t.Errorf("Paths(%s, %d) = %q truncated=%v, want %q truncated=%v", tt.id, tt.limit, got, truncated, tt.want, tt.truncated)
			}
			// The count agrees with the listing where the listing is
			// whole and there is no cycle to make it infinite.
			n, sat, err := s.PathCount(mustLookup(t, s, tt.id))
			switch {
			case strings.Contains(tt.name, "cycle"):
				// No foundation above a cycle with no way in: no path.
				if err == nil && n != 0 {
					t.Errorf("PathCount(%s) on a root cycle = %d, want 0 or an error", tt.id, n)
				}
			case err != nil || sat:
				t.Errorf("PathCount(%s) = %d, %v, %v", tt.id, n, sat, err)
			case !tt.truncated && n != int64(len(tt.want)):
				t.Errorf("PathCount(%s) = %d, want %d", tt.id, n, len(tt.want))
			case tt.truncated && n <= int64(len(tt.want)):
				t.Errorf("PathCount(%s) = %d, want more than the %d listed", tt.id, n, len(tt.want))
			}
		})
	}
}

// TestDSLStatsAndDiagnostics checks the summary counts and the reported
// problems of small graphs.
func TestDSLStatsAndDiagnostics(t *testing.T) {
	type counts struct {
		models, withRecord, edges, foundations, cycles, inCycles, dangling, selfRefs, duplicates int
	}
	tests := []struct {
		name  string
		graph string
		want  counts
		diags []string // diagnostic kinds expected at least once
		none  []string // diagnostic kinds that must not appear
	}{
		{"chain", "a:; b: a; c: b", counts{3, 3, 2, 1, 0, 0, 0, 0, 0}, nil, []string{KindCycle, KindDangling, KindSelfRef}},
		{"pure cycle", "a: c; b: a; c: b", counts{3, 3, 3, 0, 1, 3, 0, 0, 0}, []string{KindCycle}, nil},
		{"two cycles", "a: b; b: a; c: d; d: c", counts{4, 4, 4, 0, 2, 4, 0, 0, 0}, []string{KindCycle}, nil},
		{"cycle under foundation", "r:; a: r, c; b: a; c: b", counts{4, 4, 4, 1, 1, 3, 0, 0, 0}, []string{KindCycle}, nil},
		{"self reference", "a:; b: b, a", counts{2, 2, 1, 1, 0, 0, 0, 1, 0}, []string{KindSelfRef}, []string{KindCycle}},
		{"self reference via case", "a:; Org/B: org/b", counts{2, 2, 0, 2, 0, 0, 0, 1, 0}, []string{KindSelfRef}, []string{KindCycle}},
		{"self reference via url", "org/b: https://huggingface.co/org/b", counts{1, 1, 0, 1, 0, 0, 0, 1, 0}, []string{KindSelfRef}, nil},
		{"dangling parent", "x: missing/base; y: x", counts{3, 2, 2, 1, 0, 0, 1, 0, 0}, nil, nil},
		{"two dangling parents", "x: p/one, p/two", counts{3, 1, 2, 2, 0, 0, 2, 0, 0}, nil, nil},
		{"duplicate record", "a:; b: a; b:", counts{2, 2, 0, 2, 0, 0, 0, 0, 1}, []string{KindDuplicate}, nil},
		{"duplicate record later parent wins", "a:; c:; b: a; b: c", counts{3, 3, 1, 2, 0, 0, 0, 0, 1}, []string{KindDuplicate}, nil},
		{"case-variant duplicate", "Org/A:; org/a:", counts{1, 1, 0, 1, 0, 0, 0, 0, 1}, []string{KindDuplicate}, nil},
		{"url parent reported", "org/a:; b: https://huggingface.co/org/a/tree/main", counts{2, 2, 1, 1, 0, 0, 0, 0, 0}, []string{KindURLForm}, nil},
		{"local path not an edge", "b: ./models/base", counts{1, 1, 0, 1, 0, 0, 0, 0, 0}, []string{KindLocalPath}, nil},
		{"html residue not an edge", "b: org/a\">org/a", counts{1, 1, 0, 1, 0, 0, 0, 0, 0}, []string{KindHTML}, nil},
		{"unknown relation", "a:; b: a sideways", counts{2, 2, 1, 1, 0, 0, 0, 0, 0}, []string{KindUnknownRel}, nil},
		{"list duplicate", "a:; b: a, A", counts{2, 2, 1, 1, 0, 0, 0, 0, 0}, []string{KindListDup}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := dslStore(t, tt.graph)
			st := s.Stats()
			got := counts{st.Models, st.ModelsWithRecord, st.Edges, st.Foundations, st.Cycles, st.ModelsInCycles, st.DanglingParents, st.SelfReferences, st.Duplicates}
			if got != tt.want {
				t.Errorf("Stats(%q) = %+v, want %+v", tt.graph, got, tt.want)
			}
			if s.NumModels() != st.Models || s.G.NumEdges() != st.Edges {
				t.Errorf("NumModels()=%d NumEdges()=%d disagree with Stats %d %d", s.NumModels(), s.G.NumEdges(), st.Models, st.Edges)
			}
			if st.Declared+st.Inferred != st.Edges {
				t.Errorf("Stats(%q) declared %d + inferred %d != edges %d", tt.graph, st.Declared, st.Inferred, st.Edges)
			}
			kinds := map[string]int{}
			for _, d := range s.Diagnostics() {
				kinds[d.Kind]++
			}
			for _, k := range tt.diags {
				if kinds[k] == 0 {
					t.Errorf("Diagnostics(%q) has no %s, got %v", tt.graph, k, s.Diagnostics())
				}
			}
			for _, k := range tt.none {
				if kinds[k] != 0 {
					t.Errorf("Diagnostics(%q) has %d %s, want none", tt.graph, kinds[k], k)
				}
			}
			for _, d := range s.Diagnostics() {
				if d.Kind == KindCycle || d.Kind == KindDangling {
					continue // whole-graph findings have no source line
				}
				if d.Source != "dsl.jsonl" || d.Line <= 0 {
					t.Errorf("diagnostic %v: want source dsl.jsonl and a line", d)
				}
			}
		})
	}
}

func TestDSLSelfReferenceDiagnostic(t *testing.T) {
	s := dslStore(t, "a:\nb: a, b")
	var got []Diagnostic
	for _, d := range s.Diagnostics() {
		if d.Kind == KindSelfRef {
			got = append(got, d)
		}
	}
	if len(got) != 1 || got[0].ID != "b" || got[0].Value != "b" || got[0].Line != 2 {
		t.Errorf("self-reference diagnostics = %v, want one for b at dsl.jsonl:2", got)
	}
	if es := s.Rank(0, graph.AllLabels); rankString(es) != "a=1" {
		t.Errorf("Rank = %q, want a=1", rankString(es))
	}
}

// refGraph is a naive reference implementation over the DSL: map-based
// adjacency, BFS with a visited map.
type refGraph struct {
	nodes   map[string]bool
	parents map[string]map[string]string // child -> parent -> relation
}

func newRefGraph(lines []dslLine) *refGraph {
	g := &refGraph{nodes: map[string]bool{}, parents: map[string]map[string]string{}}
	for _, l := range lines {
		g.nodes[l.child] = true
		ps := map[string]string{}
		for _, p := range l.parents {
			g.nodes[p.id] = true
			if p.id != l.child {
				ps[p.id] = p.rel
			}
		}
		g.parents[l.child] = ps // later wins
	}
	return g
}

// reach returns node -> shortest depth reachable from start (excluded).
func (g *refGraph) reach(start string, down bool, rels map[string]bool, maxDepth int) map[string]int {
	next := func(v string) []string {
		var out []string
		if down {
			for c, ps := range g.parents {
				if r, ok := ps[v]; ok && (rels == nil || rels[r]) {
					out = append(out, c)
				}
			}
		} else {
			for p, r := range g.parents[v] {
				if rels == nil || rels[r] {
					out = append(out, p)
				}
			}
		}
		return out
	}
	seen := map[string]int{start: 0}
	frontier := []string{start}
	for d := 1; len(frontier) > 0 && (maxDepth <= 0 || d <= maxDepth); d++ {
		var nf []string
		for _, v := range frontier {
			for _, w := range next(v) {
				if _, ok := seen[w]; !ok {
					seen[w] = d
					nf = append(nf, w)
				}
			}
		}
		frontier = nf
	}
	delete(seen, start)
	return seen
}

func (g *refGraph) rank(rels map[string]bool) string {
	type e struct {
		id string
		n  int
	}
	var es []e
	for v := range g.nodes {
		if len(g.parents[v]) > 0 {
			continue
		}
		if n := len(g.reach(v, true, rels, 0)); n > 0 {
			es = append(es, e{v, n})
		}
	}
	slices.SortFunc(es, func(a, b e) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.id, b.id)
	})
	parts := make([]string, len(es))
	for i, x := range es {
		parts[i] = fmt.Sprintf("%s=%d", x.id, x.n)
	}
	return strings.Join(parts, " ")
}

// TestDSLAgainstReference compares every query on random graphs (merges,
// diamonds, cycles, self-references, dangling parents) with the naive
// reference implementation.
func TestDSLAgainstReference(t *testing.T) {
	rels := []string{"finetune", "adapter", "quantized", "merge"}
	filters := []string{"", "finetune", "adapter,quantized", "merge,finetune"}
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 200; iter++ {
		n := 2 + rng.IntN(14)
		var sb strings.Builder
		for c := 0; c < n; c++ {
			if rng.IntN(8) == 0 {
				continue // no record: a dangling parent if referenced
			}
			fmt.Fprintf(&sb, "m%02d:", c)
			k := rng.IntN(4)
			if rng.IntN(3) == 0 {
				k = 0
			}
			used := map[int]bool{}
			for j := 0; j < k; j++ {
				p := rng.IntN(n)
				if rng.IntN(3) != 0 && c > 0 {
					p = rng.IntN(c) // mostly acyclic, some back edges
				}
				if used[p] {
					continue
				}
				used[p] = true
				sep := " "
				if j > 0 {
					sep = ", "
				}
				fmt.Fprintf(&sb, "%sm%02d %s", sep, p, rels[rng.IntN(len(rels))])
			}
			sb.WriteString("\n")
		}
		text := sb.String()
		lines := parseDSL(t, text)
		ref := newRefGraph(lines)
		s := dslStore(t, text)
		if s.NumModels() != len(ref.nodes) {
			t.Fatalf("graph %q: NumModels = %d, want %d", text, s.NumModels(), len(ref.nodes))
		}
		for _, f := range filters {
			var rset map[string]bool
			if f != "" {
				rset = map[string]bool{}
				for _, r := range strings.Split(f, ",") {
					rset[r] = true
				}
			}
			if got, want := rankString(s.Rank(0, mustRelations(t, f))), ref.rank(rset); got != want {
				t.Fatalf("graph %q: Rank(0, %q) = %q, want %q", text, f, got, want)
			}
			for id := range ref.nodes {
				v := mustLookup(t, s, id)
				for _, depth := range []int{0, 1, 2} {
					want := ref.reach(id, true, rset, depth)
					res := s.Descendants(v, depth, mustRelations(t, f), 0)
					got := map[string]int{}
					for _, h := range res.Descendants {
						got[h.ID] = h.Depth
					}
					if res.Count != len(want) || fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("graph %q: Descendants(%s, %d, %q) = %v (count %d), want %v", text, id, depth, f, got, res.Count, want)
					}
				}
			}
		}
		for id := range ref.nodes {
			v := mustLookup(t, s, id)
			want := ref.reach(id, false, nil, 0)
			res := s.Ancestors(v)
			got := map[string]int{}
			for _, h := range res.Ancestors {
				got[h.ID] = h.Depth
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("graph %q: Ancestors(%s) = %v, want %v", text, id, got, want)
			}
			var wantF []string
			for a := range want {
				if len(ref.parents[a]) == 0 {
					wantF = append(wantF, a)
				}
			}
			sort.Strings(wantF)
			if !slices.Equal(res.Foundations, wantF) && !(len(wantF) == 0 && len(res.Foundations) == 0) {
				t.Fatalf("graph %q: Ancestors(%s).Foundations = %v, want %v", text, id, res.Foundations, wantF)
			}
			if got, want := s.IsFoundation(v), len(ref.parents[id]) == 0; got != want {
				t.Fatalf("graph %q: IsFoundation(%s) = %v, want %v", text, id, got, want)
			}
		}
		// Cycles: a node is on a cycle iff it reaches itself.
		for id := range ref.nodes {
			onCycle := false
			for _, p := range ref.reachIncludingStart(id) {
				if p == id {
					onCycle = true
				}
			}
			if got := s.InCycle(mustLookup(t, s, id)); got != onCycle {
				t.Fatalf("graph %q: InCycle(%s) = %v, want %v", text, id, got, onCycle)
			}
		}
	}
}

// reachIncludingStart lists the nodes reachable downward from start through
// at least one edge (start itself when it is on a cycle).
func (g *refGraph) reachIncludingStart(start string) []string {
	seen := map[string]bool{}
	var stack []string
	push := func(v string) {
		for c, ps := range g.parents {
			if _, ok := ps[v]; ok && !seen[c] {
				seen[c] = true
				stack = append(stack, c)
			}
		}
	}
	push(start)
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		push(v)
	}
	var out []string
	for v := range seen {
		out = append(out, v)
	}
	return out
}
