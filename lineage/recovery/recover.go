package recovery

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/analytics"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// Evidence kinds.
const (
	KindName = "name" // the child's id matches the parent's once markers and conventions are removed
	KindTags = "tags" // the child's tags or library name mark a weight format or kind
	KindCard = "card" // a statement in the child's card body (mergekit, "fine-tuned from")
	KindFile = "file" // a value in one of the child's repository files
	KindTime = "time" // the creation dates agree: a guard, not a source
)

// Evidence is one reason for a proposal.
type Evidence struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// Match says how a proposal's parent was found, strongest first.
type Match uint8

// Matches.
const (
	MatchFile         Match = iota + 1 // a repository file names the parent (adapter_config.json, config.json)
	MatchCard                          // the card body names it (mergekit configuration, "fine-tuned from" link)
	MatchEmbeddedID                    // the child's name embeds the parent's full id: bartowski/Org_Name-GGUF
	MatchFormat                        // the child's name less a format suffix is the parent's name: Name-Q4_K_M-GGUF
	MatchFormatPrefix                  // the child's name less a format suffix starts with the parent's name
	MatchSame                          // the child has the parent's name (a re-upload or unmarked conversion)
	MatchSibling                       // the child has the name of a child of the parent (copies of one model)
	MatchVariant                       // in the same organisation, the child's name is the parent's with a tuning word: Name-Instruct of Name or Name-Base
	MatchPrefix                        // the child's name starts with the parent's name: Name-Instruct-DPO
	MatchSuffix                        // the child's name ends with the parent's name: French-Name
	numMatches
)

var matchNames = [numMatches]string{"", "file", "card", "embedded-id", "format", "format-prefix", "same-name", "sibling", "variant", "prefix", "suffix"}

func (m Match) String() string {
	if m < numMatches {
		return matchNames[m]
	}
	return fmt.Sprintf("match(%d)", m)
}

// Rule says what chose the parent among models with the same name (the
// look-alikes): the first rule, in this order, on which the best candidate
// beats the runner-up.
type Rule uint8

// Rules, in the order they are applied.
const (
	RuleUnique    Rule = iota // a single candidate passed the guards
	RuleOrg                   // the candidate in the child's own organisation (self-published conversions, own finetunes)
	RuleHint                  // the candidate a GGUF header's base model corroborates
	RuleVotes                 // more declared children named like the child (siblings point at it)
	RuleOriginal              // not itself a conversion nor in a quantizer or re-upload namespace
	RuleExact                 // the name itself, not an alias (NAME rather than NAME-hf, Meta-NAME)
	RuleOfficial              // an organisation of the origins table (not a community namespace)
	RuleChildren              // more declared children
	RuleEarliest              // created earlier (both dates known)
	RuleDownloads             // more downloads (both known)
	RuleTie                   // no rule separates them: the first id is taken, at a lower confidence
	numRules
)

var ruleNames = [numRules]string{"unique", "same-org", "gguf-header", "sibling-votes", "original", "exact-name", "official", "children", "earliest", "downloads", "tie"}

func (r Rule) String() string {
	if r < numRules {
		return ruleNames[r]
	}
	return fmt.Sprintf("rule(%d)", r)
}

// Proposal is a recovered edge: Parent is proposed as a parent of Child.
type Proposal struct {
	Child, Parent graph.NodeID
	Relation      lineage.Relation
	Confidence    float64
	Match         Match // how the parent was found
	Rule          Rule  // what chose it among look-alikes
	Evidence      []Evidence
}

// Options tune Recover.
type Options struct {
	// MinConfidence leaves out proposals below it (0 keeps all; the
	// command's default is DefaultMinConfidence).
	MinConfidence float64
	// Relations keeps only proposals of these relations; empty keeps all.
	Relations []lineage.Relation
	// Origins is the origins table that tells official organisations and
	// quantizer namespaces; nil means analytics.DefaultOrigins().
	Origins *analytics.Origins
}

// Summary counts what Recover did.
type Summary struct {
	Models        int            `json:"models"`
	Undeclared    int            `json:"undeclared"`     // models that declare no parent: the ones examined
	Proposed      int            `json:"proposed"`       // models that got at least one parent
	Edges         int            `json:"edges"`          // proposals kept
	ByRelation    map[string]int `json:"by_relation"`    // kept proposals by relation
	ByMatch       map[string]int `json:"by_match"`       // kept proposals by how the parent was found
	BelowMin      int            `json:"below_min"`      // proposals under MinConfidence, left out
	TimeRejected  int            `json:"time_rejected"`  // candidates newer than the child, never proposed
	CycleRejected int            `json:"cycle_rejected"` // proposals that would have closed a cycle
	MinConfidence float64        `json:"min_confidence"`
}

// Result is what Recover proposes.
type Result struct {
	// Proposals sorted by child id, then parent id (case-insensitively).
	Proposals []Proposal
	Summary   Summary
}

// Edges returns the proposals as edges for lineage.Store.WithEdges.
func (r Result) Edges() []lineage.RecoveredEdge {
	out := make([]lineage.RecoveredEdge, len(r.Proposals))
	for i, p := range r.Proposals {
		out[i] = lineage.RecoveredEdge{Parent: p.Parent, Child: p.Child, Relation: p.Relation, Confidence: p.Confidence}
	}
	return out
}

// quantizerOrgs are namespaces that publish conversions and re-uploads of
// other people's models, beyond the origins table's rehost rows (and rows
// whose note says quantizer, conversions or re-uploads).
var quantizerOrgs = []string{
	"TheBloke", "bartowski", "mradermacher", "mlx-community", "lmstudio-community", "QuantFactory",
	"LoneStriker", "second-state", "RichardErkhov", "tensorblock", "NikolayKozloff", "Triangle104",
	"DevQuasar", "MaziyarPanahi", "legraphista", "solidrust", "unsloth", "TheBlokeAI",
	"ModelCloud", "RedHatAI", "neuralmagic", "fbaldassarri", "PrunaAI", "QuantTrio", "turboderp",
	"mlc-ai", "OpenVINO", "onnx-community", "Xenova", "Felladrin", "backyardai", "featherless-ai-quants",
	"ggml-org", "gaianet", "itlwas", "matrixportal", "AlejandroOlmedo",
}

// recoverer holds the indexes of one corpus.
type recoverer struct {
	c       Corpus
	g       *graph.Graph
	n       int
	opt     Options
	origins *analytics.Origins
	ids     *strIndex   // full ids
	names   *groupIndex // name parts
	alt     *groupIndex // name parts less a trailing -hf
	alias   *groupIndex // meta-llama's names with the "Meta-" they had before the rename
	votes   pairCounts
	// agree counts, per child organisation (lower case), the declared
	// conversions whose name, less its format suffix, names a model, and of
	// them those that declare that model: how far the organisation's own
	// declarations follow its names.
	agree          map[string][2]int32
	agreeN, agreeT int              // over every organisation
	orgKinds       map[uint64]uint8 // hashFold(org) -> orgOfficial | orgQuantizer
	orgFlag        []uint8          // per model: its organisation's kind
	baseLen        []uint16         // per model: the length of its name part less a format suffix; noSuffix when none
	stamp          []uint32         // visit stamps of the ancestor walk
	epoch          uint32
	stack          []graph.NodeID
	extra          map[graph.NodeID][]graph.NodeID // accepted proposals: child -> parents
	cache          *rankCache                      // rankings of names with many look-alikes, shared by the workers
	sum            Summary
}

func namePart(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

func orgPart(id string) string {
	if i := strings.IndexByte(id, '/'); i >= 0 {
		return id[:i]
	}
	return ""
}

// hfLess returns name less a trailing "-hf" or "_hf", and whether it had one.
func hfLess(name string) (string, bool) {
	if len(name) > 3 && (name[len(name)-3] == '-' || name[len(name)-3] == '_') && strings.EqualFold(name[len(name)-2:], "hf") {
		return name[:len(name)-3], true
	}
	return name, false
}

func newRecoverer(c Corpus, opt Options) *recoverer {
	g := c.Graph()
	n := g.NumNodes()
	r := &recoverer{c: c, g: g, n: n, opt: opt, origins: opt.Origins, extra: map[graph.NodeID][]graph.NodeID{}, cache: &rankCache{m: map[candKey]*rankEntry{}}}
	if r.origins == nil {
		r.origins = analytics.DefaultOrigins()
	}
	r.orgKinds = map[uint64]uint8{}
	for _, o := range quantizerOrgs {
		r.orgKinds[hashFold(o)] |= orgQuantizer
	}
	for _, row := range r.origins.Rows() {
		note := strings.ToLower(row.Note)
		if row.Kind == analytics.KindRehost || strings.Contains(note, "quantiz") || strings.Contains(note, "conversion") || strings.Contains(note, "re-upload") {
			r.orgKinds[hashFold(row.Org)] |= orgQuantizer
		}
	}
	for _, row := range r.origins.Rows() {
		if h := hashFold(row.Org); row.Kind != analytics.KindCommunity && r.orgKinds[h]&orgQuantizer == 0 {
			r.orgKinds[h] |= orgOfficial
		}
	}
	r.orgFlag = make([]uint8, n)
	r.baseLen = make([]uint16, n)
	parallel(n, func(lo, hi int) {
		for v := lo; v < hi; v++ {
			id := c.Name(graph.NodeID(v))
			r.orgFlag[v] = r.orgKind(orgPart(id))
			r.baseLen[v] = noSuffix
			if base, _, ok := lineage.SplitFormatSuffix(id); ok && len(base) < int(noSuffix) {
				r.baseLen[v] = uint16(len(base))
			}
		}
	})
	all := func(graph.NodeID) bool { return true }
	r.ids = newStrIndex(n, c.Name, all)
	r.names = newGroupIndex(n, func(v graph.NodeID) string { return namePart(c.Name(v)) }, all)
	r.alt = newGroupIndex(n, func(v graph.NodeID) string { s, _ := hfLess(namePart(c.Name(v))); return s },
		func(v graph.NodeID) bool { _, ok := hfLess(namePart(c.Name(v))); return ok })
	// meta-llama renamed its Llama 3.1 repositories from Meta-Llama-3.1-*
	// to Llama-3.1-*; conversions kept the old name.
	r.alias = newGroupIndex(n, func(v graph.NodeID) string { return metaToggled(namePart(c.Name(v))) },
		func(v graph.NodeID) bool { return strings.EqualFold(orgPart(c.Name(v)), "meta-llama") })
	r.votes = buildVotes(g, c)
	r.countAgreement()
	r.stamp = make([]uint32, n) // for finish; each worker has its own
	return r
}

// countAgreement fills r.agree from the declared conversions.
func (r *recoverer) countAgreement() {
	r.agree = map[string][2]int32{}
	var scratch []graph.NodeID
	for v := 0; v < r.n; v++ {
		ps, _ := r.g.In(graph.NodeID(v))
		if len(ps) == 0 {
			continue
		}
		id := r.c.Name(graph.NodeID(v))
		base, _, ok := r.splitSuffix(graph.NodeID(v))
		if !ok {
			continue
		}
		buf := r.lookupName(base, hashFold(base), &scratch)
		named := false
		for _, u := range buf {
			if u != graph.NodeID(v) {
				named = true
			}
		}
		if !named {
			continue
		}
		yes := false
		for _, p := range ps {
			yes = yes || slices.Contains(buf, p)
		}
		org := strings.ToLower(orgPart(id))
		a := r.agree[org]
		a[1]++
		r.agreeT++
		if yes {
			a[0]++
			r.agreeN++
		}
		r.agree[org] = a
	}
}

// agreementPrior is how many declarations of the corpus-wide rate an
// organisation's own rate is smoothed with.
const agreementPrior = 10

// canKeep reports whether a proposal of match m for ch could reach
// MinConfidence at all: when it cannot, the match is not searched for (the
// searches run last, so skipping them changes no kept proposal).
func (r *recoverer) canKeep(ch *child, m Match) bool {
	u := slices.Max(nameConfidence[m][:])
	if m == MatchFormat || m == MatchEmbeddedID || m == MatchFormatPrefix {
		f, _ := r.orgFactor(ch.org)
		u = min(u*f, 0.99)
	}
	if ch.formats&lineage.QuantFormats != 0 {
		u += (1 - u) / 2
	}
	return u >= r.opt.MinConfidence
}

// orgFactor scales the confidence of a name match for a child of org by
// how often that organisation's declared conversions name the model their
// name names, relative to the whole corpus (1 for an organisation with no
// declared conversions).
func (r *recoverer) orgFactor(org string) (float64, [2]int32) {
	if r.agreeT == 0 {
		return 1, [2]int32{}
	}
	// Laplace's rule keeps the corpus rate off 0 and 1.
	p0 := (float64(r.agreeN) + 1) / (float64(r.agreeT) + 2)
	a := r.agree[strings.ToLower(org)]
	rate := (float64(a[0]) + agreementPrior*p0) / (float64(a[1]) + agreementPrior)
	return rate / p0, a
}

// maxVoteTokens caps the name prefixes a declared child votes with.
const maxVoteTokens = 12

// buildVotes files, for every declared edge p -> c, the pair (prefix, p)
// for each prefix of c's name part that ends at a separator, and the whole
// name part.
func buildVotes(g *graph.Graph, c Corpus) pairCounts {
	var keys []uint64
	for v := 0; v < g.NumNodes(); v++ {
		ps, _ := g.In(graph.NodeID(v))
		if len(ps) == 0 {
			continue
		}
		name := namePart(c.Name(graph.NodeID(v)))
		h := uint64(fnvOffset)
		k := 0
		for i := 0; i <= len(name); i++ {
			if i == len(name) || isSep(name[i]) {
				if i > 0 {
					for _, p := range ps {
						keys = append(keys, pairKey(h, p))
					}
				}
				if k++; k >= maxVoteTokens {
					break
				}
			}
			if i < len(name) {
				h = (h ^ uint64(foldByte(name[i]))) * fnvPrime
			}
		}
	}
	slices.Sort(keys)
	return pairCounts{keys: keys}
}

// metaToggled returns a meta-llama name with "Meta-" added, or removed
// when it has it: Meta renamed Meta-Llama-3.1-8B to Llama-3.1-8B, while
// Meta-Llama-3-8B kept it and copies often drop it (llama-3-8b).
func metaToggled(name string) string {
	if hasPrefixFold(name, "meta-") {
		return name[len("meta-"):]
	}
	return "Meta-" + name
}

func hasPrefixFold(s, p string) bool { return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) }

func isSep(b byte) bool { return b == '-' || b == '_' || b == '.' || b == ' ' }

// isAncestor reports whether a is v or an ancestor of v, along declared
// edges and the proposals accepted so far.
func (r *recoverer) isAncestor(a, v graph.NodeID) bool {
	r.epoch++
	if r.epoch == 0 {
		clear(r.stamp)
		r.epoch = 1
	}
	r.stack = append(r.stack[:0], v)
	r.stamp[v] = r.epoch
	for len(r.stack) > 0 {
		u := r.stack[len(r.stack)-1]
		r.stack = r.stack[:len(r.stack)-1]
		if u == a {
			return true
		}
		ps, _ := r.g.In(u)
		for _, p := range ps {
			if r.stamp[p] != r.epoch {
				r.stamp[p] = r.epoch
				r.stack = append(r.stack, p)
			}
		}
		if len(r.extra) == 0 {
			continue // while proposing: nothing accepted yet
		}
		for _, p := range r.extra[u] {
			if r.stamp[p] != r.epoch {
				r.stamp[p] = r.epoch
				r.stack = append(r.stack, p)
			}
		}
	}
	return false
}

// isConversion reports whether v is itself a conversion: a format suffix
// in its name, or a declared quantized parent in a quantizer namespace.
func (r *recoverer) isConversion(v graph.NodeID) bool {
	if r.baseLen[v] != noSuffix {
		return true
	}
	// Not its tags: originals often ship other formats too (google/gemma-7b
	// has a GGUF file, SmolLM2 ONNX weights). Nor a quantized relation
	// alone, which crawls hand out loosely (HuggingFaceTB/SmolLM2-1.7B-
	// Instruct is "quantized" from SmolLM2-1.7B in one): only in a
	// quantizer or re-upload namespace (mlx-community/NAME).
	if r.orgFlag[v]&orgQuantizer == 0 {
		return false
	}
	_, labs := r.g.In(v)
	for _, l := range labs {
		if rel, _ := lineage.LabelRelation(l); rel == lineage.Quantized {
			return true
		}
	}
	return false
}

// precisionOnly reports whether s is one full-precision word (fp16, bf16,
// f16, fp32, f32).
func precisionOnly(s string) bool {
	switch strings.ToLower(s) {
	case "fp16", "bf16", "f16", "fp32", "f32":
		return true
	}
	return false
}

// noSuffix marks a name with no format suffix in recoverer.baseLen.
const noSuffix = ^uint16(0)

// splitSuffix is lineage.SplitFormatSuffix of v's id, from the lengths
// computed once.
func (r *recoverer) splitSuffix(v graph.NodeID) (base, suffix string, ok bool) {
	name := namePart(r.c.Name(v))
	if r.baseLen[v] == noSuffix {
		return name, "", false
	}
	b := int(r.baseLen[v])
	return name[:b], name[b+1:], true
}

// parallel runs f over [0, n) in blocks on every processor.
func parallel(n int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), 8)
	if n < 1<<14 || workers < 2 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	step := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += step {
		wg.Add(1)
		go func(lo, hi int) { defer wg.Done(); f(lo, hi) }(lo, min(lo+step, n))
	}
	wg.Wait()
}

// Organisation kinds.
const (
	orgOfficial  uint8 = 1 << iota // in the origins table, not a community namespace nor a quantizer
	orgQuantizer                   // a quantizer or re-upload namespace
)

// orgKind returns the kind of an organisation.
func (r *recoverer) orgKind(org string) uint8 {
	if org == "" {
		return 0
	}
	return r.orgKinds[hashFold(org)]
}

// quantizer reports whether org is a quantizer or re-upload namespace.
func (r *recoverer) quantizer(org string) bool { return r.orgKind(org)&orgQuantizer != 0 }

// official reports whether v's organisation is in the origins table and
// neither a community namespace nor a quantizer.
func (r *recoverer) official(v graph.NodeID) bool { return r.orgFlag[v]&orgOfficial != 0 }

// candidate is a look-alike under consideration, with its ranking features.
type candidate struct {
	v           graph.NodeID
	sameOrg     bool
	exact       bool // found under its own name, not an alias
	established bool // has an organisation and declared children or sibling votes
	hint        bool
	votes       int
	original    bool // neither a conversion nor in a quantizer or re-upload namespace
	conversion  bool
	official    bool
	children    int
	created     int64
	downloads   int64
}

// compareCands orders candidates best first and returns the rule that
// decided. originalFirst moves the original-namespace rule before the
// sibling votes (for a conversion: its source is an original, while the
// children of a re-upload are often named like it).
func compareCands(a, b *candidate, originalFirst bool) (int, Rule) {
	boolCmp := func(x, y bool) int {
		if x == y {
			return 0
		}
		if x {
			return -1
		}
		return 1
	}
	if c := boolCmp(a.sameOrg, b.sameOrg); c != 0 {
		return c, RuleOrg
	}
	if c := boolCmp(a.hint, b.hint); c != 0 {
		return c, RuleHint
	}
	if originalFirst {
		if c := boolCmp(a.original, b.original); c != 0 {
			return c, RuleOriginal
		}
	}
	if c := cmp.Compare(b.votes, a.votes); c != 0 {
		return c, RuleVotes
	}
	if c := boolCmp(a.original, b.original); c != 0 {
		return c, RuleOriginal
	}
	if c := boolCmp(a.exact, b.exact); c != 0 {
		return c, RuleExact
	}
	if c := boolCmp(a.official, b.official); c != 0 {
		return c, RuleOfficial
	}
	if c := cmp.Compare(b.children, a.children); c != 0 {
		return c, RuleChildren
	}
	if a.created > 0 && b.created > 0 && a.created != b.created {
		return cmp.Compare(a.created, b.created), RuleEarliest
	}
	if a.downloads >= 0 && b.downloads >= 0 && a.downloads != b.downloads {
		return cmp.Compare(b.downloads, a.downloads), RuleDownloads
	}
	return 0, RuleTie
}

// child is what propose knows of the model it proposes parents for.
type child struct {
	v       graph.NodeID
	id      string
	org     string
	name    string
	formats lineage.Formats
	created int64
	gguf    []graph.NodeID // models a GGUF header names as base models
}

// pickMode says which look-alikes pick may choose.
type pickMode uint8

const (
	// wantOriginal: for a conversion, a look-alike that is itself a
	// conversion loses to any that is not.
	wantOriginal pickMode = 1 << iota
	// wantEstablished: for a partial (prefix or suffix) match, only a model
	// with an organisation that is already somebody's declared parent, or
	// that siblings named like the child point at, may be chosen: a name
	// part such as "llama3" or "test-model" is too common to be evidence.
	wantEstablished
	// wantOfficial: only a model of an organisation of the origins table
	// may be chosen (for a child of such an organisation, whose look-alikes
	// elsewhere are copies of it, not its sources).
	wantOfficial
	// notQuantizer: a look-alike in a quantizer or re-upload namespace may
	// not be chosen (for a same-named child outside one: the namespace's
	// model is a copy of the child, not its source).
	notQuantizer
)

// pick ranks the candidates found under key for ch and returns the best
// and the rule that chose it, or ok=false when every candidate fails a
// guard.
func (r *recoverer) pick(ch *child, cands []graph.NodeID, key string, keyHash uint64, mode pickMode) (best graph.NodeID, rule Rule, ok bool) {
	if len(cands) >= bigList && len(ch.gguf) == 0 {
		return r.pickCached(ch, cands, key, keyHash, mode)
	}
	return r.pickSlow(ch, cands, key, keyHash, mode)
}

// pickSlow ranks every candidate for ch.
func (r *recoverer) pickSlow(ch *child, cands []graph.NodeID, key string, keyHash uint64, mode pickMode) (best graph.NodeID, rule Rule, ok bool) {
	var cs []candidate
	for _, p := range cands {
		if p == ch.v {
			continue
		}
		if cp := r.c.Created(p); ch.created > 0 && cp > 0 && cp > ch.created {
			r.sum.TimeRejected++
			continue
		}
		pid := r.c.Name(p)
		// The same organisation: a model's own conversions and finetunes;
		// not in a quantizer or re-upload namespace, where the namespace's
		// look-alike is a copy too.
		cd := candidate{v: p, sameOrg: ch.org != "" && strings.EqualFold(orgPart(pid), ch.org) && !r.quantizer(ch.org),
			votes: r.votes.count(keyHash, p), children: r.g.OutDegree(p),
			created: r.c.Created(p), downloads: r.c.Downloads(p), official: r.official(p)}
		if mode&wantEstablished != 0 && !cd.sameOrg && (orgPart(pid) == "" || cd.children == 0 && cd.votes == 0) {
			continue
		}
		if mode&wantOfficial != 0 && !cd.official {
			continue
		}
		if mode&notQuantizer != 0 && r.orgFlag[p]&orgQuantizer != 0 {
			continue
		}
		if r.isAncestor(ch.v, p) {
			continue // ch is p's ancestor: p as its parent would close a cycle
		}
		cd.exact = strings.EqualFold(namePart(pid), key)
		cd.conversion = r.isConversion(p)
		cd.original = r.orgFlag[p]&orgQuantizer == 0 && !cd.conversion
		for _, h := range ch.gguf {
			if h == p || slices.Contains(parentsOf(r.g, p), h) {
				cd.hint = true
			}
		}
		cs = append(cs, cd)
	}
	if len(cs) == 0 {
		return -1, 0, false
	}
	// Official models derive from official models.
	if mode&wantOriginal != 0 {
		// A conversion is made from an original: look-alikes that are
		// conversions themselves lose to any that is not, outright.
		orig := slices.DeleteFunc(slices.Clone(cs), func(c candidate) bool { return c.conversion })
		if len(orig) > 0 {
			cs = orig
		}
	}
	if len(cs) == 1 {
		return cs[0].v, RuleUnique, true
	}
	first := mode&wantOriginal != 0
	slices.SortFunc(cs, func(a, b candidate) int {
		c, _ := compareCands(&a, &b, first)
		if c != 0 {
			return c
		}
		return r.cmpID(a.v, b.v)
	})
	_, rule = compareCands(&cs[0], &cs[1], first)
	return cs[0].v, rule, true
}

// bigList is the number of look-alikes from which pick ranks them once per
// name (pickCached) instead of once per child.
var bigList = 16

// keyCands is the ranking of the look-alikes under one name and mode, by
// every rule that does not depend on the child, with the candidates of
// each organisation indexed.
type keyCands struct {
	cs    []candidate
	byOrg map[uint64][]int32 // hashFold(lower-case org) -> indices into cs, ascending
}

// candKey identifies a cached ranking.
type candKey struct {
	h    uint64 // the name
	mode pickMode
	n    int // the number of candidates: lookupName's list for the name
}

// sameOrgOK reports whether candidates in the child's organisation count
// as same-organisation ones (not in a quantizer or re-upload namespace).
func (r *recoverer) sameOrgOK(ch *child) bool {
	return ch.org != "" && !r.quantizer(ch.org)
}

// ranked returns the cached ranking of cands under key for mode.
func (r *recoverer) ranked(cands []graph.NodeID, key string, keyHash uint64, mode pickMode) *keyCands {
	ck := candKey{keyHash, mode, len(cands)}
	r.cache.mu.Lock()
	e := r.cache.m[ck]
	if e == nil {
		e = &rankEntry{}
		r.cache.m[ck] = e
	}
	r.cache.mu.Unlock()
	e.once.Do(func() { e.kc = r.rank(cands, key, keyHash, mode) })
	return e.kc
}

// rankCache holds the rankings of names with many look-alikes; each is
// made once, by the first worker that needs it.
type rankCache struct {
	mu sync.Mutex
	m  map[candKey]*rankEntry
}

type rankEntry struct {
	once sync.Once
	kc   *keyCands
}

// rank ranks cands under key for mode by the rules that do not depend on
// the child.
func (r *recoverer) rank(cands []graph.NodeID, key string, keyHash uint64, mode pickMode) *keyCands {
	kc := &keyCands{byOrg: map[uint64][]int32{}}
	for _, p := range cands {
		pid := r.c.Name(p)
		cd := candidate{v: p, votes: r.votes.count(keyHash, p), children: r.g.OutDegree(p),
			created: r.c.Created(p), downloads: r.c.Downloads(p), official: r.official(p)}
		if mode&wantOfficial != 0 && !cd.official {
			continue
		}
		if mode&notQuantizer != 0 && r.orgFlag[p]&orgQuantizer != 0 {
			continue
		}
		cd.established = orgPart(pid) != "" && (cd.children > 0 || cd.votes > 0)
		cd.exact = strings.EqualFold(namePart(pid), key)
		cd.conversion = r.isConversion(p)
		cd.original = r.orgFlag[p]&orgQuantizer == 0 && !cd.conversion
		kc.cs = append(kc.cs, cd)
	}
	first := mode&wantOriginal != 0
	slices.SortFunc(kc.cs, func(a, b candidate) int {
		if first && a.conversion != b.conversion {
			if a.conversion {
				return 1
			}
			return -1
		}
		c, _ := compareCands(&a, &b, first)
		if c != 0 {
			return c
		}
		return r.cmpID(a.v, b.v)
	})
	for i, cd := range kc.cs {
		h := hashFold(orgPart(r.c.Name(cd.v)))
		kc.byOrg[h] = append(kc.byOrg[h], int32(i))
	}
	return kc
}

// pickCached is pickSlow for many look-alikes: the ranking by the rules
// that do not depend on the child is made once per name; a child checks
// its guards along it and looks up its own organisation's look-alikes.
func (r *recoverer) pickCached(ch *child, cands []graph.NodeID, key string, keyHash uint64, mode pickMode) (graph.NodeID, Rule, bool) {
	kc := r.ranked(cands, key, keyHash, mode)
	sameOK := r.sameOrgOK(ch)
	var own []int32
	if sameOK {
		own = kc.byOrg[hashFold(ch.org)]
	}
	passes := func(i int, sameOrg bool) bool {
		cd := &kc.cs[i]
		if cd.v == ch.v {
			return false
		}
		if ch.created > 0 && cd.created > 0 && cd.created > ch.created {
			r.sum.TimeRejected++
			return false
		}
		if mode&wantEstablished != 0 && !sameOrg && !cd.established {
			return false
		}
		return !r.isAncestor(ch.v, cd.v)
	}
	isOwn := func(i int) bool { _, found := slices.BinarySearch(own, int32(i)); return found }
	// The first passing look-alike in the ranking, and the first passing
	// one of the child's organisation.
	f := -1
	for i := range kc.cs {
		if passes(i, isOwn(i)) {
			f = i
			break
		}
	}
	if f < 0 {
		return -1, 0, false
	}
	conv := kc.cs[f].conversion // with wantOriginal: conversions only if no original passes
	allowed := func(i int) bool { return mode&wantOriginal == 0 || kc.cs[i].conversion == conv }
	best := f
	bestOwn := isOwn(f)
	if !bestOwn {
		for _, i := range own {
			if int(i) != f && allowed(int(i)) && passes(int(i), true) {
				best, bestOwn = int(i), true
				break
			}
		}
	}
	// The runner-up: the next of the child's organisation after best, else
	// the first other passing one.
	second := -1
	if bestOwn {
		for _, i := range own {
			if int(i) > best && allowed(int(i)) && passes(int(i), true) {
				second = int(i)
				break
			}
		}
	}
	if second < 0 {
		for i := range kc.cs {
			if i != best && (!bestOwn || !isOwn(i)) && allowed(i) && passes(i, isOwn(i)) {
				second = i
				break
			}
		}
	}
	if second < 0 {
		return kc.cs[best].v, RuleUnique, true
	}
	a, b := kc.cs[best], kc.cs[second]
	a.sameOrg, b.sameOrg = bestOwn, isOwn(second)
	_, rule := compareCands(&a, &b, mode&wantOriginal != 0)
	return a.v, rule, true
}

func parentsOf(g *graph.Graph, v graph.NodeID) []graph.NodeID {
	ps, _ := g.In(v)
	return ps
}

// lookupName returns the models whose name part is name (or, for a parent
// named NAME-hf, NAME; for meta-llama, the name with or without "Meta-"),
// in id order. The result is the index's own slice when no alias adds to
// it, else built in buf: callers must not modify it.
func (r *recoverer) lookupName(name string, h uint64, scratch *[]graph.NodeID) []graph.NodeID {
	own := r.names.get(name, h)
	alt := r.alt.get(name, h)
	var alias []graph.NodeID
	if hasPrefixFold(name, "meta-") || hasPrefixFold(name, "llama") {
		alias = r.alias.get(name, h)
	}
	if len(alt) == 0 && len(alias) == 0 {
		return own
	}
	buf := append((*scratch)[:0], own...)
	for _, more := range [2][]graph.NodeID{alt, alias} {
		for _, v := range more {
			if !slices.Contains(buf, v) {
				buf = append(buf, v)
			}
		}
	}
	*scratch = buf
	return buf
}

// inOrg returns the models of cands in organisation org (a new slice).
func (r *recoverer) inOrg(cands []graph.NodeID, org string) []graph.NodeID {
	var out []graph.NodeID
	for _, u := range cands {
		if strings.EqualFold(orgPart(r.c.Name(u)), org) {
			out = append(out, u)
		}
	}
	return out
}

// embeddedID finds an existing id written into a name as ORG_NAME or
// ORG-NAME (bartowski/Org_Name-GGUF, fbaldassarri/Org_Name-autoround-int4).
func (r *recoverer) embeddedID(base string, self graph.NodeID, hyphen bool) graph.NodeID {
	for _, sep := range []string{"_-_", "_", "-"} {
		if sep == "-" && !hyphen {
			break
		}
		tried := 0
		for i := 1; i+len(sep) < len(base) && tried < 3; i++ {
			if base[i:i+len(sep)] != sep {
				continue
			}
			tried++ // an organisation name has at most a few separators
			org, name := base[:i], base[i+len(sep):]
			h := hashMore(hashMore(hashMore(fnvOffset, org), "/"), name)
			j := mix(h) & r.ids.mask
			for {
				u := r.ids.slots[j]
				if u < 0 {
					break
				}
				id := r.c.Name(graph.NodeID(u))
				if len(id) == len(org)+1+len(name) && strings.EqualFold(id[:i], org) && id[i] == '/' && strings.EqualFold(id[i+1:], name) {
					if graph.NodeID(u) != self {
						return graph.NodeID(u)
					}
					break
				}
				j = (j + 1) & r.ids.mask
			}
		}
	}
	return -1
}

// runStem returns name without a final run number: a separator and eight
// or more digits (a unix time or a date-time stamp).
func runStem(name string) (string, bool) {
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	if len(name)-i < 8 || i < 2 || !isSep(name[i-1]) {
		return "", false
	}
	return name[:i-1], true
}

// lookupID resolves a hint value to a model of the corpus, or -1.
func (r *recoverer) lookupID(raw string) graph.NodeID {
	id, _, problem := modelid.Normalize(raw)
	if problem != "" || id == "" {
		return -1
	}
	return r.ids.first(id, hashFold(id))
}

// ruleClass groups the look-alike rules by how much they settle.
func ruleClass(r Rule) int {
	switch r {
	case RuleUnique:
		return 0
	case RuleOrg, RuleHint:
		return 1
	case RuleExact:
		return 3
	case RuleVotes:
		return 2
	case RuleOriginal:
		return 3
	case RuleTie:
		return 5
	}
	return 4 // official, children, earliest, downloads: weak tie-breakers
}

// nameConfidence is the confidence of a name match, by match and rule
// class (unique; same organisation or GGUF header; sibling votes; original
// namespace; a weak tie-breaker; a tie). The values are the precision each
// cell showed on the development half of the hak crawl (families whose
// foundation id hashes even; 20% of single-parent declarations hidden,
// seeds 1-5), rounded down; the other half and the embedded sample check
// them (see TestRealData and the package documentation). A match that a
// format suffix or an embedded id makes is further scaled by the child
// organisation's own agreement rate (orgFactor).
var nameConfidence = [numMatches][6]float64{
	MatchEmbeddedID:   {0.92, 0.92, 0.92, 0.92, 0.6, 0.3},
	MatchFormat:       {0.87, 0.8, 0.78, 0.85, 0.3, 0.1},
	MatchFormatPrefix: {0.55, 0.3, 0.2, 0.3, 0.1, 0.05},
	MatchSame:         {0.6, 0.5, 0.45, 0.3, 0.1, 0.05},
	MatchSibling:      {0.7, 0.7, 0.75, 0.3, 0.4, 0.5},
	MatchVariant:      {0.75, 0.75, 0.75, 0.75, 0.75, 0.75},
	MatchPrefix:       {0.3, 0.5, 0.33, 0.3, 0.2, 0.05},
	MatchSuffix:       {0.25, 0.25, 0.45, 0.2, 0.2, 0.05},
}

// Confidences of hints, set by hand: the real data at hand has card bodies
// (the converted crawls' cards, where "fine-tuned from" links showed 0.98
// precision) but no repository files and few hidden merges. An
// adapter_config.json names the
// model the adapter was trained on, which is what the Hub's own base_model
// for an adapter is filled from; a config.json _name_or_path is often a
// local path or the model itself (both skipped) and otherwise where the
// weights were loaded from; a mergekit configuration lists the merged
// models.
const (
	confAdapterConfig = 0.95
	confConfigName    = 0.8
	confMergekit      = 0.9
	confMergeOne      = 0.6
	confLink          = 0.85
)

// adapterWords mark an adapter in a name.
var adapterWords = map[string]bool{"lora": true, "qlora": true, "adapter": true, "adapters": true, "peft": true}

func hasAdapterWord(name string) bool {
	start := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || isSep(name[i]) {
			if adapterWords[strings.ToLower(name[start:i])] {
				return true
			}
			start = i + 1
		}
	}
	return false
}

// relationOf chooses the relation of a name-matched proposal.
func relationOf(ch *child, m Match, quantNS bool) lineage.Relation {
	switch {
	case m == MatchFormat || m == MatchFormatPrefix:
		return lineage.Quantized
	case ch.formats&(lineage.FormatPEFT|lineage.FormatLoRA) != 0 || hasAdapterWord(ch.name):
		return lineage.Adapter
	case ch.formats&lineage.QuantFormats != 0:
		return lineage.Quantized
	case (m == MatchSame || m == MatchEmbeddedID) && quantNS:
		return lineage.Quantized
	}
	return lineage.Finetune
}

// propose returns the proposals for one undeclared model.
func (r *recoverer) propose(v graph.NodeID, buf []graph.NodeID) ([]Proposal, []graph.NodeID) {
	id := r.c.Name(v)
	ch := &child{v: v, id: id, org: orgPart(id), name: namePart(id), formats: r.c.Formats(v), created: r.c.Created(v)}
	var tagEv []Evidence
	if f := ch.formats; f != 0 {
		tagEv = []Evidence{{KindTags, f.String()}}
	}
	// Hints from files and the card body.
	var fileProps, cardProps []Proposal
	var merge []graph.NodeID
	for _, h := range r.c.Hints(v) {
		p := r.lookupID(h.Value)
		if p < 0 || p == v {
			continue
		}
		where := fmt.Sprintf("%s %s: %s", h.Source, h.Key, h.Value)
		switch h.Key {
		case lineage.HintAdapterBase:
			fileProps = append(fileProps, Proposal{Child: v, Parent: p, Relation: lineage.Adapter, Confidence: confAdapterConfig, Match: MatchFile, Evidence: []Evidence{{KindFile, where}}})
		case lineage.HintConfigName:
			rel := relationOf(ch, MatchFile, false)
			fileProps = append(fileProps, Proposal{Child: v, Parent: p, Relation: rel, Confidence: confConfigName, Match: MatchFile, Evidence: []Evidence{{KindFile, where}}})
		case lineage.HintGGUFBaseRepo, lineage.HintGGUFBaseName:
			// A GGUF header's base model is the base of the model that was
			// converted (llama.cpp copies it from that model's card), the
			// grandparent: it corroborates a look-alike, it names no parent.
			ch.gguf = append(ch.gguf, p)
		case lineage.HintMergeModel, lineage.HintMergeBase:
			if !slices.Contains(merge, p) {
				merge = append(merge, p)
			}
		case lineage.HintLinkFrom:
			cardProps = append(cardProps, Proposal{Child: v, Parent: p, Relation: relationOf(ch, MatchCard, false), Confidence: confLink, Match: MatchCard, Evidence: []Evidence{{KindCard, where}}})
		}
	}
	guard := func(ps []Proposal) []Proposal {
		out := ps[:0]
		for _, p := range ps {
			if cp := r.c.Created(p.Parent); ch.created > 0 && cp > 0 && cp > ch.created {
				r.sum.TimeRejected++
				continue
			}
			if r.isAncestor(v, p.Parent) {
				continue
			}
			out = append(out, p)
		}
		return out
	}
	if fp := guard(fileProps); len(fp) > 0 {
		best := fp[0]
		for _, p := range fp[1:] {
			if p.Confidence > best.Confidence {
				best = p
			}
		}
		best.Evidence = append(best.Evidence, tagEv...)
		return []Proposal{r.withTime(ch, best)}, buf
	}
	if len(merge) >= 2 {
		var out []Proposal
		for _, p := range merge {
			out = append(out, Proposal{Child: v, Parent: p, Relation: lineage.Merge, Confidence: confMergekit, Match: MatchCard,
				Evidence: []Evidence{{KindCard, fmt.Sprintf("mergekit configuration lists %s among %d models", r.c.Name(p), len(merge))}}})
		}
		if out = guard(out); len(out) >= 2 {
			for i := range out {
				out[i] = r.withTime(ch, out[i])
			}
			return out, buf
		}
	}
	if cp := guard(cardProps); len(cp) > 0 {
		best := cp[0]
		best.Evidence = append(best.Evidence, tagEv...)
		return []Proposal{r.withTime(ch, best)}, buf
	}
	if len(merge) == 1 {
		cardProps = guard([]Proposal{{Child: v, Parent: merge[0], Relation: lineage.Merge, Confidence: confMergeOne, Match: MatchCard,
			Evidence: []Evidence{{KindCard, "mergekit configuration names " + r.c.Name(merge[0]) + " (no other model of it is known)"}}}})
		if len(cardProps) > 0 {
			return []Proposal{r.withTime(ch, cardProps[0])}, buf
		}
	}
	p, ok := r.byName(ch, &buf)
	if !ok {
		return nil, buf
	}
	if p.Evidence == nil {
		return []Proposal{p}, buf // below MinConfidence: counted, not kept
	}
	p.Evidence = append(p.Evidence, tagEv...)
	return []Proposal{r.withTime(ch, p)}, buf
}

// withTime adds the time evidence when both dates are known.
func (r *recoverer) withTime(ch *child, p Proposal) Proposal {
	if cp := r.c.Created(p.Parent); ch.created > 0 && cp > 0 {
		p.Evidence = append(p.Evidence, Evidence{KindTime, fmt.Sprintf("parent created %s, child %s",
			time.Unix(cp, 0).UTC().Format("2006-01-02"), time.Unix(ch.created, 0).UTC().Format("2006-01-02"))})
	}
	return p
}

// byName finds a parent from the child's id alone.
func (r *recoverer) byName(ch *child, bufp *[]graph.NodeID) (Proposal, bool) {
	name := ch.name
	base, suffix, conv := r.splitSuffix(ch.v)
	quantNS := r.quantizer(ch.org)
	mk := func(p graph.NodeID, m Match, rule Rule, detail func() string) Proposal {
		conf := nameConfidence[m][ruleClass(rule)]
		var a [2]int32
		if m == MatchFormat || m == MatchEmbeddedID || m == MatchFormatPrefix {
			var f float64
			f, a = r.orgFactor(ch.org)
			conf = min(conf*f, 0.99)
		}
		rel := relationOf(ch, m, quantNS)
		if ch.formats&lineage.QuantFormats != 0 && rel == lineage.Quantized {
			conf = min(0.99, conf+(1-conf)/2) // the tags agree: a conversion
		}
		pr := Proposal{Child: ch.v, Parent: p, Relation: rel, Match: m, Rule: rule, Confidence: conf}
		if conf >= r.opt.MinConfidence {
			// Evidence is written only for what is kept.
			d := detail()
			if a[1] > 0 {
				d += fmt.Sprintf("; %d of %d declared conversions by %s name the model their name names", a[0], a[1], ch.org)
			}
			pr.Evidence = []Evidence{{KindName, d}}
		}
		return pr
	}
	// The name embeds a full id.
	// ORG-NAME (with a hyphen) only for conversions and in quantizer
	// namespaces (PrunaAI/Org-Name-...-smashed): elsewhere a hyphen
	// splits the model's own words.
	if p := r.embeddedID(base, ch.v, conv || quantNS); p >= 0 && !r.isAncestor(ch.v, p) {
		if cp := r.c.Created(p); !(ch.created > 0 && cp > 0 && cp > ch.created) {
			d := fmt.Sprintf("%q names %s", name, r.c.Name(p))
			if conv {
				d += fmt.Sprintf(" (format suffix %q)", suffix)
			}
			return mk(p, MatchEmbeddedID, RuleUnique, func() string { return d }), true
		}
		r.sum.TimeRejected++
	}
	// A training run's repository: ORG-NAME of the model trained on, then a
	// run number (a unix time: google-gemma-7b-1724585024, as
	// federated-training nodes name their adapters).
	if stem, ok := runStem(name); ok && !conv {
		if p := r.embeddedID(stem, ch.v, true); p >= 0 && !r.isAncestor(ch.v, p) {
			if cp := r.c.Created(p); !(ch.created > 0 && cp > 0 && cp > ch.created) {
				d := fmt.Sprintf("%q names %s followed by a run number", name, r.c.Name(p))
				return mk(p, MatchEmbeddedID, RuleUnique, func() string { return d }), true
			}
			r.sum.TimeRejected++
		}
	}
	if conv {
		// A conversion of a full-precision conversion keeps the precision in
		// its source's name (X-fp16-GGUF of X-fp16, X-bf16-GGUF of
		// X-bf16): such a source, when some model has its name, comes first.
		// (Other words of a suffix name sibling conversions: X-MLX of
		// X-MLX-4bit is no source.)
		for i := len(name) - 1; i > len(base); i-- {
			if !isSep(name[i]) || !precisionOnly(name[len(base)+1:i]) {
				continue
			}
			mid := name[:i]
			h := hashFold(mid)
			cands := r.lookupName(mid, h, bufp)
			if len(cands) == 0 {
				continue
			}
			n := len(cands)
			if p, rule, ok := r.pick(ch, cands, mid, h, wantOriginal); ok {
				rest := name[i+1:]
				return mk(p, MatchFormat, rule, func() string {
					return fmt.Sprintf("%q less format suffix %q is the name of %s (%s)", name, rest, r.c.Name(p), r.ruleDetail(rule, n))
				}), true
			}
		}
		// Name less its format suffix.
		h := hashFold(base)
		cands := r.lookupName(base, h, bufp)
		n := len(cands)
		if p, rule, ok := r.pick(ch, cands, base, h, wantOriginal); ok {
			return mk(p, MatchFormat, rule, func() string {
				return fmt.Sprintf("%q less format suffix %q is the name of %s (%s)", name, suffix, r.c.Name(p), r.ruleDetail(rule, n))
			}), true
		}
		if !r.canKeep(ch, MatchFormatPrefix) {
			return Proposal{}, false
		}
		if p, pre, rule, n, ok := r.prefix(ch, base, bufp, wantOriginal|wantEstablished); ok {
			return mk(p, MatchFormatPrefix, rule, func() string {
				return fmt.Sprintf("%q less format suffix %q starts with %q, the name of %s (%s)", name, suffix, pre, r.c.Name(p), r.ruleDetail(rule, n))
			}), true
		}
		return Proposal{}, false
	}
	var mode pickMode
	if r.official(ch.v) {
		mode = wantOfficial
	}
	if p, how, ok := r.variant(ch, bufp); ok {
		return mk(p, MatchVariant, RuleOrg, func() string { return fmt.Sprintf("%q is %s of %s, in the same organisation", name, how, r.c.Name(p)) }), true
	}
	h := hashFold(name)
	cands := r.lookupName(name, h, bufp)
	if n := len(cands); n > 0 {
		same := mode
		if !quantNS {
			same |= notQuantizer
		}
		if p, rule, ok := r.pick(ch, cands, name, h, same); ok {
			// The same name: a copy of p (a conversion without a marker, a
			// re-upload), or p a copy of ch.
			pid := r.c.Name(p)
			copyOf := quantNS || ch.formats&lineage.QuantFormats != 0 || r.official(p) && !r.official(ch.v)
			if ps := parentsOf(r.g, p); !copyOf && len(ps) == 1 && !r.isAncestor(ch.v, ps[0]) && ps[0] != ch.v {
				// Which copies which is unknown; both descend from p's
				// parent, which a copied card names.
				gp := ps[0]
				if cp := r.c.Created(gp); !(ch.created > 0 && cp > 0 && cp > ch.created) {
					return mk(gp, MatchSibling, rule, func() string {
						return fmt.Sprintf("%q is also the name of %s (%s), which declares %s", name, pid, r.ruleDetail(rule, n), r.c.Name(gp))
					}), true
				}
			}
			return mk(p, MatchSame, rule, func() string { return fmt.Sprintf("%q is also the name of %s (%s)", name, pid, r.ruleDetail(rule, n)) }), true
		}
	}
	if !r.canKeep(ch, MatchPrefix) && !r.canKeep(ch, MatchSuffix) {
		return Proposal{}, false // whatever the last matches find would be left out
	}
	if p, pre, rule, n, ok := r.prefix(ch, name, bufp, wantEstablished|mode); ok {
		return mk(p, MatchPrefix, rule, func() string {
			return fmt.Sprintf("%q starts with %q, the name of %s (%s)", name, pre, r.c.Name(p), r.ruleDetail(rule, n))
		}), true
	}
	if p, suf, rule, n, ok := r.suffix(ch, name, bufp, mode); ok {
		return mk(p, MatchSuffix, rule, func() string {
			return fmt.Sprintf("%q ends with %q, the name of %s (%s)", name, suf, r.c.Name(p), r.ruleDetail(rule, n))
		}), true
	}
	return Proposal{}, false
}

func (r *recoverer) ruleDetail(rule Rule, n int) string {
	if rule == RuleUnique {
		return "the only model of that name that passes the guards"
	}
	return fmt.Sprintf("chosen among %d look-alikes by rule %s", n, rule)
}

// tuningWords name a tuned variant of a base model in its own
// organisation's naming: Falcon3-1B-Instruct of Falcon3-1B-Base,
// deepseek-coder-6.7b-instruct of deepseek-coder-6.7b-base, gemma-2b-it of
// gemma-2b.
var tuningWords = map[string]bool{"instruct": true, "chat": true, "it": true}

// variant finds, in the child's own organisation, the model its name names
// with a tuning word removed or replaced by "base".
func (r *recoverer) variant(ch *child, bufp *[]graph.NodeID) (graph.NodeID, string, bool) {
	if ch.org == "" || r.quantizer(ch.org) {
		return -1, "", false
	}
	name := ch.name
	// NAME-hf is the Transformers conversion of NAME (Llama-2-7b-chat-hf).
	if base, ok := hfLess(name); ok && len(base) >= minPrefix {
		h := hashFold(base)
		cands := r.lookupName(base, h, bufp)
		same := r.inOrg(cands, ch.org)
		if p, _, ok := r.pickSlow(ch, same, base, h, 0); ok {
			return p, "the Transformers (-hf) conversion", true
		}
	}
	// Removing the word is safe only for an organisation of the origins
	// table (a user's X-Instruct is as often X's sibling as its child).
	official := r.official(ch.v)
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) && !isSep(name[i]) {
			continue
		}
		tok := name[start:i]
		if tuningWords[strings.ToLower(tok)] {
			var alts [2]string
			// without the word (and the separator before it, or after it
			// at the start)
			if !official {
			} else if start > 0 {
				alts[0] = name[:start-1] + name[i:]
			} else if i < len(name) {
				alts[0] = name[i+1:]
			}
			alts[1] = name[:start] + "base" + name[i:]
			for k, alt := range alts {
				if len(alt) < minPrefix {
					continue
				}
				h := hashFold(alt)
				cands := r.lookupName(alt, h, bufp)
				same := r.inOrg(cands, ch.org)
				if p, _, ok := r.pickSlow(ch, same, alt, h, 0); ok {
					return p, [2]string{"the " + tok + " variant", "the " + tok + " variant of the base"}[k], true
				}
			}
		}
		start = i + 1
	}
	if !official {
		return -1, "", false
	}
	// An organisation's domain variants: Qwen2.5-Coder-7B, Qwen2.5-Math-1.5B
	// of Qwen2.5-7B, Qwen2.5-1.5B: one word less, inside the name, names its
	// own model (a last word less is a sibling as often: X-Preview, X-DPO).
	start = 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) && !isSep(name[i]) {
			continue
		}
		tok := name[start:i]
		if start > 0 && i < len(name) && !allDigitsOrSize(tok) {
			alt := name[:start-1] + name[i:]
			if len(alt) >= minPrefix {
				h := hashFold(alt)
				cands := r.lookupName(alt, h, bufp)
				same := r.inOrg(cands, ch.org)
				if p, _, ok := r.pickSlow(ch, same, alt, h, 0); ok {
					return p, "the " + tok + " variant", true
				}
			}
		}
		start = i + 1
	}
	return -1, "", false
}

// allDigitsOrSize reports whether a name word is a number, a version or a
// size (7B, 1.5B, 128k, v2): removing it names another model, not a source.
func allDigitsOrSize(t string) bool {
	if t == "" {
		return true
	}
	l := strings.ToLower(t)
	if l[0] == 'v' && len(l) > 1 && l[1] >= '0' && l[1] <= '9' {
		return true
	}
	digits := 0
	for i := 0; i < len(l); i++ {
		if l[i] >= '0' && l[i] <= '9' {
			digits++
		}
	}
	return digits > 0 && digits+2 >= len(l)
}

// minPrefix is the shortest name a prefix or suffix match may use: shorter
// ones ("gpt", "bert", "test") are too common to point at one model.
const minPrefix = 6

// prefix finds the longest proper prefix of name, ending at a separator,
// that is the name of a model.
func (r *recoverer) prefix(ch *child, name string, bufp *[]graph.NodeID, mode pickMode) (graph.NodeID, string, Rule, int, bool) {
	for i := len(name) - 1; i >= minPrefix; i-- {
		if !isSep(name[i]) {
			continue
		}
		pre := name[:i]
		h := hashFold(pre)
		cands := r.lookupName(pre, h, bufp)
		if len(cands) == 0 {
			continue
		}
		if p, rule, ok := r.pick(ch, cands, pre, h, mode); ok {
			return p, pre, rule, len(cands), true
		}
	}
	return -1, "", 0, 0, false
}

// suffix finds the longest proper suffix of name, starting after a
// separator, that is the name of a model.
func (r *recoverer) suffix(ch *child, name string, bufp *[]graph.NodeID, mode pickMode) (graph.NodeID, string, Rule, int, bool) {
	for i := 0; i < len(name)-minPrefix; i++ {
		if !isSep(name[i]) {
			continue
		}
		suf := name[i+1:]
		h := hashFold(suf)
		cands := r.lookupName(suf, h, bufp)
		if len(cands) == 0 {
			continue
		}
		if p, rule, ok := r.pick(ch, cands, suf, h, wantEstablished|mode); ok {
			return p, suf, rule, len(cands), true
		}
	}
	return -1, "", 0, 0, false
}

// Recover proposes parents for every model of c that declares none
// (in-degree 0 in c's graph). Each proposal names a model of c, never an
// invented id; proposals never make a model its own ancestor (they are
// accepted in order of confidence, and one that would close a cycle with
// the declared edges and the proposals accepted before it is dropped). The
// result is deterministic.
func Recover(c Corpus, opt Options) Result {
	r := newRecoverer(c, opt)
	var orphans []graph.NodeID
	for v := 0; v < r.n; v++ {
		if r.g.InDegree(graph.NodeID(v)) == 0 {
			orphans = append(orphans, graph.NodeID(v))
		}
	}
	r.sum.Undeclared = len(orphans)
	// Blocks of orphans are proposed for in parallel, each worker with its
	// own walk stamps and ranking cache; the blocks are joined in order.
	const block = 1024
	blocks := make([][]Proposal, (len(orphans)+block-1)/block)
	workers := min(runtime.GOMAXPROCS(0), 8, max(1, len(blocks)))
	sums := make([]Summary, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wr := *r
		wr.stamp, wr.stack, wr.epoch = make([]uint32, r.n), nil, 0
		wr.sum = Summary{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []graph.NodeID
			for {
				b := int(next.Add(1) - 1)
				if b >= len(blocks) {
					break
				}
				var out []Proposal
				for _, v := range orphans[b*block : min((b+1)*block, len(orphans))] {
					var ps []Proposal
					ps, buf = wr.propose(v, buf)
					for _, p := range ps {
						if p.Confidence < opt.MinConfidence {
							wr.sum.BelowMin++ // not kept: its evidence was not even written
							continue
						}
						out = append(out, p)
					}
				}
				blocks[b] = out
			}
			sums[w] = wr.sum
		}()
	}
	wg.Wait()
	for _, sm := range sums {
		r.sum.TimeRejected += sm.TimeRejected
		r.sum.BelowMin += sm.BelowMin
	}
	var props []Proposal
	for _, b := range blocks {
		props = append(props, b...)
	}
	return r.finish(props)
}

// finish filters, guards and sorts the proposals.
func (r *recoverer) finish(props []Proposal) Result {
	kept := props[:0]
	for _, p := range props {
		if len(r.opt.Relations) > 0 && !slices.Contains(r.opt.Relations, p.Relation) {
			continue
		}
		if p.Confidence < r.opt.MinConfidence {
			r.sum.BelowMin++
			continue
		}
		kept = append(kept, p)
	}
	// Accept the most confident first: a proposal that would close a cycle
	// with those before it is dropped.
	slices.SortStableFunc(kept, func(a, b Proposal) int {
		// Ties by node id: deterministic for an input, and cheaper than
		// comparing names.
		return cmp.Or(cmp.Compare(b.Confidence, a.Confidence), cmp.Compare(a.Child, b.Child), cmp.Compare(a.Parent, b.Parent))
	})
	clear(r.extra)
	out := kept[:0]
	for _, p := range kept {
		if r.isAncestor(p.Child, p.Parent) {
			r.sum.CycleRejected++
			continue
		}
		r.extra[p.Child] = append(r.extra[p.Child], p.Parent)
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Proposal) int { return cmp.Or(r.cmpID(a.Child, b.Child), r.cmpID(a.Parent, b.Parent)) })
	s := &r.sum
	s.Models, s.Edges, s.MinConfidence = r.n, len(out), r.opt.MinConfidence
	s.ByRelation, s.ByMatch = map[string]int{}, map[string]int{}
	for i, p := range out {
		if i == 0 || p.Child != out[i-1].Child {
			s.Proposed++
		}
		s.ByRelation[p.Relation.String()]++
		s.ByMatch[p.Match.String()]++
	}
	return Result{Proposals: out, Summary: *s}
}

func (r *recoverer) cmpID(a, b graph.NodeID) int {
	if a == b {
		return 0
	}
	if c := compareFold(r.c.Name(a), r.c.Name(b)); c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}

// DefaultMinConfidence is the threshold the command applies by default.
const DefaultMinConfidence = 0.75

// RulesVersion names the version of the rules (conventions, evidence
// weights, candidate ranking and guards) that proposals come from. It
// changes whenever a change to them can change a proposal or its
// confidence, and manifests quote it, so a count made with recovered
// lineage says which rules made it.
const RulesVersion = "recovery-2026.12.1"

// compareFold compares ASCII-case-insensitively, without allocating.
func compareFold(x, y string) int {
	for i := 0; i < len(x) && i < len(y); i++ {
		if a, b := foldByte(x[i]), foldByte(y[i]); a != b {
			return cmp.Compare(a, b)
		}
	}
	return cmp.Compare(len(x), len(y))
}
