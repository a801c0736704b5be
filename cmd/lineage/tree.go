package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/lineage-project/lineage/cmd/lineage/web"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/render"
)

func cmdTree(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("tree", "MODEL -o FILE [--up|--down] [--depth N] [--relation R,...] [--max-nodes N] [--no-fold] [--rankdir LR|TB] [--format dot|mmd|svg|png]", stderr)
	var d dataFlags
	d.register(fs)
	out := fs.String("o", "", "output `FILE`; the format follows its extension (.dot, .mmd, .svg, .png); - or empty writes DOT to stdout")
	format := fs.String("format", "", "output format: dot, mmd (Mermaid), svg or png (default: from the -o extension, else dot)")
	up := fs.Bool("up", false, "draw only the ancestors (what MODEL is built on)")
	down := fs.Bool("down", false, "draw only the descendants (what is built on MODEL)")
	depth := fs.Int("depth", 0, "at most `N` hops from MODEL in each direction (0: all)")
	rel := fs.String("relation", "", "follow only these relations (`R,...`)")
	maxNodes := fs.Int("max-nodes", render.DefaultMaxNodes, "draw at most `N` models; the rest are folded into summary nodes")
	noFold := fs.Bool("no-fold", false, "do not fold leaf quantizations and adapters into count badges")
	rankdir := fs.String("rankdir", "LR", "layout direction: LR (left to right) or TB (top to bottom)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	model, err := oneModel(pos, "tree")
	if err != nil {
		return err
	}
	f := strings.ToLower(*format)
	if f == "" {
		f = formatFromName(*out)
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
	d.noDigest = true // no manifest here
	s, err := d.load(ctx, stderr)
	if err != nil {
		return err
	}
	v, err := s.Lookup(model)
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
		data, err = renderExternal(ctx, f, data)
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
	if !d.quiet {
		fmt.Fprintf(stderr, "wrote %s: %s\n", *out, fam.Caption())
	}
	return nil
}

func formatFromName(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".svg":
		return "svg"
	case ".png":
		return "png"
	case ".mmd", ".mermaid":
		return "mmd"
	}
	return "dot"
}

// errNoRenderer says lineage-render could not be found.
var errNoRenderer = errors.New("SVG and PNG need the lineage-render command, which was not found next to lineage, on PATH, or in $LINEAGE_RENDER; install it with: go install ./cmd/lineage-render (from the lineage source tree), or write .dot/.mmd instead")

// renderExternal lays out DOT as SVG or PNG with lineage-render, a separate
// binary: it links Graphviz compiled to WebAssembly, whose start-up cost
// (0.1-1.2 s) the query commands must not pay. It is found, in order, at
// $LINEAGE_RENDER, next to this executable, on PATH, or (when run from the
// lineage source tree, e.g. with go run) built with "go run".
func renderExternal(ctx context.Context, format string, dot []byte) ([]byte, error) {
	var cmd *exec.Cmd
	args := []string{"--format", format}
	if p := os.Getenv("LINEAGE_RENDER"); p != "" {
		cmd = exec.CommandContext(ctx, p, args...)
	} else if exe, err := os.Executable(); err == nil && isExecutable(filepath.Join(filepath.Dir(exe), "lineage-render")) {
		cmd = exec.CommandContext(ctx, filepath.Join(filepath.Dir(exe), "lineage-render"), args...)
	} else if p, err := exec.LookPath("lineage-render"); err == nil {
		cmd = exec.CommandContext(ctx, p, args...)
	} else if _, err := os.Stat(filepath.Join("cmd", "lineage-render", "main.go")); err == nil {
		if gobin, err := exec.LookPath("go"); err == nil {
			cmd = exec.CommandContext(ctx, gobin, append([]string{"run", "./cmd/lineage-render"}, args...)...)
		}
	}
	if cmd == nil {
		return nil, errNoRenderer
	}
	var out, errb bytes.Buffer
	cmd.Stdin = bytes.NewReader(dot)
	cmd.Stdout = &out
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("render %s with %s: %s", format, cmd.Path, msg)
	}
	return out.Bytes(), nil
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}
