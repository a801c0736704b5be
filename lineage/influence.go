package lineage

import (
	"cmp"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/modelid"
)

// Measure is what a ranking of foundations is by: the number of their
// distinct descendants, a figure of the Hub summed over those descendants,
// or their PageRank.
type Measure uint8

const (
	// MeasureDescendants ranks by the number of distinct descendants.
	MeasureDescendants Measure = iota
	// MeasureDownloads ranks by the sum of the descendants' downloads
	// (the Hub's "downloads": the last 30 days at the time of the crawl).
	MeasureDownloads
	// MeasureDownloadsAllTime ranks by the sum of the descendants'
	// all-time downloads (the Hub's "downloadsAllTime").
	MeasureDownloadsAllTime
	// MeasureLikes ranks by the sum of the descendants' likes.
	MeasureLikes
	// MeasurePageRank ranks by PageRank over the lineage graph with edges
	// pointing from each derivative to what it is built on (Store.PageRank).
	MeasurePageRank
)

// Measures lists every measure in the order of its constants.
var Measures = [...]Measure{MeasureDescendants, MeasureDownloads, MeasureDownloadsAllTime, MeasureLikes, MeasurePageRank}

var (
	measureNames = [...]string{"descendants", "downloads", "downloads-all", "likes", "pagerank"}
	measureKeys  = [...]string{"descendants", "downloads", "downloads_all_time", "likes", "pagerank"}
)

// ParseMeasure parses a measure name as String spells it
// ("descendants", "downloads", "downloads-all", "likes", "pagerank"),
// case-insensitively; "" is MeasureDescendants. An unknown name wraps
// ErrUsage.
func ParseMeasure(s string) (Measure, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return MeasureDescendants, nil
	}
	for i, n := range measureNames {
		if t == n || t == measureKeys[i] {
			return Measure(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown measure %q (want %s)", ErrUsage, s, strings.Join(measureNames[:], ", "))
}

// String returns the measure's name as ParseMeasure reads it.
func (m Measure) String() string {
	if int(m) < len(measureNames) {
		return measureNames[m]
	}
	return fmt.Sprintf("Measure(%d)", m)
}

// Key returns the name of the measure's figure in JSON output
// ("downloads_all_time" for MeasureDownloadsAllTime).
func (m Measure) Key() string {
	if int(m) < len(measureKeys) {
		return measureKeys[m]
	}
	return m.String()
}

// Summed reports whether the measure is a per-model figure summed over
// descendants (downloads, all-time downloads, likes).
func (m Measure) Summed() bool {
	return m == MeasureDownloads || m == MeasureDownloadsAllTime || m == MeasureLikes
}

// The PageRank parameters of Store.PageRank.
const (
	// PageRankDamping is the damping factor: at every step a share
	// 1-PageRankDamping of all rank is spread evenly over every model.
	PageRankDamping = 0.85
	// PageRankTolerance ends the power iteration when the Euclidean norm
	// of the change of the rank vector in one step is below it; the
	// ranks are then within about 6e-9 of the fixed point (tolerance *
	// damping / (1 - damping)), so figures are given to
	// PageRankDigits significant digits.
	PageRankTolerance = 1e-9
	// PageRankDigits is the number of significant digits ranks are
	// rounded to before they are sorted and shown: gonum's iteration
	// starts from a random vector, so digits past the tolerance differ
	// from run to run.
	PageRankDigits = 4
)

// DownloadsAllTime returns v's all-time download count, or -1 when unknown.
func (s *Store) DownloadsAllTime(v graph.NodeID) int64 { return meta(s.downloadsAll, v, -1) }

// Figure returns v's own figure of a summed measure (downloads, all-time
// downloads or likes), or -1 when unknown; -1 for a measure that is not
// summed.
func (s *Store) Figure(m Measure, v graph.NodeID) int64 {
	if c := s.figures(m); c != nil {
		return c[v]
	}
	return -1
}

// figures returns the column of a summed measure (nil in a graph-only
// store or for a measure that is not summed).
func (s *Store) figures(m Measure) []int64 {
	switch m {
	case MeasureDownloads:
		return s.downloads
	case MeasureDownloadsAllTime:
		return s.downloadsAll
	case MeasureLikes:
		return s.likes
	}
	return nil
}

// PageRank returns the PageRank of every model, indexed by NodeID, over
// the lineage graph with every edge along labels (0: all) pointing from the
// derivative to what it is built on, so that rank flows from derivatives to
// their bases and on to the foundations: a model ranks high when much that
// ranks high is built on it, directly or not. It is gonum's sparse power
// iteration (graph.PageRankDir) with damping PageRankDamping and tolerance
// PageRankTolerance; the ranks of all models sum to 1.
func (s *Store) PageRank(labels graph.LabelSet) []float64 {
	if labels == 0 {
		labels = graph.AllLabels
	}
	return s.G.PageRankDir(graph.Up, labels, PageRankDamping, PageRankTolerance)
}

// RoundPageRank rounds a rank to PageRankDigits significant digits: to
// the float nearest the decimal of that many digits, so that equal
// roundings are equal floats.
func RoundPageRank(x float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', PageRankDigits, 64), 64)
	if err != nil { // NaN and infinities parse back; nothing else fails
		return x
	}
	return r
}

// ErrNoMetadata is returned for a ranking that needs model metadata
// (downloads, likes, creation dates) from a store built without it.
var ErrNoMetadata = errors.New("the store was built without model metadata (graph only)")

// RankOptions selects what RankBy ranks and how.
type RankOptions struct {
	// Top is the number of entries returned (<= 0: all).
	Top int
	// Labels selects the edges followed from a foundation to its
	// descendants (0: every relation).
	Labels graph.LabelSet
	// By is the measure ranked by.
	By Measure
	// From and To bound the descendants' creation time to [From, To); a
	// zero bound is open. With either set, only descendants created inside
	// count (for the descendant count as for summed figures): those
	// without a creation time are left out (Ranking.Undated counts them).
	// PageRank takes no window.
	From, To time.Time
}

func (o RankOptions) windowed() bool { return !o.From.IsZero() || !o.To.IsZero() }

// Ranking is the answer of RankBy.
type Ranking struct {
	// By is the measure ranked by.
	By Measure
	// Entries are the foundations ranked, at most RankOptions.Top.
	Entries []RankEntry
	// Descendants counts the distinct models below any foundation along
	// the labels (each once, however many foundations it is built on),
	// inside the window when there is one: what the figures cover. It,
	// Unknown, Undated and Outside are counted for a ranking by another
	// measure than descendants or with a window; the plain ranking leaves
	// them 0 (rank's speed: that count walks the whole graph once more).
	Descendants int
	// Unknown counts those of them whose figure is unknown (summed
	// measures; counted as 0).
	Unknown int
	// Undated counts the distinct descendants left out of a windowed
	// ranking for want of a creation time, Outside the dated ones created
	// outside the window (both 0 without a window).
	Undated, Outside int
}

// RankEntry is one foundation in a ranking. The fields past Direct are
// set by RankBy for the measure ranked by and are nil otherwise, so that
// a ranking by descendants reads as it always has.
type RankEntry struct {
	ID string `json:"id"`
	// Descendants is the number of distinct descendants along the labels
	// (inside the window when there is one).
	Descendants int `json:"descendants"`
	// Direct counts the foundation's direct children per relation over
	// all relations.
	Direct map[string]int `json:"direct"`

	// Downloads, DownloadsAllTime and Likes are the sum of that figure
	// over the distinct descendants (each once, the foundation itself
	// excluded; unknown as 0): set when ranking by that measure.
	Downloads        *int64 `json:"downloads,omitempty"`
	DownloadsAllTime *int64 `json:"downloads_all_time,omitempty"`
	Likes            *int64 `json:"likes,omitempty"`
	// Own is the foundation's own figure of the summed measure (-1:
	// unknown), shown beside the sum it is not part of; Unknown counts
	// the descendants summed whose figure is unknown.
	Own     *int64 `json:"own,omitempty"`
	Unknown *int   `json:"unknown,omitempty"`
	// PageRank is the foundation's PageRank (Store.PageRank), rounded to
	// PageRankDigits significant digits: set when ranking by PageRank.
	PageRank *float64 `json:"pagerank,omitempty"`
	// Undated counts, in a windowed ranking, the foundation's
	// descendants left out for want of a creation time.
	Undated *int `json:"undated,omitempty"`
	// Recovered counts, in a store with recovered lineage added, the
	// descendants only a recovered edge reaches (part of Descendants).
	Recovered *int `json:"recovered,omitempty"`

	node graph.NodeID
	by   Measure
}

// Node returns the entry's node id.
func (e RankEntry) Node() graph.NodeID { return e.node }

// Figure returns the figure the entry is ranked by: its descendants, the
// sum of the summed measure, or its PageRank.
func (e RankEntry) Figure() float64 {
	switch {
	case e.Downloads != nil:
		return float64(*e.Downloads)
	case e.DownloadsAllTime != nil:
		return float64(*e.DownloadsAllTime)
	case e.Likes != nil:
		return float64(*e.Likes)
	case e.PageRank != nil:
		return *e.PageRank
	}
	return float64(e.Descendants)
}

// Measure returns the measure the entry was ranked by.
func (e RankEntry) Measure() Measure { return e.by }

// Rank returns the foundations (models with no parent) that have at least
// one descendant along edges in labels, by distinct descendant count
// descending, ties by id case-insensitively ascending; at most top entries
// (top <= 0: all). Direct counts the foundation's direct children per
// relation over all relations. It is RankBy by descendants without a window.
func (s *Store) Rank(top int, labels graph.LabelSet) []RankEntry {
	r, err := s.RankBy(RankOptions{Top: top, Labels: labels})
	if err != nil { // impossible by descendants without a window
		panic(err)
	}
	return r.Entries
}

// RankBy returns the foundations (models with no parent) that have at
// least one descendant along the labels (inside the window, with one),
// ranked by the measure descending, ties by id case-insensitively
// ascending.
//
// A summed measure adds up the figure of every distinct descendant once,
// however many paths lead to it; the foundation's own figure is not part
// of the sum (RankEntry.Own shows it). Unknown figures count as 0 and are
// counted (RankEntry.Unknown, Ranking.Unknown). The sums are exact, over
// the same traversals as the descendant counts (graph.SumDescendants).
// PageRank is Store.PageRank along the labels, rounded to PageRankDigits
// significant digits before sorting, so that equal ranks tie by id.
//
// Errors: a window with PageRank, or a window that ends before it starts,
// wraps ErrUsage; a summed measure or a window on a graph-only store
// wraps ErrNoMetadata.
func (s *Store) RankBy(opt RankOptions) (Ranking, error) {
	labels := opt.Labels
	if labels == 0 {
		labels = graph.AllLabels
	}
	windowed := opt.windowed()
	switch {
	case int(opt.By) >= len(Measures):
		return Ranking{}, fmt.Errorf("%w: unknown measure %d", ErrUsage, opt.By)
	case windowed && opt.By == MeasurePageRank:
		return Ranking{}, fmt.Errorf("%w: a date window selects the descendants whose figures are summed; PageRank is a measure of the whole graph and takes none", ErrUsage)
	case !opt.From.IsZero() && !opt.To.IsZero() && !opt.From.Before(opt.To):
		return Ranking{}, fmt.Errorf("%w: the window ends (%s) before it starts (%s)", ErrUsage, opt.To.UTC().Format(time.DateOnly), opt.From.UTC().Format(time.DateOnly))
	case (opt.By.Summed() || windowed) && s.GraphOnly():
		return Ranking{}, fmt.Errorf("rank by %s: %w", opt.By, ErrNoMetadata)
	}
	g := s.G
	var roots []graph.NodeID
	for v := 0; v < g.NumNodes(); v++ {
		if g.InDegree(graph.NodeID(v)) == 0 && g.OutDegree(graph.NodeID(v)) > 0 {
			roots = append(roots, graph.NodeID(v))
		}
	}
	from, to := opt.From.Unix(), opt.To.Unix()
	// inside reports whether v is inside the window (always, without one).
	inside := func(v graph.NodeID) bool {
		if !windowed {
			return true
		}
		c := s.createdAt(v)
		return c != 0 && (opt.From.IsZero() || c >= from) && (opt.To.IsZero() || c < to)
	}
	one := func(ok bool) int64 {
		if ok {
			return 1
		}
		return 0
	}

	// The descendant counts, inside the window when there is one.
	counts := make([]int64, len(roots))
	var undated []int64
	if windowed {
		counts = g.SumDescendants(roots, labels, func(v graph.NodeID) int64 { return one(inside(v)) })
		undated = g.SumDescendants(roots, labels, func(v graph.NodeID) int64 { return one(s.createdAt(v) == 0) })
	} else {
		for i, c := range g.CountDescendants(roots, labels) {
			counts[i] = int64(c)
		}
	}
	var sums, unknown []int64
	col := s.figures(opt.By)
	if opt.By.Summed() {
		sums = g.SumDescendants(roots, labels, func(v graph.NodeID) int64 {
			if !inside(v) {
				return 0
			}
			return max(col[v], 0)
		})
		unknown = g.SumDescendants(roots, labels, func(v graph.NodeID) int64 { return one(col[v] < 0 && inside(v)) })
	}
	var pr []float64
	if opt.By == MeasurePageRank {
		pr = s.PageRank(labels)
	}

	res := Ranking{By: opt.By}
	var picked []int // indices into roots, ranked
	switch opt.By {
	case MeasureDescendants:
		picked = ranked(s, roots, counts, counts, opt.Top)
	case MeasurePageRank:
		keys := make([]float64, len(roots))
		for i, v := range roots {
			keys[i] = RoundPageRank(pr[v])
		}
		picked = ranked(s, roots, counts, keys, opt.Top)
	default:
		picked = ranked(s, roots, counts, sums, opt.Top)
	}
	res.Entries = make([]RankEntry, len(picked))
	for k, i := range picked {
		v := roots[i]
		e := RankEntry{ID: s.Name(v), Descendants: int(counts[i]), Direct: s.directByRelation(v), node: v, by: opt.By}
		switch opt.By {
		case MeasureDownloads:
			e.Downloads = &sums[i]
		case MeasureDownloadsAllTime:
			e.DownloadsAllTime = &sums[i]
		case MeasureLikes:
			e.Likes = &sums[i]
		case MeasurePageRank:
			x := RoundPageRank(pr[v])
			e.PageRank = &x
		}
		if opt.By.Summed() {
			own, unk := col[v], int(unknown[i])
			e.Own, e.Unknown = &own, &unk
		}
		if windowed {
			u := int(undated[i])
			e.Undated = &u
		}
		res.Entries[k] = e
	}
	if s.rec != nil && len(picked) > 0 {
		// With recovered lineage added, say how much of each count only a
		// recovered edge reaches (the count without them, taken away).
		starts := make([]graph.NodeID, len(picked))
		for k, i := range picked {
			starts[k] = roots[i]
		}
		var declared []int64
		if windowed {
			declared = g.SumDescendants(starts, labels&DeclaredLabels, func(v graph.NodeID) int64 { return one(inside(v)) })
		} else {
			for _, c := range g.CountDescendants(starts, labels&DeclaredLabels) {
				declared = append(declared, int64(c))
			}
		}
		for k, c := range declared {
			r := res.Entries[k].Descendants - int(c)
			res.Entries[k].Recovered = &r
		}
	}

	if opt.By == MeasureDescendants && !windowed {
		return res, nil // the plain ranking: nothing more to say (and rank's speed)
	}
	// What the figures cover: every model below a foundation, once.
	below := s.below(roots, labels)
	for w, word := range below {
		for ; word != 0; word &= word - 1 {
			v := graph.NodeID(w<<6 | bits.TrailingZeros64(word))
			switch {
			case windowed && s.createdAt(v) == 0:
				res.Undated++
			case !inside(v):
				res.Outside++
			default:
				res.Descendants++
				if col != nil && col[v] < 0 {
					res.Unknown++
				}
			}
		}
	}
	return res, nil
}

// ranked returns the indices of the roots with a count above zero, by key
// descending, then id case-insensitively; at most top (top <= 0: all).
func ranked[K cmp.Ordered](s *Store, roots []graph.NodeID, counts []int64, keys []K, top int) []int {
	type rc struct {
		i int
		k K
	}
	all := make([]rc, 0, len(roots))
	for i := range roots {
		if counts[i] > 0 {
			all = append(all, rc{i, keys[i]})
		}
	}
	if top > 0 && len(all) > top {
		// Only entries keyed at least the top-th largest key can place:
		// sort the keys alone (cheap) to find it, and sort by name only
		// those (name compares are cache misses at Hub scale).
		ks := make([]K, len(all))
		for i, e := range all {
			ks[i] = e.k
		}
		slices.Sort(ks)
		least := ks[len(ks)-top]
		all = slices.DeleteFunc(all, func(e rc) bool { return e.k < least })
	}
	slices.SortFunc(all, func(a, b rc) int {
		if a.k != b.k { // names only for ties (cmp.Or would compare them always)
			return cmp.Compare(b.k, a.k)
		}
		return modelid.Compare(s.Name(roots[a.i]), s.Name(roots[b.i]))
	})
	if top > 0 && len(all) > top {
		all = all[:top]
	}
	out := make([]int, len(all))
	for i, e := range all {
		out[i] = e.i
	}
	return out
}

// below returns the models reachable from any of roots along labels.
func (s *Store) below(roots []graph.NodeID, labels graph.LabelSet) graph.Bitset {
	g := s.G
	seen := graph.NewBitset(g.NumNodes())
	stack := slices.Clone(roots)
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		dst, lab := g.Out(v)
		for i, w := range dst {
			if labels.Has(lab[i]) && !seen.TestAndSet(w) {
				stack = append(stack, w)
			}
		}
	}
	return seen
}

func (s *Store) directByRelation(v graph.NodeID) map[string]int {
	m := map[string]int{}
	for _, r := range Relations {
		m[r.String()] = 0
	}
	_, labs := s.G.Out(v)
	for _, l := range labs {
		rel, _ := LabelRelation(l)
		m[rel.String()]++
	}
	return m
}
