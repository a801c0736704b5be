package lineage

import (
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// node flags
const (
	flagRecord   uint8 = 1 << iota // the model has a record of its own (card or listing)
	flagNamed                      // the display name comes from the model's own record
	flagInCycle                    // the model is on a derivation cycle
	flagCard                       // a card record was seen
	flagListing                    // a listing record was seen
	flagEdgeList                   // an edge list named it as a child
	flagAlias                      // an earlier id of a renamed model: its edges are the model's
)

// Builder merges records into a graph. Records must be added in input
// order: for the same model, a later record of the same kind replaces an
// earlier one ("later wins"), while a card and a listing record of one
// model are merged field by field, parents taken from the source with the
// highest precedence (card, then baseModels, then tags, then edge lists).
// A Builder is not safe for concurrent use.
type Builder struct {
	// Node names live in one byte blob (no per-node string); an
	// open-addressing table of NodeIDs, hashed on the folded name, finds
	// a node by its case-insensitive id.
	blob []byte
	off  []uint32 // name of v is blob[off[v]:off[v+1]]
	// slots is the name table while building: the high 32 bits of the
	// slot's foldHash above node+1 (0: empty), so one load settles most
	// probes; Finish turns it into the index's int32 table.
	slots     []uint64
	mem       *slotMem // the memory of slots
	graphOnly bool     // keep no metadata columns (BuildOptions.GraphOnly)
	sink      uint64   // see touch
	flags     []uint8
	prec      []ParentSource
	pkind     []SourceKind
	gen       []uint32

	created, modified, downloads, downloadsAll, likes []int64
	formats                                           []Formats
	hints                                             map[graph.NodeID][]Hint
	aliases                                           [][2]graph.NodeID // (earlier id, model)
	library, pipeline, license                        []uint16
	strs                                              []string
	strIdx                                            map[string]uint16

	lastStart       []int32 // index in eChild of a node's latest statement, -1 none
	eChild, eParent []graph.NodeID
	eLabel          []graph.Label
	eGen            []uint32

	diags      []Diagnostic
	records    int
	duplicates int
	merged     int
	superseded int
	sources    []string
	digest     string
	maxDiags   int
}

// BuilderOptions tune a Builder.
type BuilderOptions struct {
	// GraphOnly keeps only what the derivation graph needs: ids, edges,
	// relations and problems. Dates, downloads, likes, library, pipeline,
	// license, format markers and hints are not kept, which saves about a
	// third of the build's memory at Hub scale; such a store answers graph
	// queries (ancestors, descendants, rank, lint) but not ones about time
	// or metadata, and cannot be written as an index.
	GraphOnly bool
}

// NewBuilder returns an empty builder.
func NewBuilder(opt BuilderOptions) *Builder {
	b := &Builder{off: []uint32{0}, slots: make([]uint64, 1<<10), mem: new(slotMem), strs: []string{""}, strIdx: map[string]uint16{"": 0}, maxDiags: 1 << 20, graphOnly: opt.GraphOnly}
	runtime.AddCleanup(b, (*slotMem).release, b.mem) // for a Builder dropped unfinished
	return b
}

// AddSource records the name of an input, for the manifest.
func (b *Builder) AddSource(name string) { b.sources = append(b.sources, name) }

// SetDigest records the digest of the inputs ("sha256:..."; "" when not
// computed), for manifests and the index.
func (b *Builder) SetDigest(d string) { b.digest = d }

// Emit is an Emit function that adds records and diagnostics to b.
//
// Both lists are in input order. The parser's diagnostics are merged by
// line with the ones Add makes, so that the order of all diagnostics does
// not depend on how the input was cut into batches.
func (b *Builder) Emit(recs []Record, diags []Diagnostic) {
	// Windows small enough that the touched lines are still in cache
	// when Add reaches them.
	const window = 128
	for len(recs) > 0 {
		w := recs[:min(window, len(recs))]
		recs = recs[len(w):]
		b.touch(w)
		for i := range w {
			for len(diags) > 0 && diags[0].Line <= w[i].Line {
				b.addDiag(diags[0])
				diags = diags[1:]
			}
			b.Add(&w[i])
		}
	}
	for _, d := range diags {
		b.addDiag(d)
	}
}

// touch loads, ahead of Add, the name-table slots a batch of records will
// probe, then the names those slots point at for their parents. At Hub
// scale the table and the names are far larger than the caches and each
// probe is a miss to memory; Add's probes depend on each other (each may
// insert), but these loads do not, so the processor overlaps dozens of
// misses instead of waiting for each in turn, and Add then finds the lines
// in cache. The loaded values are summed into b.sink so that the compiler
// keeps the loads.
func (b *Builder) touch(recs []Record) {
	if len(b.slots) < 1<<16 {
		return // small tables stay in cache
	}
	mask := uint64(len(b.slots) - 1)
	var sink uint64
	for i := range recs {
		r := &recs[i]
		if r.hash != 0 {
			sink += b.slots[r.hash&mask]
		}
		for _, p := range r.Parents {
			if p.hash != 0 {
				sink += b.slots[p.hash&mask]
			}
		}
	}
	// Parents are mostly known models: their names are compared next.
	for i := range recs {
		for _, p := range recs[i].Parents {
			if x := b.slots[p.hash&mask]; x != 0 && x>>32 == p.hash>>32 {
				if v := uint32(x) - 1; int(v) < len(b.flags) {
					if o := b.off[v]; int(o) < len(b.blob) {
						sink += uint64(b.blob[o])
					}
				}
			}
		}
	}
	b.sink = sink
}

func (b *Builder) addDiag(d Diagnostic) {
	if len(b.diags) < b.maxDiags {
		// Record strings may alias a whole input chunk; copies keep the
		// diagnostics from holding the input in memory.
		// (Build also reuses input chunks once emitted: nothing kept may alias them.)
		d.Source, d.ID, d.Value = strings.Clone(d.Source), strings.Clone(d.ID), strings.Clone(d.Value)
		d.Detail, d.Fix = strings.Clone(d.Detail), strings.Clone(d.Fix)
		b.diags = append(b.diags, d)
	}
}

// name returns the current display name of v.
func (b *Builder) name(v graph.NodeID) string {
	return string(b.blob[b.off[v]:b.off[v+1]])
}

// eqFold reports whether v's name equals id case-insensitively.
func (b *Builder) eqFold(v int32, id string) bool {
	return modelid.EqualFoldASCII(b.blob[b.off[v]:b.off[v+1]], id)
}

// foldHash hashes the ASCII-lower-cased bytes of s, eight at a time: each
// word is lower-cased in place (SWAR), xored in and mixed by a 64x64->128
// multiply, and the result is finished with an avalanche step, so both the
// low bits (the table slot) and the high 32 (the fingerprint) spread. It is
// part of the index format: the name table saved in an index is laid out by
// it (format 4; format 3 used FNV-1a, a byte-wise multiply chain four
// times slower on a typical id).
func foldHash(s string) uint64 {
	const k0, k1 = 0x9e3779b97f4a7c15, 0xbf58476d1ce4e5b9
	h := uint64(len(s)) * k0
	i := 0
	for ; i+8 <= len(s); i += 8 {
		h = foldMix(h ^ fold8(le64(s[i:])))
	}
	if rest := len(s) - i; rest > 0 {
		var w uint64
		if len(s) >= 8 {
			// The last eight bytes, shifted so only the rest remain.
			w = le64(s[len(s)-8:]) >> (8 * (8 - rest))
		} else {
			for j := len(s) - 1; j >= i; j-- {
				w = w<<8 | uint64(s[j])
			}
		}
		h = foldMix(h ^ fold8(w))
	}
	h ^= h >> 31
	h *= k1
	return h ^ h>>29
}

// le64 reads the first eight bytes of s as a little-endian word (the
// compiler makes it one load).
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// foldMix folds the 128-bit product of x and a constant into 64 bits.
func foldMix(x uint64) uint64 {
	hi, lo := bits.Mul64(x, 0xd6e8feb86659fd93)
	return hi ^ lo
}

// fold8 lower-cases the ASCII capitals among the eight bytes of w, as lower
// does byte by byte: a byte's top bit after adding 0x3f (0x25) to its low
// seven bits says it is at least 'A' (above 'Z'); no sum carries into the
// next byte.
func fold8(w uint64) uint64 {
	const lo7, hi = 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	x := w & lo7
	ge := x + 0x3f3f3f3f3f3f3f3f
	gt := x + 0x2525252525252525
	upper := ge &^ gt &^ w & hi
	return w | upper>>2
}

// Reserve sizes the builder for about n models, avoiding regrowth.
func (b *Builder) Reserve(n int) {
	if n <= len(b.flags) {
		return
	}
	size := len(b.slots)
	for 7*size < 10*n {
		size *= 2
	}
	if size > len(b.slots) {
		b.setSlots(size)
	}
	b.off = reserve(b.off, n-len(b.flags))
	b.blob = reserve(b.blob, 32*(n-len(b.flags)))
	b.flags = reserve(b.flags, n-len(b.flags))
	if !b.graphOnly {
		for _, p := range []*[]int64{&b.created, &b.modified, &b.downloads, &b.downloadsAll, &b.likes} {
			*p = reserve(*p, n-len(*p))
		}
		for _, p := range []*[]uint16{&b.library, &b.pipeline, &b.license} {
			*p = reserve(*p, n-len(*p))
		}
		b.formats = reserve(b.formats, n-len(b.formats))
	}
	b.prec = reserve(b.prec, n-len(b.prec))
	b.pkind = reserve(b.pkind, n-len(b.pkind))
	b.gen = reserve(b.gen, n-len(b.gen))
	b.lastStart = reserve(b.lastStart, n-len(b.lastStart))
}

// reserve returns s with room for n more elements. Unlike slices.Grow it
// leaves the new capacity unwritten, so a large fresh allocation costs no
// page faults until elements are appended (Reserve's estimate may be
// generous; at Hub scale faulting in the unused part cost a quarter second),
// and it advises the memory for huge pages (adviseHuge: at 2M models a
// third fewer page faults for the whole build, about 8% off its time).
func reserve[T any](s []T, n int) []T {
	if n <= cap(s)-len(s) {
		return s
	}
	t := make([]T, len(s), len(s)+n)
	copy(t, s)
	adviseHuge(t)
	return t
}

// intern returns the node of id, creating it when new. variant is the
// spelling the node had before when id spells it with other letter case
// (for a record's own id, the earlier spelling it replaces), else "".
func (b *Builder) intern(id string, hash uint64, own bool) (node graph.NodeID, variant string) {
	if hash == 0 {
		hash = foldHash(id)
	}
	mask := uint64(len(b.slots) - 1)
	i := hash & mask
	fp := hash >> 32 << 32
	for {
		x := b.slots[i]
		if x == 0 {
			break
		}
		// The fingerprint settles most probes without reading the name.
		if x&^0xffffffff == fp && b.eqFold(int32(uint32(x)-1), id) {
			v := int32(uint32(x) - 1)
			nm := b.blob[b.off[v]:b.off[v+1]]
			if string(nm) != id {
				variant = string(nm)
			}
			if own && b.flags[v]&flagNamed == 0 {
				copy(nm, id) // same length: ids differ only in case
				b.flags[v] |= flagNamed
			}
			return graph.NodeID(v), variant
		}
		i = (i + 1) & mask
	}
	v := graph.NodeID(len(b.flags))
	b.slots[i] = fp | uint64(uint32(v)+1)
	b.blob = append(b.blob, id...)
	b.off = append(b.off, uint32(len(b.blob)))
	b.flags = append(b.flags, 0)
	b.prec = append(b.prec, FromNone)
	b.pkind = append(b.pkind, 0)
	b.gen = append(b.gen, 0)
	if !b.graphOnly {
		b.created = append(b.created, 0)
		b.modified = append(b.modified, 0)
		b.downloads = append(b.downloads, -1)
		b.downloadsAll = append(b.downloadsAll, -1)
		b.likes = append(b.likes, -1)
		b.library = append(b.library, 0)
		b.pipeline = append(b.pipeline, 0)
		b.license = append(b.license, 0)
		b.formats = append(b.formats, 0)
	}
	b.lastStart = append(b.lastStart, -1)
	if own {
		b.flags[v] |= flagNamed
	}
	if 10*len(b.flags) > 7*len(b.slots) {
		b.grow()
	}
	return v, ""
}

// grow doubles the table and re-inserts every node.
func (b *Builder) grow() {
	b.setSlots(2 * len(b.slots))
}

// setSlots replaces the name table with an empty one of size slots and
// re-inserts every node.
func (b *Builder) setSlots(size int) {
	b.slots = b.mem.alloc(size)
	b.rehash()
}

func (b *Builder) rehash() {
	t := b.slots // freshly made: all empty
	mask := uint64(len(t) - 1)
	for v := range b.flags {
		h := foldHash(unsafe.String(unsafe.SliceData(b.blob[b.off[v]:]), int(b.off[v+1]-b.off[v])))
		i := h & mask
		for t[i] != 0 {
			i = (i + 1) & mask
		}
		t[i] = h>>32<<32 | uint64(uint32(v)+1)
	}
}

func (b *Builder) str(s string) uint16 {
	if i, ok := b.strIdx[s]; ok {
		return i
	}
	if len(b.strs) >= 1<<16-1 {
		return 0 // table full: the value is dropped rather than mislabelled
	}
	i := uint16(len(b.strs))
	s = strings.Clone(s) // s may alias an input chunk
	b.strs = append(b.strs, s)
	b.strIdx[s] = i
	return i
}

// Add merges one record.
func (b *Builder) Add(r *Record) {
	own := r.Kind != KindEdgeList
	v, variant := b.intern(r.ID, r.hash, own)
	if variant != "" && own && b.flags[v]&flagRecord == 0 {
		b.addDiag(Diagnostic{Kind: KindCaseVariant, Source: r.Source, Line: r.Line, ID: r.ID, Value: variant,
			Detail: "referenced earlier as " + variant + "; its own record spells it " + r.ID, Fix: "base_model: " + r.ID})
	}
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
			copy(b.blob[b.off[v]:], r.ID) // the later record's spelling wins too
		} else if b.flags[v]&(flagCard|flagListing) != 0 {
			b.merged++
		}
		b.flags[v] |= flagRecord | kindFlag
		if !b.graphOnly {
			b.addMeta(v, r)
			if dup {
				b.formats[v] = r.Formats // the later record of the same kind wins
			} else {
				b.formats[v] |= r.Formats
			}
			b.addHints(v, r.Hints)
		}
		for _, a := range r.Aliases {
			av, _ := b.intern(a, 0, false)
			if av != v {
				b.aliases = append(b.aliases, [2]graph.NodeID{av, v})
			}
		}
		if dup && b.pkind[v] == r.Kind {
			if earlier := b.statement(v); !sameParentIDs(earlier, r.Parents) {
				b.addDiag(Diagnostic{Kind: KindDupConflict, Source: r.Source, Line: r.Line, ID: r.ID,
					Value:  "earlier: " + strings.Join(earlier, ", ") + "; later: " + joinIDs(r.Parents),
					Detail: "two records of this model declare different parents; the later one wins", Fix: parentsYAML(r.Parents)})
			}
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
	if b.prec[v] != FromEdgeList || b.lastStart[v] < 0 {
		b.lastStart[v] = int32(len(b.eChild))
	}
	for _, p := range r.Parents {
		pv, variant := b.intern(p.ID, p.hash, false)
		if pv == v {
			continue // self-reference through a case variant: already reported
		}
		if variant != "" {
			b.addDiag(Diagnostic{Kind: KindCaseVariant, Source: r.Source, Line: r.Line, ID: r.ID, Value: p.ID,
				Detail: "parent spelled " + p.ID + ", elsewhere " + variant + " (ids are case-insensitive; one node)", Fix: "base_model: " + variant})
		}
		b.eChild = append(b.eChild, v)
		b.eParent = append(b.eParent, pv)
		b.eLabel = append(b.eLabel, EdgeLabel(p.Relation, p.Declared))
		b.eGen = append(b.eGen, g)
	}
}

// addMeta stores r's metadata for v (a later record's known values win).
func (b *Builder) addMeta(v graph.NodeID, r *Record) {
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
}

// statement returns the parent names of v's current statement.
func (b *Builder) statement(v graph.NodeID) []string {
	var out []string
	start := b.lastStart[v]
	if start < 0 || b.prec[v] == FromNone {
		return nil
	}
	for i := int(start); i < len(b.eChild) && b.eChild[i] == v; i++ {
		if b.eGen[i] == b.gen[v] {
			out = append(out, b.name(b.eParent[i]))
		}
	}
	return out
}

func sameParentIDs(a []string, b []Parent) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.ContainsFunc(b, func(p Parent) bool { return strings.EqualFold(p.ID, x) }) {
			return false
		}
	}
	return true
}

// Diagnostics returns every problem reported so far (capped at about a
// million), in input order; Finish appends cycle and dangling-parent
// findings.
func (b *Builder) Diagnostics() []Diagnostic { return b.diags }

// resolveAliases makes the edges of a renamed model's earlier ids its own:
// a parent named by an earlier id becomes the model itself (reported, with
// the fix), and the earlier id's node is marked an alias, which lookups
// follow. An earlier id that has a record of its own is another model, not
// an alias: reported and left alone.
func (b *Builder) resolveAliases() map[graph.NodeID]graph.NodeID {
	if len(b.aliases) == 0 {
		return nil
	}
	to := map[graph.NodeID]graph.NodeID{}
	for _, a := range b.aliases {
		old, cur := a[0], a[1]
		if b.flags[old]&flagRecord != 0 {
			b.addDiag(Diagnostic{Kind: KindDuplicate, ID: b.name(cur), Value: b.name(old),
				Detail: b.name(old) + " is listed as an earlier id of " + b.name(cur) + " but has a record of its own; both kept"})
			continue
		}
		to[old] = cur
		b.flags[old] |= flagAlias
	}
	// A chain of renames leads to the last id.
	final := func(v graph.NodeID) graph.NodeID {
		for range len(to) + 1 {
			n, ok := to[v]
			if !ok {
				return v
			}
			v = n
		}
		return v
	}
	reported := map[[2]graph.NodeID]bool{}
	for i := range b.eChild {
		if t := final(b.eParent[i]); t != b.eParent[i] {
			c := b.eChild[i]
			if !reported[[2]graph.NodeID{c, b.eParent[i]}] {
				reported[[2]graph.NodeID{c, b.eParent[i]}] = true
				b.addDiag(Diagnostic{Kind: KindRenamed, ID: b.name(c), Value: b.name(b.eParent[i]),
					Detail: "names " + b.name(b.eParent[i]) + ", which the Hub has renamed " + b.name(t) + "; counted under " + b.name(t),
					Fix:    "base_model: " + b.name(t)})
			}
			b.eParent[i] = t
		}
		if t := final(b.eChild[i]); t != b.eChild[i] {
			b.eChild[i] = t
		}
	}
	out := map[graph.NodeID]graph.NodeID{}
	for old := range to {
		out[old] = final(old)
	}
	return out
}

// Finish freezes the builder into a Store. The builder must not be used after.
func (b *Builder) Finish() *Store {
	aliasOf := b.resolveAliases()
	n := len(b.flags)
	gb := graph.NewBuilder(n)
	gb.ReserveEdges(len(b.eChild))
	for i, c := range b.eChild {
		if b.eGen[i] == b.gen[c] {
			gb.AddEdge(b.eParent[i], c, b.eLabel[i])
		}
	}
	b.eChild, b.eParent, b.eLabel, b.eGen = nil, nil, nil, nil
	g := gb.Build()
	// Cycles are found on one core while this one lays out the store and
	// counts (neither reads what the other writes).
	var cycles [][]graph.NodeID
	sccDone := make(chan struct{})
	go func() {
		cycles = g.Cycles(graph.AllLabels)
		close(sccDone)
	}()
	var table []int32
	var lazy *sync.Once
	if b.graphOnly {
		lazy = new(sync.Once) // built if ever looked up
	} else {
		table = make([]int32, len(b.slots))
		for i, x := range b.slots {
			table[i] = int32(uint32(x)) - 1 // 0 (empty) gives -1
		}
	}
	b.slots = nil
	b.mem.release()
	s := &Store{G: g, names: b.blob, nameOff: b.off, table: table, lazyTable: lazy, aliasOf: aliasOf}
	s.created, s.modified, s.downloads, s.downloadsAll, s.likes = b.created, b.modified, b.downloads, b.downloadsAll, b.likes
	s.library, s.pipeline, s.license, s.strs = b.library, b.pipeline, b.license, b.strs
	if !b.graphOnly {
		s.formats = b.formats
		b.finishHints(s)
	}
	s.flags = b.flags
	// The checks on the finished graph run meanwhile (they read the
	// graph and the names, which nothing below writes).
	var lintDiags []Diagnostic
	lintDone := make(chan struct{})
	go func() {
		lintDiags = append(s.GrandparentShortcuts(), s.ConflictingRelations()...)
		close(lintDone)
	}()

	// Dangling parents and the per-node counts, in one pass.
	st := Stats{Models: n, Records: b.records, Duplicates: b.duplicates, MergedRecords: b.merged,
		Superseded: b.superseded, EdgesByRelation: map[string]int{}, Diagnostics: map[string]int{}}
	var byLabel [graph.MaxLabel + 1]int
	dangling := 0
	var danglingDiags []Diagnostic
	for v := 0; v < n; v++ {
		out := g.OutDegree(graph.NodeID(v))
		if s.flags[v]&flagRecord != 0 {
			st.ModelsWithRecord++
		} else if out > 0 {
			dangling++
			if dangling <= 5 {
				danglingDiags = append(danglingDiags, Diagnostic{Kind: KindDangling, ID: b.name(graph.NodeID(v)), Detail: fmt.Sprintf("referenced as a parent by %d model(s) but has no record of its own; counted as a foundation", out)})
			}
		}
		if g.InDegree(graph.NodeID(v)) == 0 && s.flags[v]&flagAlias == 0 {
			st.Foundations++
			if out > 0 {
				st.FoundationsWithDescendants++
			}
		}
		if out > 0 {
			_, labs := g.Out(graph.NodeID(v))
			for _, l := range labs {
				byLabel[l]++
			}
		}
	}
	for _, r := range Relations {
		st.EdgesByRelation[r.String()] = 0
	}
	for l, k := range byLabel {
		if k == 0 {
			continue
		}
		rel, declared := LabelRelation(graph.Label(l))
		st.EdgesByRelation[rel.String()] += k
		if declared {
			st.Declared += k
		} else {
			st.Inferred += k
		}
	}

	<-sccDone
	nodesInCycles := 0
	for _, c := range cycles {
		nodesInCycles += len(c)
		names := make([]string, 0, min(len(c), 10))
		for _, v := range c[:min(len(c), 10)] {
			names = append(names, b.name(v))
		}
		for _, v := range c {
			s.flags[v] |= flagInCycle
		}
		more := ""
		if len(c) > 10 {
			more = fmt.Sprintf(" and %d more", len(c)-10)
		}
		b.addDiag(Diagnostic{Kind: KindCycle, ID: b.name(c[0]), Value: strings.Join(names, " -> ") + more,
			Detail: fmt.Sprintf("%d models derive from each other in a cycle; counts stay reachability counts, but one of these base_model declarations is wrong", len(c))})
	}
	for _, d := range danglingDiags {
		b.addDiag(d)
	}
	// The checks on the finished graph: their findings are diagnostics
	// like any other, so that build, stats and lint count the same.
	<-lintDone
	for _, d := range lintDiags {
		b.addDiag(d)
	}
	st.Cycles, st.ModelsInCycles, st.DanglingParents = len(cycles), nodesInCycles, dangling
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
	s.info = storeInfo{Stats: st, Sources: b.sources, Examples: exampleDiags(b.diags, 5), Digest: b.digest}
	for old, cur := range aliasOf {
		s.info.Aliases = append(s.info.Aliases, [2]int32{int32(old), int32(cur)})
	}
	slices.SortFunc(s.info.Aliases, func(a, b [2]int32) int { return int(a[0] - b[0]) })
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

// sortedOrder returns every node id sorted case-insensitively by name,
// then by name (the order of modelid.Compare), splitting the work across two
// goroutines and merging. An 8-byte folded prefix per node settles most
// comparisons.
func (s *Store) sortedOrder() []int32 {
	order := make([]int32, s.G.NumNodes())
	for i := range order {
		order[i] = int32(i)
	}
	sortOrder(order, s)
	return order
}

func sortOrder(order []int32, s *Store) {
	prefix := make([]uint64, len(order))
	for v := range prefix {
		nm := s.names[s.nameOff[v]:s.nameOff[v+1]]
		var k uint64
		for i := 0; i < 8; i++ {
			k <<= 8
			if i < len(nm) {
				k |= uint64(modelid.Lower(nm[i]))
			}
		}
		prefix[v] = k
	}
	cmpID := func(x, y int32) int {
		if a, b := prefix[x], prefix[y]; a != b {
			if a < b {
				return -1
			}
			return 1
		}
		return modelid.Compare(s.Name(graph.NodeID(x)), s.Name(graph.NodeID(y)))
	}
	if len(order) < 1<<16 {
		slices.SortFunc(order, cmpID)
		return
	}
	mid := len(order) / 2
	a, b := order[:mid], order[mid:]
	done := make(chan struct{})
	go func() { slices.SortFunc(a, cmpID); close(done) }()
	slices.SortFunc(b, cmpID)
	<-done
	merged := make([]int32, 0, len(order))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if cmpID(b[j], a[i]) < 0 {
			merged = append(merged, b[j])
			j++
		} else {
			merged = append(merged, a[i])
			i++
		}
	}
	merged = append(append(merged, a[i:]...), b[j:]...)
	copy(order, merged)
}
