package recovery

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
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
	// quantizer namespaces; nil means lineage.DefaultOrigins().
	Origins *lineage.Origins
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
// other people's models, beyond the origins table's quantizer rows.
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
	origins *lineage.Origins
	ids     *strIndex // full ids
	names   *strIndex // name parts
	alt     *strIndex // name parts less a trailing -hf
	alias   *strIndex // meta-llama's names with the "Meta-" they had before the rename
	votes   pairCounts
	// agree counts, per child organisation (lower case), the declared
	// conversions whose name, less its format suffix, names a model, and of
	// them those that declare that model: how far the organisation's own
	// declarations follow its names.
	agree          map[string][2]int32
	agreeN, agreeT int             // over every organisation
	quantNS        map[string]bool // lower-case quantizer and re-upload namespaces
	stamp          []uint32        // visit stamps of the ancestor walk
	epoch          uint32
	stack          []graph.NodeID
	extra          map[graph.NodeID][]graph.NodeID // accepted proposals: child -> parents
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
	r := &recoverer{c: c, g: g, n: n, opt: opt, origins: opt.Origins, extra: map[graph.NodeID][]graph.NodeID{}}
	if r.origins == nil {
		r.origins = lineage.DefaultOrigins()
	}
	r.quantNS = map[string]bool{}
	for _, o := range quantizerOrgs {
		r.quantNS[strings.ToLower(o)] = true
	}
	for _, row := range r.origins.Rows() {
		note := strings.ToLower(row.Note)
		if strings.Contains(note, "quantiz") || strings.Contains(note, "conversion") || strings.Contains(note, "re-upload") {
			r.quantNS[strings.ToLower(row.Org)] = true
		}
	}
	all := func(graph.NodeID) bool { return true }
	r.ids = newStrIndex(n, c.Name, all)
	r.names = newStrIndex(n, func(v graph.NodeID) string { return namePart(c.Name(v)) }, all)
	r.alt = newStrIndex(n, func(v graph.NodeID) string { s, _ := hfLess(namePart(c.Name(v))); return s },
		func(v graph.NodeID) bool { _, ok := hfLess(namePart(c.Name(v))); return ok })
	// meta-llama renamed its Llama 3.1 repositories from Meta-Llama-3.1-*
	// to Llama-3.1-*; conversions kept the old name.
	r.alias = newStrIndex(n, func(v graph.NodeID) string { return metaToggled(namePart(c.Name(v))) },
		func(v graph.NodeID) bool { return strings.EqualFold(orgPart(c.Name(v)), "meta-llama") })
	r.votes = buildVotes(g, c)
	r.countAgreement()
	r.stamp = make([]uint32, n)
	return r
}

// countAgreement fills r.agree from the declared conversions.
func (r *recoverer) countAgreement() {
	r.agree = map[string][2]int32{}
	var buf []graph.NodeID
	for v := 0; v < r.n; v++ {
		ps, _ := r.g.In(graph.NodeID(v))
		if len(ps) == 0 {
			continue
		}
		id := r.c.Name(graph.NodeID(v))
		base, _, ok := lineage.SplitFormatSuffix(id)
		if !ok {
			continue
		}
		buf = r.lookupName(base, hashFold(base), buf)
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

// orgFactor scales the confidence of a name match for a child of org by
// how often that organisation's declared conversions name the model their
// name names, relative to the whole corpus (1 for an organisation with no
// declared conversions).
func (r *recoverer) orgFactor(org string) (float64, [2]int32) {
	if r.agreeT == 0 {
		return 1, [2]int32{}
	}
	p0 := float64(r.agreeN) / float64(r.agreeT)
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
// in its name, a weight-format tag, or a declared quantized parent.
func (r *recoverer) isConversion(v graph.NodeID) bool {
	if _, _, ok := lineage.SplitFormatSuffix(r.c.Name(v)); ok {
		return true
	}
	if r.c.Formats(v)&lineage.QuantFormats != 0 {
		return true
	}
	_, labs := r.g.In(v)
	for _, l := range labs {
		if rel, _ := lineage.LabelRelation(l); rel == lineage.Quantized {
			return true
		}
	}
	return false
}

func (r *recoverer) official(v graph.NodeID) bool {
	row, ok := r.origins.Lookup(orgPart(r.c.Name(v)))
	return ok && row.Kind != lineage.KindCommunity && !r.quantNS[strings.ToLower(row.Org)]
}

// candidate is a look-alike under consideration, with its ranking features.
type candidate struct {
	v          graph.NodeID
	sameOrg    bool
	exact      bool // found under its own name, not an alias
	hint       bool
	votes      int
	original   bool // neither a conversion nor in a quantizer or re-upload namespace
	conversion bool
	official   bool
	children   int
	created    int64
	downloads  int64
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
)

// pick ranks the candidates found under key for ch and returns the best
// and the rule that chose it, or ok=false when every candidate fails a
// guard.
func (r *recoverer) pick(ch *child, cands []graph.NodeID, key string, keyHash uint64, mode pickMode) (best graph.NodeID, rule Rule, ok bool) {
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
		cd := candidate{v: p, sameOrg: ch.org != "" && strings.EqualFold(orgPart(pid), ch.org) && !r.quantNS[strings.ToLower(ch.org)],
			votes: r.votes.count(keyHash, p), children: r.g.OutDegree(p),
			created: r.c.Created(p), downloads: r.c.Downloads(p), official: r.official(p)}
		if mode&wantEstablished != 0 && !cd.sameOrg && (orgPart(pid) == "" || cd.children == 0 && cd.votes == 0) {
			continue
		}
		if mode&wantOfficial != 0 && !cd.official {
			continue
		}
		if r.isAncestor(ch.v, p) {
			continue // ch is p's ancestor: p as its parent would close a cycle
		}
		cd.exact = strings.EqualFold(namePart(pid), key)
		cd.conversion = r.isConversion(p)
		cd.original = !r.quantNS[strings.ToLower(orgPart(pid))] && !cd.conversion
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

func parentsOf(g *graph.Graph, v graph.NodeID) []graph.NodeID {
	ps, _ := g.In(v)
	return ps
}

// lookupName returns the models whose name part is name (or, for a parent
// named NAME-hf, NAME), in id order.
func (r *recoverer) lookupName(name string, h uint64, buf []graph.NodeID) []graph.NodeID {
	buf = buf[:0]
	for v := r.names.first(name, h); v >= 0; v = r.names.after(v) {
		buf = append(buf, v)
	}
	for v := r.alt.first(name, h); v >= 0; v = r.alt.after(v) {
		if !slices.Contains(buf, v) {
			buf = append(buf, v)
		}
	}
	if hasPrefixFold(name, "meta-") || hasPrefixFold(name, "llama") {
		for v := r.alias.first(name, h); v >= 0; v = r.alias.after(v) {
			if !slices.Contains(buf, v) {
				buf = append(buf, v)
			}
		}
	}
	return buf
}

// embeddedID finds an existing id written into a name as ORG_NAME or
// ORG-NAME (bartowski/Org_Name-GGUF, fbaldassarri/Org_Name-autoround-int4).
func (r *recoverer) embeddedID(base string, self graph.NodeID) graph.NodeID {
	for _, sep := range []string{"_-_", "_", "-"} {
		for i := 1; i+len(sep) < len(base); i++ {
			if base[i:i+len(sep)] != sep {
				continue
			}
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

// lookupID resolves a hint value to a model of the corpus, or -1.
func (r *recoverer) lookupID(raw string) graph.NodeID {
	id, _, problem := lineage.NormalizeID(raw)
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

// Confidences of hints. They are not measured: none of the real data at
// hand has card bodies or repository files. An adapter_config.json names the
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
		tagEv = []Evidence{{KindTags, "tags: " + f.String()}}
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
	p.Evidence = append(p.Evidence, tagEv...)
	if ch.formats&lineage.QuantFormats != 0 && p.Relation == lineage.Quantized {
		p.Confidence = min(1, p.Confidence+(1-p.Confidence)/2)
	}
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
	base, suffix, conv := lineage.SplitFormatSuffix(name)
	quantNS := r.quantNS[strings.ToLower(ch.org)]
	mk := func(p graph.NodeID, m Match, rule Rule, detail string) Proposal {
		conf := nameConfidence[m][ruleClass(rule)]
		if m == MatchFormat || m == MatchEmbeddedID || m == MatchFormatPrefix {
			f, a := r.orgFactor(ch.org)
			if a[1] > 0 {
				detail += fmt.Sprintf("; %d of %d declared conversions by %s name the model their name names", a[0], a[1], ch.org)
			}
			conf = min(conf*f, 0.99)
		}
		return Proposal{Child: ch.v, Parent: p, Relation: relationOf(ch, m, quantNS), Match: m, Rule: rule,
			Confidence: conf, Evidence: []Evidence{{KindName, detail}}}
	}
	// The name embeds a full id.
	if p := r.embeddedID(base, ch.v); p >= 0 && !r.isAncestor(ch.v, p) {
		if cp := r.c.Created(p); !(ch.created > 0 && cp > 0 && cp > ch.created) {
			d := fmt.Sprintf("%q names %s", name, r.c.Name(p))
			if conv {
				d += fmt.Sprintf(" (format suffix %q)", suffix)
			}
			return mk(p, MatchEmbeddedID, RuleUnique, d), true
		}
		r.sum.TimeRejected++
	}
	if conv {
		// Name less its format suffix.
		h := hashFold(base)
		*bufp = r.lookupName(base, h, *bufp)
		n := len(*bufp)
		if p, rule, ok := r.pick(ch, *bufp, base, h, wantOriginal); ok {
			return mk(p, MatchFormat, rule, fmt.Sprintf("%q less format suffix %q is the name of %s (%s)", name, suffix, r.c.Name(p), r.ruleDetail(rule, n))), true
		}
		if p, pre, rule, n, ok := r.prefix(ch, base, bufp, wantOriginal|wantEstablished); ok {
			return mk(p, MatchFormatPrefix, rule, fmt.Sprintf("%q less format suffix %q starts with %q, the name of %s (%s)", name, suffix, pre, r.c.Name(p), r.ruleDetail(rule, n))), true
		}
		return Proposal{}, false
	}
	var mode pickMode
	if r.official(ch.v) {
		mode = wantOfficial
	}
	if p, how, ok := r.variant(ch, bufp); ok {
		return mk(p, MatchVariant, RuleOrg, fmt.Sprintf("%q is %s of %s, in the same organisation", name, how, r.c.Name(p))), true
	}
	h := hashFold(name)
	*bufp = r.lookupName(name, h, *bufp)
	if n := len(*bufp); n > 0 {
		if p, rule, ok := r.pick(ch, *bufp, name, h, mode); ok {
			// The same name: a copy of p (a conversion without a marker, a
			// re-upload), or p a copy of ch.
			pid := r.c.Name(p)
			copyOf := quantNS || ch.formats&lineage.QuantFormats != 0 || r.official(p) && !r.official(ch.v)
			if ps := parentsOf(r.g, p); !copyOf && len(ps) == 1 && !r.isAncestor(ch.v, ps[0]) && ps[0] != ch.v {
				// Which copies which is unknown; both descend from p's
				// parent, which a copied card names.
				gp := ps[0]
				if cp := r.c.Created(gp); !(ch.created > 0 && cp > 0 && cp > ch.created) {
					return mk(gp, MatchSibling, rule, fmt.Sprintf("%q is also the name of %s (%s), which declares %s", name, pid, r.ruleDetail(rule, n), r.c.Name(gp))), true
				}
			}
			return mk(p, MatchSame, rule, fmt.Sprintf("%q is also the name of %s (%s)", name, pid, r.ruleDetail(rule, n))), true
		}
	}
	if p, pre, rule, n, ok := r.prefix(ch, name, bufp, wantEstablished|mode); ok {
		return mk(p, MatchPrefix, rule, fmt.Sprintf("%q starts with %q, the name of %s (%s)", name, pre, r.c.Name(p), r.ruleDetail(rule, n))), true
	}
	if p, suf, rule, n, ok := r.suffix(ch, name, bufp, mode); ok {
		return mk(p, MatchSuffix, rule, fmt.Sprintf("%q ends with %q, the name of %s (%s)", name, suf, r.c.Name(p), r.ruleDetail(rule, n))), true
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
	if ch.org == "" || r.quantNS[strings.ToLower(ch.org)] {
		return -1, "", false
	}
	name := ch.name
	// NAME-hf is the Transformers conversion of NAME (Llama-2-7b-chat-hf).
	if base, ok := hfLess(name); ok && len(base) >= minPrefix {
		h := hashFold(base)
		*bufp = r.lookupName(base, h, *bufp)
		same := slices.DeleteFunc(*bufp, func(u graph.NodeID) bool { return !strings.EqualFold(orgPart(r.c.Name(u)), ch.org) })
		if p, _, ok := r.pick(ch, same, base, h, 0); ok {
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
				*bufp = r.lookupName(alt, h, *bufp)
				same := slices.DeleteFunc(*bufp, func(u graph.NodeID) bool { return !strings.EqualFold(orgPart(r.c.Name(u)), ch.org) })
				if p, _, ok := r.pick(ch, same, alt, h, 0); ok {
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
				*bufp = r.lookupName(alt, h, *bufp)
				same := slices.DeleteFunc(*bufp, func(u graph.NodeID) bool { return !strings.EqualFold(orgPart(r.c.Name(u)), ch.org) })
				if p, _, ok := r.pick(ch, same, alt, h, 0); ok {
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
		*bufp = r.lookupName(pre, h, *bufp)
		if len(*bufp) == 0 {
			continue
		}
		if p, rule, ok := r.pick(ch, *bufp, pre, h, mode); ok {
			return p, pre, rule, len(*bufp), true
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
		*bufp = r.lookupName(suf, h, *bufp)
		if len(*bufp) == 0 {
			continue
		}
		if p, rule, ok := r.pick(ch, *bufp, suf, h, wantEstablished|mode); ok {
			return p, suf, rule, len(*bufp), true
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
	var props []Proposal
	var buf []graph.NodeID
	for v := 0; v < r.n; v++ {
		if r.g.InDegree(graph.NodeID(v)) != 0 {
			continue
		}
		r.sum.Undeclared++
		var ps []Proposal
		ps, buf = r.propose(graph.NodeID(v), buf)
		props = append(props, ps...)
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
		return cmp.Or(cmp.Compare(b.Confidence, a.Confidence), r.cmpID(a.Child, b.Child), r.cmpID(a.Parent, b.Parent))
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
	x, y := r.c.Name(a), r.c.Name(b)
	if c := cmp.Compare(strings.ToLower(x), strings.ToLower(y)); c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}

// DefaultMinConfidence is the threshold the command applies by default.
const DefaultMinConfidence = 0.7
