package lineage

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/lineage-project/lineage/graph"
)

// pathString renders a path as "a -finetune-> b -merge*-> c".
func pathString(p []PathLink) string {
	var b strings.Builder
	for i, l := range p {
		if i > 0 {
			rel := l.Relation
			if l.Inferred {
				rel += "*"
			}
			fmt.Fprintf(&b, " -%s-> ", rel)
		}
		b.WriteString(l.ID)
	}
	return b.String()
}

func pathsString(ps [][]PathLink) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = pathString(p)
	}
	return strings.Join(out, " | ")
}

func TestDSLPath(t *testing.T) {
	const diamond = "base:; l: base finetune; r: base adapter; m: l merge, r merge; z: m quantized"
	tests := []struct {
		name, graph, from, to string
		all                   bool
		max                   int
		want                  string // the paths, " | "-separated
		reversed              bool
		hops                  int
		count                 string // "nil" when a cycle lies between
		truncated             bool
	}{
		{"chain", "a:; b: a finetune; c: b adapter", "a", "c", false, 0, "a -finetune-> b -adapter-> c", false, 2, "1", false},
		{"itself", "a:; b: a finetune", "b", "b", true, 5, "b", false, 0, "1", false},
		{"reversed", "a:; b: a finetune; c: b adapter", "c", "a", false, 0, "a -finetune-> b -adapter-> c", true, 2, "1", false},
		{"diamond shortest is least node", diamond, "base", "z", false, 0, "base -finetune-> l -merge-> m -quantized-> z", false, 3, "1", false},
		{"diamond all", diamond, "base", "z", true, 10, "base -finetune-> l -merge-> m -quantized-> z | base -adapter-> r -merge-> m -quantized-> z", false, 3, "2", false},
		{"diamond truncated", diamond, "base", "z", true, 1, "base -finetune-> l -merge-> m -quantized-> z", false, 3, "2", true},
		{"shortcut listed first", "a:; b: a finetune; c: b finetune, a finetune", "a", "c", true, 10, "a -finetune-> c | a -finetune-> b -finetune-> c", false, 1, "2", false},
		{"inferred relation marked", "a:; b: a", "a", "b", false, 0, "a -finetune*-> b", false, 1, "1", false},
		{"cycle between", "r:; a: r finetune, c finetune; b: a finetune; c: b finetune; z: c finetune", "r", "z", true, 10, "r -finetune-> a -finetune-> b -finetune-> c -finetune-> z", false, 4, "nil", false},
		{"cycle elsewhere does not matter", "r:; a: r finetune; z: a finetune; x: y finetune; y: x finetune", "r", "z", true, 10, "r -finetune-> a -finetune-> z", false, 2, "1", false},
		{"case-insensitive ids", "Org/A:; b: org/a finetune", "ORG/a", "B", false, 0, "Org/A -finetune-> b", false, 1, "1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := dslStore(t, tt.graph)
			res, err := s.Path(mustLookup(t, s, tt.from), mustLookup(t, s, tt.to), PathOptions{All: tt.all, MaxPaths: tt.max})
			if err != nil {
				t.Fatalf("Path(%s, %s): %v", tt.from, tt.to, err)
			}
			if got := pathsString(res.Paths); got != tt.want {
				t.Errorf("Path(%s, %s).Paths = %q, want %q", tt.from, tt.to, got, tt.want)
			}
			count := "nil"
			if res.Count != nil {
				count = fmt.Sprint(*res.Count)
			}
			if res.Reversed != tt.reversed || res.Hops != tt.hops || count != tt.count || res.Truncated != tt.truncated {
				t.Errorf("Path(%s, %s) = reversed %v hops %d count %s truncated %v, want %v %d %s %v",
					tt.from, tt.to, res.Reversed, res.Hops, count, res.Truncated, tt.reversed, tt.hops, tt.count, tt.truncated)
			}
			if count == "nil" && (len(res.Cycle) == 0 || res.CycleSize != len(res.Cycle)) {
				t.Errorf("Path(%s, %s): no count but cycle %v (size %d)", tt.from, tt.to, res.Cycle, res.CycleSize)
			}
		})
	}
}

func TestDSLPathErrors(t *testing.T) {
	s := dslStore(t, "a:; b: a finetune; c:; d: c finetune")
	_, err := s.Path(mustLookup(t, s, "b"), mustLookup(t, s, "d"), PathOptions{})
	if !errors.Is(err, ErrUnrelated) || !strings.Contains(err.Error(), "b and d") {
		t.Errorf("Path(b, d) error = %v, want ErrUnrelated naming b and d", err)
	}
	for _, max := range []int{0, -1} {
		_, err := s.Path(mustLookup(t, s, "a"), mustLookup(t, s, "b"), PathOptions{All: true, MaxPaths: max})
		if !errors.Is(err, ErrUsage) {
			t.Errorf("Path(a, b, MaxPaths %d) error = %v, want ErrUsage", max, err)
		}
	}
	// A lattice of merges: 2^40 paths, counted, never listed beyond the cap.
	var sb strings.Builder
	sb.WriteString("n0:\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&sb, "l%d: n%d finetune\nr%d: n%d finetune\nn%d: l%d merge, r%d merge\n", i, i-1, i, i-1, i, i, i)
	}
	s = dslStore(t, sb.String())
	res, err := s.Path(mustLookup(t, s, "n0"), mustLookup(t, s, "n40"), PathOptions{All: true, MaxPaths: 3})
	if err != nil || res.Count == nil || *res.Count != 1<<40 || len(res.Paths) != 3 || !res.Truncated || res.Hops != 80 {
		t.Errorf("lattice: count %v, %d paths, truncated %v, hops %d, err %v; want 2^40, 3, true, 80", res.Count, len(res.Paths), res.Truncated, res.Hops, err)
	}
}

func TestDSLCommon(t *testing.T) {
	tests := []struct {
		name, graph string
		ids         []string
		common      string // id:depth,depth ... in result order
		nearest     string
		foundations string
	}{
		{"siblings", "a:; b: a finetune; c: a adapter", []string{"b", "c"}, "a:1,1", "a", "a"},
		{"one built on the other", "a:; b: a finetune; c: b finetune", []string{"c", "b"}, "b:1,0 a:2,1", "b", "a"},
		{"two merges", "r1:; v3:; x: r1 finetune; m1: r1 merge, v3 merge, x merge; m2: x merge, r1 merge", []string{"m1", "m2"}, "x:1,1 r1:1,1", "x", "r1"},
		{"three models", "a:; b: a finetune; c: b finetune; d: b adapter; e: a finetune", []string{"c", "d", "e"}, "a:2,2,1", "a", "a"},
		{"nothing shared", "a:; b:; c: a finetune; d: b finetune", []string{"c", "d"}, "", "", ""},
		{"nearest above a diamond", "a:; l: a finetune; r: a finetune; m: l merge, r merge; x: m finetune; y: m adapter", []string{"x", "y"}, "m:1,1 l:2,2 r:2,2 a:3,3", "m", "a"},
		{"root cycle is nearest as a whole, no foundation", "p: q finetune; q: p finetune; x: p finetune; y: q finetune", []string{"x", "y"}, "p:1,2 q:2,1", "p q", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := dslStore(t, tt.graph)
			var vs []graph.NodeID
			for _, id := range tt.ids {
				vs = append(vs, mustLookup(t, s, id))
			}
			res := s.Common(vs)
			var parts []string
			for _, c := range res.Common {
				var ds []string
				for _, id := range tt.ids {
					ds = append(ds, fmt.Sprint(c.Depth[id]))
				}
				parts = append(parts, c.ID+":"+strings.Join(ds, ","))
			}
			if got := strings.Join(parts, " "); got != tt.common {
				t.Errorf("Common(%v) = %q, want %q", tt.ids, got, tt.common)
			}
			if got := strings.Join(res.Nearest, " "); got != tt.nearest {
				t.Errorf("Common(%v).Nearest = %q, want %q", tt.ids, got, tt.nearest)
			}
			if got := strings.Join(res.Foundations, " "); got != tt.foundations {
				t.Errorf("Common(%v).Foundations = %q, want %q", tt.ids, got, tt.foundations)
			}
			if !slices.Equal(res.IDs, tt.ids) {
				t.Errorf("Common(%v).IDs = %v", tt.ids, res.IDs)
			}
		})
	}
}

func TestDSLImpact(t *testing.T) {
	tests := []struct {
		name, graph, id string
		want            string // depth/relation/id in result order
	}{
		{"chain", "a:; b: a finetune; c: b adapter", "a", "1/finetune/b 2/adapter/c"},
		{"leaf", "a:; b: a finetune", "b", ""},
		{"merge with another foundation survives", "a:; o:; b: a finetune; m: b merge, o merge; z: m finetune", "a", "1/finetune/b"},
		{"merge of two children of one model depends on it", "a:; l: a finetune; r: a adapter; m: l merge, r merge", "a", "1/finetune/l 1/adapter/r 2/merge/m"},
		{"side entry into a cycle", "r:; o:; a: r finetune, c finetune; b: a finetune; c: b finetune, o finetune; z: b quantized", "r", ""},
		{"cycle entered at one model", "r:; a: r finetune, c finetune; b: a finetune; c: b finetune", "a", "1/finetune/b 2/finetune/c"},
		{"root cycle member owns only what hangs below it alone", "p: q finetune; q: p finetune; x: p finetune; y: x adapter; w: p merge, q merge", "p", "1/finetune/x 2/adapter/y"},
		{"dangling parent is a foundation", "b: ghost/base finetune; c: b adapter", "ghost/base", "1/finetune/b 2/adapter/c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := dslStore(t, tt.graph)
			v := mustLookup(t, s, tt.id)
			local := s.ImpactCount(v) // before the tree exists: from the descendants
			res := s.Impact(v, 0)
			var parts []string
			for _, h := range res.Models {
				parts = append(parts, fmt.Sprintf("%d/%s/%s", h.Depth, h.Relation, h.ID))
			}
			if got := strings.Join(parts, " "); got != tt.want {
				t.Errorf("Impact(%s) = %q, want %q", tt.id, got, tt.want)
			}
			if res.Count != len(res.Models) || local != res.Count || s.ImpactCount(v) != res.Count {
				t.Errorf("Impact(%s): count %d, %d listed, ImpactCount %d before the tree and %d after", tt.id, res.Count, len(res.Models), local, s.ImpactCount(v))
			}
		})
	}
	s := dslStore(t, "a:; b: a finetune; c: a finetune; d: a adapter")
	res := s.Impact(mustLookup(t, s, "a"), 2)
	if res.Count != 3 || len(res.Models) != 2 || !res.Truncated || res.ByRelation["finetune"] != 2 || res.ByRelation["adapter"] != 1 {
		t.Errorf("Impact(a, limit 2) = %+v, want count 3, 2 listed, truncated, finetune 2 adapter 1", res)
	}
}

// randomDSL writes a random graph over n models m00..: mostly acyclic,
// with merges, diamonds, some back edges (cycles, root cycles among them),
// models without a record (dangling parents) and explicit relations.
func randomDSL(rng *rand.Rand, n int) string {
	rels := []string{"finetune", "adapter", "quantized", "merge"}
	var sb strings.Builder
	for c := 0; c < n; c++ {
		if rng.IntN(8) == 0 {
			continue
		}
		fmt.Fprintf(&sb, "m%02d:", c)
		k := rng.IntN(4)
		if rng.IntN(3) == 0 {
			k = 0
		}
		used := map[int]bool{}
		for j := 0; j < k; j++ {
			p := rng.IntN(n)
			if rng.IntN(4) != 0 && c > 0 {
				p = rng.IntN(c)
			}
			if used[p] || p == c {
				continue
			}
			used[p] = true
			sep := " "
			if len(used) > 1 {
				sep = ", "
			}
			fmt.Fprintf(&sb, "%sm%02d %s", sep, p, rels[rng.IntN(len(rels))])
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// refChildren inverts a reference graph's parent map.
func (g *refGraph) children() map[string]map[string]string {
	ch := map[string]map[string]string{}
	for c, ps := range g.parents {
		for p, r := range ps {
			if ch[p] == nil {
				ch[p] = map[string]string{}
			}
			ch[p][c] = r
		}
	}
	return ch
}

// refReachSelf returns start and everything it reaches (down or up).
func (g *refGraph) reachSelf(start string, down bool) map[string]int {
	m := g.reach(start, down, nil, 0)
	m[start] = 0
	return m
}

// refSimplePaths lists every path from a down to b that visits no node
// twice, as strings, by brute-force depth-first search.
func (g *refGraph) simplePaths(a, b string, ch map[string]map[string]string) []string {
	var out []string
	path := []string{a}
	on := map[string]bool{a: true}
	var dfs func(v string)
	dfs = func(v string) {
		if v == b {
			out = append(out, strings.Join(path, " "))
			return
		}
		for c := range ch[v] {
			if on[c] {
				continue
			}
			on[c] = true
			path = append(path, c)
			dfs(c)
			path = path[:len(path)-1]
			on[c] = false
		}
	}
	dfs(a)
	sort.Strings(out)
	return out
}

// refEntries returns the entry nodes of the dominator tree, by brute
// force: the models with no parent, and the members of cycles all of whose
// ancestors are on their cycle (root cycles).
func (g *refGraph) entries() map[string]bool {
	out := map[string]bool{}
	for v := range g.nodes {
		if len(g.parents[v]) == 0 {
			out[v] = true
			continue
		}
		if !slices.Contains(g.reachIncludingStart(v), v) {
			continue // not on a cycle
		}
		down := g.reach(v, true, nil, 0)
		root := true
		for a := range g.reach(v, false, nil, 0) {
			if _, ok := down[a]; !ok {
				root = false
			}
		}
		out[v] = root
	}
	return out
}

// refImpact returns the models that removing v cuts off from every entry
// node (v excluded): the brute-force definition of impact. Without root
// cycles the entry nodes are the foundations.
func (g *refGraph) impact(v string, entries map[string]bool, ch map[string]map[string]string) map[string]bool {
	seen := map[string]bool{v: true}
	var stack []string
	for e, entry := range entries {
		if entry && !seen[e] {
			seen[e] = true
			stack = append(stack, e)
		}
	}
	for len(stack) > 0 {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for c := range ch[u] {
			if !seen[c] {
				seen[c] = true
				stack = append(stack, c)
			}
		}
	}
	out := map[string]bool{}
	for w := range g.nodes {
		if !seen[w] {
			out[w] = true
		}
	}
	return out
}

// TestDSLRelateAgainstReference holds Path, Common and Impact to plain
// references on random graphs with merges, diamonds and cycles.
func TestDSLRelateAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	// seen counts the cases met, so that the test cannot quietly stop
	// covering one.
	seen := map[string]int{}
	defer func() {
		for _, k := range []string{"unrelated", "reversed", "cycle between", "several paths", "root cycle", "impact", "nearest not foundation", "no common"} {
			if seen[k] == 0 && !t.Failed() {
				t.Errorf("no random graph had the case %q: %v", k, seen)
			}
		}
	}()
	for iter := 0; iter < 300; iter++ {
		text := randomDSL(rng, 2+rng.IntN(14))
		ref := newRefGraph(parseDSL(t, text))
		ch := ref.children()
		s := dslStore(t, text)
		ids := slices.Sorted(func(yield func(string) bool) {
			for v := range ref.nodes {
				if !yield(v) {
					return
				}
			}
		})
		fail := func(format string, a ...any) {
			t.Helper()
			t.Fatalf("graph %q: %s", text, fmt.Sprintf(format, a...))
		}

		// Path, for every pair.
		for _, a := range ids {
			downA := ref.reachSelf(a, true)
			for _, b := range ids {
				res, err := s.Path(mustLookup(t, s, a), mustLookup(t, s, b), PathOptions{All: true, MaxPaths: 1000})
				from, to, reversed := a, b, false
				if _, ok := downA[b]; !ok {
					if _, ok := ref.reachSelf(b, true)[a]; !ok {
						if !errors.Is(err, ErrUnrelated) {
							fail("Path(%s, %s) error = %v, want ErrUnrelated", a, b, err)
						}
						seen["unrelated"]++
						continue
					}
					from, to, reversed = b, a, true
					seen["reversed"]++
				}
				if err != nil {
					fail("Path(%s, %s): %v", a, b, err)
				}
				want := ref.simplePaths(from, to, ch)
				var got []string
				for _, p := range res.Paths {
					ids := make([]string, len(p))
					for i, l := range p {
						ids[i] = l.ID
						if i > 0 && (l.Relation != ref.parents[l.ID][p[i-1].ID] || l.Inferred) {
							fail("Path(%s, %s): hop %s -> %s is %s (inferred %v), want %s", a, b, p[i-1].ID, l.ID, l.Relation, l.Inferred, ref.parents[l.ID][p[i-1].ID])
						}
					}
					got = append(got, strings.Join(ids, " "))
				}
				dist := ref.reachSelf(from, true)[to]
				if res.Reversed != reversed || res.From != from || res.To != to || res.Hops != dist || res.Truncated {
					fail("Path(%s, %s) = %s->%s reversed %v hops %d truncated %v, want %s->%s %v %d", a, b, res.From, res.To, res.Reversed, res.Hops, res.Truncated, from, to, reversed, dist)
				}
				if len(got) == 0 || len(strings.Fields(got[0]))-1 != dist {
					fail("Path(%s, %s): first path %v is not a shortest (%d hops)", a, b, got, dist)
				}
				sort.Strings(got)
				if !slices.Equal(got, want) {
					fail("Path(%s, %s) paths = %v, want %v", a, b, got, want)
				}
				// A cycle between them: some node of the corridor reaches
				// itself inside the corridor (from == to is the path of no
				// hops, counted 1 even on a cycle).
				corridor := map[string]bool{}
				upTo := ref.reachSelf(to, false)
				for v := range ref.reachSelf(from, true) {
					if _, ok := upTo[v]; ok {
						corridor[v] = true
					}
				}
				cyclic := false
				for v := range corridor {
					if from == to {
						break
					}
					sub := &refGraph{nodes: corridor, parents: map[string]map[string]string{}}
					for c := range corridor {
						sub.parents[c] = map[string]string{}
						for p, r := range ref.parents[c] {
							if corridor[p] {
								sub.parents[c][p] = r
							}
						}
					}
					if slices.Contains(sub.reachIncludingStart(v), v) {
						cyclic = true
					}
				}
				if cyclic {
					seen["cycle between"]++
				}
				if len(want) > 1 {
					seen["several paths"]++
				}
				switch {
				case cyclic && res.Count != nil:
					fail("Path(%s, %s): count %d, want none (a cycle lies between)", a, b, *res.Count)
				case !cyclic && (res.Count == nil || *res.Count != int64(len(want))):
					fail("Path(%s, %s): count %v, want %d", a, b, res.Count, len(want))
				}
				one, err := s.Path(mustLookup(t, s, a), mustLookup(t, s, b), PathOptions{})
				if err != nil || len(one.Paths) != 1 || *one.Count != 1 || one.Hops != dist || len(one.Paths[0]) != dist+1 ||
					!slices.ContainsFunc(res.Paths, func(p []PathLink) bool { return pathString(p) == pathString(one.Paths[0]) }) {
					fail("Path(%s, %s) without All = %v (err %v), want one of the shortest of %v", a, b, pathsString(one.Paths), err, pathsString(res.Paths))
				}
			}
		}

		// Common, for pairs and triples.
		for k := 0; k < 20; k++ {
			q := []string{ids[rng.IntN(len(ids))], ids[rng.IntN(len(ids))]}
			if rng.IntN(2) == 0 {
				q = append(q, ids[rng.IntN(len(ids))])
			}
			if len(q) == 3 && (q[2] == q[0] || q[2] == q[1]) || q[0] == q[1] {
				continue
			}
			var vs []graph.NodeID
			ups := make([]map[string]int, len(q))
			for i, id := range q {
				vs = append(vs, mustLookup(t, s, id))
				ups[i] = ref.reachSelf(id, false)
			}
			res := s.Common(vs)
			want := map[string]string{}
			for c, d0 := range ups[0] {
				ds := []string{fmt.Sprint(d0)}
				for _, up := range ups[1:] {
					d, ok := up[c]
					if !ok {
						ds = nil
						break
					}
					ds = append(ds, fmt.Sprint(d))
				}
				if ds != nil {
					want[c] = strings.Join(ds, ",")
				}
			}
			got := map[string]string{}
			for _, c := range res.Common {
				var ds []string
				for _, id := range q {
					ds = append(ds, fmt.Sprint(c.Depth[id]))
				}
				got[c.ID] = strings.Join(ds, ",")
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				fail("Common(%v) = %v, want %v", q, got, want)
			}
			if len(want) == 0 {
				seen["no common"]++
			}
			var wantNear, wantFound []string
			for c := range want {
				near := true
				for d := range ref.reach(c, true, nil, 0) {
					if _, common := want[d]; common {
						if _, back := ref.reach(d, true, nil, 0)[c]; !back {
							near = false
						}
					}
				}
				if near {
					wantNear = append(wantNear, c)
				}
				if len(ref.parents[c]) == 0 {
					wantFound = append(wantFound, c)
				} else if near {
					seen["nearest not foundation"]++
				}
			}
			sort.Strings(wantNear)
			sort.Strings(wantFound)
			if strings.Join(res.Nearest, " ") != strings.Join(wantNear, " ") || strings.Join(res.Foundations, " ") != strings.Join(wantFound, " ") {
				fail("Common(%v): nearest %v foundations %v, want %v %v", q, res.Nearest, res.Foundations, wantNear, wantFound)
			}
		}

		// Impact, for every model: before the dominator tree exists (from
		// the descendants), through it, and against brute force.
		entries := ref.entries()
		for v, e := range entries {
			if e && len(ref.parents[v]) > 0 {
				seen["root cycle"]++
			}
		}
		local := map[string]int{}
		for _, id := range ids {
			local[id] = s.ImpactCount(mustLookup(t, s, id))
		}
		for _, id := range ids {
			v := mustLookup(t, s, id)
			want := ref.impact(id, entries, ch)
			res := s.Impact(v, 0)
			got := map[string]bool{}
			desc := map[string]Hop{}
			for _, h := range s.Descendants(v, 0, graph.AllLabels, 0).Descendants {
				desc[h.ID] = h
			}
			for _, h := range res.Models {
				got[h.ID] = true
				if d := desc[h.ID]; d.Depth != h.Depth || d.Relation != h.Relation || d.Via != h.Via {
					fail("Impact(%s): %s at %d/%s via %s, but Descendants has %d/%s via %s", id, h.ID, h.Depth, h.Relation, h.Via, d.Depth, d.Relation, d.Via)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) || res.Count != len(want) {
				fail("Impact(%s) = %v (count %d), want %v", id, got, res.Count, want)
			}
			if len(want) > 0 {
				seen["impact"]++
			}
			if local[id] != len(want) || s.ImpactCount(v) != len(want) {
				fail("ImpactCount(%s) = %d from the descendants, %d from the tree, want %d", id, local[id], s.ImpactCount(v), len(want))
			}
		}
	}
}

// TestImpactOverlay: a store with recovered edges (WithEdges) has a graph
// of its own and so a dominator tree of its own; the original keeps its.
func TestImpactOverlay(t *testing.T) {
	s := dslStore(t, "a:; o:; b: a finetune; c: b finetune")
	a, b, c, o := mustLookup(t, s, "a"), mustLookup(t, s, "b"), mustLookup(t, s, "c"), mustLookup(t, s, "o")
	if got := s.Impact(a, 0).Count; got != 2 {
		t.Fatalf("Impact(a) = %d, want 2 (b, c)", got)
	}
	ov, err := s.WithEdges([]RecoveredEdge{{Parent: o, Child: c, Relation: Finetune, Confidence: 0.9}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ov.ImpactCount(a); got != 1 {
		t.Errorf("overlay ImpactCount(a) = %d before its tree, want 1 (b; c has o)", got)
	}
	if got := ov.Impact(a, 0).Count; got != 1 || ov.ImpactCount(a) != 1 {
		t.Errorf("overlay Impact(a) = %d, want 1", got)
	}
	if got := s.Impact(a, 0).Count; got != 2 || s.ImpactCount(b) != 1 {
		t.Errorf("after the overlay, Impact(a) = %d and ImpactCount(b) = %d on the original, want 2 and 1", got, s.ImpactCount(b))
	}
	if s.Dominators() == ov.Dominators() {
		t.Error("the overlay shares the original's dominator tree")
	}
	// A path over a recovered edge says so.
	res, err := ov.Path(o, c, PathOptions{})
	if err != nil || len(res.Paths) != 1 || pathString(res.Paths[0]) != "o -finetune*-> c" || !res.Paths[0][1].Recovered || res.Paths[0][0].Recovered {
		t.Errorf("overlay Path(o, c) = %+v, %v; want o -> c over a recovered edge", res.Paths, err)
	}
	if res, _ := ov.Path(a, c, PathOptions{}); res.Paths[0][1].Recovered || res.Paths[0][2].Recovered {
		t.Errorf("overlay Path(a, c) = %+v: no recovered edge on it", res.Paths)
	}
}

// TestDominatorsOnce: concurrent first calls compute one tree, shared.
func TestDominatorsOnce(t *testing.T) {
	s := dslStore(t, "a:; b: a finetune; c: b finetune, a merge")
	trees := make([]*graph.DomTree, 8)
	done := make(chan int)
	for i := range trees {
		go func() { trees[i] = s.Dominators(); done <- i }()
	}
	for range trees {
		<-done
	}
	for _, tr := range trees[1:] {
		if tr != trees[0] || tr == nil {
			t.Fatal("concurrent Dominators calls returned different trees")
		}
	}
}
