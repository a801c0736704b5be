package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/lineage-project/lineage/cmd/lineage/internal/renderer"
	"github.com/lineage-project/lineage/cmd/lineage/web"
	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage/export"
	"github.com/lineage-project/lineage/render"
)

// --- export (graph formats) ---

// graphFormats are the export formats for graph tools.
var graphFormats = []string{"graphml", "csv", "json", "dot"}

const graphFormatsHelp = "graphml (GraphML for networkx, Gephi, yEd), csv (edge table Source,Target,Type,relation,declared), json (networkx node-link) or dot (Graphviz)"

// exportGraph writes the store, or the family of one model, in a graph
// format. A family's DOT is the family tree as lineage tree draws it,
// unfolded.
func exportGraph(c *call, format, family, out string) error {
	s, err := c.store()
	if err != nil {
		return err
	}
	var nodes []graph.NodeID
	var v graph.NodeID
	if family != "" {
		if v, err = s.Lookup(family); err != nil {
			return err
		}
		nodes = export.Family(s, v)
	}
	write := func(w io.Writer) error {
		switch format {
		case "graphml":
			return export.GraphML(w, s, nodes)
		case "csv":
			return export.EdgeCSV(w, s, nodes)
		case "json":
			return export.NodeLink(w, s, nodes)
		}
		if family == "" {
			return writeStoreDOT(w, s, nil)
		}
		fam, err := render.Select(s.G, web.RenderInfo(s), render.Options{Root: v, MaxNodes: -1, RankDir: "LR"})
		if err != nil {
			return err
		}
		return fam.WriteDOT(w)
	}
	if err := writeOutput(out, c.stdout, write); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// --- serve ---

func cmdServe(c *call) error {
	ctx, fs, stderr, d := c.ctx, c.fs, c.stderr, &c.data
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT` (loopback by default; the UI has no authentication)")
	maxTree := fs.Int("max-tree-nodes", 300, "the largest tree a page may ask for, in `N` models")
	renderTimeout := fs.Duration("render-timeout", 20*time.Second, "give up drawing one tree after `D`")
	if err := c.parse(0, 0, ""); err != nil {
		return err
	}
	if *maxTree < 1 || *renderTimeout <= 0 {
		return usagef("--max-tree-nodes must be >= 1 and --render-timeout > 0")
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usagef("--addr %q: want HOST:PORT, such as 127.0.0.1:8080", *addr)
	}
	s, err := c.store()
	if err != nil {
		return err
	}
	var log io.Writer
	if !d.quiet {
		log = stderr
	}
	rend, rerr := renderer.Find(ctx, renderer.Options{Log: log})
	if rerr == nil {
		defer rend.Close()
	}
	// With --recovered the store has the recovered edges, and pages show
	// the proposals' evidence.
	opt := web.Options{Store: s, Recovery: c.recovery, RenderTimeout: *renderTimeout, MaxTreeNodes: *maxTree,
		Logf: func(format string, a ...any) { fmt.Fprintf(stderr, "serve: "+format+"\n", a...) }}
	if rerr == nil {
		opt.Render = func(ctx context.Context, dot []byte) ([]byte, error) {
			return rend.Render(ctx, "svg", dot)
		}
	} else if !d.quiet {
		fmt.Fprintf(stderr, "note: trees will not be drawn: %v\n", rerr)
	}
	ws, err := web.New(opt)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(stderr, "warning: serving on %s, beyond this machine; lineage serve has no authentication\n", ln.Addr())
	}
	srv := &http.Server{Handler: ws.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 16 << 10}
	fmt.Fprintf(stderr, "lineage serve: http://%s/ (%d models; Ctrl-C stops)\n", ln.Addr(), s.NumModels())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shut down: %w", err)
	}
	return nil
}
