package main

import (
	"context"
	"io"
)

func cmdLint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("lint: not available yet")
}
