package main

import (
	"context"
	"io"
)

// Placeholders for the origins/timeline issue; replaced by their implementation.

func cmdOrigins(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("origins: not available yet")
}

func cmdTimeline(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("timeline: not available yet")
}

func cmdVelocity(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("velocity: not available yet")
}

func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return usagef("report: not available yet")
}
