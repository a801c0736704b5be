// Package svg lays out DOT with Graphviz and returns SVG or PNG. It is the
// only package of lineage that links github.com/goccy/go-graphviz (Graphviz
// compiled to WebAssembly, run by wazero: no cgo, no installed Graphviz), so
// that programs which only write DOT do not pay for it.
//
// What it assumes about go-graphviz v0.2.10, and guards against:
//   - it is not safe for concurrent use: every render in the process runs
//     behind one mutex (waiting for it honours the context);
//   - each instance leaks heap (upstream #111): one instance is created on
//     first use and reused for the life of the process;
//   - ParseBytes may return neither a graph nor an error (empty input), and
//     its error text can be stale, left over from an earlier parse: both
//     cases are checked, and the SVG produced is checked to be one;
//   - its PNG renderer draws only labels and arrowheads (upstream #106):
//     DOTToPNG instead rasterises the SVG itself, in pure Go (see SVGToPNG).
//
// The WebAssembly module is compiled when go-graphviz's package is
// initialised, which costs about 0.1 s (1.2 s on a cold cache) at the start
// of every program that imports this package.
package svg

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/goccy/go-graphviz"
)

// ErrEmpty reports DOT input with no graph in it.
var ErrEmpty = errors.New("no graph in DOT input")

// ErrRender reports that Graphviz produced no usable output.
var ErrRender = errors.New("graphviz produced no SVG")

var (
	// sem serialises every use of Graphviz in the process; a channel
	// rather than a sync.Mutex so that waiting can be cancelled.
	sem = make(chan struct{}, 1)
	// gv is the process-wide Graphviz instance, created on first use.
	gv *graphviz.Graphviz
)

// lock waits for the process-wide Graphviz lock or for ctx to be done.
func lock(ctx context.Context) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func unlock() { <-sem }

// instance returns the shared Graphviz instance. Callers hold the lock.
func instance(ctx context.Context) (*graphviz.Graphviz, error) {
	if gv != nil {
		return gv, nil
	}
	// The instance outlives this call: do not let ctx's cancellation reach it.
	g, err := graphviz.New(context.WithoutCancel(ctx))
	if err != nil {
		return nil, fmt.Errorf("start graphviz: %w", err)
	}
	gv = g
	return gv, nil
}

// DOTToSVG lays out a DOT graph with Graphviz's dot engine and returns the
// SVG document, with the glyphs of its Helvetica text embedded as a font
// whose widths are those Graphviz laid the text out with (see font.go), so
// that labels stay inside their boxes whatever fonts the viewer has. Safe
// for concurrent use (calls are serialised).
func DOTToSVG(ctx context.Context, dot []byte) ([]byte, error) {
	if len(bytes.TrimSpace(dot)) == 0 {
		return nil, ErrEmpty
	}
	if err := lock(ctx); err != nil {
		return nil, err
	}
	defer unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	g, err := instance(ctx)
	if err != nil {
		return nil, err
	}
	graph, err := graphviz.ParseBytes(dot)
	if graph == nil {
		// The error text may be stale (left by an earlier parse) or
		// missing altogether; say what we know for sure.
		if err == nil {
			return nil, fmt.Errorf("parse dot: %w", ErrEmpty)
		}
		return nil, fmt.Errorf("parse dot: %w", err)
	}
	defer graph.Close()
	if err != nil {
		return nil, fmt.Errorf("parse dot: %w", err)
	}
	var buf bytes.Buffer
	if err := g.Render(ctx, graph, graphviz.SVG, &buf); err != nil {
		return nil, fmt.Errorf("render svg: %w", err)
	}
	out := buf.Bytes()
	// A failed layout can return no error at all: check that an SVG
	// document came out.
	if !bytes.Contains(out, []byte("<svg")) || !bytes.Contains(out, []byte("</svg>")) {
		return nil, ErrRender
	}
	return embedFonts(out)
}

// DOTToPNG lays out a DOT graph and returns it as a PNG image, made by
// rasterising the SVG from DOTToSVG with SVGToPNG (go-graphviz's own PNG
// output is broken). Safe for concurrent use.
func DOTToPNG(ctx context.Context, dot []byte) ([]byte, error) {
	svg, err := DOTToSVG(ctx, dot)
	if err != nil {
		return nil, err
	}
	return SVGToPNG(ctx, svg)
}
