package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/analytics"
	"github.com/lineage-project/lineage/lineage/recovery"
)

// The command table: every subcommand, what data it reads, the flags all
// of them share, and the one preamble (flags, arguments, data, models) they
// all go through. A command's function registers its own flags on c.fs and
// calls c.parse, c.store and c.models; it never touches os.

// env is one invocation's world: its context and its streams. Only run
// builds one.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// dataNeed says which data flags a command takes.
type dataNeed uint8

const (
	dataNone   dataNeed = iota // no data (fetch, diff: its snapshots are arguments)
	dataInputs                 // inputs to read (build, lint): --in, no $LINEAGE_INDEX
	dataQuery                  // a store to query: --in, --index or $LINEAGE_INDEX, or the sample; and --recovered
	dataPlain                  // a store, without --recovered (recover proposes; it does not add)
)

// command is one entry of the table.
type command struct {
	name string
	args string // the usage line after the name
	help string // the line in lineage help
	data dataNeed
	json string // the --json flag's description; "" when there is no --json
	run  func(c *call) error
}

// call is a command being run: its environment, its flags and, once
// parsed, its positional arguments.
type call struct {
	env
	name   string
	args   []string
	fs     *flag.FlagSet
	need   dataNeed
	data   dataFlags
	asJSON bool
	pos    []string
	parsed bool

	// recovered describes the recovered lineage the store was given
	// (--recovered), for notes and manifests, and recovery holds its
	// proposals with their evidence; both nil without it.
	recovered *recoveredInfo
	recovery  *recovery.Result
}

// recoveredInfo is what --recovered added: the threshold, the rules'
// version and the number of edges. Its JSON form is the manifests'
// "recovered" object.
type recoveredInfo = analytics.RecoveredLineage

// newCall sets up the flags every command of need shares.
func newCall(e env, cmd command, args []string) *call {
	c := &call{env: e, name: cmd.name, args: args, need: cmd.data}
	c.fs = newFlagSet(cmd.name, cmd.args, e.stderr)
	switch cmd.data {
	case dataInputs:
		c.data.register(c.fs)
		c.data.noEnv = true // an index is not an input
	case dataQuery:
		c.data.register(c.fs)
		c.fs.BoolVar(&c.data.recovered, "recovered", false, "add recovered lineage: parents proposed from evidence for models that declare none (see lineage recover), marked as recovered wherever they show")
		c.fs.Float64Var(&c.data.minConfidence, "min-confidence", recovery.DefaultMinConfidence, "with --recovered: add the proposals at or above this `confidence`")
	case dataPlain:
		c.data.register(c.fs)
	}
	if cmd.json != "" {
		c.fs.BoolVar(&c.asJSON, "json", false, cmd.json)
	}
	return c
}

// parse parses the flags, which may come before or after the positional
// arguments, and checks their number: between min and max (max < 0: no
// limit). what names them in the usage error ("one MODEL id").
func (c *call) parse(min, max int, what string) error {
	pos, err := parseArgs(c.fs, c.args)
	if err != nil {
		return err
	}
	c.pos, c.parsed = pos, true
	if len(pos) < min || max >= 0 && len(pos) > max {
		if max == 0 {
			return usagef("%s takes no arguments (got %q)", c.name, strings.Join(pos, " "))
		}
		return usagef("%s takes %s (got %d arguments)", c.name, what, len(pos))
	}
	if c.need == dataQuery {
		if !(c.data.minConfidence >= 0 && c.data.minConfidence <= 1) { // NaN too
			return usagef("--min-confidence must be between 0 and 1 (got %g)", c.data.minConfidence)
		}
		if c.data.minConfidenceSet(c.fs) && !c.data.recovered {
			return usagef("--min-confidence goes with --recovered")
		}
	}
	return nil
}

// store reads the data the flags name, once parsed: an index, inputs,
// $LINEAGE_INDEX's index or the sample; with --recovered, recovered
// lineage added at the threshold. Notes go to stderr unless --quiet.
func (c *call) store() (*lineage.Store, error) {
	if !c.parsed {
		panic("lineage: store before parse") // a programming error
	}
	if c.data.recovered {
		// Recovery reads the metadata (tags, hints, dates, downloads):
		// without it, it would propose other parents than lineage recover.
		c.data.graphOnly = false
	}
	s, err := c.data.load(c.ctx, c.stderr, c.stdin)
	if err != nil || !c.data.recovered {
		return s, err
	}
	res := recovery.Recover(recovery.FromStore(s), recovery.Options{MinConfidence: c.data.minConfidence})
	o, err := s.WithEdges(res.Edges())
	if err != nil {
		return nil, fmt.Errorf("add recovered lineage: %w", err)
	}
	c.recovered = &recoveredInfo{MinConfidence: c.data.minConfidence, Rules: recovery.RulesVersion, Edges: o.NumRecovered()}
	c.recovery = &res
	if !c.data.quiet {
		fmt.Fprintf(c.stderr, "note: recovered lineage: %d edge(s) added at confidence %g or more (rules %s); they are marked recovered\n",
			c.recovered.Edges, c.data.minConfidence, recovery.RulesVersion)
	}
	return o, nil
}

// models looks up every positional argument as a model id.
func (c *call) models(s *lineage.Store) ([]graph.NodeID, error) {
	vs := make([]graph.NodeID, len(c.pos))
	for i, q := range c.pos {
		v, err := s.Lookup(q)
		if err != nil {
			return nil, err
		}
		vs[i] = v
	}
	return vs, nil
}

// model parses the flags and one MODEL argument, reads the store and looks
// the model up: the preamble of every command about one model.
func (c *call) model() (*lineage.Store, graph.NodeID, error) {
	if !c.parsed {
		if err := c.parse(1, 1, "one MODEL id"); err != nil {
			return nil, -1, err
		}
	}
	s, err := c.store()
	if err != nil {
		return nil, -1, err
	}
	vs, err := c.models(s)
	if err != nil {
		return nil, -1, err
	}
	return s, vs[0], nil
}

// writeJSON writes v to stdout as indented JSON.
func (c *call) writeJSON(v any) error { return writeJSON(c.stdout, v) }

// lookupCommand returns the command named name.
func lookupCommand(name string) (command, bool) {
	for _, cmd := range commands {
		if cmd.name == name {
			return cmd, true
		}
	}
	return command{}, false
}

// usageText is the help: the commands of the table and the shared flags.
func usageText() string {
	var b strings.Builder
	b.WriteString("lineage maps how open AI models are built on each other.\n\nUsage:\n  lineage <command> [flags] [MODEL]\n\nCommands:\n")
	for _, cmd := range commands {
		lines := strings.Split(cmd.help, "\n")
		fmt.Fprintf(&b, "  %-12s %s\n", cmd.name, lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(&b, "  %-12s %s\n", "", l)
		}
	}
	fmt.Fprintf(&b, "  %-12s %s\n", "version", "the program's version and commit, and the index format")
	b.WriteString(`
Data flags (every query command):
  --in PATH      a directory of model cards (ORG/NAME/README.md, or a Hugging
                 Face cache), a Hub listing (.jsonl/.json, .gz ok), an edge
                 list (.csv/.tsv), a hub-stats snapshot (.parquet), or - for
                 standard input; repeatable, merged in order
  --index FILE   an index written by "lineage build"
  with neither, the index $LINEAGE_INDEX names, if set, else the embedded
  sample of real Hub lineage facts; a note on stderr says which.
  --recovered    add recovered lineage (parents proposed from evidence),
                 marked as such; --min-confidence F sets the threshold

Run "lineage <command> -h" for a command's flags.
Exit codes: 0 ok, 1 failure (bad input, unknown model), 2 usage error.
`)
	return b.String()
}
