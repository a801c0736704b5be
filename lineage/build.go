package lineage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lineage-project/lineage/graph"
)

// node flags
const (
	flagRecord   uint8 = 1 << iota // the model has a record of its own (card or listing)
	flagNamed                      // the display name comes from the model's own record
	flagInCycle                    // the model is on a derivation cycle
	flagCard                       // a card record was seen
	flagListing                    // a listing record was seen
	flagEdgeList                   // an edge list named it as a child
)

// Builder merges records into a graph. Records must be added in input
// order: for the same model, a later record of the same kind replaces an
// earlier one ("later wins"), while a card and a listing record of one
// model are merged field by field, parents taken from the source with the
// highest precedence (card, then baseModels, then tags, then edge lists).
// A Builder is not safe for concurrent use.
type Builder struct {
	keys  map[string]graph.NodeID
	names []string
	flags []uint8
	prec  []ParentSource
	pkind []SourceKind
	gen   []uint32

	created, modified, downloads, downloadsAll, likes []int64
	library, pipeline, license                        []uint16
	strs                                              []string
	strIdx                                            map[string]uint16

	eChild, eParent []graph.NodeID
	eLabel          []graph.Label
	eGen            []uint32

	diags      []Diagnostic
	records    int
	duplicates int
	merged     int
	superseded int
	sources    []string
	maxDiags   int
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder {
	return &Builder{keys: map[string]graph.NodeID{}, strs: []string{""}, strIdx: map[string]uint16{"": 0}, maxDiags: 1 << 20}
}

// AddSource records the name of an input, for the manifest.
func (b *Builder) AddSource(name string) { b.sources = append(b.sources, name) }

// Emit is an Emit function that adds records and diagnostics to b.
func (b *Builder) Emit(recs []Record, diags []Diagnostic) {
	for _, d := range diags {
		b.addDiag(d)
	}
	for i := range recs {
		b.Add(&recs[i])
	}
}

func (b *Builder) addDiag(d Diagnostic) {
	if len(b.diags) < b.maxDiags {
		b.diags = append(b.diags, d)
	}
}

func (b *Builder) intern(id string, own bool) graph.NodeID {
	key := FoldID(id)
	v, ok := b.keys[key]
	if !ok {
		v = graph.NodeID(len(b.names))
		b.keys[key] = v
		b.names = append(b.names, id)
		b.flags = append(b.flags, 0)
		b.prec = append(b.prec, FromNone)
		b.pkind = append(b.pkind, 0)
		b.gen = append(b.gen, 0)
		b.created = append(b.created, 0)
		b.modified = append(b.modified, 0)
		b.downloads = append(b.downloads, -1)
		b.downloadsAll = append(b.downloadsAll, -1)
		b.likes = append(b.likes, -1)
		b.library = append(b.library, 0)
		b.pipeline = append(b.pipeline, 0)
		b.license = append(b.license, 0)
	}
	if own && b.flags[v]&flagNamed == 0 {
		b.names[v] = id
		b.flags[v] |= flagNamed
	}
	return v
}

func (b *Builder) str(s string) uint16 {
	if i, ok := b.strIdx[s]; ok {
		return i
	}
	if len(b.strs) >= 1<<16-1 {
		return 0 // table full: the value is dropped rather than mislabelled
	}
	i := uint16(len(b.strs))
	b.strs = append(b.strs, s)
	b.strIdx[s] = i
	return i
}

// Add merges one record.
func (b *Builder) Add(r *Record) {
	own := r.Kind != KindEdgeList
	v := b.intern(r.ID, own)
	if own {
		b.records++
		kindFlag := flagListing
		if r.Kind == KindCard {
			kindFlag = flagCard
		}
		dup := b.flags[v]&kindFlag != 0
		if dup {
			b.duplicates++
			b.addDiag(Diagnostic{Kind: KindDuplicate, Source: r.Source, Line: r.Line, ID: r.ID, Detail: "another " + r.Kind.String() + " record of this model came earlier; this later one wins"})
			b.names[v] = r.ID // the later record's spelling wins too
		} else if b.flags[v]&(flagCard|flagListing) != 0 {
			b.merged++
		}
		b.flags[v] |= flagRecord | kindFlag
		if r.Created != 0 {
			b.created[v] = r.Created
		}
		if r.Modified != 0 {
			b.modified[v] = r.Modified
		}
		if r.Downloads >= 0 {
			b.downloads[v] = r.Downloads
		}
		if r.DownloadsAllTime >= 0 {
			b.downloadsAll[v] = r.DownloadsAllTime
		}
		if r.Likes >= 0 {
			b.likes[v] = r.Likes
		}
		if r.Library != "" {
			b.library[v] = b.str(r.Library)
		}
		if r.Pipeline != "" {
			b.pipeline[v] = b.str(r.Pipeline)
		}
		if r.License != "" {
			b.license[v] = b.str(r.License)
		}
		if dup && b.pkind[v] == r.Kind {
			// The later record of the same kind replaces the earlier
			// statement entirely, including "no parents".
			b.gen[v]++
			b.prec[v] = FromNone
			b.pkind[v] = 0
		}
	} else {
		b.flags[v] |= flagEdgeList
	}
	if r.ParentFrom == FromNone {
		return
	}
	switch cur := b.prec[v]; {
	case r.ParentFrom > cur, r.ParentFrom == cur && r.ParentFrom != FromEdgeList:
		b.gen[v]++
		b.prec[v], b.pkind[v] = r.ParentFrom, r.Kind
	case r.ParentFrom == cur: // edge-list rows accumulate
	default:
		b.superseded++
		return
	}
	g := b.gen[v]
	for _, p := range r.Parents {
		pv := b.intern(p.ID, false)
		if pv == v {
			continue // self-reference through a case variant: already reported
		}
		b.eChild = append(b.eChild, v)
		b.eParent = append(b.eParent, pv)
		b.eLabel = append(b.eLabel, EdgeLabel(p.Relation, p.Declared))
		b.eGen = append(b.eGen, g)
	}
}

// Diagnostics returns every problem reported so far (capped at about a
// million), in input order; Finish appends cycle and dangling-parent
// findings.
func (b *Builder) Diagnostics() []Diagnostic { return b.diags }

// Finish freezes the builder into a Store. The builder must not be used after.
func (b *Builder) Finish() *Store {
	n := len(b.names)
	gb := graph.NewBuilder(n)
	for i, c := range b.eChild {
		if b.eGen[i] == b.gen[c] {
			gb.AddEdge(b.eParent[i], c, b.eLabel[i])
		}
	}
	g := gb.Build()
	s := &Store{G: g}
	// Names: blob + offsets, and the case-insensitive order.
	total := 0
	for _, nm := range b.names {
		total += len(nm)
	}
	s.names = make([]byte, 0, total)
	s.nameOff = make([]uint32, n+1)
	for i, nm := range b.names {
		s.names = append(s.names, nm...)
		s.nameOff[i+1] = uint32(len(s.names))
	}
	s.order = make([]int32, n)
	for i := range s.order {
		s.order[i] = int32(i)
	}
	slices.SortFunc(s.order, func(x, y int32) int { return compareFold(b.names[x], b.names[y]) })
	s.created, s.modified, s.downloads, s.downloadsAll, s.likes = b.created, b.modified, b.downloads, b.downloadsAll, b.likes
	s.library, s.pipeline, s.license, s.strs = b.library, b.pipeline, b.license, b.strs
	s.flags = b.flags

	// Cycles and dangling parents.
	_, cycles := g.SCC(graph.AllLabels)
	nodesInCycles := 0
	for _, c := range cycles {
		nodesInCycles += len(c)
		names := make([]string, 0, min(len(c), 10))
		for _, v := range c[:min(len(c), 10)] {
			s.flags[v] |= flagInCycle
			names = append(names, b.names[v])
		}
		for _, v := range c {
			s.flags[v] |= flagInCycle
		}
		more := ""
		if len(c) > 10 {
			more = fmt.Sprintf(" and %d more", len(c)-10)
		}
		b.addDiag(Diagnostic{Kind: KindCycle, ID: b.names[c[0]], Value: strings.Join(names, " -> ") + more,
			Detail: fmt.Sprintf("%d models derive from each other in a cycle; counts stay reachability counts, but one of these base_model declarations is wrong", len(c))})
	}
	dangling := 0
	for v := 0; v < n; v++ {
		if s.flags[v]&flagRecord == 0 && g.OutDegree(graph.NodeID(v)) > 0 {
			dangling++
			if dangling <= 5 {
				b.addDiag(Diagnostic{Kind: KindDangling, ID: b.names[v], Detail: fmt.Sprintf("referenced as a parent by %d model(s) but has no record of its own; counted as a foundation", g.OutDegree(graph.NodeID(v)))})
			}
		}
	}

	st := Stats{Models: n, Records: b.records, Duplicates: b.duplicates, MergedRecords: b.merged,
		Superseded: b.superseded, Cycles: len(cycles), ModelsInCycles: nodesInCycles, DanglingParents: dangling,
		EdgesByRelation: map[string]int{}, Diagnostics: map[string]int{}}
	for _, r := range Relations {
		st.EdgesByRelation[r.String()] = 0
	}
	for v := 0; v < n; v++ {
		if s.flags[v]&flagRecord != 0 {
			st.ModelsWithRecord++
		}
		if g.InDegree(graph.NodeID(v)) == 0 {
			st.Foundations++
			if g.OutDegree(graph.NodeID(v)) > 0 {
				st.FoundationsWithDescendants++
			}
		}
		_, labs := g.Out(graph.NodeID(v))
		for _, l := range labs {
			rel, declared := LabelRelation(l)
			st.EdgesByRelation[rel.String()]++
			if declared {
				st.Declared++
			} else {
				st.Inferred++
			}
		}
	}
	st.Edges = g.NumEdges()
	for _, d := range b.diags {
		if d.Kind == KindDangling {
			continue // counted above; only the first few are listed
		}
		st.Diagnostics[d.Kind]++
		switch d.Kind {
		case KindSelfRef:
			st.SelfReferences++
		case KindEmpty, KindLocalPath, KindHTML, KindInvalidID:
			st.Rejected++
		}
	}
	st.Diagnostics[KindDangling] = dangling
	s.info = storeInfo{Stats: st, Sources: b.sources, Examples: exampleDiags(b.diags, 5)}
	s.diags = b.diags
	return s
}

// exampleDiags keeps the first k diagnostics of each kind.
func exampleDiags(ds []Diagnostic, k int) []Diagnostic {
	seen := map[string]int{}
	var out []Diagnostic
	for _, d := range ds {
		if seen[d.Kind] < k {
			seen[d.Kind]++
			out = append(out, d)
		}
	}
	return out
}
