package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/lineage-project/lineage/cmd/lineage/internal/renderer"
	"github.com/lineage-project/lineage/cmd/lineage/web"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/render"
)

func cmdTree(c *call) error {
	fs, stdout, stderr := c.fs, c.stdout, c.stderr
	out := fs.String("o", "", "output `FILE`; the format follows its extension (.dot, .mmd, .svg, .png); - or empty writes DOT to stdout")
	format := fs.String("format", "", "output format: dot, mmd (Mermaid), svg or png (default: from the -o extension, else dot)")
	up := fs.Bool("up", false, "draw only the ancestors (what MODEL is built on)")
	down := fs.Bool("down", false, "draw only the descendants (what is built on MODEL)")
	depth := fs.Int("depth", 0, "at most `N` hops from MODEL in each direction (0: all)")
	rel := fs.String("relation", "", "follow only these relations (`R,...`)")
	maxNodes := fs.Int("max-nodes", render.DefaultMaxNodes, "draw at most `N` models; the rest are folded into summary nodes")
	noFold := fs.Bool("no-fold", false, "do not fold leaf quantizations and adapters into count badges")
	rankdir := fs.String("rankdir", "LR", "layout direction: LR (left to right) or TB (top to bottom)")
	if err := c.parse(1, 1, "one MODEL id"); err != nil {
		return err
	}
	model := c.pos[0]
	f := strings.ToLower(*format)
	if f == "" {
		var err error
		if f, err = formatFromName(*out); err != nil {
			return err
		}
	}
	switch f {
	case "dot", "mmd", "svg", "png":
	case "mermaid":
		f = "mmd"
	default:
		return usagef("unknown format %q (want dot, mmd, svg or png)", f)
	}
	if (f == "svg" || f == "png") && (*out == "" || *out == "-") && isTerminal(stdout) {
		return usagef("refusing to write %s to a terminal; use -o FILE", f)
	}
	if *depth < 0 {
		return usagef("--depth must be >= 0")
	}
	if *maxNodes < 1 {
		return usagef("--max-nodes must be >= 1")
	}
	rd := strings.ToUpper(*rankdir)
	if rd != "LR" && rd != "TB" {
		return usagef("--rankdir must be LR or TB")
	}
	labels, err := lineage.ParseRelations(*rel)
	if err != nil {
		return err
	}
	c.data.noDigest = true // no manifest here
	s, v, err := c.model()
	if err != nil {
		return err
	}
	fam, err := render.Select(s.G, web.RenderInfo(s), render.Options{
		Root: v, Up: *up, Down: *down, Depth: *depth, Labels: labels,
		MaxNodes: *maxNodes, Fold: !*noFold, RankDir: rd,
	})
	if err != nil {
		return fmt.Errorf("tree %s: %w", model, err)
	}
	var buf bytes.Buffer
	if f == "mmd" {
		err = fam.WriteMermaid(&buf)
	} else {
		err = fam.WriteDOT(&buf)
	}
	if err != nil {
		return fmt.Errorf("tree %s: %w", model, err)
	}
	data := buf.Bytes()
	if f == "svg" || f == "png" {
		var log io.Writer
		if !c.data.quiet {
			log = stderr
		}
		data, err = renderExternal(c.ctx, f, data, log)
		if err != nil {
			return err
		}
	}
	if *out == "" || *out == "-" {
		_, err = stdout.Write(data)
		return err
	}
	if err := writeOutput(*out, stdout, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return err
	}
	if !c.data.quiet {
		fmt.Fprintf(stderr, "wrote %s: %s\n", *out, fam.Caption())
	}
	return nil
}

// formatFromName picks the output format from the extension of -o: .dot
// or .gv, .mmd or .mermaid, .svg, .png; DOT for stdout or a name without
// an extension. Any other extension is a usage error, so that "-o x.jpg"
// does not quietly write DOT text into a file named like a picture.
func formatFromName(name string) (string, error) {
	if name == "" || name == "-" {
		return "dot", nil
	}
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case "", ".dot", ".gv":
		return "dot", nil
	case ".svg":
		return "svg", nil
	case ".png":
		return "png", nil
	case ".mmd", ".mermaid":
		return "mmd", nil
	default:
		return "", usagef("-o %s: unknown extension %q; lineage tree writes .dot, .mmd, .svg or .png (or name the format with --format)", name, ext)
	}
}

// renderExternal lays DOT out as SVG or PNG with lineage-render, found
// (or built from the source checkout) by package renderer.
func renderExternal(ctx context.Context, format string, dot []byte, log io.Writer) ([]byte, error) {
	r, err := renderer.Find(ctx, renderer.Options{Log: log})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.Render(ctx, format, dot)
}
