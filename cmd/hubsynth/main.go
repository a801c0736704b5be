// Command hubsynth writes a deterministic, synthetic Hugging Face Hub model
// listing in the JSON Lines shape of the Hub API (one model per line), for
// benchmarks and tests of lineage at Hub scale.
//
//	go run ./cmd/hubsynth --models 2000000 --seed 1 -o /tmp/hub-2m.jsonl.gz
//
// The listing is calibrated to the published shape of the Hub: about 30% of
// models name a parent; edges are adapter 42.6%, finetune 35.9%, quantized
// 19.2%, merge 2.3%; family sizes are Zipf-like with a few huge foundations
// (meta-llama/Llama-3.1-8B, Qwen/Qwen2.5-7B, black-forest-labs/FLUX.1-dev, ...)
// and many synthetic ones; finetune chains reach depth 5 and more; merges
// have 2-4 parents, often from different families. It also contains the
// defects real listings have: parents referenced with other letter case,
// self-references, short cycles and parents without a record (dangling).
//
// Lineage is written the way the Hub writes it: tags "base_model:ID" and
// "base_model:REL:ID" (one pair per parent), for a fraction of models also
// cardData.base_model (string or list) and cardData.base_model_relation.
// Records come out in createdAt order (as a listing sorted by createdAt);
// every child is created after its parents except in the cycles.
//
// The output depends only on (--models, --seed). Records are streamed; the
// generator keeps only the ids of models that can be parents, a hash set of
// all ids (for uniqueness) and per-family attachment lists.
package main

import (
	"bufio"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command; it returns the exit code (0 ok, 1 failure, 2 usage).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hubsynth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	models := fs.Int("models", 1000, "number of model records to write")
	seed := fs.Uint64("seed", 1, "random seed; the output depends only on --models and --seed")
	out := fs.String("o", "", "output file (default stdout); gzip-compressed when the name ends in .gz")
	quiet := fs.Bool("quiet", false, "do not print the summary line to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *models < 0 {
		fmt.Fprintln(stderr, "usage: hubsynth --models N --seed S [-o FILE] [--quiet]")
		return 2
	}
	st, err := writeListing(*out, stdout, Config{Models: *models, Seed: *seed})
	if err != nil {
		fmt.Fprintf(stderr, "hubsynth: %v\n", err)
		return 1
	}
	if !*quiet {
		fmt.Fprintln(stderr, st.String())
	}
	return 0
}

// writeListing generates into the named file (stdout when name is empty),
// gzip-compressing when the name ends in .gz.
func writeListing(name string, stdout io.Writer, cfg Config) (Stats, error) {
	if name == "" {
		return Generate(stdout, cfg)
	}
	f, err := os.Create(name)
	if err != nil {
		return Stats{}, err
	}
	var w io.Writer = f
	var zw *gzip.Writer
	if strings.HasSuffix(name, ".gz") {
		zw, _ = gzip.NewWriterLevel(f, gzip.BestSpeed)
		w = zw
	}
	st, err := Generate(w, cfg)
	if zw != nil {
		if cerr := zw.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write %s: %w", name, cerr)
		}
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write %s: %w", name, cerr)
	}
	return st, err
}

// Config selects the listing to generate.
type Config struct {
	Models int    // number of records
	Seed   uint64 // seed of the PCG generator
}

// Relations, in the order of Stats.Edges.
const (
	relAdapter = iota
	relFinetune
	relQuantized
	relMerge
	numRels
)

var relNames = [numRels]string{"adapter", "finetune", "quantized", "merge"}

// Stats summarises a generated listing.
type Stats struct {
	Models       int          // records written
	WithParents  int          // records naming at least one parent (self included)
	Edges        [numRels]int // parent references by relation (one per base_model tag pair)
	SelfRefs     int          // records naming themselves
	Cycles       int          // cycles of 2-3 records written
	Dangling     int          // references to ids that have no record
	CaseVariants int          // references spelled in other letter case than the record
	Foundations  int          // parentless records that received at least one child
	MaxDepth     int          // longest parent chain (edges) ignoring cycles
}

func (s Stats) String() string {
	var b strings.Builder
	total := 0
	for _, e := range s.Edges {
		total += e
	}
	fmt.Fprintf(&b, "hubsynth: models=%d with_parents=%d (%.1f%%) edges=%d", s.Models, s.WithParents, pct(s.WithParents, s.Models), total)
	for r, e := range s.Edges {
		fmt.Fprintf(&b, " %s=%d (%.1f%%)", relNames[r], e, pct(e, total))
	}
	fmt.Fprintf(&b, " foundations=%d max_depth=%d self_refs=%d cycles=%d dangling_refs=%d case_variants=%d",
		s.Foundations, s.MaxDepth, s.SelfRefs, s.Cycles, s.Dangling, s.CaseVariants)
	return b.String()
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// Calibration.
const (
	pChild = 0.30 // share of random records with parents
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
	depth uint8
	quant bool // quantized: not a parent for quantized children
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

// model is one record being built; it is reused.
type model struct {
	id, author string
	created    int64
	mod        uint8
	arch       string
	license    string
	rel        int
	parents    []ref
	self       bool // lists itself as a parent
	quantFmt   string
	downloads  int
	famous     bool
}

type gen struct {
	n     int
	seed  uint64
	r     *rand.Rand
	prevT int64

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

	st   Stats
	m    model
	buf  []byte
	tags []string
}

type event struct {
	at   int
	fire func()
}

// Generate writes cfg.Models records to w and returns what it wrote.
func Generate(w io.Writer, cfg Config) (Stats, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	g := newGen(cfg)
	for i := 0; i < g.n; i++ {
		for len(g.events) > 0 && g.events[0].at <= i {
			g.events[0].fire()
			g.events = g.events[1:]
		}
		m := &g.m
		*m = model{parents: m.parents[:0]}
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
		g.buf = g.appendRecord(g.buf[:0], m)
		if _, err := bw.Write(g.buf); err != nil {
			return g.st, err
		}
	}
	for _, f := range g.fams {
		if f.kids > 0 {
			g.st.Foundations++
		}
	}
	return g.st, bw.Flush()
}

func newGen(cfg Config) *gen {
	g := &gen{
		n:    cfg.Models,
		seed: cfg.Seed,
		r:    rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
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
	m.mod, m.arch = f.mod, f.arch
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
	m.mod, m.arch, m.license, m.rel = f.mod, f.arch, f.license, rel
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
		m.author, m.mod, m.arch, m.license, m.famous = org, ff.mod, ff.arch, ff.license, true
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
		*m = model{parents: m.parents[:0], created: m.created}
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
			if n.depth == 0 && n.fam >= 0 && g.fams[n.fam].root != p.node {
				g.st.Dangling++ // ghosts are the only depth-0 non-roots
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
}

// ---- record encoding ----

func (g *gen) appendRecord(b []byte, m *model) []byte {
	r := g.r
	b = append(b, `{"id":`...)
	b = appendStr(b, m.id)
	b = append(b, `,"author":`...)
	b = appendStr(b, m.author)
	b = append(b, `,"createdAt":`...)
	b = appendTime(b, m.created)
	mod := m.created
	if r.IntN(3) > 0 {
		mod += int64(r.ExpFloat64() * 20 * 86400)
	} else {
		mod += int64(r.IntN(3600))
	}
	b = append(b, `,"lastModified":`...)
	b = appendTime(b, mod)
	b = append(b, `,"downloads":`...)
	b = strconv.AppendInt(b, int64(m.downloads), 10)
	likes := 0
	if m.famous {
		likes = m.downloads/1000 + r.IntN(2000)
	} else if m.downloads > 0 {
		likes = int(math.Sqrt(float64(m.downloads)) * r.Float64() * r.Float64() * 0.5)
	}
	b = append(b, `,"likes":`...)
	b = strconv.AppendInt(b, int64(likes), 10)

	lib, pipe := g.libraryAndPipeline(m)
	if lib != "" {
		b = append(b, `,"library_name":`...)
		b = appendStr(b, lib)
	}
	if pipe != "" {
		b = append(b, `,"pipeline_tag":`...)
		b = appendStr(b, pipe)
	}
	lang := ""
	if r.IntN(4) == 0 {
		lang = pickStr(r, languages)
	}
	b = append(b, `,"tags":[`...)
	g.tags = g.buildTags(g.tags[:0], m, lib, pipe, lang)
	for i, t := range g.tags {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendStr(b, t)
	}
	b = append(b, ']')

	if r.Float64() < pCardData {
		b = append(b, `,"cardData":{`...)
		n := len(m.parents)
		if m.self {
			n++
		}
		comma := false
		if n > 0 && r.Float64() < pCardBase {
			b = append(b, `"base_model":`...)
			list := n > 1 || r.IntN(3) == 0
			if list {
				b = append(b, '[')
			}
			g.eachParent(m, func(i int, id string) {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendStr(b, id)
			})
			if list {
				b = append(b, ']')
			}
			comma = true
			pRel := 0.03
			if m.rel == relMerge {
				pRel = 0.3
			} else if m.rel == relQuantized {
				pRel = 0.15
			}
			if r.Float64() < pRel {
				b = append(b, `,"base_model_relation":`...)
				b = appendStr(b, relNames[m.rel])
			}
		}
		if m.license != "" {
			if comma {
				b = append(b, ',')
			}
			b = append(b, `"license":`...)
			b = appendStr(b, m.license)
			comma = true
		}
		if lang != "" {
			if comma {
				b = append(b, ',')
			}
			b = append(b, `"language":[`...)
			b = appendStr(b, lang)
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	return append(b, "}\n"...)
}

// eachParent calls f for every parent id as written, self last.
func (g *gen) eachParent(m *model, f func(i int, id string)) {
	for i, p := range m.parents {
		f(i, p.id)
	}
	if m.self {
		f(len(m.parents), m.id)
	}
}

func (g *gen) libraryAndPipeline(m *model) (lib, pipe string) {
	switch m.mod {
	case modText:
		lib, pipe = "transformers", "text-generation"
	case modVision:
		lib, pipe = "transformers", "image-text-to-text"
	case modImage:
		lib, pipe = "diffusers", "text-to-image"
	case modEncoder:
		lib, pipe = "transformers", encoderPipelines[hashStr(m.id)%uint64(len(encoderPipelines))]
		if pipe == "sentence-similarity" {
			lib = "sentence-transformers"
		}
	case modSpeech:
		lib, pipe = "transformers", "automatic-speech-recognition"
	}
	switch {
	case m.rel == relAdapter && len(m.parents) > 0 && m.mod != modImage:
		lib = "peft"
	case m.quantFmt == "gguf" || m.quantFmt == "ggml" || m.quantFmt == "exl2":
		lib = ""
	case m.quantFmt == "gguf-my-repo":
		lib = "transformers"
	case m.quantFmt == "mlx":
		lib = "mlx"
	}
	if m.famous {
		if m.mod == modEncoder {
			lib, pipe = "transformers", "fill-mask"
		}
		return lib, pipe
	}
	if lib == "peft" {
		return lib, pipe
	}
	switch u := hashStr(m.id) % 100; {
	case u < 8:
		lib = ""
	case u < 20:
		pipe = ""
	}
	return lib, pipe
}

func (g *gen) buildTags(t []string, m *model, lib, pipe, lang string) []string {
	r := g.r
	if lib != "" {
		t = append(t, lib)
	}
	switch m.quantFmt {
	case "gguf", "gguf-my-repo":
		t = append(t, "gguf")
	case "ggml":
		t = append(t, "ggml")
	default:
		if m.mod != modImage || r.IntN(2) == 0 {
			t = append(t, "safetensors")
		}
	}
	if m.arch != "" {
		t = append(t, m.arch)
	}
	if pipe != "" {
		t = append(t, pipe)
	}
	switch m.quantFmt {
	case "gguf-my-repo":
		t = append(t, "llama-cpp", "gguf-my-repo")
	case "awq":
		t = append(t, "4-bit", "awq")
	case "gptq":
		t = append(t, "4-bit", "gptq")
	case "bnb":
		t = append(t, "unsloth", "4-bit", "bitsandbytes")
	case "exl2":
		t = append(t, "exl2")
	}
	switch {
	case m.rel == relMerge:
		t = append(t, "mergekit", "merge")
	case m.rel == relAdapter && len(m.parents) > 0:
		if m.mod == modImage {
			t = append(t, "lora", "template:sd-lora")
		} else {
			t = append(t, "lora", "sft", "trl")
		}
	case m.rel == relFinetune && len(m.parents) > 0 && m.mod == modText:
		switch r.IntN(4) {
		case 0:
			t = append(t, "generated_from_trainer")
		case 1:
			t = append(t, "trl", "sft")
		case 2:
			t = append(t, "unsloth", "trl")
		}
	}
	if m.mod == modText || m.mod == modVision {
		t = append(t, "conversational")
	}
	if lang != "" {
		t = append(t, lang)
	}
	if r.IntN(10) == 0 {
		t = append(t, "dataset:"+pickStr(r, datasets))
	}
	g.eachParent(m, func(_ int, id string) {
		t = append(t, "base_model:"+id, "base_model:"+relNames[m.rel]+":"+id)
	})
	if m.license != "" {
		t = append(t, "license:"+m.license)
	}
	if m.mod == modText && lib == "transformers" {
		t = append(t, "autotrain_compatible", "text-generation-inference")
	}
	if lib != "" || m.quantFmt != "" {
		t = append(t, "endpoints_compatible")
	}
	return append(t, "region:us")
}

func appendTime(b []byte, t int64) []byte {
	b = append(b, '"')
	b = time.Unix(t, 0).UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	return append(b, '"')
}

// appendStr appends s as a JSON string.
func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// ---- names ----

// user returns an account name, heavy-tailed over a pool that grows with the
// listing (a few accounts publish very many models).
func (g *gen) user() string {
	k := uint64(float64(g.users) * math.Pow(g.r.Float64(), 2.5))
	return userName(g.seed, k)
}

// userName derives account k of the pool from the seed alone, so accounts
// cost no memory.
func userName(seed, k uint64) string {
	h := splitmix(seed*0x100000001b3 ^ k)
	var b []byte
	nsyl := 2 + int(h%3)
	h >>= 2
	for i := range nsyl {
		s := syllables[h%uint64(len(syllables))]
		h >>= 6
		if i == 0 && h%4 == 0 {
			s = strings.ToUpper(s[:1]) + s[1:]
		}
		b = append(b, s...)
	}
	h >>= 2
	switch h % 8 {
	case 0, 1:
		b = strconv.AppendUint(b, 1+(h>>3)%999, 10)
	case 2:
		b = append(b, '-')
		b = append(b, syllables[(h>>3)%uint64(len(syllables))]...)
	case 3:
		b = append(b, orgSuffixes[(h>>3)%uint64(len(orgSuffixes))]...)
	}
	return string(b)
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func hashStr(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

// uniqueID returns author/name, or a suffixed variant when that id (compared
// case-insensitively, as the Hub does) is taken.
func (g *gen) uniqueID(author, name string) string {
	if len(name) > 90 {
		name = name[:90]
	}
	id := author + "/" + name
	for n := 2; !g.ids.add(id); n++ {
		id = author + "/" + name + "-" + strconv.Itoa(n)
	}
	return id
}

func (g *gen) childStem(pid string, fi int32) string {
	_, name, _ := strings.Cut(pid, "/")
	if len(name) > 48 || isUUID(name) {
		return g.fams[fi].stem
	}
	return name
}

func isUUID(s string) bool { return len(s) == 36 && s[8] == '-' && s[13] == '-' }

func (g *gen) uuid() string {
	a, b := g.r.Uint64(), g.r.Uint64()
	const hex = "0123456789abcdef"
	buf := make([]byte, 0, 36)
	for i := range 32 {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			buf = append(buf, '-')
		}
		var x uint64
		if i < 16 {
			x = a >> (4 * i)
		} else {
			x = b >> (4 * (i - 16))
		}
		buf = append(buf, hex[x&15])
	}
	return string(buf)
}

func (g *gen) word() string { return pickStr(g.r, words) }

func (g *gen) rootName(mod uint8, arch, size string) string {
	r := g.r
	w := g.word()
	switch mod {
	case modImage:
		return pickStr(r, []string{w + "-diffusion", w + "-XL", w + "Mix-v" + strconv.Itoa(1+r.IntN(6)), "sd-" + w, w + "-flux"})
	case modEncoder:
		return pickStr(r, []string{w + "-bert-base", w + "BERT", "roberta-" + w, w + "-embed-v" + strconv.Itoa(1+r.IntN(3)), "e5-" + w})
	case modSpeech:
		return pickStr(r, []string{w + "-asr", "wav2vec2-" + w, w + "-tts", w + "-speech"})
	}
	name := capWord(w)
	if r.IntN(2) == 0 {
		name += "-" + capWord(g.word())
	}
	if r.IntN(3) == 0 {
		name += "-" + strconv.Itoa(1+r.IntN(4)) + "." + strconv.Itoa(r.IntN(10))
	}
	if size != "" {
		name += "-" + size
	}
	if r.IntN(4) == 0 {
		name += "-v" + strconv.Itoa(1+r.IntN(5))
	}
	return name
}

func capWord(w string) string { return strings.ToUpper(w[:1]) + w[1:] }

func (g *gen) finetuneName(mod uint8, stem string) string {
	r := g.r
	switch mod {
	case modImage:
		return pickStr(r, []string{stem + "-" + g.word(), g.word() + "-diffusion", stem + "-dreambooth-" + g.word(), capWord(g.word()) + "Mix"})
	case modEncoder:
		return stem + "-finetuned-" + pickStr(r, encoderTasks)
	case modSpeech:
		return stem + "-" + pickStr(r, languages)
	}
	switch r.IntN(10) {
	case 0, 1:
		return capWord(g.word()) + "-" + stem
	case 2:
		return stem + "-" + pickStr(r, ftSuffixes) + "-" + pickStr(r, ftSuffixes)
	case 3:
		return stem + "-checkpoint-" + strconv.Itoa(100*(1+r.IntN(300)))
	case 4:
		return stem + "-" + g.word() + "-v" + strconv.Itoa(1+r.IntN(4)) + "." + strconv.Itoa(r.IntN(10))
	}
	return stem + "-" + pickStr(r, ftSuffixes)
}

func (g *gen) adapterName(mod uint8, stem string) string {
	r := g.r
	if mod == modImage {
		return pickStr(r, []string{g.word() + "-lora", "flux-" + g.word() + "-lora", capWord(g.word()) + "_LoRA", stem + "-" + g.word() + "-lora"})
	}
	switch r.IntN(10) {
	case 0, 1, 2:
		return g.uuid() // automated trainers (real listings are full of them)
	case 3, 4:
		return stem + "-lora-" + g.word()
	case 5:
		return stem + "-" + pickStr(r, ftSuffixes) + "-lora"
	}
	return g.word() + "-" + strings.ToLower(stem) + "-adapter"
}

func (g *gen) mergeName(size string) string {
	r := g.r
	n := capWord(g.word()) + "-" + capWord(g.word())
	if size != "" {
		n += "-" + size
	}
	return n + "-" + pickStr(r, mergeMethods)
}

// quantName fills id, author and format of a quantized child of pid.
func (g *gen) quantName(m *model, pid, stem string) {
	r := g.r
	pAuthor, _, _ := strings.Cut(pid, "/")
	var author, name string
	switch m.mod {
	case modImage:
		author = g.user()
		name = stem + pickStr(r, []string{"-gguf", "-fp8", "-nf4", "-GGUF"})
		m.quantFmt = "gguf"
		if !strings.HasSuffix(strings.ToLower(name), "gguf") {
			m.quantFmt = "fp8"
		}
	case modEncoder, modSpeech:
		author = g.user()
		name = stem + pickStr(r, []string{"-onnx", "-int8", "-GGUF", "-ct2"})
		m.quantFmt = "int8"
	default:
		u := r.IntN(100)
		switch {
		case u < 10:
			author, name, m.quantFmt = "bartowski", pAuthor+"_"+stem+"-GGUF", "gguf"
		case u < 24:
			author, name, m.quantFmt = "mradermacher", stem+"-GGUF", "gguf"
		case u < 30:
			author, name, m.quantFmt = "mradermacher", stem+"-i1-GGUF", "gguf"
		case u < 34:
			author, name, m.quantFmt = "QuantFactory", stem+"-GGUF", "gguf"
			if m.created < theBlokeUntil {
				author = "TheBloke"
			}
		case u < 52:
			author, name, m.quantFmt = g.user(), stem+"-"+pickStr(r, ggufQuants)+"-GGUF", "gguf-my-repo"
		case u < 58:
			author, name, m.quantFmt = g.user(), stem+"-GGUF", "gguf"
		case u < 66:
			author, name, m.quantFmt = g.user(), stem+"-AWQ", "awq"
		case u < 74:
			author, name, m.quantFmt = g.user(), stem+pickStr(r, []string{"-GPTQ", "-GPTQ-Int4", "-4bit-GPTQ"}), "gptq"
		case u < 84:
			author, name, m.quantFmt = "mlx-community", stem+pickStr(r, []string{"-4bit", "-8bit", "-4bit", "-6bit"}), "mlx"
		case u < 88:
			author, name, m.quantFmt = "LoneStriker", stem+pickStr(r, []string{"-4.0bpw-h6-exl2", "-6.0bpw-h6-exl2", "-8.0bpw-h8-exl2"}), "exl2"
		case u < 91:
			author, name, m.quantFmt = g.user(), stem+"-exl2", "exl2"
		default:
			author, name, m.quantFmt = g.user(), stem+"-bnb-4bit", "bnb"
		}
	}
	if m.created < ggufSince && strings.HasSuffix(name, "GGUF") {
		// Before GGUF, llama.cpp quantizations were GGML repositories.
		name = strings.TrimSuffix(name, "GGUF") + "GGML"
		m.quantFmt = "ggml"
	}
	if fixedQuantizer(author) {
		if id := author + "/" + name; len(name) <= 90 && g.ids.add(id) {
			m.author, m.id = author, id
			return
		}
		// The account already quantized this name; someone else does it again.
		author = g.user()
	}
	m.author = author
	m.id = g.uniqueID(author, name)
}

func fixedQuantizer(author string) bool {
	switch author {
	case "bartowski", "mradermacher", "QuantFactory", "TheBloke", "mlx-community", "LoneStriker":
		return true
	}
	return false
}

func pickStr(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

func (g *gen) randomMod() uint8 {
	switch u := g.r.IntN(100); {
	case u < 58:
		return modText
	case u < 75:
		return modImage
	case u < 89:
		return modEncoder
	case u < 95:
		return modSpeech
	default:
		return modVision
	}
}

func (g *gen) randomArch(mod uint8) string {
	switch mod {
	case modText:
		return pickStr(g.r, textArchs)
	case modVision:
		return pickStr(g.r, []string{"qwen2_vl", "llava", "idefics3", "gemma3", "mllama"})
	case modEncoder:
		return pickStr(g.r, []string{"bert", "roberta", "xlm-roberta", "deberta-v2", "distilbert", "modernbert"})
	case modSpeech:
		return pickStr(g.r, []string{"whisper", "wav2vec2", "speecht5"})
	}
	return ""
}

// downloads draws a heavy-tailed download count; level 0 plain, 1 child,
// 2 foundation candidate, 3 official variant.
func (g *gen) downloads(level int) int {
	x := math.Exp(downloadsMu[level] + 2.2*g.r.NormFloat64())
	return int(min(x, 5e7))
}

// ---- id set ----

// idset is an open-addressing set of 64-bit hashes of lower-cased ids; it
// grows by doubling. A hash collision only adds a needless suffix.
type idset struct {
	slots []uint64
	n     int
}

func newIDSet(capacity int) idset {
	size := 1024
	for size < 2*capacity {
		size <<= 1
	}
	return idset{slots: make([]uint64, size)}
}

// add inserts id and reports whether it was new.
func (s *idset) add(id string) bool {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		c := id[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * 1099511628211
	}
	h = splitmix(h) | 1
	if 2*(s.n+1) > len(s.slots) {
		old := s.slots
		s.slots = make([]uint64, 2*len(old))
		for _, v := range old {
			if v != 0 {
				s.insert(v)
			}
		}
	}
	if !s.insert(h) {
		return false
	}
	s.n++
	return true
}

func (s *idset) insert(h uint64) bool {
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			return true
		case h:
			return false
		}
	}
}

// ---- tables ----

type famousVariant struct {
	id     string
	rel    int
	parent int // index into [foundation, variants...]
}

type famousFoundation struct {
	id, date, arch, license, size string
	mod                           uint8
	weight                        float64 // share among named foundations existing at the time
	variants                      []famousVariant
}

var famousFoundations = []famousFoundation{
	{id: "google-bert/bert-base-uncased", date: "2022-03-02T23:29:04Z", mod: modEncoder, arch: "bert", license: "apache-2.0", weight: 5},
	{id: "openai-community/gpt2", date: "2022-03-02T23:29:04Z", mod: modText, arch: "gpt2", license: "mit", weight: 3},
	{id: "FacebookAI/roberta-base", date: "2022-03-02T23:29:04Z", mod: modEncoder, arch: "roberta", license: "mit", weight: 2},
	{id: "openai/whisper-small", date: "2022-09-26T06:51:27Z", mod: modSpeech, arch: "whisper", license: "apache-2.0", weight: 3},
	{id: "runwayml/stable-diffusion-v1-5", date: "2022-10-19T23:38:35Z", mod: modImage, license: "creativeml-openrail-m", weight: 5},
	{id: "meta-llama/Llama-2-7b-hf", date: "2023-07-13T16:16:13Z", mod: modText, arch: "llama", license: "llama2", size: "7B", weight: 5,
		variants: []famousVariant{
			{"meta-llama/Llama-2-7b-chat-hf", relFinetune, 0},
			{"NousResearch/Llama-2-7b-chat-hf", relFinetune, 1},
			{"TheBloke/Llama-2-7B-Chat-GPTQ", relQuantized, 1},
		}},
	{id: "stabilityai/stable-diffusion-xl-base-1.0", date: "2023-07-25T13:25:51Z", mod: modImage, license: "openrail++", weight: 18},
	{id: "mistralai/Mistral-7B-v0.1", date: "2023-09-20T13:03:50Z", mod: modText, arch: "mistral", license: "apache-2.0", size: "7B", weight: 5,
		variants: []famousVariant{
			{"mistralai/Mistral-7B-Instruct-v0.1", relFinetune, 0},
			{"unsloth/mistral-7b-bnb-4bit", relQuantized, 0},
		}},
	{id: "meta-llama/Meta-Llama-3-8B", date: "2024-04-17T09:35:16Z", mod: modText, arch: "llama", license: "llama3", size: "8B", weight: 20,
		variants: []famousVariant{
			{"meta-llama/Meta-Llama-3-8B-Instruct", relFinetune, 0},
			{"unsloth/llama-3-8b-bnb-4bit", relQuantized, 0},
			{"unsloth/llama-3-8b-Instruct-bnb-4bit", relQuantized, 1},
		}},
	{id: "google/gemma-2-9b", date: "2024-06-24T08:05:41Z", mod: modText, arch: "gemma2", license: "gemma", size: "9B", weight: 3,
		variants: []famousVariant{
			{"google/gemma-2-9b-it", relFinetune, 0},
			{"unsloth/gemma-2-9b-it-bnb-4bit", relQuantized, 1},
		}},
	{id: "meta-llama/Llama-3.1-8B", date: "2024-07-14T22:20:15Z", mod: modText, arch: "llama", license: "llama3.1", size: "8B", weight: 60,
		variants: []famousVariant{
			{"meta-llama/Llama-3.1-8B-Instruct", relFinetune, 0},
			{"unsloth/Meta-Llama-3.1-8B-bnb-4bit", relQuantized, 0},
			{"unsloth/Meta-Llama-3.1-8B-Instruct", relFinetune, 1},
			{"unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit", relQuantized, 1},
		}},
	{id: "black-forest-labs/FLUX.1-dev", date: "2024-07-31T21:13:44Z", mod: modImage, arch: "flux", license: "other", weight: 45},
	{id: "Qwen/Qwen2.5-7B", date: "2024-09-15T12:17:40Z", mod: modText, arch: "qwen2", license: "apache-2.0", size: "7B", weight: 50,
		variants: []famousVariant{
			{"Qwen/Qwen2.5-7B-Instruct", relFinetune, 0},
			{"Qwen/Qwen2.5-7B-Instruct-AWQ", relQuantized, 1},
			{"Qwen/Qwen2.5-7B-Instruct-GGUF", relQuantized, 1},
			{"unsloth/Qwen2.5-7B-Instruct-bnb-4bit", relQuantized, 1},
		}},
	{id: "Qwen/Qwen2.5-0.5B", date: "2024-09-15T12:15:39Z", mod: modText, arch: "qwen2", license: "apache-2.0", size: "0.5B", weight: 6,
		variants: []famousVariant{
			{"Qwen/Qwen2.5-0.5B-Instruct", relFinetune, 0},
			{"unsloth/Qwen2.5-0.5B-Instruct", relFinetune, 1},
		}},
	{id: "meta-llama/Llama-3.2-1B", date: "2024-09-18T15:03:14Z", mod: modText, arch: "llama", license: "llama3.2", size: "1B", weight: 10,
		variants: []famousVariant{
			{"meta-llama/Llama-3.2-1B-Instruct", relFinetune, 0},
			{"unsloth/Llama-3.2-1B-Instruct", relFinetune, 1},
			{"unsloth/Llama-3.2-1B-Instruct-bnb-4bit", relQuantized, 2},
		}},
	{id: "HuggingFaceTB/SmolLM2-1.7B", date: "2024-10-31T13:42:06Z", mod: modText, arch: "llama", license: "apache-2.0", size: "1.7B", weight: 3,
		variants: []famousVariant{
			{"HuggingFaceTB/SmolLM2-1.7B-Instruct", relFinetune, 0},
			{"unsloth/SmolLM2-1.7B", relFinetune, 0},
			{"unsloth/SmolLM2-1.7B-Instruct", relFinetune, 1},
		}},
	{id: "deepseek-ai/DeepSeek-R1", date: "2025-01-20T03:46:07Z", mod: modText, arch: "deepseek_v3", license: "mit", size: "671B", weight: 3,
		variants: []famousVariant{
			{"unsloth/DeepSeek-R1-GGUF", relQuantized, 0},
		}},
	{id: "google/gemma-3-4b-pt", date: "2025-03-01T19:49:43Z", mod: modVision, arch: "gemma3", license: "gemma", size: "4B", weight: 3,
		variants: []famousVariant{
			{"google/gemma-3-4b-it", relFinetune, 0},
			{"unsloth/gemma-3-4b-it", relFinetune, 1},
			{"unsloth/gemma-3-4b-it-unsloth-bnb-4bit", relQuantized, 2},
		}},
	{id: "Qwen/Qwen3-8B-Base", date: "2025-04-28T03:48:31Z", mod: modText, arch: "qwen3", license: "apache-2.0", size: "8B", weight: 14,
		variants: []famousVariant{
			{"Qwen/Qwen3-8B", relFinetune, 0},
			{"unsloth/Qwen3-8B", relFinetune, 1},
			{"unsloth/Qwen3-8B-unsloth-bnb-4bit", relQuantized, 2},
		}},
}

var (
	syllables = []string{"ka", "lo", "mi", "ra", "zen", "tor", "vi", "nex", "ar", "el", "sun", "bo", "qi", "xu", "li", "an",
		"mar", "den", "sho", "yu", "ta", "ri", "co", "dex", "fa", "gu", "hi", "jo", "ku", "ne", "pe", "sa",
		"vo", "wen", "zhi", "ai", "ben", "cha", "do", "ev", "fin", "gal", "hu", "ix", "jin", "kai", "lu", "mo",
		"nor", "oz", "pi", "quan", "ro", "sig", "tu", "ul", "van", "wu", "xi", "yo", "za", "ber", "cy", "dra"}
	orgSuffixes = []string{"AI", "-ai", "-lab", "Labs", "Research", "-nlp", "-org", "hub"}
	words       = []string{"nova", "hermes", "dolphin", "orca", "zephyr", "falcon", "phoenix", "atlas", "nebula", "aurora",
		"titan", "sage", "echo", "vega", "lyra", "pixel", "quartz", "ember", "raven", "cobalt", "saga", "spark", "ocean",
		"storm", "comet", "lumen", "onyx", "forge", "cipher", "delta", "helix", "iris", "jade", "karma", "lotus", "mosaic",
		"nimbus", "opal", "prism", "quest", "rune", "sol", "tango", "umbra", "vertex", "willow", "xenon", "yeti", "zen",
		"anime", "portrait", "medical", "legal", "finance", "code", "math", "story", "chat", "tutor", "poet", "scholar"}
	sizes        = []string{"0.5B", "1B", "1.5B", "2B", "3B", "7B", "7B", "8B", "8B", "9B", "12B", "13B", "14B", "32B", "70B"}
	textArchs    = []string{"llama", "llama", "qwen2", "qwen2", "mistral", "gemma2", "phi3", "gpt2", "gpt_neox", "qwen3", "olmo2"}
	licenses     = []string{"apache-2.0", "apache-2.0", "mit", "mit", "other", "cc-by-nc-4.0", "openrail", "llama3.1", "gemma", "unknown"}
	languages    = []string{"en", "en", "en", "zh", "es", "fr", "de", "ja", "ko", "hi", "vi", "ar", "ru", "pt", "it"}
	datasets     = []string{"HuggingFaceH4/ultrachat_200k", "tatsu-lab/alpaca", "yahma/alpaca-cleaned", "argilla/dpo-mix-7k", "Open-Orca/OpenOrca", "openai/gsm8k", "fka/awesome-chatgpt-prompts", "imdb"}
	ftSuffixes   = []string{"sft", "dpo", "orpo", "grpo", "chat", "instruct", "it", "finetuned", "ft", "merged", "uncensored", "abliterated", "code", "math", "medical", "legal", "roleplay", "rp", "reasoning", "distill", "v2", "v0.3"}
	encoderTasks = []string{"imdb", "squad", "ner", "emotion", "sst2", "mrpc", "conll2003", "sentiment", "nli", "qa"}
	mergeMethods = []string{"slerp", "ties", "dare-ties", "model_stock", "linear", "della", "passthrough"}
	ggufQuants   = []string{"Q4_K_M", "Q4_K_M", "Q8_0", "Q5_K_M", "Q6_K", "Q4_0", "Q4_K_S", "Q5_K_S"}

	encoderPipelines = []string{"text-classification", "text-classification", "token-classification", "fill-mask", "sentence-similarity", "question-answering", "feature-extraction"}
)
