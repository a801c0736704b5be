// Command hubsynth writes a deterministic, synthetic Hugging Face Hub model
// listing (package lineage/synth) for benchmarks and tests of lineage:
//
//	hubsynth --models 2000000 --seed 1 -o /tmp/hub-2m.jsonl.gz
//
// JSON Lines in the Hub API's shape, gzip-compressed when the output's name
// ends in .gz. The output depends only on --models and --seed.
package main

import (
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lineage-project/lineage/lineage/synth"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the whole command; it returns the exit code (0 ok, 1 failure, 2 usage).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hubsynth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opt synth.Options
	fs.IntVar(&opt.Models, "models", 1000, "number of model records to write")
	fs.Uint64Var(&opt.Seed, "seed", 1, "random seed; the output depends only on --models and --seed")
	out := fs.String("o", "", "output file (default stdout); gzip-compressed when the name ends in .gz")
	quiet := fs.Bool("quiet", false, "do not print the summary line to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || opt.Models < 0 {
		fmt.Fprintln(stderr, "usage: hubsynth --models N --seed S [-o FILE] [--quiet]")
		return 2
	}
	st, err := write(*out, stdout, opt)
	if err != nil {
		fmt.Fprintf(stderr, "hubsynth: %v\n", err)
		return 1
	}
	if !*quiet {
		fmt.Fprintln(stderr, st)
	}
	return 0
}

// write generates into the named file (stdout when name is empty).
func write(name string, stdout io.Writer, opt synth.Options) (synth.Stats, error) {
	if name == "" {
		return synth.Generate(stdout, opt)
	}
	f, err := os.Create(name)
	if err != nil {
		return synth.Stats{}, err
	}
	var w io.Writer = f
	var zw *gzip.Writer
	if strings.HasSuffix(name, ".gz") {
		zw, _ = gzip.NewWriterLevel(f, gzip.BestSpeed)
		w = zw
	}
	st, err := synth.Generate(w, opt)
	if zw != nil {
		err = errors.Join(err, zw.Close())
	}
	if cerr := f.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil {
		return st, fmt.Errorf("write %s: %w", name, err)
	}
	return st, nil
}
