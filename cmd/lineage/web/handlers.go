package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/modelid"
	"github.com/lineage-project/lineage/lineage/recovery"
)

// Handlers are thin: read and bound the request, ask the store (through
// the view builders below), write the template or the JSON.

func (srv *Server) page(w http.ResponseWriter, code int, name string, data any) {
	var buf bytes.Buffer
	if err := srv.tmpl[name].Execute(&buf, data); err != nil {
		http.Error(w, "internal error: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

type errorView struct {
	Title, Message string
	Query          string
	Suggestions    []string
}

func (srv *Server) notFound(w http.ResponseWriter, r *http.Request, msg string) {
	srv.page(w, http.StatusNotFound, "error", errorView{Title: "Not found", Message: msg})
}

// query reads a bounded, trimmed query parameter.
func query(r *http.Request, key string) (string, bool) {
	q := strings.TrimSpace(r.URL.Query().Get(key))
	return q, len(q) <= maxQueryLen
}

// intParam reads an integer parameter clamped to [lo, hi], def when absent
// or unreadable.
func intParam(r *http.Request, key string, def, lo, hi int) int {
	n, err := strconv.Atoi(r.URL.Query().Get(key))
	if err != nil {
		return def
	}
	return min(max(n, lo), hi)
}

// --- home ---

type rankRow struct {
	Rank        int
	ID          string
	Descendants int
	Direct      map[string]int
	Recovered   int // descendants only a recovered edge reaches
}

type homeView struct {
	Query  string
	Models int
	Edges  int
	Rank   []rankRow
	Top    int
	// RecoveredEdges counts the recovered edges of the graph (serve
	// --recovered); the ranking then has a column for them.
	RecoveredEdges int
}

func (srv *Server) rankRows(top int) []rankRow {
	all := srv.rankAll()
	rows := make([]rankRow, 0, min(top, len(all)))
	for i, e := range all[:min(top, len(all))] {
		row := rankRow{Rank: i + 1, ID: e.ID, Descendants: e.Descendants, Direct: e.Direct}
		if e.Recovered != nil {
			row.Recovered = *e.Recovered
		}
		rows = append(rows, row)
	}
	return rows
}

func (srv *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	q, _ := query(r, "q")
	top := intParam(r, "top", 25, 1, maxRankTop)
	st := srv.s.Stats()
	srv.page(w, http.StatusOK, "home", homeView{Query: q[:min(len(q), maxQueryLen)], Models: st.Models, Edges: st.Edges, Rank: srv.rankRows(top), Top: top, RecoveredEdges: srv.s.NumRecovered()})
}

// --- search ---

type hit struct {
	ID          string `json:"id"`
	Match       string `json:"match"`
	Descendants int    `json:"descendants"`
	Downloads   int64  `json:"downloads"`
	Foundation  bool   `json:"foundation"`
}

type searchView struct {
	Query       string
	Hits        []hit
	Partial     bool
	Suggestions []string
	TooLong     bool
}

// matchNames name the search groups in the API and on the page.
var matchNames = [...]string{groupExactID: "id", groupExactName: "name", groupPrefix: "prefix", groupWords: "words"}

// search finds models for q (see searchIndex), else the closest ids.
func (srv *Server) search(q string) searchView {
	view := searchView{Query: q}
	res := srv.index.search(q, maxSearchHits)
	view.Partial = res.Partial
	for _, h := range res.Hits {
		view.Hits = append(view.Hits, hit{ID: srv.s.Name(h.V), Match: matchNames[h.Group], Descendants: srv.index.descendants(h.V),
			Downloads: srv.s.Downloads(h.V), Foundation: srv.s.IsFoundation(h.V)})
	}
	if len(view.Hits) == 0 {
		view.Suggestions = srv.index.suggest(q, 10)
	}
	return view
}

// redirectTarget returns the model a search goes straight to: one named by
// its full ORG/NAME id, ignoring case. A bare name ("Mistral-7B") is
// ambiguous even when a legacy id spells it: it lists the matches.
func (srv *Server) redirectTarget(q string) (graph.NodeID, bool) {
	id, _, problem := modelid.Normalize(q)
	if problem != "" || !strings.Contains(id, "/") {
		return -1, false
	}
	return srv.index.exact(id)
}

func (srv *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q, ok := query(r, "q")
	if !ok {
		srv.page(w, http.StatusBadRequest, "search", searchView{Query: q[:maxQueryLen], TooLong: true})
		return
	}
	if q == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if v, ok := srv.redirectTarget(q); ok {
		http.Redirect(w, r, modelURL(srv.s.Name(v)), http.StatusSeeOther)
		return
	}
	srv.page(w, http.StatusOK, "search", srv.search(q))
}

func (srv *Server) handleAPIComplete(w http.ResponseWriter, r *http.Request) {
	q, ok := query(r, "q")
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "query too long"})
		return
	}
	limit := intParam(r, "limit", 10, 1, maxCompletions)
	out := []string{}
	for _, h := range srv.index.search(q, limit).Hits {
		out = append(out, srv.s.Name(h.V))
	}
	writeJSON(w, http.StatusOK, out)
}

func (srv *Server) handleAPISearch(w http.ResponseWriter, r *http.Request) {
	q, ok := query(r, "q")
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "query too long"})
		return
	}
	view := srv.search(q)
	writeJSON(w, http.StatusOK, struct {
		Query       string   `json:"query"`
		Models      []hit    `json:"models"`
		Partial     bool     `json:"partial,omitempty"`
		Suggestions []string `json:"suggestions"`
	}{q, nonNil(view.Hits), view.Partial, nonNil(view.Suggestions)})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (srv *Server) handleAPIRank(w http.ResponseWriter, r *http.Request) {
	top := intParam(r, "top", 25, 1, maxRankTop)
	all := srv.rankAll()
	writeJSON(w, http.StatusOK, struct {
		Foundations []lineage.RankEntry `json:"foundations"`
	}{nonNil(all[:min(top, len(all))])})
}

// --- model ---

type relCount struct {
	Relation string `json:"relation"`
	Count    int    `json:"count"`
}

type child struct {
	ID        string `json:"id"`
	Downloads int64  `json:"downloads"`
	Declared  bool   `json:"declared"`
	// Recovered marks a child over a recovered edge (serve --recovered).
	Recovered bool `json:"recovered,omitempty"`
}

type childGroup struct {
	Relation string  `json:"relation"`
	Count    int     `json:"count"`
	Models   []child `json:"models"`
	More     int     `json:"more,omitempty"`
}

type modelView struct {
	ID           string   `json:"id"`
	HasRecord    bool     `json:"has_record"`
	Downloads    int64    `json:"downloads"`
	Likes        int64    `json:"likes"`
	Created      string   `json:"created,omitempty"`
	Library      string   `json:"library,omitempty"`
	Pipeline     string   `json:"pipeline,omitempty"`
	License      string   `json:"license,omitempty"`
	IsFoundation bool     `json:"is_foundation"`
	InCycle      bool     `json:"in_cycle,omitempty"`
	Foundations  []string `json:"foundations"`

	Paths          [][]lineage.PathStep `json:"paths"`
	PathsTruncated bool                 `json:"paths_truncated,omitempty"`
	Ancestors      []lineage.Hop        `json:"ancestors"`
	AncestorsMore  int                  `json:"ancestors_more,omitempty"`

	// Hints are evidence of parents that is not a declaration (card
	// prose, repository files), shown as such.
	Hints []hintView `json:"hints"`
	// Recovered lists the parents recovered lineage proposes for the
	// model (candidates, not edges), best first; RecoveryRan tells an
	// empty list from recovery not run (then the JSON has no field).
	Recovered   []recoveredView `json:"recovered,omitempty"`
	RecoveryRan bool            `json:"-"`
	RecoveryMin float64         `json:"-"`
	// RecoveredInGraph: the store has the proposals as edges (serve
	// --recovered), not only as candidates.
	RecoveredInGraph bool `json:"-"`

	Descendants           int        `json:"descendants"`
	DescendantsByRelation []relCount `json:"descendants_by_relation"`
	// DescendantsRecovered counts the descendants only a recovered edge
	// reaches (serve --recovered; part of Descendants).
	DescendantsRecovered int          `json:"descendants_recovered,omitempty"`
	Children             []childGroup `json:"children"`
	ChildrenCount        int          `json:"children_count"`

	// Tree is the drawing's state; only the HTML page uses it.
	Tree *treeView `json:"-"`
}

// hintView is one hint; ID is set when its value names a model of the
// graph.
type hintView struct {
	Kind   string `json:"kind"`
	Source string `json:"source"`
	Key    string `json:"key"`
	Value  string `json:"value"`
	ID     string `json:"id,omitempty"`
}

// recoveredView is one proposed parent.
type recoveredView struct {
	ID         string              `json:"id"`
	Relation   string              `json:"relation"`
	Confidence float64             `json:"confidence"`
	Match      string              `json:"match"`
	Rule       string              `json:"rule,omitempty"`
	Evidence   []recovery.Evidence `json:"evidence"`
}

// maxHints bounds the hints listed on a page.
const maxHints = 20

type treeView struct {
	URL        string
	Params     treeParams
	Caption    string
	FoldedLine string
	StyleKey   string // the edge styles in words, as the drawing's legend shows them
	MaxChoices []int
	Available  bool
}

// model builds the facts of v's page.
func (srv *Server) model(v graph.NodeID) modelView {
	s := srv.s
	m := modelView{ID: s.Name(v), HasRecord: s.HasRecord(v), Downloads: s.Downloads(v), Likes: s.Likes(v),
		Library: s.Library(v), Pipeline: s.Pipeline(v), License: s.License(v)}
	if t := s.Created(v); !t.IsZero() {
		m.Created = t.Format("2006-01-02")
	}
	anc := s.Ancestors(v)
	m.IsFoundation, m.InCycle, m.Foundations = anc.IsFoundation, anc.InCycle, anc.Foundations
	m.Ancestors = anc.Ancestors
	if len(m.Ancestors) > maxListed {
		m.AncestorsMore = len(m.Ancestors) - maxListed
		m.Ancestors = m.Ancestors[:maxListed]
	}
	m.Paths, m.PathsTruncated = s.Paths(v, maxPaths)
	m.Paths = nonNil(m.Paths)
	if len(m.Paths) == 1 && len(m.Paths[0]) == 1 {
		m.Paths = [][]lineage.PathStep{} // a foundation: no path to show
	}
	m.Hints = []hintView{}
	hints := s.Hints(v)
	for _, h := range hints[:min(len(hints), maxHints)] {
		hv := hintView{Kind: h.Kind.String(), Source: h.Source, Key: h.Key, Value: h.Value}
		if id, _, problem := modelid.Normalize(h.Value); problem == "" {
			if p, ok := srv.index.exact(id); ok && p != v {
				hv.ID = s.Name(p)
			}
		}
		m.Hints = append(m.Hints, hv)
	}
	if rec := srv.opt.Recovery; rec != nil {
		m.RecoveryRan, m.RecoveryMin, m.RecoveredInGraph = true, rec.Summary.MinConfidence, s.NumRecovered() > 0
		m.Recovered = []recoveredView{}
		for _, p := range srv.recovered[v] {
			rv := recoveredView{ID: s.Name(p.Parent), Relation: p.Relation.String(), Confidence: math.Round(p.Confidence*100) / 100,
				Match: p.Match.String(), Evidence: p.Evidence}
			if p.Rule != 0 {
				rv.Rule = p.Rule.String()
			}
			m.Recovered = append(m.Recovered, rv)
		}
	}
	// Counts only: the traversal, no list of names to sort.
	var byRel [len(lineage.Relations)]int
	hits := s.G.Reach(v, graph.Down, graph.AllLabels, 0)
	for _, h := range hits {
		rel, _ := lineage.LabelRelation(h.Label)
		byRel[rel]++
	}
	m.Descendants = len(hits)
	if s.NumRecovered() > 0 && len(hits) > 0 {
		m.DescendantsRecovered = len(hits) - s.G.CountReach(v, graph.Down, lineage.DeclaredLabels)
	}
	m.DescendantsByRelation = []relCount{}
	for _, r := range lineage.Relations {
		if n := byRel[r]; n > 0 {
			m.DescendantsByRelation = append(m.DescendantsByRelation, relCount{r.String(), n})
		}
	}
	m.Children = srv.children(v)
	for _, g := range m.Children {
		m.ChildrenCount += g.Count
	}
	return m
}

// children groups v's direct children by relation (in relation order),
// each group by downloads (descending), then id, at most maxChildrenEach:
// the first ones are selected, not the whole group sorted.
func (srv *Server) children(v graph.NodeID) []childGroup {
	s := srv.s
	kids, labs := s.G.Out(v)
	var byRel [len(lineage.Relations)][]graph.NodeID
	var declared, recovered [len(lineage.Relations)]map[graph.NodeID]bool
	mark := func(m *map[graph.NodeID]bool, c graph.NodeID) {
		if *m == nil {
			*m = map[graph.NodeID]bool{}
		}
		(*m)[c] = true
	}
	for i, c := range kids {
		rel, decl := lineage.LabelRelation(labs[i])
		byRel[rel] = append(byRel[rel], c)
		if decl {
			mark(&declared[rel], c)
		}
		if lineage.IsRecovered(labs[i]) {
			mark(&recovered[rel], c)
		}
	}
	groups := []childGroup{}
	for _, r := range lineage.Relations {
		cs := byRel[r]
		if len(cs) == 0 {
			continue
		}
		top := firstK(cs, maxChildrenEach, func(a, b graph.NodeID) int {
			return cmp.Or(cmp.Compare(s.Downloads(b), s.Downloads(a)), modelid.Compare(s.Name(a), s.Name(b)))
		})
		g := childGroup{Relation: r.String(), Count: len(cs), More: len(cs) - len(top)}
		for _, c := range top {
			g.Models = append(g.Models, child{s.Name(c), s.Downloads(c), declared[r][c], recovered[r][c]})
		}
		groups = append(groups, g)
	}
	return groups
}

// firstK returns the k least of xs by cmp, in order, without sorting all
// of xs: a sorted buffer of k that most elements are rejected from by one
// comparison with its last.
func firstK[T any](xs []T, k int, cmp func(a, b T) int) []T {
	out := make([]T, 0, min(k, len(xs)))
	for _, x := range xs {
		if len(out) == k && cmp(x, out[k-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(out, x, cmp)
		if len(out) < k {
			out = append(out, x)
		}
		copy(out[i+1:], out[i:len(out)-1])
		out[i] = x
	}
	return out
}

// lookup resolves the {id...} path value; on failure it writes a 404 page
// with suggestions and reports false.
func (srv *Server) lookup(w http.ResponseWriter, r *http.Request, asJSON bool) (graph.NodeID, bool) {
	id := r.PathValue("id")
	if len(id) > maxQueryLen {
		id = id[:maxQueryLen]
	}
	v, ok := srv.index.exact(id)
	if ok {
		return v, true
	}
	sugg := srv.index.suggest(id, 5)
	err := &lineage.NotFoundError{Query: id, Suggestions: sugg}
	if asJSON {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": err.Error(), "suggestions": nonNil(sugg)})
	} else {
		srv.page(w, http.StatusNotFound, "error", errorView{Title: "Model not found", Message: "No model " + strconv.Quote(id) + " in this graph.", Query: id, Suggestions: sugg})
	}
	return 0, false
}

func (srv *Server) handleModel(w http.ResponseWriter, r *http.Request) {
	v, ok := srv.lookup(w, r, false)
	if !ok {
		return
	}
	if canon := modelURL(srv.s.Name(v)); r.URL.EscapedPath() != canon {
		// One URL per model: the spelling of its own record.
		if r.URL.RawQuery != "" {
			canon += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, canon, http.StatusMovedPermanently)
		return
	}
	m := srv.model(v)
	p := srv.treeParams(r)
	tv := &treeView{Params: p, MaxChoices: maxChoices, Available: srv.opt.Render != nil,
		URL: "/tree/" + escapeID(m.ID) + "?" + p.query()}
	if !slices.Contains(tv.MaxChoices, p.Max) {
		tv.MaxChoices = append(slices.Clone(maxChoices), p.Max)
		slices.Sort(tv.MaxChoices)
	}
	tv.Caption, tv.FoldedLine, tv.StyleKey = srv.captions.get(srv, v, p)
	m.Tree = tv
	srv.page(w, http.StatusOK, "model", m)
}

func (srv *Server) handleAPIModel(w http.ResponseWriter, r *http.Request) {
	v, ok := srv.lookup(w, r, true)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, srv.model(v))
}

// captionCache keeps the tree captions of large families: selecting a
// family to caption it is the one cost of a model page that grows with
// the family (up to 150 ms for the largest at Hub scale, drawing every
// leaf), so a family of at least captionCacheMin descendants is selected
// once per tree parameters, and a page waits for it at most captionWait:
// past that it goes without the caption (the drawing has its own legend)
// and the selection, finishing meanwhile, serves the next page. At most
// captionCacheMax captions are kept; when full, the cache starts over.
type captionCache struct {
	mu      sync.Mutex
	m       map[captionKey][3]string
	pending map[captionKey]*selection // selections under way
	wait    time.Duration             // captionWait unless set (tests)
}

type captionKey struct {
	v graph.NodeID
	p treeParams
}

// selection is a caption being selected: e is set when done is closed.
type selection struct {
	done chan struct{}
	e    [3]string
}

const (
	captionCacheMin = 5000
	captionCacheMax = 1024
	captionWait     = 40 * time.Millisecond
)

// get returns the caption, folded line and style key of v's tree for p
// (empty when the family cannot be selected, or a large one's selection
// took longer than captionWait).
func (c *captionCache) get(srv *Server, v graph.NodeID, p treeParams) (caption, folded, styles string) {
	if srv.index.descendants(v) < captionCacheMin {
		e := selectCaption(srv, v, p)
		return e[0], e[1], e[2]
	}
	k := captionKey{v, p}
	c.mu.Lock()
	if e, ok := c.m[k]; ok {
		c.mu.Unlock()
		return e[0], e[1], e[2]
	}
	sel, running := c.pending[k]
	if !running {
		if c.pending == nil {
			c.pending = map[captionKey]*selection{}
		}
		sel = &selection{done: make(chan struct{})}
		c.pending[k] = sel
		go func() {
			sel.e = selectCaption(srv, v, p)
			c.mu.Lock()
			if c.m == nil || len(c.m) >= captionCacheMax {
				c.m = map[captionKey][3]string{}
			}
			c.m[k] = sel.e
			delete(c.pending, k)
			c.mu.Unlock()
			close(sel.done)
		}()
	}
	wait := c.wait
	if wait == 0 {
		wait = captionWait
	}
	c.mu.Unlock()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-sel.done:
		return sel.e[0], sel.e[1], sel.e[2]
	case <-t.C:
		return "", "", ""
	}
}

// selectCaption selects v's family for p and returns its caption, folded
// line and style key (empty when it cannot be selected).
func selectCaption(srv *Server, v graph.NodeID, p treeParams) [3]string {
	fam, err := srv.family(v, p)
	if err != nil {
		return [3]string{}
	}
	return [3]string{fam.Caption(), fam.FoldedLine(), fam.StyleKey()}
}
