// Command hubsynth writes a deterministic, synthetic Hugging Face Hub model
// listing (package lineage/synth) for benchmarks and tests of lineage:
//
//	hubsynth --models 2000000 --seed 1 -o /tmp/hub-2m.jsonl.gz
//
// JSON Lines in the Hub API's shape, gzip-compressed when the output's name
// ends in .gz, a hub-stats models.parquet when it ends in .parquet. --undeclared sets the share of derivatives that state no
// parent, --truth writes their true parents (CSV parent,child,relation).
// The output depends only on --models, --seed and --undeclared.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/lineage-project/lineage/lineage/synth"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the whole command; it returns the exit code (0 ok, 1 failure, 2 usage).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hubsynth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opt synth.Options
	fs.IntVar(&opt.Models, "models", 1000, "number of model records to write")
	fs.Uint64Var(&opt.Seed, "seed", 1, "random seed; the output depends only on --models, --seed and --undeclared")
	fs.Float64Var(&opt.Undeclared, "undeclared", synth.DefaultUndeclared,
		fmt.Sprintf("share of models that are derivatives stating no parent (0 to %.3f)", synth.MaxUndeclared))
	out := fs.String("o", "", "output file (default stdout): .jsonl, .jsonl.gz or .parquet (hub-stats models.parquet)")
	truth := fs.String("truth", "", "write the true parents of the undeclared derivatives to this CSV file")
	fs.IntVar(&opt.RowGroup, "row-group", synth.DefaultRowGroup, "rows per row group of a .parquet output")
	quiet := fs.Bool("quiet", false, "do not print the summary line to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || opt.Models < 0 || opt.RowGroup < 1 || !(opt.Undeclared >= 0 && opt.Undeclared <= synth.MaxUndeclared) {
		fmt.Fprintln(stderr, "usage: hubsynth --models N --seed S [--undeclared SHARE] [-o FILE] [--truth FILE] [--row-group N] [--quiet]")
		return 2
	}
	if opt.Undeclared == 0 {
		opt.Undeclared = -1 // none (the package's zero value selects its default)
	}
	st, err := write(*out, *truth, stdout, opt)
	if err != nil {
		fmt.Fprintf(stderr, "hubsynth: %v\n", err)
		return 1
	}
	if !*quiet {
		fmt.Fprintln(stderr, st)
	}
	return 0
}

// write generates into the named file (stdout when name is empty) and the
// truth into its file when one is named.
func write(name, truth string, stdout io.Writer, opt synth.Options) (synth.Stats, error) {
	if truth != "" {
		f, err := os.Create(truth)
		if err != nil {
			return synth.Stats{}, err
		}
		opt.Truth = f
		st, err := write(name, "", stdout, opt)
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write %s: %w", truth, cerr)
		}
		return st, err
	}
	if name == "" {
		return synth.Generate(stdout, opt)
	}
	return synth.WriteFile(name, opt)
}
