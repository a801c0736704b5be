// Package web is the local web UI and JSON API of "lineage serve": search
// with completion (by id, name, prefix and words, over an index built
// once), a page per model (what it is built on, with the relation of each
// hop, or for a foundation that nothing is declared, with its hints and
// any recovered candidates; its direct children by relation; its distinct
// descendant count; its family tree drawn as SVG with folding), and the
// foundation ranking, all over one read-only lineage.Store.
//
// What it guarantees: every request is bounded (query length, result
// counts, tree size, a per-request timeout, a cap on requests in flight);
// every model id reaches HTML through html/template and SVG through the
// render package's escaping; only GET and HEAD are served. Drawing a tree
// is the caller's Render function, normally the separate lineage-render
// process: one render at a time, each with a timeout and a size cap, and
// results kept in a small bounded cache, so the server's own memory stays
// flat however many trees are drawn.
//
// What it does not do: authenticate (bind it to loopback, as lineage serve
// does by default), write anything, or reach the network.
package web

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/modelid"
	"github.com/lineage-project/lineage/lineage/recovery"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configures a Server. Zero values mean the defaults.
type Options struct {
	// Store is the graph served; required.
	Store *lineage.Store
	// Render turns DOT into SVG (normally lineage-render in a separate
	// process). Nil means trees are not drawn; pages still work.
	Render func(ctx context.Context, dot []byte) ([]byte, error)
	// RenderTimeout bounds one render; default 20 s.
	RenderTimeout time.Duration
	// MaxTreeNodes is the largest model budget a tree request may ask
	// for; default 300. DefaultTreeNodes is used when it asks for none;
	// default 80.
	MaxTreeNodes, DefaultTreeNodes int
	// MaxDOTBytes and MaxSVGBytes cap a render's input and output;
	// defaults 4 MiB and 16 MiB.
	MaxDOTBytes, MaxSVGBytes int
	// CacheBytes bounds the rendered SVGs kept; default 32 MiB.
	CacheBytes int
	// RequestTimeout bounds a whole request; default 30 s.
	RequestTimeout time.Duration
	// MaxInFlight caps concurrent requests; more get 503. Default 256.
	MaxInFlight int
	// Logf, when set, receives one line per failed render.
	Logf func(format string, args ...any)
	// Recovery, when set, is recovered lineage for Store (package
	// lineage/recovery): a model's page lists the parents proposed for it
	// with their confidence and evidence. lineage serve --recovered also
	// gives a Store with the proposals added as recovered edges
	// (Store.WithEdges), which every page marks as such; with a Store
	// without them the proposals are candidates only. Nil means recovery
	// was not run, and pages say so.
	Recovery *recovery.Result
}

// Server serves the UI and the API. It is safe for concurrent use.
type Server struct {
	opt   Options
	s     *lineage.Store
	tmpl  map[string]*template.Template
	index *searchIndex
	trees *treeRenderer

	rankOnce sync.Once
	rank     []lineage.RankEntry

	captions captionCache

	recovered map[graph.NodeID][]recovery.Proposal // by child, best first
}

// Limits on what a request may ask for.
const (
	maxQueryLen     = 200
	maxCompletions  = 20
	maxSearchHits   = 50
	maxRankTop      = 1000
	maxListed       = 200 // ancestors and descendants listed on a page
	maxChildrenEach = 50  // direct children listed per relation
	maxPaths        = 12
)

// New returns a server for opt.Store.
func New(opt Options) (*Server, error) {
	if opt.Store == nil {
		return nil, errors.New("web: no store")
	}
	if opt.RenderTimeout <= 0 {
		opt.RenderTimeout = 20 * time.Second
	}
	if opt.MaxTreeNodes <= 0 {
		opt.MaxTreeNodes = 300
	}
	if opt.DefaultTreeNodes <= 0 {
		opt.DefaultTreeNodes = min(80, opt.MaxTreeNodes)
	}
	if opt.MaxDOTBytes <= 0 {
		opt.MaxDOTBytes = 4 << 20
	}
	if opt.MaxSVGBytes <= 0 {
		opt.MaxSVGBytes = 16 << 20
	}
	if opt.CacheBytes <= 0 {
		opt.CacheBytes = 32 << 20
	}
	if opt.RequestTimeout <= 0 {
		opt.RequestTimeout = 30 * time.Second
	}
	if opt.MaxInFlight <= 0 {
		opt.MaxInFlight = 256
	}
	srv := &Server{opt: opt, s: opt.Store}
	// The foundation ranking (the home page's) is computed meanwhile, so
	// that no first request pays for it.
	ranked := make(chan struct{})
	go func() { srv.rankAll(); close(ranked) }()
	srv.index = newSearchIndex(opt.Store)
	<-ranked
	// Building the search index of a Hub-scale store takes about twice
	// the memory it keeps (170 of 280 MiB at 2M models); a long-running
	// server returns that at once rather than when the runtime gets to it.
	debug.FreeOSMemory()
	if opt.Recovery != nil {
		srv.recovered = map[graph.NodeID][]recovery.Proposal{}
		for _, p := range opt.Recovery.Proposals {
			srv.recovered[p.Child] = append(srv.recovered[p.Child], p)
		}
		for _, ps := range srv.recovered {
			slices.SortFunc(ps, func(a, b recovery.Proposal) int {
				return cmp.Or(cmp.Compare(b.Confidence, a.Confidence), modelid.Compare(opt.Store.Name(a.Parent), opt.Store.Name(b.Parent)))
			})
		}
	}
	srv.trees = newTreeRenderer(srv)
	if err := srv.parseTemplates(); err != nil {
		return nil, err
	}
	return srv, nil
}

func (srv *Server) parseTemplates() error {
	funcs := template.FuncMap{
		"modelURL": modelURL,
		"hubURL":   func(id string) string { return "https://huggingface.co/" + escapeID(id) },
		"count":    humanCount,
		"downloads": func(n int64) string {
			if n < 0 {
				return ""
			}
			return humanCount(n) + " downloads"
		},
		"matchLabel": func(m string) string {
			switch m {
			case "id":
				return "this id"
			case "name":
				return "same name"
			case "prefix":
				return "starts with it"
			}
			return "every word"
		},
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return one
			}
			return many
		},
	}
	srv.tmpl = map[string]*template.Template{}
	for _, page := range []string{"home", "search", "model", "error"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return fmt.Errorf("web: parse template %s: %w", page, err)
		}
		srv.tmpl[page] = t
	}
	return nil
}

// Handler returns the server's HTTP handler: the routes, behind a cap on
// requests in flight, a per-request timeout and security headers.
func (srv *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", srv.handleHome)
	mux.HandleFunc("GET /search", srv.handleSearch)
	mux.HandleFunc("GET /model/{id...}", srv.handleModel)
	mux.HandleFunc("GET /tree/{id...}", srv.handleTree)
	mux.HandleFunc("GET /api/complete", srv.handleAPIComplete)
	mux.HandleFunc("GET /api/search", srv.handleAPISearch)
	mux.HandleFunc("GET /api/model/{id...}", srv.handleAPIModel)
	mux.HandleFunc("GET /api/rank", srv.handleAPIRank)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "read-only: only GET and HEAD are served", http.StatusMethodNotAllowed)
			return
		}
		srv.notFound(w, r, "no such page")
	})
	var h http.Handler = mux
	h = http.TimeoutHandler(h, srv.opt.RequestTimeout, "request timed out")
	return srv.limit(securityHeaders(h))
}

// limit answers 503 when MaxInFlight requests are already being served.
func (srv *Server) limit(h http.Handler) http.Handler {
	slots := make(chan struct{}, srv.opt.MaxInFlight)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			h.ServeHTTP(w, r)
		default:
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy: too many requests in flight", http.StatusServiceUnavailable)
		}
	})
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		if !strings.HasPrefix(r.URL.Path, "/tree/") {
			hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		}
		h.ServeHTTP(w, r)
	})
}

// rankAll returns the foundation ranking, computed once (the store never
// changes).
func (srv *Server) rankAll() []lineage.RankEntry {
	srv.rankOnce.Do(func() { srv.rank = srv.s.Rank(maxRankTop, graph.AllLabels) })
	return srv.rank
}
