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

const usageText = `lineage maps how open AI models are built on each other.

Usage:
  lineage <command> [flags] [MODEL]

Commands:
  build        read inputs and write an index file (-o FILE)
  stats        models, edges by relation, foundations, problems found
  ancestors    what MODEL is built on: every ancestor up to its foundations
  descendants  what is built on MODEL: distinct descendants
  path         how TO derives from FROM: a shortest path, or --all of them
  common       what models A B ... share: common, nearest ancestors, foundations
  impact       the models that depend on MODEL alone (cut off without it)
  diff         what changed between two snapshots (OLD NEW: index, listing, dir)
  rank         foundations ranked by descendants, their downloads or likes, or PageRank
  tree         draw MODEL's family tree (.dot, .mmd, .svg, .png)
  export       the graph or a family as a listing (jsonl), an edge list (csv),
               GraphML, node-link JSON or DOT
  lint         every problem in the input, with source, line and the fix
  recover      propose parents for models that declare none, with evidence
  origins      cross-origin matrix: author country -> foundation country
  timeline     new derivatives per month by foundation country, org or foundation
  velocity     derivatives within 7/30/90/365 days of each model's release
  report       one self-contained HTML report (-o report.html)
  fetch        a listing from the live Hub API, or a hub-stats snapshot
  serve        a local web UI and JSON API (127.0.0.1:8080)
  version      the program's version and commit, and the index format

Data flags (every query command):
  --in PATH      a directory of model cards (ORG/NAME/README.md, or a Hugging
                 Face cache), a Hub listing (.jsonl/.json, .gz ok), an edge
                 list (.csv/.tsv), a hub-stats snapshot (.parquet), or - for
                 standard input; repeatable, merged in order
  --index FILE   an index written by "lineage build"
  with neither, the index $LINEAGE_INDEX names, if set, else the embedded
  sample of real Hub lineage facts; a note on stderr says which.

Run "lineage <command> -h" for a command's flags.
Exit codes: 0 ok, 1 failure (bad input, unknown model), 2 usage error.
`

// stdinKey carries the invocation's standard input in its context.
type stdinKey struct{}

// stdinOf returns the standard input of the invocation ctx belongs to.
func stdinOf(ctx context.Context) io.Reader {
	r, _ := ctx.Value(stdinKey{}).(io.Reader)
	return r
}

// usageError marks an error in how lineage was invoked.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// run is the whole program behind main; it maps errors to exit codes.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	// The invocation's standard input, for --in - (request-scoped: it
	// belongs to this run, not to any option of a function).
	ctx = context.WithValue(ctx, stdinKey{}, stdin)
	var err error
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usageText)
		return exitOK
	case "version", "--version":
		fmt.Fprintln(stdout, versionLine())
		return exitOK
	case "build":
		err = cmdBuild(ctx, rest, stdout, stderr)
	case "stats":
		err = cmdStats(ctx, rest, stdout, stderr)
	case "ancestors":
		err = cmdAncestors(ctx, rest, stdout, stderr)
	case "descendants":
		err = cmdDescendants(ctx, rest, stdout, stderr)
	case "path":
		err = cmdPath(ctx, rest, stdout, stderr)
	case "common":
		err = cmdCommon(ctx, rest, stdout, stderr)
	case "impact":
		err = cmdImpact(ctx, rest, stdout, stderr)
	case "diff":
		err = cmdDiff(ctx, rest, stdout, stderr)
	case "rank":
		err = cmdRank(ctx, rest, stdout, stderr)
	case "tree":
		err = cmdTree(ctx, rest, stdout, stderr)
	case "export":
		err = cmdExport(ctx, rest, stdout, stderr)
	case "lint":
		err = cmdLint(ctx, rest, stdout, stderr)
	case "recover":
		err = cmdRecover(ctx, rest, stdout, stderr)
	case "origins":
		err = cmdOrigins(ctx, rest, stdout, stderr)
	case "timeline":
		err = cmdTimeline(ctx, rest, stdout, stderr)
	case "velocity":
		err = cmdVelocity(ctx, rest, stdout, stderr)
	case "report":
		err = cmdReport(ctx, rest, stdout, stderr)
	case "fetch":
		err = cmdFetch(ctx, rest, stdout, stderr)
	case "serve":
		err = cmdServe(ctx, rest, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "lineage: unknown command %q\n\n%s", cmd, usageText)
		return exitUsage
	}
	return exitCode(err, stderr)
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
