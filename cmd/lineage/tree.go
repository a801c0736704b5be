package main

import (
	"context"
	"io"
)

func cmdTree(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("tree: not yet available")
}
