package main

import (
	"context"
	"io"
)

// Placeholders for the live-Hub/web-UI issue; replaced by their implementation.

func cmdFetch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("fetch: not available yet")
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("serve: not available yet")
}
