package analytics

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// Attribution says how a derivative built on several foundations is credited.
type Attribution uint8

const (
	// AttributionFull gives 1 to every foundation a derivative is built on.
	AttributionFull Attribution = iota
	// AttributionFractional gives 1/k to each of a derivative's k foundations.
	AttributionFractional
)

// ParseAttribution parses "full" (or "") and "fractional".
func ParseAttribution(s string) (Attribution, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "full":
		return AttributionFull, nil
	case "fractional":
		return AttributionFractional, nil
	}
	return 0, fmt.Errorf("%w: unknown attribution %q (want full or fractional)", lineage.ErrUsage, s)
}

func (a Attribution) String() string {
	if a == AttributionFractional {
		return "fractional"
	}
	return "full"
}

// Rule states the attribution rule in one sentence, for output footers.
func (a Attribution) Rule() string {
	if a == AttributionFractional {
		return "a derivative built on k foundations gives 1/k to each; shares sum to 100%"
	}
	return "a derivative counts once for every foundation it is built on (as in rank); shares may sum to more than 100%"
}

// GroupBy selects what foundations are grouped by.
type GroupBy uint8

const (
	// ByCountry groups foundations by their organisation's country.
	ByCountry GroupBy = iota
	// ByOrg groups foundations by organisation (the origins table's name).
	ByOrg
	// ByFoundation keeps every foundation apart.
	ByFoundation
)

// ParseGroupBy parses "country", "org" and "foundation".
func ParseGroupBy(s string) (GroupBy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "country":
		return ByCountry, nil
	case "org", "organisation", "organization":
		return ByOrg, nil
	case "foundation":
		return ByFoundation, nil
	}
	return 0, fmt.Errorf("%w: unknown grouping %q (want country, org or foundation)", lineage.ErrUsage, s)
}

func (g GroupBy) String() string {
	switch g {
	case ByOrg:
		return "org"
	case ByFoundation:
		return "foundation"
	}
	return "country"
}

// Scope selects what an Analysis counts.
type Scope struct {
	// Labels selects the edges followed from foundations to derivatives
	// (graph.AllLabels: every relation). Foundations are the models with
	// no parent at all, as in Store.Rank.
	Labels graph.LabelSet
	// Attribution is the credit rule.
	Attribution Attribution
	// From and To bound the derivatives' creation time to [From, To); a
	// zero bound is open. With either bound set, derivatives of unknown
	// creation time are left out (and counted in Manifest.Undated).
	From, To time.Time
	// Rehosted, when set, names the model a foundation in a re-host
	// namespace (an origins row of kind rehost) re-hosts, such as the
	// parent recovered lineage proposes for an undeclared re-upload. Such
	// a foundation is then placed (country, organisation) where that
	// model is; a re-host of a re-host is followed up to
	// maxRehostHops. Without it, or when it answers false, a re-hosted
	// foundation stays Unknown and Coverage counts its derivatives.
	Rehosted func(v graph.NodeID) (graph.NodeID, bool)
	// Recovered describes the recovered lineage added to the store (see
	// lineage/recovery), for the manifest; nil when there is none.
	// Recovered edges are edges of the graph like any other: a model
	// whose only parent is recovered counts as a derivative of that
	// parent's foundations.
	Recovered *RecoveredLineage
}

// RecoveredLineage is what recovered lineage added to a store: the
// threshold, the version of the rules that proposed the edges and their
// number. Its JSON form is the manifests' "recovered" object.
type RecoveredLineage struct {
	MinConfidence float64 `json:"min_confidence"`
	Rules         string  `json:"rules"`
	Edges         int     `json:"edges"`
}

// maxRehostHops bounds the chain of re-hosts Scope.Rehosted is followed along.
const maxRehostHops = 8

func (sc Scope) windowed() bool { return !sc.From.IsZero() || !sc.To.IsZero() }

// Analysis is a store with every derivative credited to its foundations,
// ready to be aggregated. Build it with NewAnalysis; it is immutable.
type Analysis struct {
	s  *lineage.Store
	o  *Origins
	sc Scope

	roots   []graph.NodeID // foundations with at least one derivative along the labels
	rootKey [3][]string    // group key of each root, per GroupBy
	// rootAt is the model whose organisation places each root: the root
	// itself, or the model a re-hosted root re-hosts (Scope.Rehosted).
	rootAt []graph.NodeID
	// rootRehost marks roots in a re-host namespace that Scope.Rehosted
	// did not place.
	rootRehost []bool
	resolved   int            // re-hosted roots placed through Scope.Rehosted
	off        []int32        // foundations of derivative d: fnd[off[d]:off[d+1]]
	fnd        []int32        // indexes into roots
	counted    []graph.NodeID // derivatives inside the window, by NodeID

	derivatives, undated, outside, notReached int

	newestOnce sync.Once
	newestTime time.Time
}

// NewAnalysis credits every derivative of s to its foundations within sc,
// placing foundations with the origins table o (nil: DefaultOrigins).
// Work is proportional to the number of (foundation, derivative) pairs.
func New(s *lineage.Store, o *Origins, sc Scope) *Analysis {
	if o == nil {
		o = DefaultOrigins()
	}
	if sc.Labels == 0 {
		sc.Labels = graph.AllLabels
	}
	g := s.G
	n := g.NumNodes()
	a := &Analysis{s: s, o: o, sc: sc}

	// One traversal per foundation with a visited set reset in O(1) by a
	// generation stamp; pairs are collected, then laid out by derivative.
	stamp := make([]int32, n)
	var gen int32
	var stack []graph.NodeID
	var pd, pr []int32
	for v := 0; v < n; v++ {
		f := graph.NodeID(v)
		if g.InDegree(f) != 0 || g.OutDegree(f) == 0 {
			continue
		}
		gen++
		stamp[f] = gen
		stack = append(stack[:0], f)
		ri := int32(len(a.roots))
		found := false
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			nb, lab := g.Out(u)
			for i, w := range nb {
				if !sc.Labels.Has(lab[i]) || stamp[w] == gen {
					continue
				}
				stamp[w] = gen
				stack = append(stack, w)
				pd = append(pd, int32(w))
				pr = append(pr, ri)
				found = true
			}
		}
		if found {
			a.roots = append(a.roots, f)
		}
	}
	a.off = make([]int32, n+1)
	for _, d := range pd {
		a.off[d+1]++
	}
	for v := 0; v < n; v++ {
		a.off[v+1] += a.off[v]
	}
	a.fnd = make([]int32, len(pd))
	fill := slices.Clone(a.off[:n])
	for i, d := range pd {
		a.fnd[fill[d]] = pr[i]
		fill[d]++
	}
	for v := 0; v < n; v++ {
		d := graph.NodeID(v)
		fs := a.fnd[a.off[d]:a.off[d+1]]
		if len(fs) == 0 {
			if g.InDegree(d) > 0 {
				a.notReached++
			}
			continue
		}
		slices.Sort(fs) // roots are in NodeID order, so this is too
		a.derivatives++
		c := s.CreatedUnix(d)
		if c == 0 {
			a.undated++
			if sc.windowed() {
				continue
			}
		} else if sc.windowed() {
			t := time.Unix(c, 0)
			if !sc.From.IsZero() && t.Before(sc.From) || !sc.To.IsZero() && !t.Before(sc.To) {
				a.outside++
				continue
			}
		}
		a.counted = append(a.counted, d)
	}
	a.rootAt = make([]graph.NodeID, len(a.roots))
	a.rootRehost = make([]bool, len(a.roots))
	for i, f := range a.roots {
		at := f
		if o.IsRehost(s.Name(f)) {
			at = a.rehostOrigin(f)
			if at == f {
				a.rootRehost[i] = true
			} else {
				a.resolved++
			}
		}
		a.rootAt[i] = at
	}
	for by := range a.rootKey {
		keys := make([]string, len(a.roots))
		for i := range a.roots {
			keys[i] = a.key(GroupBy(by), i)
		}
		a.rootKey[by] = keys
	}
	return a
}

// rehostOrigin follows Scope.Rehosted from the re-hosted foundation f to
// a model outside a re-host namespace; it returns f when there is none.
func (a *Analysis) rehostOrigin(f graph.NodeID) graph.NodeID {
	if a.sc.Rehosted == nil {
		return f
	}
	at := f
	for range maxRehostHops {
		t, ok := a.sc.Rehosted(at)
		if !ok || t == at || t < 0 || int(t) >= a.s.NumModels() {
			return f
		}
		if !a.o.IsRehost(a.s.Name(t)) {
			return t
		}
		at = t
	}
	return f
}

// key returns the group of root i.
func (a *Analysis) key(by GroupBy, i int) string {
	if by == ByFoundation {
		return a.s.Name(a.roots[i])
	}
	if a.rootRehost[i] {
		return Unknown
	}
	id := a.s.Name(a.rootAt[i])
	if by == ByOrg {
		return a.o.OrgName(id)
	}
	return a.o.Country(id)
}

// weight returns the credit each foundation of d receives.
func (a *Analysis) weight(d graph.NodeID) float64 {
	if a.sc.Attribution == AttributionFractional {
		if k := a.off[d+1] - a.off[d]; k > 0 {
			return 1 / float64(k)
		}
	}
	return 1
}

// Foundations returns the foundations derivative d is built on along the
// scope's relations, by NodeID (none for a foundation or a model no
// foundation reaches).
func (a *Analysis) Foundations(d graph.NodeID) []graph.NodeID {
	out := make([]graph.NodeID, 0, a.off[d+1]-a.off[d])
	for _, ri := range a.fnd[a.off[d]:a.off[d+1]] {
		out = append(out, a.roots[ri])
	}
	return out
}

// Counted returns the number of derivatives counted: those reached from a
// foundation along the relations and, with a window, created inside it.
// It is the denominator of every share.
func (a *Analysis) Counted() int { return len(a.counted) }

// Origins returns the origins table in use.
func (a *Analysis) Origins() *Origins { return a.o }

// Scope returns the analysis scope.
func (a *Analysis) Scope() Scope { return a.sc }

// round6 rounds credits and shares so that floating-point summation order
// never shows in output.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// share returns x/n, rounded finely enough that thousands of shares still
// add up to 1 within 1e-5.
func share(x float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return math.Round(x/float64(n)*1e9) / 1e9
}

// GroupShare is one group's credit.
type GroupShare struct {
	// Key is the group: a country code, an organisation name, a
	// foundation id, Unknown, or Other for groups folded by TopGroups.
	Key string `json:"key"`
	// Name is the country's name (ByCountry only).
	Name string `json:"name,omitempty"`
	// Country is the organisation's country (ByOrg only; Unknown when none).
	Country string `json:"country,omitempty"`
	// Derivatives is the group's credit: a count under full attribution,
	// a sum of fractions under fractional attribution.
	Derivatives float64 `json:"derivatives"`
	// Share is Derivatives over the number of derivatives counted.
	Share float64 `json:"share"`
	// Foundations counts the group's foundations with a counted derivative.
	Foundations int `json:"foundations,omitempty"`
	// TopFoundation is the group's foundation with the most credit.
	TopFoundation string `json:"top_foundation,omitempty"`
	// HubOrgs lists the Hub organisations of the group's foundations (ByOrg).
	HubOrgs []string `json:"hub_orgs,omitempty"`

	// Downloads, DownloadsAllTime, Likes and PageRank are the group's
	// figure in a ranking by that measure (RankBy), nil otherwise: the
	// credit of its derivatives' figures, or the PageRank of its
	// foundations. FigureShare is the figure over the total of the
	// ranking (GroupRanking.Total).
	Downloads        *float64 `json:"downloads,omitempty"`
	DownloadsAllTime *float64 `json:"downloads_all_time,omitempty"`
	Likes            *float64 `json:"likes,omitempty"`
	PageRank         *float64 `json:"pagerank,omitempty"`
	FigureShare      *float64 `json:"figure_share,omitempty"`
}

// figure returns a pointer to the group's figure field for m (nil for
// descendants).
func (g *GroupShare) figure(m lineage.Measure) **float64 {
	switch m {
	case lineage.MeasureDownloads:
		return &g.Downloads
	case lineage.MeasureDownloadsAllTime:
		return &g.DownloadsAllTime
	case lineage.MeasureLikes:
		return &g.Likes
	case lineage.MeasurePageRank:
		return &g.PageRank
	}
	return nil
}

// Figure returns the group's figure in a ranking by a measure other than
// descendants, and whether it has one.
func (g GroupShare) Figure() (float64, bool) {
	for _, m := range lineage.Measures {
		if f := g.figure(m); f != nil && *f != nil {
			return **f, true
		}
	}
	return 0, false
}

// Other is the key of the groups TopGroups folds together.
const Other = "other"

// GroupRanking is the credit of every group of foundations.
type GroupRanking struct {
	By          string       `json:"by"`
	Derivatives int          `json:"derivatives"` // derivatives counted: the share denominator
	Groups      []GroupShare `json:"groups"`      // by credit descending, then key

	// Measure is the measure of RankBy (MeasureDescendants for Rank).
	Measure lineage.Measure `json:"-"`
	// Total is the figure of the whole ranking, the denominator of
	// FigureShare: the sum of the counted derivatives' figures (each once),
	// or of the PageRank of the foundations with a counted derivative.
	Total float64 `json:"-"`
	// Unknown counts the counted derivatives whose figure is unknown
	// (counted as 0) in a ranking by a summed measure.
	Unknown int `json:"-"`
}

// Rank aggregates the credit of every foundation by group: by country,
// organisation or foundation. Groups are sorted by credit descending, then
// key case-insensitively; Unknown takes its place like any other group.
func (a *Analysis) Rank(by GroupBy) GroupRanking {
	credit := make([]float64, len(a.roots))
	for _, d := range a.counted {
		w := a.weight(d)
		for _, ri := range a.fnd[a.off[d]:a.off[d+1]] {
			credit[ri] += w
		}
	}
	keys := a.rootKey[by]
	idx := map[string]int{}
	var groups []GroupShare
	best := map[string]int{} // group -> root index of its top foundation
	orgs := map[string]map[string]bool{}
	for ri, c := range credit {
		if c == 0 {
			continue
		}
		k := keys[ri]
		i, ok := idx[k]
		if !ok {
			i = len(groups)
			idx[k] = i
			groups = append(groups, GroupShare{Key: k})
			best[k] = ri
			orgs[k] = map[string]bool{}
		}
		groups[i].Derivatives += c
		groups[i].Foundations++
		if b := best[k]; c > credit[b] || c == credit[b] && modelid.Compare(a.s.Name(a.roots[ri]), a.s.Name(a.roots[b])) < 0 {
			best[k] = ri
		}
		orgs[k][OrgOf(a.s.Name(a.roots[ri]))] = true
	}
	for i := range groups {
		g := &groups[i]
		g.Derivatives = round6(g.Derivatives)
		g.Share = share(g.Derivatives, len(a.counted))
		g.TopFoundation = a.s.Name(a.roots[best[g.Key]])
		switch by {
		case ByCountry:
			g.Name = CountryName(g.Key)
		case ByOrg:
			for o := range orgs[g.Key] {
				if g.Key != Unknown { // the unknown bucket would list every unplaced org
					g.HubOrgs = append(g.HubOrgs, o)
				}
			}
			slices.SortFunc(g.HubOrgs, modelid.Compare)
			g.Country = Unknown
			if g.Key != Unknown {
				g.Country = a.o.Country(a.s.Name(a.rootAt[best[g.Key]]))
			}
		case ByFoundation:
			g.TopFoundation = ""
		}
	}
	sortGroups(groups)
	return GroupRanking{By: by.String(), Derivatives: len(a.counted), Groups: nonNilSlice(groups)}
}

// RankBy is Rank by a measure. By a summed measure (downloads, all-time
// downloads, likes) a group's figure is the credit of its counted
// derivatives' figures: each derivative's figure (unknown as 0, and
// counted in Unknown) credited to its foundations by the attribution rule,
// as the derivative itself is. By PageRank it is the sum of the PageRank
// (Store.PageRank along the scope's relations) of the group's foundations
// with a counted derivative; the attribution does not apply. Groups are
// the same as Rank's, sorted by figure descending, then key
// case-insensitively; TopFoundation is the foundation with the largest
// figure. MeasureDescendants is Rank.
//
// Errors: PageRank with a window wraps lineage.ErrUsage (a window selects
// derivatives; PageRank is a measure of the whole graph); a summed measure
// on a graph-only store wraps lineage.ErrNoMetadata.
func (a *Analysis) RankBy(by GroupBy, m lineage.Measure) (GroupRanking, error) {
	r := a.Rank(by)
	if m == lineage.MeasureDescendants {
		return r, nil
	}
	switch {
	case m == lineage.MeasurePageRank && a.sc.windowed():
		return r, fmt.Errorf("%w: a date window selects derivatives; PageRank is a measure of the whole graph and takes none", lineage.ErrUsage)
	case m.Summed() && a.s.GraphOnly():
		return r, fmt.Errorf("rank by %s: %w", m, lineage.ErrNoMetadata)
	case !m.Summed() && m != lineage.MeasurePageRank:
		return r, fmt.Errorf("%w: unknown measure %d", lineage.ErrUsage, m)
	}
	r.Measure = m
	fig := make([]float64, len(a.roots))
	hasCounted := make([]bool, len(a.roots))
	for _, d := range a.counted {
		for _, ri := range a.fnd[a.off[d]:a.off[d+1]] {
			hasCounted[ri] = true
		}
	}
	if m == lineage.MeasurePageRank {
		pr := a.s.PageRank(a.sc.Labels)
		for ri, f := range a.roots {
			if hasCounted[ri] {
				fig[ri] = pr[f]
				r.Total += pr[f]
			}
		}
		r.Total = lineage.RoundPageRank(r.Total)
	} else {
		for _, d := range a.counted {
			x := a.s.Figure(m, d)
			if x < 0 {
				r.Unknown++
				continue
			}
			r.Total += float64(x)
			w := a.weight(d) * float64(x)
			for _, ri := range a.fnd[a.off[d]:a.off[d+1]] {
				fig[ri] += w
			}
		}
	}
	keys := a.rootKey[by]
	sum := map[string]float64{}
	best := map[string]int{}
	for ri, ok := range hasCounted {
		if !ok {
			continue
		}
		k := keys[ri]
		sum[k] += fig[ri]
		if b, seen := best[k]; !seen || fig[ri] > fig[b] || fig[ri] == fig[b] && modelid.Compare(a.s.Name(a.roots[ri]), a.s.Name(a.roots[b])) < 0 {
			best[k] = ri
		}
	}
	round := round6
	if m == lineage.MeasurePageRank {
		round = lineage.RoundPageRank
	}
	for i := range r.Groups {
		g := &r.Groups[i]
		x, sh := round(sum[g.Key]), 0.0
		if r.Total > 0 {
			// PageRank's share is of the rounded figures: gonum starts
			// its power iteration from a random vector, so only the
			// PageRankDigits digits are the same from run to run.
			num := sum[g.Key]
			if m == lineage.MeasurePageRank {
				num = x
			}
			sh = math.Round(num/r.Total*1e9) / 1e9
		}
		*g.figure(m) = &x
		g.FigureShare = &sh
		if by != ByFoundation {
			g.TopFoundation = a.s.Name(a.roots[best[g.Key]])
		}
	}
	slices.SortFunc(r.Groups, func(x, y GroupShare) int {
		fx, _ := x.Figure()
		fy, _ := y.Figure()
		return cmp.Or(cmp.Compare(fy, fx), modelid.Compare(x.Key, y.Key))
	})
	r.Total = round(r.Total)
	return r, nil
}

func sortGroups(gs []GroupShare) {
	slices.SortFunc(gs, func(x, y GroupShare) int {
		return cmp.Or(cmp.Compare(y.Derivatives, x.Derivatives), modelid.Compare(x.Key, y.Key))
	})
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// TopGroups returns the first n groups (n <= 0: all) and the Unknown group
// wherever it ranks, with the rest folded into one Other group (omitted
// when empty), so that shares still add up.
func TopGroups(gs []GroupShare, n int, denominator int) []GroupShare {
	if n <= 0 || len(gs) <= n {
		return gs
	}
	var out []GroupShare
	other := GroupShare{Key: Other}
	var fig, figShare float64
	measure := lineage.MeasureDescendants
	for i, g := range gs {
		switch {
		case i < n:
			out = append(out, g)
		case g.Key == Unknown:
			out = append(out, g)
		default:
			other.Derivatives += g.Derivatives
			other.Foundations += g.Foundations
			for _, m := range lineage.Measures {
				if f := g.figure(m); f != nil && *f != nil {
					measure = m
					fig += **f
					if g.FigureShare != nil {
						figShare += *g.FigureShare
					}
				}
			}
		}
	}
	if other.Derivatives > 0 {
		other.Derivatives = round6(other.Derivatives)
		other.Share = share(other.Derivatives, denominator)
		if measure != lineage.MeasureDescendants {
			if measure == lineage.MeasurePageRank {
				fig = lineage.RoundPageRank(fig)
			} else {
				fig = round6(fig)
			}
			figShare = math.Round(figShare*1e9) / 1e9
			*other.figure(measure) = &fig
			other.FigureShare = &figShare
		}
		out = append(out, other)
	}
	return out
}

// Reasons a foundation's country is unknown (UnknownOrg.Reason).
const (
	// ReasonNotInTable: the foundation's organisation is not in the
	// origins table (or the id has no organisation).
	ReasonNotInTable = "not in table"
	// ReasonNoCountry: its row states no country (a personal account, a
	// collaboration without a single home).
	ReasonNoCountry = "no country"
	// ReasonRehost: it is in a re-host namespace and Scope.Rehosted did
	// not place it.
	ReasonRehost = "rehost"
)

// Coverage says how much of an analysis the origins table places, and
// which organisations it misses.
type Coverage struct {
	// Derivatives is the number of derivatives counted.
	Derivatives int `json:"derivatives"`
	// Known is the number of derivatives whose foundation's country is
	// known, a derivative built on k foundations counting 1/k for each
	// (whatever the attribution); KnownShare is Known over Derivatives.
	Known      float64 `json:"known"`
	KnownShare float64 `json:"known_share"`
	// UnderRehost counts the derivatives built on at least one foundation
	// in a re-host namespace that is not placed; RehostFoundations counts
	// those foundations and ResolvedRehosts the re-hosted foundations
	// Scope.Rehosted placed.
	UnderRehost       int `json:"under_rehost"`
	RehostFoundations int `json:"rehost_foundations"`
	ResolvedRehosts   int `json:"resolved_rehosts"`
	// UnknownOrgs counts the Hub organisations of foundations whose
	// country is unknown; Unknown lists the first of them, by derivatives
	// descending, then organisation case-insensitively.
	UnknownOrgs int          `json:"unknown_orgs"`
	Unknown     []UnknownOrg `json:"unknown"`
}

// UnknownOrg is a Hub organisation whose foundations have no known country.
type UnknownOrg struct {
	// Org is the Hub namespace as spelled by its top foundation; "" for
	// legacy ids without one.
	Org    string `json:"org"`
	Reason string `json:"reason"` // ReasonNotInTable, ReasonNoCountry or ReasonRehost
	// Derivatives counts the distinct derivatives built on its foundations.
	Derivatives int `json:"derivatives"`
	// Foundations counts its foundations with a counted derivative.
	Foundations   int    `json:"foundations"`
	TopFoundation string `json:"top_foundation"`
}

// Coverage measures the share of derivatives whose foundation's country
// is known and lists the top organisations (top <= 0: all) of foundations
// whose country is not.
func (a *Analysis) Coverage(top int) Coverage {
	c := Coverage{Derivatives: len(a.counted), ResolvedRehosts: a.resolved}
	keys := a.rootKey[ByCountry]
	perRoot := make([]int, len(a.roots))
	var known float64
	for _, d := range a.counted {
		fs := a.fnd[a.off[d]:a.off[d+1]]
		n, rehost := 0, false
		for _, ri := range fs {
			perRoot[ri]++
			if keys[ri] != Unknown {
				n++
			}
			rehost = rehost || a.rootRehost[ri]
		}
		known += float64(n) / float64(len(fs))
		if rehost {
			c.UnderRehost++
		}
	}
	c.Known = round6(known)
	c.KnownShare = share(known, len(a.counted))

	// Unknown roots by Hub organisation (case-insensitively); a
	// derivative counts once per organisation.
	orgOf := make([]int, len(a.roots))
	var orgs []UnknownOrg
	idx := map[string]int{}
	best := []int{}
	for ri := range a.roots {
		orgOf[ri] = -1
		if keys[ri] != Unknown || perRoot[ri] == 0 {
			continue
		}
		if a.rootRehost[ri] {
			c.RehostFoundations++
		}
		// The organisation that places the root: its own, or that of the
		// model Scope.Rehosted says it re-hosts.
		at := a.s.Name(a.rootAt[ri])
		k := strings.ToLower(OrgOf(at))
		i, ok := idx[k]
		if !ok {
			i = len(orgs)
			idx[k] = i
			orgs = append(orgs, UnknownOrg{Reason: a.unknownReason(ri)})
			best = append(best, ri)
		}
		orgOf[ri] = i
		orgs[i].Foundations++
		if b := best[i]; perRoot[ri] > perRoot[b] || perRoot[ri] == perRoot[b] && modelid.Compare(at, a.s.Name(a.rootAt[b])) < 0 {
			best[i] = ri
		}
	}
	last := make([]graph.NodeID, len(orgs))
	for i := range last {
		last[i] = -1
	}
	for _, d := range a.counted {
		for _, ri := range a.fnd[a.off[d]:a.off[d+1]] {
			if i := orgOf[ri]; i >= 0 && last[i] != d {
				last[i] = d
				orgs[i].Derivatives++
			}
		}
	}
	for i := range orgs {
		name := a.s.Name(a.rootAt[best[i]])
		orgs[i].Org, orgs[i].TopFoundation = OrgOf(name), name
	}
	slices.SortFunc(orgs, func(x, y UnknownOrg) int {
		return cmp.Or(cmp.Compare(y.Derivatives, x.Derivatives), modelid.Compare(x.Org, y.Org))
	})
	c.UnknownOrgs = len(orgs)
	if top > 0 && len(orgs) > top {
		orgs = orgs[:top]
	}
	c.Unknown = nonNilSlice(orgs)
	return c
}

// unknownReason says why root ri has no known country.
func (a *Analysis) unknownReason(ri int) string {
	if a.rootRehost[ri] {
		return ReasonRehost
	}
	if _, ok := a.o.Lookup(OrgOf(a.s.Name(a.rootAt[ri]))); ok {
		return ReasonNoCountry
	}
	return ReasonNotInTable
}

// OriginCell is one cell of the cross-origin matrix: derivatives authored
// in one country built on foundations of another.
type OriginCell struct {
	Author      string  `json:"author_country"`
	Foundation  string  `json:"foundation_country"`
	Derivatives float64 `json:"derivatives"`    // credit
	ShareOfRow  float64 `json:"share_of_row"`   // of the author country's derivatives
	ShareOfAll  float64 `json:"share_of_total"` // of every derivative with a known author country
}

// OriginRow is one author country of the cross-origin matrix.
type OriginRow struct {
	Country     string  `json:"author_country"`
	Name        string  `json:"name"`
	Derivatives int     `json:"derivatives"` // distinct derivatives authored there
	Share       float64 `json:"share"`       // of every derivative with a known author country
}

// OriginMatrix answers "who builds on whom" by country: for derivatives
// whose author organisation (the id's prefix) has a known country, the
// credit of each (author country, foundation country) pair.
type OriginMatrix struct {
	Derivatives int `json:"derivatives"` // derivatives counted
	// KnownAuthor counts the derivatives in the matrix: their author
	// organisation has a country in the origins table.
	KnownAuthor int `json:"known_author"`
	// AuthorNotInTable counts derivatives whose author organisation is not
	// in the origins table; AuthorNoCountry those whose row has no country.
	// Both are left out of the matrix; their share of Derivatives is
	// UnknownAuthorShare.
	AuthorNotInTable   int          `json:"author_not_in_table"`
	AuthorNoCountry    int          `json:"author_without_country"`
	UnknownAuthorShare float64      `json:"unknown_author_share"`
	Rows               []OriginRow  `json:"rows"`                 // by derivatives descending
	Columns            []string     `json:"foundation_countries"` // by credit descending, Unknown last
	Cells              []OriginCell `json:"cells"`                // non-zero cells, by row then column order
}

// authorCountry returns the author country of d, or "" with the reason.
func (a *Analysis) authorCountry(d graph.NodeID) (country string, inTable bool) {
	r, ok := a.o.Lookup(OrgOf(a.s.Name(d)))
	return r.Country, ok
}

// Matrix computes the cross-origin matrix.
func (a *Analysis) Matrix() OriginMatrix {
	m := OriginMatrix{Derivatives: len(a.counted)}
	rows := map[string]int{}
	cols := map[string]float64{}
	cells := map[[2]string]float64{}
	keys := a.rootKey[ByCountry]
	for _, d := range a.counted {
		ac, inTable := a.authorCountry(d)
		switch {
		case !inTable:
			m.AuthorNotInTable++
			continue
		case ac == "":
			m.AuthorNoCountry++
			continue
		}
		m.KnownAuthor++
		rows[ac]++
		w := a.weight(d)
		for _, ri := range a.fnd[a.off[d]:a.off[d+1]] {
			cells[[2]string{ac, keys[ri]}] += w
			cols[keys[ri]] += w
		}
	}
	m.UnknownAuthorShare = share(float64(m.AuthorNotInTable+m.AuthorNoCountry), m.Derivatives)
	for c, n := range rows {
		m.Rows = append(m.Rows, OriginRow{Country: c, Name: CountryName(c), Derivatives: n, Share: share(float64(n), m.KnownAuthor)})
	}
	slices.SortFunc(m.Rows, func(x, y OriginRow) int {
		return cmp.Or(cmp.Compare(y.Derivatives, x.Derivatives), strings.Compare(x.Country, y.Country))
	})
	for c := range cols {
		m.Columns = append(m.Columns, c)
	}
	sortKeysUnknownLast(m.Columns, func(k string) float64 { return cols[k] })
	for _, r := range m.Rows {
		for _, c := range m.Columns {
			if x, ok := cells[[2]string{r.Country, c}]; ok {
				m.Cells = append(m.Cells, OriginCell{Author: r.Country, Foundation: c, Derivatives: round6(x),
					ShareOfRow: share(x, r.Derivatives), ShareOfAll: share(x, m.KnownAuthor)})
			}
		}
	}
	m.Rows, m.Columns, m.Cells = nonNilSlice(m.Rows), nonNilSlice(m.Columns), nonNilSlice(m.Cells)
	return m
}

// CellModel is one derivative of a matrix cell.
type CellModel struct {
	ID          string   `json:"id"`
	Created     string   `json:"created,omitempty"`     // YYYY-MM-DD
	Foundations []string `json:"foundations"`           // its foundations of the cell's country
	Derivatives float64  `json:"derivatives,omitempty"` // its credit to the cell
}

// CellModels lists the derivatives of the cell (author country, foundation
// country), by id case-insensitively. Country codes are matched
// case-insensitively; Unknown is a valid foundation country.
func (a *Analysis) CellModels(author, foundation string) []CellModel {
	author, foundation = normCountry(author), normCountry(foundation)
	keys := a.rootKey[ByCountry]
	var out []CellModel
	for _, d := range a.counted {
		if ac, _ := a.authorCountry(d); ac == "" || ac != author {
			continue
		}
		w := a.weight(d)
		var cm CellModel
		for _, ri := range a.fnd[a.off[d]:a.off[d+1]] {
			if keys[ri] == foundation {
				cm.Foundations = append(cm.Foundations, a.s.Name(a.roots[ri]))
				cm.Derivatives += w
			}
		}
		if cm.Foundations == nil {
			continue
		}
		cm.ID = a.s.Name(d)
		cm.Derivatives = round6(cm.Derivatives)
		if t := a.s.Created(d); !t.IsZero() {
			cm.Created = t.Format(time.DateOnly)
		}
		slices.SortFunc(cm.Foundations, modelid.Compare)
		out = append(out, cm)
	}
	slices.SortFunc(out, func(x, y CellModel) int { return modelid.Compare(x.ID, y.ID) })
	return nonNilSlice(out)
}

func normCountry(c string) string {
	c = strings.TrimSpace(c)
	if strings.EqualFold(c, Unknown) {
		return Unknown
	}
	return strings.ToUpper(c)
}

// TimelineMonth is one month of new derivatives.
type TimelineMonth struct {
	Month       string       `json:"month"`       // YYYY-MM
	Derivatives int          `json:"derivatives"` // new derivatives that month
	Groups      []GroupShare `json:"groups"`      // credit per group, share of the month's derivatives
}

// Timeline is new derivatives per month of creation, credited to their
// foundations' groups.
type Timeline struct {
	By          string          `json:"by"`
	Derivatives int             `json:"derivatives"` // dated derivatives counted
	Undated     int             `json:"undated"`     // counted derivatives with no creation time: in no month
	Totals      []GroupShare    `json:"totals"`      // over every month
	Months      []TimelineMonth `json:"months"`      // every month from the first to the last, empty ones too
}

// Timeline counts new derivatives per month (UTC) of their creation time,
// credited to the groups of their foundations.
func (a *Analysis) Timeline(by GroupBy) Timeline {
	keys := a.rootKey[by]
	tl := Timeline{By: by.String()}
	type acc struct {
		n      int
		credit map[string]float64
	}
	months := map[string]*acc{}
	total := map[string]float64{}
	var first, last time.Time
	for _, d := range a.counted {
		c := a.s.Created(d)
		if c.IsZero() {
			tl.Undated++
			continue
		}
		tl.Derivatives++
		mo := time.Date(c.Year(), c.Month(), 1, 0, 0, 0, 0, time.UTC)
		if first.IsZero() || mo.Before(first) {
			first = mo
		}
		if mo.After(last) {
			last = mo
		}
		k := mo.Format("2006-01")
		m := months[k]
		if m == nil {
			m = &acc{credit: map[string]float64{}}
			months[k] = m
		}
		m.n++
		w := a.weight(d)
		for _, ri := range a.fnd[a.off[d]:a.off[d+1]] {
			m.credit[keys[ri]] += w
			total[keys[ri]] += w
		}
	}
	tl.Totals = groupsOf(total, tl.Derivatives, by)
	for mo := first; !first.IsZero() && !mo.After(last); mo = mo.AddDate(0, 1, 0) {
		k := mo.Format("2006-01")
		tm := TimelineMonth{Month: k, Groups: []GroupShare{}}
		if m := months[k]; m != nil {
			tm.Derivatives = m.n
			tm.Groups = groupsOf(m.credit, m.n, by)
		}
		tl.Months = append(tl.Months, tm)
	}
	tl.Months = nonNilSlice(tl.Months)
	return tl
}

func groupsOf(credit map[string]float64, n int, by GroupBy) []GroupShare {
	gs := make([]GroupShare, 0, len(credit))
	for k, c := range credit {
		g := GroupShare{Key: k, Derivatives: round6(c), Share: share(c, n)}
		if by == ByCountry {
			g.Name = CountryName(k)
		}
		gs = append(gs, g)
	}
	sortGroups(gs)
	return gs
}

// Fold keeps the given keys of a timeline (Unknown is always kept) and
// folds every other group into Other, in totals and in every month.
func (t Timeline) Fold(keep []string) Timeline {
	keepSet := map[string]bool{Unknown: true}
	for _, k := range keep {
		keepSet[k] = true
	}
	fold := func(gs []GroupShare, n int) []GroupShare {
		var out []GroupShare
		other := GroupShare{Key: Other}
		for _, g := range gs {
			if keepSet[g.Key] {
				out = append(out, g)
				continue
			}
			other.Derivatives += g.Derivatives
		}
		if other.Derivatives > 0 {
			other.Derivatives = round6(other.Derivatives)
			other.Share = share(other.Derivatives, n)
			out = append(out, other)
		}
		return nonNilSlice(out)
	}
	out := t
	out.Totals = fold(t.Totals, t.Derivatives)
	out.Months = make([]TimelineMonth, len(t.Months))
	for i, m := range t.Months {
		out.Months[i] = TimelineMonth{Month: m.Month, Derivatives: m.Derivatives, Groups: fold(m.Groups, m.Derivatives)}
	}
	return out
}

// VelocityWindow is the credit of descendants created within Days of a
// model's own creation.
type VelocityWindow struct {
	Days        int     `json:"days"`
	Derivatives float64 `json:"derivatives"`
	// Complete is false when the window ends after the newest creation
	// time in the input: the data cannot show all of it yet.
	Complete bool `json:"complete"`
}

// VelocityEntry says how fast a model gathered descendants.
type VelocityEntry struct {
	ID           string `json:"id"`
	IsFoundation bool   `json:"is_foundation"`
	Created      string `json:"created,omitempty"` // YYYY-MM-DD; empty when unknown
	// Descendants is the credit of every descendant along the relations,
	// dated or not.
	Descendants float64 `json:"descendants"`
	Dated       int     `json:"dated"`   // descendants with a creation time
	Undated     int     `json:"undated"` // descendants without one: in no window
	// BeforeRelease counts dated descendants created before the model
	// itself (a re-created repository, a clock skew): in no window.
	BeforeRelease int `json:"before_release"`
	// Windows holds the credit of descendants created within each number
	// of days of the model's creation; empty when that is unknown.
	Windows []VelocityWindow `json:"windows"`
	// ObservedDays is the number of days from the model's creation to the
	// newest creation time in the input: how much of its life the data shows.
	ObservedDays int `json:"observed_days,omitempty"`
}

// VelocityDays are the default windows of Velocity.
var VelocityDays = []int{7, 30, 90, 365}

// velocityAges returns the age in days of every dated descendant of v
// (created(d) - created(v)) with its credit, and the entry's counts.
func (a *Analysis) velocityAges(v graph.NodeID) (VelocityEntry, []float64, []float64) {
	e := VelocityEntry{ID: a.s.Name(v), IsFoundation: a.s.IsFoundation(v), Windows: []VelocityWindow{}}
	rel := a.s.Created(v)
	if !rel.IsZero() {
		e.Created = rel.Format(time.DateOnly)
	}
	var ages, ws []float64
	var sum float64
	for _, h := range a.s.G.Reach(v, graph.Down, a.sc.Labels, 0) {
		w := a.weight(h.Node)
		sum += w
		c := a.s.Created(h.Node)
		if c.IsZero() {
			e.Undated++
			continue
		}
		e.Dated++
		if rel.IsZero() {
			continue
		}
		age := c.Sub(rel).Hours() / 24
		if age < 0 {
			e.BeforeRelease++
			continue
		}
		ages = append(ages, age)
		ws = append(ws, w)
	}
	e.Descendants = round6(sum)
	return e, ages, ws
}

// Velocity returns how many distinct descendants of v (along the scope's
// relations, credited by its attribution rule) were created within each of
// days (default VelocityDays) of v's own creation. The window is ignored:
// velocity is measured from each model's release.
func (a *Analysis) Velocity(v graph.NodeID, days []int) VelocityEntry {
	if len(days) == 0 {
		days = VelocityDays
	}
	e, ages, ws := a.velocityAges(v)
	if e.Created == "" {
		return e
	}
	e.ObservedDays = int(a.newest().Sub(a.s.Created(v)).Hours() / 24)
	for _, n := range days {
		var c float64
		for i, age := range ages {
			if age <= float64(n) {
				c += ws[i]
			}
		}
		e.Windows = append(e.Windows, VelocityWindow{Days: n, Derivatives: round6(c), Complete: n <= e.ObservedDays})
	}
	return e
}

// newest returns the newest creation time of any model in the input.
func (a *Analysis) newest() time.Time {
	a.newestOnce.Do(func() {
		if m := a.s.NewestCreatedUnix(); m > 0 {
			a.newestTime = time.Unix(m, 0).UTC()
		}
	})
	return a.newestTime
}

// VelocityCurve returns the cumulative credit of v's descendants created
// within d days of v's creation, for d = 0..maxDays; nil when v's creation
// time is unknown.
func (a *Analysis) VelocityCurve(v graph.NodeID, maxDays int) []float64 {
	e, ages, ws := a.velocityAges(v)
	if e.Created == "" || maxDays < 0 {
		return nil
	}
	perDay := make([]float64, maxDays+1)
	for i, age := range ages {
		if d := int(math.Ceil(age)); d <= maxDays {
			perDay[d] += ws[i]
		}
	}
	for d := 1; d <= maxDays; d++ {
		perDay[d] += perDay[d-1]
	}
	for d := range perDay {
		perDay[d] = round6(perDay[d])
	}
	return perDay
}

// Window is the creation-time window of a manifest, as inclusive dates;
// empty bounds are open.
type Window struct {
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// String reads "all dates", "from 2024-01-01", "2024-01-01 .. 2024-12-31".
func (w Window) String() string {
	switch {
	case w.From == "" && w.To == "":
		return "all dates"
	case w.To == "":
		return "from " + w.From
	case w.From == "":
		return "until " + w.To
	}
	return w.From + " .. " + w.To
}

// OriginsInfo identifies the origins table of a manifest.
type OriginsInfo struct {
	Version       string   `json:"version"`
	SHA256        string   `json:"sha256"`
	Organisations int      `json:"organisations"`
	Overrides     []string `json:"overrides,omitempty"`
}

// Manifest says what an analytic output was computed from and how: every
// analytic output carries one.
type Manifest struct {
	InputDigest string   `json:"input_digest"`
	Sources     []string `json:"sources"`
	Models      int      `json:"models"`
	Edges       int      `json:"edges"`
	// Foundations counts foundations with at least one counted derivative.
	Foundations int `json:"foundations"`
	// Derivatives counts models reached from a foundation along the relations.
	Derivatives int `json:"derivatives"`
	// Counted is the number of derivatives counted (inside the window):
	// the denominator of shares.
	Counted int `json:"counted"`
	// Undated counts derivatives without a creation time: counted, but in
	// no month, without a window; left out with one.
	Undated int `json:"undated"`
	// OutsideWindow counts dated derivatives created outside the window.
	OutsideWindow int `json:"outside_window"`
	// NotReached counts models with a parent that no foundation reaches
	// along the relations (a cycle, or parents only through other relations).
	NotReached      int         `json:"not_reached"`
	Relations       []string    `json:"relations"`
	Attribution     string      `json:"attribution"`
	AttributionRule string      `json:"attribution_rule"`
	Window          Window      `json:"window"`
	Origins         OriginsInfo `json:"origins"`
	// Recovered is Scope.Recovered: set when recovered lineage was added.
	Recovered *RecoveredLineage `json:"recovered,omitempty"`
}

// Manifest returns the analysis manifest.
func (a *Analysis) Manifest() Manifest {
	m := Manifest{
		InputDigest: a.s.Digest(), Sources: nonNilSlice(slices.Clone(a.s.Sources())),
		Models: a.s.NumModels(), Edges: a.s.G.NumEdges(),
		Derivatives: a.derivatives, Counted: len(a.counted), Undated: a.undated,
		OutsideWindow: a.outside, NotReached: a.notReached,
		Attribution: a.sc.Attribution.String(), AttributionRule: a.sc.Attribution.Rule(),
		Origins:   OriginsInfo{Version: a.o.Version(), SHA256: a.o.Hash(), Organisations: a.o.Len(), Overrides: a.o.Overrides()},
		Recovered: a.sc.Recovered,
	}
	for _, r := range lineage.Relations {
		if rl := lineage.RelationLabels(r); a.sc.Labels&rl == rl {
			m.Relations = append(m.Relations, r.String())
		}
	}
	m.Relations = nonNilSlice(m.Relations)
	if !a.sc.From.IsZero() {
		m.Window.From = a.sc.From.UTC().Format(time.DateOnly)
	}
	if !a.sc.To.IsZero() {
		m.Window.To = a.sc.To.UTC().Add(-time.Second).Format(time.DateOnly)
	}
	seen := make([]bool, len(a.roots))
	for _, d := range a.counted {
		for _, ri := range a.fnd[a.off[d]:a.off[d+1]] {
			if !seen[ri] {
				seen[ri] = true
				m.Foundations++
			}
		}
	}
	return m
}

// Lines renders the manifest as the footer of a table: one "key  value"
// line each.
func (m Manifest) Lines() []string {
	digest := m.InputDigest
	if digest == "" {
		digest = "(none recorded)"
	}
	src := strings.Join(m.Sources, ", ")
	if len(m.Sources) > 4 {
		src = strings.Join(m.Sources[:4], ", ") + fmt.Sprintf(", ... (%d inputs)", len(m.Sources))
	}
	window := m.Window.String()
	if m.Window != (Window{}) {
		window += fmt.Sprintf(" (%d derivatives outside, %d undated left out)", m.OutsideWindow, m.Undated)
	} else {
		window += fmt.Sprintf(" (%d derivatives undated)", m.Undated)
	}
	origins := fmt.Sprintf("%s %s (%d organisations)", m.Origins.Version, m.Origins.SHA256, m.Origins.Organisations)
	lines := []string{
		"input        " + digest + " [" + src + "]",
		fmt.Sprintf("records      %d models, %d edges; %d foundations, %d derivatives counted of %d reached (%d models with a parent not reached)",
			m.Models, m.Edges, m.Foundations, m.Counted, m.Derivatives, m.NotReached),
		"relations    " + strings.Join(m.Relations, ", "),
		"attribution  " + m.Attribution + ": " + m.AttributionRule,
		"window       " + window,
		"origins      " + origins,
	}
	if r := m.Recovered; r != nil {
		lines = append(lines, fmt.Sprintf("recovered    %d edge(s) added at confidence %g or more (rules %s); not declared by any input", r.Edges, r.MinConfidence, r.Rules))
	}
	return lines
}
