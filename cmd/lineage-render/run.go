package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/lineage-project/lineage/render/svg"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// maxInput bounds the DOT read from standard input.
const maxInput = 64 << 20

// errUsage marks errors in the command line.
var errUsage = errors.New("usage")

// run parses args, renders stdin and writes the result; it returns the
// exit code, mapping errors to codes in one place.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := render(ctx, args, stdin, stdout, stderr)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "lineage-render: %v\n", err)
		fmt.Fprintln(stderr, "usage: lineage-render --format svg|png [-o FILE] < in.dot")
		return exitUsage
	default:
		fmt.Fprintf(stderr, "lineage-render: %v\n", err)
		return exitFailure
	}
}

func render(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lineage-render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "svg", "output format: svg or png")
	out := fs.String("o", "", "write to `FILE` instead of standard output")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q (DOT is read from standard input)", errUsage, fs.Arg(0))
	}
	var convert func(context.Context, []byte) ([]byte, error)
	switch *format {
	case "svg":
		convert = svg.DOTToSVG
	case "png":
		convert = svg.DOTToPNG
	default:
		return fmt.Errorf("%w: unknown format %q (want svg or png)", errUsage, *format)
	}
	dot, err := io.ReadAll(io.LimitReader(stdin, maxInput+1))
	if err != nil {
		return fmt.Errorf("read dot from standard input: %w", err)
	}
	if len(dot) > maxInput {
		return fmt.Errorf("read dot from standard input: more than %d MiB", maxInput>>20)
	}
	data, err := convert(ctx, dot)
	if err != nil {
		return fmt.Errorf("render %s: %w", *format, err)
	}
	if *out == "" {
		if _, err := stdout.Write(data); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		return nil
	}
	return writeFile(*out, data)
}

// writeFile writes data to path. A regular file is replaced through a
// temporary file in the same directory, so that a failed write never leaves
// a truncated picture; anything else that exists (/dev/null, a pipe) is
// written in place.
func writeFile(path string, data []byte) error {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".lineage-render-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
