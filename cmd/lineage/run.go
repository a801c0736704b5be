package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/lineage-project/lineage/lineage"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// commands is the command table, in the order of lineage help.
var commands = []command{
	{name: "build", args: "--in PATH... -o FILE [--strict]", help: "read inputs and write an index file (-o FILE)", data: dataInputs, run: cmdBuild},
	{name: "stats", args: "[--in PATH...|--index FILE] [--json]", help: "models, edges by relation, foundations, problems found", data: dataQuery, json: "print JSON", run: cmdStats},
	{name: "ancestors", args: "MODEL [--paths] [--max-paths N] [--json]", help: "what MODEL is built on: every ancestor up to its foundations", data: dataQuery, json: "print JSON", run: cmdAncestors},
	{name: "descendants", args: "MODEL [--depth N] [--relation R,...] [--limit N] [--json]", help: "what is built on MODEL: distinct descendants", data: dataQuery, json: "print JSON", run: cmdDescendants},
	{name: "path", args: "FROM TO [--all] [--max-paths N] [--json]", help: "how TO derives from FROM: a shortest path, or --all of them", data: dataQuery, json: "print JSON", run: cmdPath},
	{name: "common", args: "A B [C...] [--json]", help: "what models A B ... share: common, nearest ancestors, foundations", data: dataQuery, json: "print JSON", run: cmdCommon},
	{name: "impact", args: "MODEL [--limit N] [--json]", help: "the models that depend on MODEL alone (cut off without it)", data: dataQuery, json: "print JSON", run: cmdImpact},
	{name: "diff", args: "OLD NEW [--top N] [--relation R,...] [--limit N] [--format text|json|csv]", help: "what changed between two snapshots (OLD NEW: index, listing, dir)", data: dataNone, json: "print JSON (as --format json)", run: cmdDiff},
	{name: "rank", args: "[--top N] [--by descendants|downloads|downloads-all|likes|pagerank] [--since DATE] [--until DATE] [--relation R,...] [--group org|country] [--json]", help: "foundations ranked by descendants, their downloads or likes, or PageRank", data: dataQuery, json: "print JSON", run: cmdRank},
	{name: "tree", args: "MODEL -o FILE [--up|--down] [--depth N] [--relation R,...] [--max-nodes N] [--no-fold] [--rankdir LR|TB] [--format dot|mmd|svg|png]", help: "draw MODEL's family tree (.dot, .mmd, .svg, .png)", data: dataQuery, run: cmdTree},
	{name: "export", args: "--format listing|edges|graphml|csv|json|dot [--family MODEL] [-o FILE]", help: "the graph or a family as a listing (jsonl), an edge list (csv),\nGraphML, node-link JSON or DOT", data: dataQuery, run: cmdExport},
	{name: "lint", args: "[--in PATH...] [--json] [--kind K,...] [--max N]", help: "every problem in the input, with source, line and the fix", data: dataInputs, json: "print JSON: {\"summary\":{kind:count},\"problems\":[...]}", run: cmdLint},
	{name: "recover", args: "[--in PATH... | --index FILE] [--min-confidence F] [--relation R,...] [--json] [-o FILE]\n       lineage recover --evaluate [--fraction F] [--seed N] [--json]", help: "propose parents for models that declare none, with evidence", data: dataPlain, json: "print JSON: {\"proposals\":[...],\"summary\":{...}} (with --evaluate, the evaluation report)", run: cmdRecover},
	{name: "origins", args: "[--list FROM:TO] [--attribution full|fractional] [--relation R,...] [--from DATE] [--to DATE] [--origins FILE] [--json]", help: "cross-origin matrix: author country -> foundation country", data: dataQuery, json: "print JSON", run: cmdOrigins},
	{name: "timeline", args: "[--by country|org|foundation] [--relation R,...] [--from DATE --to DATE] [--attribution full|fractional] [--top N] [--chart FILE] [--json]", help: "new derivatives per month by foundation country, org or foundation", data: dataQuery, json: "print JSON", run: cmdTimeline},
	{name: "velocity", args: "MODEL... [--relation R,...] [--attribution full|fractional] [--days N,...] [--chart FILE] [--json]", help: "derivatives within 7/30/90/365 days of each model's release", data: dataQuery, json: "print JSON", run: cmdVelocity},
	{name: "report", args: "-o FILE [--top N] [--by descendants|downloads|downloads-all|likes|pagerank] [--velocity MODEL,...] [--relation R,...] [--from DATE] [--to DATE] [--attribution full|fractional] [--origins FILE]", help: "one self-contained HTML report (-o report.html)", data: dataQuery, run: cmdReport},
	{name: "fetch", args: "(--up MODEL | --down MODEL | --author NAME | --search TEXT)... [--evidence] [-o FILE]\n       lineage fetch --snapshot [--dataset REPO] [--file PATH] [--revision REV] -o FILE", help: "a listing from the live Hub API, or a hub-stats snapshot", data: dataNone, run: cmdFetch},
	{name: "serve", args: "[--addr 127.0.0.1:8080] [--in PATH...|--index FILE] [--recovered]", help: "a local web UI and JSON API (127.0.0.1:8080)", data: dataQuery, run: cmdServe},
}

// usageError marks an error in how lineage was invoked.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// run is the whole program behind main; it maps errors to exit codes.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText())
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usageText())
		return exitOK
	case "version", "--version":
		fmt.Fprintln(stdout, versionLine())
		return exitOK
	}
	cmd, ok := lookupCommand(name)
	if !ok {
		fmt.Fprintf(stderr, "lineage: unknown command %q\n\n%s", name, usageText())
		return exitUsage
	}
	e := env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	return exitCode(cmd.run(newCall(e, cmd, rest)), stderr)
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var ep errProblems
	if errors.As(err, &ep) {
		return exitFailure // lint already printed them
	}
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, lineage.ErrUsage) {
		fmt.Fprintf(stderr, "lineage: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "lineage: %v\n", err)
	return exitFailure
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// parseArgs parses flags that may appear before or after positional
// arguments ("lineage ancestors MODEL --json").
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// versionLine says which lineage this is: the module version (a tagged
// release, or (devel) for a build from a checkout), the VCS revision and
// time the build recorded (with +dirty for uncommitted changes), the Go
// version, and the index format this binary reads and writes.
func versionLine() string {
	version, rev, when, dirty, goVersion := "(devel)", "", "", false, runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	line := "lineage " + version
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if dirty {
			rev += "+dirty"
		}
		line += " (commit " + rev
		if when != "" {
			line += ", " + when
		}
		line += ")"
	}
	return fmt.Sprintf("%s, %s, index format %d", line, goVersion, lineage.IndexVersion)
}
