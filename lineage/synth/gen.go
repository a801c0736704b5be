package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Calibration.
const (
	pChild = 0.278 // share of random records that declare parents (about 28% of all records then do)
	// Per-child relation probabilities. A merge child contributes about 2.55
	// edges, so the edge targets (42.6/35.9/19.2/2.3) rescaled to children
	// are 0.4320/0.3641/0.1947/0.0092 (p_merge = 0.023/(m-0.023(m-1)), the
	// others share*(1+p_merge(m-1))). The values below are those, corrected
	// (measured at 2M) for the instruct variants that synthetic foundations
	// publish (about 1.1% of children, all finetunes) and for merges that
	// find too few distinct parents and become finetunes.
	pRelAdapter   = 0.43739
	pRelFinetune  = 0.35649
	pRelQuantized = 0.19642
	// pRelMerge is the rest (0.0097).

	pFamous    = 0.70              // share of children whose family is a named foundation
	pCandidate = 0.03              // share of parentless random records that can become foundations
	pHub       = 0.50              // a child picks a hub of its family (foundation or official variant)
	pGhost     = 0.0015            // a child's parent is a model without a record
	pCase      = 0.0015            // a parent reference is written in lower case
	pCardData  = 0.65              // record carries cardData
	pCardBase  = 0.80              // cardData carries base_model (when the record has parents)
	paretoA    = 1.1               // tail of synthetic foundation popularity
	famousFade = 2 * 365 * 86400.0 // seconds for a named foundation's draw to fall by e
)

var (
	theBlokeUntil = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).Unix()
	ggufSince     = time.Date(2023, 8, 21, 0, 0, 0, 0, time.UTC).Unix()
	downloadsMu   = [...]float64{0.8, 1.2, 4, 9}
	tStart        = time.Date(2022, 3, 2, 23, 29, 4, 0, time.UTC).Unix() // the Hub's legacy import date
	tEnd          = time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC).Unix()
)

// Modalities of a family; they choose library, pipeline and names.
const (
	modText = iota
	modImage
	modEncoder
	modSpeech
	modVision
)

type node struct {
	id    string
	fam   int32
	depth uint8 // declared depth: parents stated, followed to a root
	quant bool  // quantized: not a parent for quantized children
	ghost bool  // never gets a record
}

type family struct {
	root    int32
	mod     uint8
	arch    string
	license string
	stem    string  // name used for children when a parent's name is too long
	size    string  // "8B", or ""
	hubs    []int32 // foundation and official variants
	members []int32 // attachment list: every finetunable member once, plus once per child it received
	kids    int32   // children of the root
}

type ref struct {
	id   string
	node int32 // -1 when the id has no node (cycle members)
}

// model is one record being built; it is reused. The generator fills the
// first group of fields, finish the rest; the encoders only read it.
type model struct {
	id, author string
	created    int64
	mod        uint8
	arch       string
	license    string
	rel        int
	parents    []ref
	self       bool  // lists itself as a parent
	hidden     []ref // parents of an undeclared derivative (not written)
	quantFmt   string
	downloads  int
	famous     bool
	size       string // "8B" when the family states one

	modified  int64
	likes     int
	lib, pipe string
	lang      string   // a card language, or ""
	tags      []string // the record's tags, in the Hub's order
	card      bool     // the record carries cardData
	cardBase  bool     // cardData names the parents (base_model)
	cardList  bool     // ... as a list (else a string)
	cardRel   bool     // cardData states base_model_relation

	downloadsAll int    // downloadsAllTime
	trending     int    // trendingScore
	gated        string // "", "auto" or "manual"
	params       int64  // safetensors.total; 0 when the record has no safetensors
}

// derived reports whether the record is a derivative, declared or not.
func (m *model) derived() bool { return len(m.parents) > 0 || len(m.hidden) > 0 }

type gen struct {
	n     int
	seed  uint64
	r     *rand.Rand
	prevT int64

	pHidden float64 // a parentless random record is an undeclared derivative
	truth   func(parent, child string, rel int) error

	nodes   []node
	fams    []family
	famous  []int32   // families of named foundations created so far
	famousW []float64 // weights of famous
	famousT []int64   // creation times of famous
	scratch []float64
	synth   []int32   // families of synthetic foundation candidates
	synthCw []float64 // cumulative weights of synth

	ids    idset
	users  int
	queue  []func(*model)
	qhead  int
	events []event

	st Stats
	m  model
}

type event struct {
	at   int
	fire func()
}

// run generates opt.Models records, handing each finished record to
// write, and returns the statistics.
func run(opt Options, write func(*gen, *model) error) (Stats, error) {
	g := newGen(opt)
	var flush func() error
	g.truth, flush = truthWriter(opt.Truth)
	for i := 0; i < g.n; i++ {
		for len(g.events) > 0 && g.events[0].at <= i {
			g.events[0].fire()
			g.events = g.events[1:]
		}
		m := &g.m
		*m = model{parents: m.parents[:0], hidden: m.hidden[:0], tags: m.tags[:0]}
		m.created = g.timeAt(i)
		if g.qhead < len(g.queue) {
			f := g.queue[g.qhead]
			g.queue[g.qhead] = nil
			g.qhead++
			f(m)
		} else {
			g.randomModel(m)
		}
		g.account(m)
		g.finish(m)
		if err := write(g, m); err != nil {
			return g.st, err
		}
		if g.truth != nil {
			for _, p := range m.hidden {
				if err := g.truth(p.id, m.id, m.rel); err != nil {
					return g.st, err
				}
			}
		}
	}
	for _, f := range g.fams {
		if f.kids > 0 {
			g.st.Foundations++
		}
	}
	if flush != nil {
		return g.st, flush()
	}
	return g.st, nil
}

func newGen(opt Options) *gen {
	g := &gen{
		n:    opt.Models,
		seed: opt.Seed,
		r:    rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)),
	}
	if u := opt.undeclared(); u > 0 {
		g.pHidden = min(1, u/(1-pChild))
	}
	g.users = max(64, g.n/6)
	g.ids = newIDSet(g.n + g.n/100 + 1024)
	g.prevT = tStart - 1
	g.planEvents()
	return g
}

// timeAt returns the createdAt of record i: the cumulative count grows with
// the square of time (the Hub accelerates), strictly increasing in seconds.
func (g *gen) timeAt(i int) int64 {
	x := (float64(i) + g.r.Float64()) / float64(g.n)
	t := tStart + int64(math.Sqrt(x)*float64(tEnd-tStart))
	if t <= g.prevT {
		t = g.prevT + 1
	}
	g.prevT = t
	return t
}

// indexAt is the inverse of timeAt: the record index created at unix time t.
func (g *gen) indexAt(t int64) int {
	f := float64(t-tStart) / float64(tEnd-tStart)
	return int(f * f * float64(g.n))
}

func (g *gen) push(f func(*model)) { g.queue = append(g.queue, f) }

// planEvents schedules the named foundations at their release dates and the
// deliberate defects (self-references, cycles) at random positions.
func (g *gen) planEvents() {
	for i := range famousFoundations {
		ff := &famousFoundations[i]
		at := g.indexAt(mustTime(ff.date))
		g.events = append(g.events, event{at, func() { g.pushFamous(ff) }})
	}
	if g.n == 0 {
		return
	}
	lo := g.n / 20
	for range 1 + g.n/80000 {
		g.events = append(g.events, event{lo + g.r.IntN(g.n-lo), func() { g.push(g.selfRefModel) }})
	}
	for range 1 + g.n/400000 {
		g.events = append(g.events, event{lo + g.r.IntN(g.n-lo), g.pushCycle})
	}
	slices.SortStableFunc(g.events, func(a, b event) int { return a.at - b.at })
}

func mustTime(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err) // programmer error in the table
	}
	return t.Unix()
}

// ---- family and parent choice ----

func (g *gen) addNode(id string, fam int32, depth int, quant bool) int32 {
	g.nodes = append(g.nodes, node{id: id, fam: fam, depth: uint8(min(depth, 255)), quant: quant})
	if depth > g.st.MaxDepth {
		g.st.MaxDepth = depth
	}
	return int32(len(g.nodes) - 1)
}

func (g *gen) newFamily(root int32, mod uint8, arch, license, stem, size string) int32 {
	g.fams = append(g.fams, family{root: root, mod: mod, arch: arch, license: license, stem: stem, size: size,
		hubs: []int32{root}, members: []int32{root}})
	fi := int32(len(g.fams) - 1)
	g.nodes[root].fam = fi
	return fi
}

// pickFamily chooses the family of a new child: a named foundation with
// probability pFamous (by fixed weight), else a synthetic one by its Pareto
// weight. It returns -1 when no family exists yet.
func (g *gen) pickFamily() int32 {
	if len(g.famous) > 0 && (len(g.synth) == 0 || g.r.Float64() < pFamous) {
		// Popularity fades: newer foundations draw most new children.
		g.scratch = g.scratch[:0]
		sum := 0.0
		for i, w := range g.famousW {
			sum += w * math.Exp(-float64(g.prevT-g.famousT[i])/famousFade)
			g.scratch = append(g.scratch, sum)
		}
		return g.famous[pickCum(g.scratch, g.r.Float64())]
	}
	if len(g.synth) > 0 {
		return g.synth[pickCum(g.synthCw, g.r.Float64())]
	}
	return -1
}

func pickCum(cw []float64, u float64) int {
	x := u * cw[len(cw)-1]
	i, _ := slices.BinarySearch(cw, x)
	return min(i, len(cw)-1)
}

// pickParent chooses a parent inside family fi: a hub with probability pHub,
// else by preferential attachment over the family's finetunable members.
func (g *gen) pickParent(fi int32, rel int) int32 {
	f := &g.fams[fi]
	var p int32
	if g.r.Float64() < pHub {
		p = f.hubs[g.r.IntN(len(f.hubs))]
	} else {
		p = f.members[g.r.IntN(len(f.members))]
	}
	if rel == relQuantized && g.nodes[p].quant {
		p = f.hubs[0]
	}
	return p
}

// attach records that p received a child (preferential attachment).
func (g *gen) attach(p int32) {
	n := &g.nodes[p]
	if n.fam < 0 {
		return
	}
	f := &g.fams[n.fam]
	f.members = append(f.members, p)
	if p == f.root {
		f.kids++
	}
}

// ---- record kinds ----

func (g *gen) randomModel(m *model) {
	if g.r.Float64() < pChild && g.childModel(m) {
		return
	}
	if g.pHidden > 0 && g.r.Float64() < g.pHidden && g.hiddenModel(m) {
		return
	}
	g.rootModel(m)
}

func (g *gen) rootModel(m *model) {
	m.mod = g.randomMod()
	m.arch = g.randomArch(m.mod)
	m.license = pickStr(g.r, licenses)
	m.author = g.user()
	size := ""
	if m.mod == modText || m.mod == modVision {
		size = pickStr(g.r, sizes)
	}
	m.size = size
	m.id = g.uniqueID(m.author, g.rootName(m.mod, m.arch, size))
	m.downloads = g.downloads(0)
	if g.r.Float64() >= pCandidate {
		return
	}
	// A foundation candidate: it may receive children.
	ni := g.addNode(m.id, -1, 0, false)
	fi := g.newFamily(ni, m.mod, m.arch, m.license, m.id[len(m.author)+1:], size)
	w := math.Pow(1-g.r.Float64(), -1/paretoA)
	g.synth = append(g.synth, fi)
	g.synthCw = append(g.synthCw, last(g.synthCw)+w)
	m.downloads = g.downloads(2)
	if (m.mod == modText || m.mod == modVision) && g.r.Float64() < 0.25 {
		// The maker publishes an instruct variant right after.
		org, stem := m.author, g.fams[fi].stem
		g.push(func(m *model) {
			g.variant(m, fi, org, stem+"-Instruct", relFinetune, g.fams[fi].root)
		})
	}
}

func last(s []float64) float64 {
	if len(s) == 0 {
		return 0
	}
	return s[len(s)-1]
}

// childModel writes a derived model; false when no family exists yet.
func (g *gen) childModel(m *model) bool {
	fi := g.pickFamily()
	if fi < 0 {
		return false
	}
	u := g.r.Float64()
	switch {
	case u < pRelAdapter:
		m.rel = relAdapter
	case u < pRelAdapter+pRelFinetune:
		m.rel = relFinetune
	case u < pRelAdapter+pRelFinetune+pRelQuantized:
		m.rel = relQuantized
	default:
		m.rel = relMerge
	}
	f := &g.fams[fi]
	m.mod, m.arch, m.size = f.mod, f.arch, f.size
	m.license = f.license
	if g.r.Float64() < 0.2 {
		m.license = pickStr(g.r, licenses)
	}
	if m.rel == relMerge {
		if g.mergeModel(m, fi) {
			return true
		}
		m.rel = relFinetune
	}
	var p int32
	if g.r.Float64() < pGhost {
		p = g.ghost(fi)
	} else {
		p = g.pickParent(fi, m.rel)
	}
	g.attach(p)
	pid := g.nodes[p].id
	m.parents = append(m.parents, ref{pid, p})
	stem := g.childStem(pid, fi)
	switch m.rel {
	case relAdapter:
		m.author = g.user()
		m.id = g.uniqueID(m.author, g.adapterName(m.mod, stem))
	case relFinetune:
		m.author = g.user()
		m.id = g.uniqueID(m.author, g.finetuneName(m.mod, stem))
		g.addFinetunable(m.id, fi, int(g.nodes[p].depth)+1, false)
	case relQuantized:
		g.quantName(m, pid, stem)
	}
	m.downloads = g.downloads(1)
	return true
}

// addFinetunable registers a model that later children may use as parent.
func (g *gen) addFinetunable(id string, fi int32, depth int, quant bool) int32 {
	ni := g.addNode(id, fi, depth, quant)
	f := &g.fams[fi]
	f.members = append(f.members, ni)
	return ni
}

// ghost returns a new parent that never gets a record (private, gated or
// deleted on the real Hub); a few later children may pick it again.
func (g *gen) ghost(fi int32) int32 {
	f := &g.fams[fi]
	author := g.user()
	id := g.uniqueID(author, g.finetuneName(f.mod, f.stem))
	ni := g.addNode(id, fi, 0, false)
	g.nodes[ni].ghost = true
	f.members = append(f.members, ni)
	return ni
}

func (g *gen) mergeModel(m *model, fi int32) bool {
	k := 2
	if u := g.r.Float64(); u > 0.85 {
		k = 4
	} else if u > 0.6 {
		k = 3
	}
	depth := 0
	for len(m.parents) < k {
		pf := fi
		if len(m.parents) > 0 && g.r.Float64() < 0.5 {
			for range 4 { // another family of the same modality
				if c := g.pickFamily(); c >= 0 && g.fams[c].mod == g.fams[fi].mod {
					pf = c
					break
				}
			}
		}
		ok := false
		for try := range 16 {
			if try == 8 { // family too small for distinct parents: look elsewhere
				if c := g.pickFamily(); c >= 0 && g.fams[c].mod == g.fams[fi].mod {
					pf = c
				}
			}
			p := g.pickParent(pf, relMerge)
			if !slices.ContainsFunc(m.parents, func(r ref) bool { return r.node == p }) {
				m.parents = append(m.parents, ref{g.nodes[p].id, p})
				depth = max(depth, int(g.nodes[p].depth))
				ok = true
				break
			}
		}
		if !ok {
			break
		}
	}
	if len(m.parents) < 2 {
		m.parents = m.parents[:0]
		return false
	}
	for _, p := range m.parents {
		g.attach(p.node)
	}
	m.author = g.user()
	m.id = g.uniqueID(m.author, g.mergeName(g.fams[fi].size))
	g.addFinetunable(m.id, fi, depth+1, false)
	m.downloads = g.downloads(1)
	return true
}

// variant writes an official variant of a foundation (instruct model,
// unsloth re-upload, bnb-4bit quantization) and makes it a hub of fi.
func (g *gen) variant(m *model, fi int32, org, name string, rel int, parent int32) {
	f := &g.fams[fi]
	m.mod, m.arch, m.license, m.rel, m.size = f.mod, f.arch, f.license, rel, f.size
	m.author = org
	m.id = g.uniqueID(org, name)
	m.parents = append(m.parents, ref{g.nodes[parent].id, parent})
	g.attach(parent)
	quant := rel == relQuantized
	if quant {
		switch {
		case strings.HasSuffix(name, "-GGUF"):
			m.quantFmt = "gguf"
		case strings.HasSuffix(name, "-AWQ"):
			m.quantFmt = "awq"
		case strings.HasSuffix(name, "-GPTQ"):
			m.quantFmt = "gptq"
		default:
			m.quantFmt = "bnb"
		}
	}
	ni := g.addFinetunable(m.id, fi, int(g.nodes[parent].depth)+1, quant)
	f = &g.fams[fi]
	f.hubs = append(f.hubs, ni)
	m.downloads = g.downloads(3)
}

// pushFamous queues a named foundation and its official variants.
func (g *gen) pushFamous(ff *famousFoundation) {
	hubs := make([]int32, 0, 1+len(ff.variants))
	var fi int32
	g.push(func(m *model) {
		org, name, _ := strings.Cut(ff.id, "/")
		m.author, m.mod, m.arch, m.license, m.famous, m.size = org, ff.mod, ff.arch, ff.license, true, ff.size
		m.id = g.uniqueID(org, name)
		m.downloads = 1_000_000 + g.r.IntN(9_000_000)
		ni := g.addNode(m.id, -1, 0, false)
		fi = g.newFamily(ni, ff.mod, ff.arch, ff.license, name, ff.size)
		hubs = append(hubs, ni)
		g.famous = append(g.famous, fi)
		g.famousW = append(g.famousW, ff.weight)
		g.famousT = append(g.famousT, m.created)
	})
	for _, v := range ff.variants {
		g.push(func(m *model) {
			org, name, _ := strings.Cut(v.id, "/")
			g.variant(m, fi, org, name, v.rel, hubs[v.parent])
			hubs = append(hubs, int32(len(g.nodes)-1))
		})
	}
}

// selfRefModel writes a model that lists itself as base model, either alone
// or next to a real parent.
func (g *gen) selfRefModel(m *model) {
	if g.r.IntN(2) == 0 || !g.childModel(m) {
		*m = model{parents: m.parents[:0], hidden: m.hidden[:0], tags: m.tags[:0], created: m.created}
		g.rootModel(m)
		m.rel = relFinetune
	}
	if m.rel == relMerge || m.rel == relQuantized {
		m.rel = relFinetune
	}
	m.self = true
	m.quantFmt = ""
}

// pushCycle queues 2 or 3 finetunes each naming the previous one as parent,
// the first naming the last. Half of the cycles hang below a real family.
func (g *gen) pushCycle() {
	k := 2 + g.r.IntN(2)
	fi := g.pickFamily()
	ids := make([]string, k)
	author := g.user()
	stem := "cyclic"
	if fi >= 0 {
		stem = g.fams[fi].stem
	}
	for j := range ids {
		mod := uint8(modText)
		if fi >= 0 {
			mod = g.fams[fi].mod
		}
		ids[j] = g.uniqueID(author, g.finetuneName(mod, stem))
	}
	g.st.Cycles++
	for j := range ids {
		g.push(func(m *model) {
			m.author, m.id, m.rel = author, ids[j], relFinetune
			m.mod, m.arch, m.license = modText, "llama", "apache-2.0"
			if fi >= 0 {
				m.mod, m.arch, m.license = g.fams[fi].mod, g.fams[fi].arch, g.fams[fi].license
			}
			m.parents = append(m.parents, ref{ids[(j+k-1)%k], -1})
			if j == 0 && fi >= 0 && g.r.IntN(2) == 0 {
				p := g.pickParent(fi, relFinetune)
				g.attach(p)
				m.parents = append(m.parents, ref{g.nodes[p].id, p})
			}
			m.downloads = g.downloads(0)
		})
	}
}

// account updates the statistics for the record about to be written.
func (g *gen) account(m *model) {
	g.st.Models++
	if len(m.parents) > 0 || m.self {
		g.st.WithParents++
	}
	if m.self {
		g.st.SelfRefs++
		g.st.Edges[m.rel]++
	}
	depth := 0
	for i := range m.parents {
		p := &m.parents[i]
		g.st.Edges[m.rel]++
		if p.node >= 0 {
			n := &g.nodes[p.node]
			depth = max(depth, int(n.depth)+1)
			if n.ghost {
				g.st.Dangling++
			}
		}
		if g.r.Float64() < pCase {
			if low := strings.ToLower(p.id); low != p.id {
				p.id = low
				g.st.CaseVariants++
			}
		}
	}
	if depth > g.st.MaxDepth {
		g.st.MaxDepth = depth
	}
	if len(m.hidden) > 0 {
		g.st.Undeclared++
		g.st.UndeclaredEdges[m.rel] += len(m.hidden)
	}
}
