// Command lineage-render lays out a DOT graph (as written by lineage tree)
// with Graphviz and writes it as SVG or PNG:
//
//	lineage-render --format svg|png [-o FILE] < in.dot
//
// It is a separate binary so that the lineage command does not link
// Graphviz (compiled to WebAssembly) and its query commands do not pay for
// its start-up. Output goes to standard output unless -o names a file.
// Exit status: 0 on success, 1 on failure, 2 on usage errors.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
