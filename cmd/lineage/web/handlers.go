package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
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
}

type homeView struct {
	Query  string
	Models int
	Edges  int
	Rank   []rankRow
	Top    int
}

func (srv *Server) rankRows(top int) []rankRow {
	all := srv.rankAll()
	rows := make([]rankRow, 0, min(top, len(all)))
	for i, e := range all[:min(top, len(all))] {
		rows = append(rows, rankRow{i + 1, e.ID, e.Descendants, e.Direct})
	}
	return rows
}

func (srv *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	q, _ := query(r, "q")
	top := intParam(r, "top", 25, 1, maxRankTop)
	st := srv.s.Stats()
	srv.page(w, http.StatusOK, "home", homeView{Query: q[:min(len(q), maxQueryLen)], Models: st.Models, Edges: st.Edges, Rank: srv.rankRows(top), Top: top})
}

// --- search ---

type hit struct {
	ID          string `json:"id"`
	Downloads   int64  `json:"downloads"`
	Foundation  bool   `json:"foundation"`
	Descendants int    `json:"-"`
}

type searchView struct {
	Query       string
	Hits        []hit
	Suggestions []string
	TooLong     bool
}

// search finds models for q: by id or name prefix, else the closest ids.
func (srv *Server) search(q string) searchView {
	view := searchView{Query: q}
	for _, v := range srv.index.complete(q, maxSearchHits) {
		view.Hits = append(view.Hits, hit{ID: srv.s.Name(v), Downloads: srv.s.Downloads(v), Foundation: srv.s.IsFoundation(v)})
	}
	if len(view.Hits) == 0 {
		view.Suggestions = srv.index.suggest(q, 10)
	}
	return view
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
	if v, ok := srv.index.exact(q); ok {
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
	for _, v := range srv.index.complete(q, limit) {
		out = append(out, srv.s.Name(v))
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
		Suggestions []string `json:"suggestions"`
	}{q, nonNil(view.Hits), nonNil(view.Suggestions)})
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

	Descendants           int          `json:"descendants"`
	DescendantsByRelation []relCount   `json:"descendants_by_relation"`
	Children              []childGroup `json:"children"`
	ChildrenCount         int          `json:"children_count"`

	// Tree is the drawing's state; only the HTML page uses it.
	Tree *treeView `json:"-"`
}

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
	d := s.Descendants(v, 0, graph.AllLabels, 1)
	m.Descendants = d.Count
	for _, r := range lineage.Relations {
		if n := d.ByRelation[r.String()]; n > 0 {
			m.DescendantsByRelation = append(m.DescendantsByRelation, relCount{r.String(), n})
		}
	}
	m.DescendantsByRelation = nonNil(m.DescendantsByRelation)
	m.Children = srv.children(v)
	for _, g := range m.Children {
		m.ChildrenCount += g.Count
	}
	return m
}

// children groups v's direct children by relation (in relation order),
// each group by downloads (descending), then id, at most maxChildrenEach.
func (srv *Server) children(v graph.NodeID) []childGroup {
	s := srv.s
	kids, labs := s.G.Out(v)
	byRel := map[lineage.Relation][]child{}
	for i, c := range kids {
		rel, declared := lineage.LabelRelation(labs[i])
		byRel[rel] = append(byRel[rel], child{s.Name(c), s.Downloads(c), declared})
	}
	groups := []childGroup{}
	for _, r := range lineage.Relations {
		cs := byRel[r]
		if len(cs) == 0 {
			continue
		}
		slices.SortFunc(cs, func(a, b child) int {
			return cmp.Or(cmp.Compare(b.Downloads, a.Downloads), cmp.Compare(strings.ToLower(a.ID), strings.ToLower(b.ID)), cmp.Compare(a.ID, b.ID))
		})
		g := childGroup{Relation: r.String(), Count: len(cs), Models: cs}
		if len(cs) > maxChildrenEach {
			g.Models, g.More = cs[:maxChildrenEach], len(cs)-maxChildrenEach
		}
		groups = append(groups, g)
	}
	return groups
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
	if fam, err := srv.family(v, p); err == nil {
		tv.Caption, tv.FoldedLine, tv.StyleKey = fam.Caption(), fam.FoldedLine(), fam.StyleKey()
	}
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
