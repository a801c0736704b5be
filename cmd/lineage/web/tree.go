package web

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"sync"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/render"
)

// treeParams are what a tree request may choose, already clamped.
type treeParams struct {
	Dir  string // both, up or down
	Max  int    // model budget
	Fold bool   // fold leaf quantizations and adapters into badges
}

// maxChoices are the budgets offered in the UI (any value up to the cap is
// accepted).
var maxChoices = []int{30, 80, 150, 300}

func (srv *Server) treeParams(r *http.Request) treeParams {
	q := r.URL.Query()
	p := treeParams{Dir: "both", Max: srv.opt.DefaultTreeNodes, Fold: q.Get("fold") != "0"}
	switch q.Get("dir") {
	case "up", "down":
		p.Dir = q.Get("dir")
	}
	if n, err := strconv.Atoi(q.Get("max")); err == nil {
		p.Max = min(max(n, 1), srv.opt.MaxTreeNodes)
	}
	return p
}

// query is the tree URL's query for p.
func (p treeParams) query() string {
	fold := "1"
	if !p.Fold {
		fold = "0"
	}
	return "dir=" + p.Dir + "&max=" + strconv.Itoa(p.Max) + "&fold=" + fold
}

func (srv *Server) renderInfo() render.Info {
	info := RenderInfo(srv.s)
	info.URL = func(v graph.NodeID) string { return modelURL(srv.s.Name(v)) }
	return info
}

// RenderInfo tells package render what a store's nodes and edge labels
// mean: names, downloads, creation dates, relations, inferred or declared.
func RenderInfo(s *lineage.Store) render.Info {
	return render.Info{
		Name:      s.Name,
		Downloads: s.Downloads,
		Created: func(v graph.NodeID) string {
			if t := s.Created(v); !t.IsZero() {
				return t.Format("2006-01-02")
			}
			return ""
		},
		Relation:  func(l graph.Label) string { r, _ := lineage.LabelRelation(l); return r.String() },
		Inferred:  func(l graph.Label) bool { _, declared := lineage.LabelRelation(l); return !declared },
		Recovered: lineage.IsRecovered,
		Confidence: func(parent, child graph.NodeID) float64 {
			c, _ := s.RecoveredConfidence(parent, child)
			return c
		},
	}
}

// family selects v's family for p; the work is bounded by the family's
// size, and what is drawn by p.Max.
func (srv *Server) family(v graph.NodeID, p treeParams) (*render.Family, error) {
	return render.Select(srv.s.G, srv.renderInfo(), render.Options{
		Root: v, Up: p.Dir == "up", Down: p.Dir == "down", MaxNodes: p.Max, Fold: p.Fold, RankDir: "LR",
	})
}

// errNoRenderer says trees cannot be drawn.
var errNoRenderer = errors.New("tree drawing is not available (lineage-render was not found)")

// treeRenderer draws SVGs one at a time through Options.Render and keeps
// the latest ones, up to CacheBytes, least recently used out first.
type treeRenderer struct {
	srv   *Server
	sem   chan struct{}
	mu    sync.Mutex
	lru   *list.List // of *svgEntry, most recent first
	byKey map[string]*list.Element
	bytes int
}

type svgEntry struct {
	key string
	svg []byte
}

func newTreeRenderer(srv *Server) *treeRenderer {
	return &treeRenderer{srv: srv, sem: make(chan struct{}, 1), lru: list.New(), byKey: map[string]*list.Element{}}
}

func (t *treeRenderer) cached(key string) ([]byte, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.byKey[key]; ok {
		t.lru.MoveToFront(e)
		return e.Value.(*svgEntry).svg, true
	}
	return nil, false
}

func (t *treeRenderer) store(key string, svg []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.byKey[key]; ok || len(svg) > t.srv.opt.CacheBytes/4 {
		return
	}
	t.byKey[key] = t.lru.PushFront(&svgEntry{key, svg})
	t.bytes += len(svg)
	for t.bytes > t.srv.opt.CacheBytes {
		last := t.lru.Back()
		e := last.Value.(*svgEntry)
		t.lru.Remove(last)
		delete(t.byKey, e.key)
		t.bytes -= len(e.svg)
	}
}

// svg returns the drawing of dot, from the cache or rendered now. Renders
// are serialised; waiting for a turn is bounded by ctx.
func (t *treeRenderer) svg(ctx context.Context, key string, dot []byte) ([]byte, error) {
	if svg, ok := t.cached(key); ok {
		return svg, nil
	}
	render := t.srv.opt.Render
	if render == nil {
		return nil, errNoRenderer
	}
	if len(dot) > t.srv.opt.MaxDOTBytes {
		return nil, fmt.Errorf("the tree is too large to draw (%d KiB of DOT, limit %d KiB); ask for fewer models", len(dot)>>10, t.srv.opt.MaxDOTBytes>>10)
	}
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for the renderer: %w", ctx.Err())
	}
	defer func() { <-t.sem }()
	if svg, ok := t.cached(key); ok { // drawn while this request waited
		return svg, nil
	}
	rctx, cancel := context.WithTimeout(ctx, t.srv.opt.RenderTimeout)
	defer cancel()
	svg, err := render(rctx, dot)
	if err != nil {
		if rctx.Err() != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("rendering took longer than %s; ask for fewer models", t.srv.opt.RenderTimeout)
		}
		return nil, fmt.Errorf("render tree: %w", err)
	}
	if len(svg) > t.srv.opt.MaxSVGBytes {
		return nil, fmt.Errorf("the drawing is too large (%d KiB, limit %d KiB); ask for fewer models", len(svg)>>10, t.srv.opt.MaxSVGBytes>>10)
	}
	if i := bytes.Index(svg, []byte("<svg")); i < 0 {
		return nil, errors.New("render tree: the renderer did not return SVG")
	}
	t.store(key, svg)
	return svg, nil
}

// handleTree serves a model's family tree as SVG.
func (srv *Server) handleTree(w http.ResponseWriter, r *http.Request) {
	v, ok := srv.lookupTree(w, r)
	if !ok {
		return
	}
	p := srv.treeParams(r)
	fam, err := srv.family(v, p)
	if err != nil {
		writeSVGError(w, http.StatusInternalServerError, err.Error())
		return
	}
	var dot bytes.Buffer
	if err := fam.WriteDOT(&dot); err != nil {
		writeSVGError(w, http.StatusInternalServerError, err.Error())
		return
	}
	svg, err := srv.trees.svg(r.Context(), srv.s.Name(v)+"\x00"+p.query(), dot.Bytes())
	if err != nil {
		if srv.opt.Logf != nil {
			srv.opt.Logf("tree %s: %v", srv.s.Name(v), err)
		}
		code := http.StatusServiceUnavailable
		if !errors.Is(err, errNoRenderer) && r.Context().Err() == nil {
			code = http.StatusInternalServerError
		}
		writeSVGError(w, code, err.Error())
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:")
	h.Set("Cache-Control", "private, max-age=3600")
	w.Write(svg)
}

func (srv *Server) lookupTree(w http.ResponseWriter, r *http.Request) (graph.NodeID, bool) {
	id := r.PathValue("id")
	if len(id) > maxQueryLen {
		writeSVGError(w, http.StatusBadRequest, "model id too long")
		return 0, false
	}
	v, ok := srv.index.exact(id)
	if !ok {
		writeSVGError(w, http.StatusNotFound, fmt.Sprintf("model %q not found", id))
		return 0, false
	}
	return v, true
}

var svgErrorTmpl = template.Must(template.New("svgerr").Parse(`<svg xmlns="http://www.w3.org/2000/svg" width="640" height="60" viewBox="0 0 640 60"><rect width="640" height="60" fill="#fff4f4" stroke="#d99"/><text x="12" y="34" font-family="sans-serif" font-size="14" fill="#a33">{{.}}</text></svg>`))

// writeSVGError answers with a small SVG stating msg, so an <img> shows
// why there is no tree.
func writeSVGError(w http.ResponseWriter, code int, msg string) {
	if len(msg) > 160 {
		msg = msg[:160] + "..."
	}
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	svgErrorTmpl.Execute(w, msg)
}
