// Command lineage maps how open AI models on Hugging Face are built on each
// other: what a model is built on, what is built on it, and which
// foundations carry the most derivative work. Run "lineage help" for usage.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// Ctrl-C and SIGTERM (a service manager, a container stop) both cancel
	// the run; serve shuts down gracefully on either.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
