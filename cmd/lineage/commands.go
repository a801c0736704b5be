package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/ingest"
)

// dataFlags are the input flags every query command shares.
type dataFlags struct {
	in    stringList
	index string
	quiet bool
	// noDigest skips hashing the inputs, for commands that print no
	// manifest (about 0.5 s of CPU per GB of input).
	noDigest bool
	// graphOnly builds without model metadata, for commands that print
	// none (a third less memory at Hub scale).
	graphOnly bool
	// noEnv ignores $LINEAGE_INDEX, for the commands that read inputs
	// (build, lint): an index is not an input.
	noEnv bool
	// recovered adds recovered lineage at minConfidence (--recovered).
	recovered     bool
	minConfidence float64
	// stdin is read for the input "-".
	stdin io.Reader
	// src is the data load read, once it has.
	src dataSource
}

// indexEnv names the environment variable holding the default index: the
// data of every query command given neither --in nor --index.
const indexEnv = "LINEAGE_INDEX"

// dataSource says which data a command reads: the embedded sample, an
// index file (named by --index or by $LINEAGE_INDEX) or inputs. Its JSON
// form is stats' "data".
type dataSource struct {
	Kind   string   `json:"kind"`             // "sample", "index" or "inputs"
	Path   string   `json:"path,omitempty"`   // the index file
	Env    string   `json:"env,omitempty"`    // LINEAGE_INDEX when the variable named the index
	Inputs []string `json:"inputs,omitempty"` // the inputs, in order
}

// String reads "the embedded sample", "index FILE ($LINEAGE_INDEX)" or
// "inputs A, B".
func (d dataSource) String() string {
	switch d.Kind {
	case "index":
		if d.Env != "" {
			return fmt.Sprintf("index %s (from $%s)", d.Path, d.Env)
		}
		return "index " + d.Path
	case "inputs":
		in := strings.Join(d.Inputs, ", ")
		if len(d.Inputs) > 4 {
			in = strings.Join(d.Inputs[:4], ", ") + fmt.Sprintf(", ... (%d inputs)", len(d.Inputs))
		}
		if len(d.Inputs) == 1 {
			return "input " + in
		}
		return "inputs " + in
	}
	return "the embedded sample of real Hub lineage facts"
}

func (d *dataFlags) register(fs *flag.FlagSet) {
	fs.Var(&d.in, "in", "input `PATH` (card directory, .jsonl/.json listing, .csv/.tsv edge list; repeatable)")
	fs.StringVar(&d.index, "index", "", "index `FILE` written by lineage build (default: $"+indexEnv+" when set, else the embedded sample)")
	fs.BoolVar(&d.quiet, "quiet", false, "print no notes on stderr")
}

// setMemoryLimit gives the garbage collector a soft memory limit scaled to
// the input (half its size as plain JSON Lines, ingest.ExpandedSize; at
// least 256 MiB) unless GOMEMLIMIT is set:
// parsing makes much short-lived garbage, and without a limit the heap
// grows to twice the live graph before a collection. Above the limit the
// collector works harder but never fails; it only trades CPU for memory.
// (Sized by the bytes on disk, a compressed input's limit fell below its
// live heap, and the collector ran without pause: a 176 MB parquet
// snapshot took 17.6 s of CPU to build instead of 9.5 s.)
func setMemoryLimit(inputBytes int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(max(256<<20, inputBytes/2))
}

// isTerminal reports whether w is a terminal (progress is shown only there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (d *dataFlags) ingestOptions() ingest.Options {
	return ingest.Options{NoDigest: d.noDigest, GraphOnly: d.graphOnly, Stdin: d.stdin}
}

// minConfidenceSet reports whether --min-confidence was given.
func (d *dataFlags) minConfidenceSet(fs *flag.FlagSet) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "min-confidence" })
	return set
}

// load opens the store the flags name: an index, inputs (stdin is read for
// "-"), the index $LINEAGE_INDEX names, or the sample; unless --quiet, a
// note on stderr says which.
func (d *dataFlags) load(ctx context.Context, stderr io.Writer, stdin io.Reader) (*lineage.Store, error) {
	d.stdin = stdin
	return d.loadWith(ctx, stderr, d.quiet, false)
}

// source returns the data the flags and the environment select.
func (d *dataFlags) source() dataSource {
	switch {
	case d.index != "":
		return dataSource{Kind: "index", Path: d.index}
	case len(d.in) > 0:
		return dataSource{Kind: "inputs", Inputs: slices.Clone(d.in)}
	}
	if p := os.Getenv(indexEnv); p != "" && !d.noEnv {
		return dataSource{Kind: "index", Path: p, Env: indexEnv}
	}
	return dataSource{Kind: "sample"}
}

// loadWith is load with explicit control of the progress bar and the
// problem note.
func (d *dataFlags) loadWith(ctx context.Context, stderr io.Writer, quietProgress, quietNote bool) (*lineage.Store, error) {
	if d.index != "" && len(d.in) > 0 {
		return nil, usagef("use --in or --index, not both")
	}
	d.src = d.source()
	s, err := d.read(ctx, stderr, quietProgress, quietNote)
	if err != nil {
		return nil, err
	}
	if !d.quiet {
		fmt.Fprintf(stderr, "note: data: %s, %d models\n", d.src, s.NumModels())
	}
	return s, nil
}

// read reads the store d.src names.
func (d *dataFlags) read(ctx context.Context, stderr io.Writer, quietProgress, quietNote bool) (*lineage.Store, error) {
	if d.src.Kind == "index" {
		s, err := lineage.LoadIndex(d.src.Path)
		if err != nil && d.src.Env != "" {
			return nil, fmt.Errorf("$%s=%s: %w (point it at an index written by lineage build, or unset it)", d.src.Env, d.src.Path, err)
		}
		return s, err
	}
	var s *lineage.Store
	var err error
	if len(d.in) == 0 {
		s, err = ingest.BuildSources(ctx, ingest.Sample(), d.ingestOptions())
	} else {
		size := ingest.InputSize(d.in)
		setMemoryLimit(ingest.ExpandedSize(d.in))
		opt := d.ingestOptions()
		if !quietProgress && isTerminal(stderr) {
			bar := progressbar.NewOptions64(size,
				progressbar.OptionSetWriter(stderr), progressbar.OptionShowBytes(true),
				progressbar.OptionSetDescription("reading"), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish())
			opt.Progress = func(n int64) { bar.Add64(n) }
			defer bar.Finish()
		}
		s, err = ingest.Build(ctx, d.in, opt)
	}
	if err != nil {
		return nil, err
	}
	if !quietNote && !d.quiet && len(d.in) > 0 {
		// Dangling parents are normal in a partial crawl; the note is about
		// records that could not be read as written.
		n := 0
		for _, dg := range s.Diagnostics() {
			if dg.Kind != lineage.KindDangling {
				n++
			}
		}
		if n > 0 {
			fmt.Fprintf(stderr, "note: %d problems in the input (lineage stats --in ... lists them; --quiet hides this)\n", n)
		}
	}
	return s, nil
}

func newFlagSet(name, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: lineage %s %s\n\nFlags:\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func cmdBuild(c *call) error {
	d := &c.data
	out := c.fs.String("o", "", "index `FILE` to write")
	strict := c.fs.Bool("strict", false, "exit 1 when the input has any problem")
	cpuprofile := c.fs.String("cpuprofile", "", "write a CPU profile to `FILE` (for performance work)")
	if err := c.parse(0, 0, ""); err != nil {
		return err
	}
	if *out == "" {
		return usagef("build needs -o FILE")
	}
	if d.index != "" {
		return usagef("build reads --in inputs, not --index")
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	d.stdin = c.stdin
	s, err := d.loadWith(c.ctx, c.stderr, d.quiet, true)
	if err != nil {
		return err
	}
	if err := s.WriteIndex(*out); err != nil {
		return err
	}
	stdout := c.stdout
	st := s.Stats()
	fmt.Fprintf(stdout, "wrote %s: %d models, %d edges, %d foundations (%d with descendants)\n", *out, st.Models, st.Edges, st.Foundations, st.FoundationsWithDescendants)
	printDiagSummary(stdout, s)
	if *strict && len(s.Diagnostics()) > 0 {
		return fmt.Errorf("--strict: %d problems in the input", len(s.Diagnostics()))
	}
	return nil
}

// printDiagSummary prints counts per problem kind and the first examples.
func printDiagSummary(w io.Writer, s *lineage.Store) {
	st := s.Stats()
	if len(st.Diagnostics) == 0 {
		return
	}
	kinds := make([]string, 0, len(st.Diagnostics))
	for k, n := range st.Diagnostics {
		if n > 0 {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return
	}
	sort.Slice(kinds, func(i, j int) bool {
		a, b := st.Diagnostics[kinds[i]], st.Diagnostics[kinds[j]]
		return a > b || a == b && kinds[i] < kinds[j]
	})
	fmt.Fprintln(w, "problems found (kind: count; first examples):")
	ex := map[string][]lineage.Diagnostic{}
	for _, d := range s.Examples() {
		ex[d.Kind] = append(ex[d.Kind], d)
	}
	for _, k := range kinds {
		fmt.Fprintf(w, "  %s: %d\n", k, st.Diagnostics[k])
		for i, d := range ex[k] {
			if i == 3 {
				break
			}
			fmt.Fprintf(w, "    %s\n", d)
		}
	}
}

func cmdStats(c *call) error {
	if err := c.parse(0, 0, ""); err != nil {
		return err
	}
	d := &c.data
	d.quiet = true
	s, err := c.store()
	if err != nil {
		return err
	}
	stdout := c.stdout
	st := s.Stats()
	if c.asJSON {
		return c.writeJSON(struct {
			lineage.Stats
			Data      dataSource     `json:"data"`
			Recovered *recoveredInfo `json:"recovered,omitempty"`
		}{st, d.src, c.recovered})
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	row := func(k string, v int) { fmt.Fprintf(tw, "%s\t%d\n", k, v) }
	fmt.Fprintf(tw, "data\t%s\n", d.src)
	row("models", st.Models)
	row("  with a record of their own", st.ModelsWithRecord)
	row("records read", st.Records)
	row("edges", st.Edges)
	for _, r := range lineage.Relations {
		row("  "+r.String(), st.EdgesByRelation[r.String()])
	}
	row("  declared relation", st.Declared)
	row("  inferred relation", st.Inferred)
	row("foundations", st.Foundations)
	row("  with descendants", st.FoundationsWithDescendants)
	row("dangling parents (referenced, no record)", st.DanglingParents)
	row("self-references dropped", st.SelfReferences)
	row("cycles", st.Cycles)
	row("  models on a cycle", st.ModelsInCycles)
	row("duplicate records (later wins)", st.Duplicates)
	row("card+listing records merged", st.MergedRecords)
	row("statements superseded by precedence", st.Superseded)
	row("rejected values (not a Hub id)", st.Rejected)
	if r := c.recovered; r != nil {
		fmt.Fprintf(tw, "recovered edges (not declared; --recovered)\t%d\n", r.Edges)
		fmt.Fprintf(tw, "  %d edge(s) added at confidence %g or more (rules %s)\t\n", r.Edges, r.MinConfidence, r.Rules)
	}
	tw.Flush()
	printDiagSummary(stdout, s)
	return nil
}

func cmdAncestors(c *call) error {
	paths := c.fs.Bool("paths", false, "print every path from MODEL to its foundations")
	maxPaths := c.fs.Int("max-paths", 1000, "list at most `N` paths with --paths (N > 0; the number of paths is counted, not listed)")
	if err := c.parse(1, 1, "one MODEL id"); err != nil {
		return err
	}
	if *maxPaths <= 0 {
		return usagef("--max-paths must be a positive number (got %d); the paths are counted whatever their number", *maxPaths)
	}
	c.data.noDigest = true // no manifest here
	s, v, err := c.model()
	if err != nil {
		return err
	}
	stdout := c.stdout
	res := s.Ancestors(v)
	var ps [][]lineage.PathStep
	truncated := false
	var count int64
	saturated := false
	var countErr error
	if *paths {
		ps, truncated = s.Paths(v, *maxPaths)
		count, saturated, countErr = s.PathCount(v)
	}
	if c.asJSON {
		if *paths {
			var c *int64
			if countErr == nil {
				c = &count
			}
			return writeJSON(stdout, struct {
				lineage.AncestorsResult
				Paths          [][]lineage.PathStep `json:"paths"`
				PathsTruncated bool                 `json:"paths_truncated,omitempty"`
				PathCount      *int64               `json:"path_count"`
				PathCountAtMax bool                 `json:"path_count_saturated,omitempty"`
			}{res, nonNil(ps), truncated, c, saturated})
		}
		return c.writeJSON(res)
	}
	switch {
	case res.IsFoundation:
		fmt.Fprintf(stdout, "%s is a foundation: it declares no valid parent.\n", res.ID)
	default:
		fmt.Fprintf(stdout, "%s is built on %d model(s); foundation(s): %s\n", res.ID, len(res.Ancestors), strings.Join(res.Foundations, ", "))
	}
	if res.InCycle {
		fmt.Fprintf(stdout, "warning: %s is on a derivation cycle (see lineage stats)\n", res.ID)
	}
	if len(res.Ancestors) > 0 {
		writeHops(stdout, "ANCESTOR\tPARENT OF", res.Ancestors, true)
	}
	if *paths {
		switch {
		case countErr != nil:
			fmt.Fprintf(stdout, "\n%d path(s) to the foundations shown; their number is not finite (a cycle lies among the ancestors):\n", len(ps))
		case count == 0 && len(ps) > 0:
			fmt.Fprintf(stdout, "\nno path reaches a foundation (the ancestors end in a cycle); %d walk(s) up to the cycle:\n", len(ps))
		case saturated:
			fmt.Fprintf(stdout, "\nat least %d paths to the foundations (the count saturates there); %d shown:\n", count, len(ps))
		case truncated:
			fmt.Fprintf(stdout, "\n%d paths to the foundations; %d shown:\n", count, len(ps))
		default:
			fmt.Fprintf(stdout, "\n%d path(s) to the foundations:\n", len(ps))
		}
		for _, p := range ps {
			var b strings.Builder
			for i, st := range p {
				if i > 0 {
					if st.Recovered {
						fmt.Fprintf(&b, " <-%s (recovered)- ", st.Relation)
					} else {
						fmt.Fprintf(&b, " <-%s- ", st.Relation)
					}
				}
				b.WriteString(st.ID)
			}
			fmt.Fprintln(stdout, "  "+b.String())
		}
		if truncated {
			fmt.Fprintf(stdout, "  ... more paths exist; raise --max-paths\n")
		}
	}
	return nil
}

// hopRelation is a hop's relation as the tables print it: "*" after an
// inferred one, and "(recovered p)" after one across a recovered edge.
func hopRelation(h lineage.Hop) string {
	switch {
	case h.Recovered:
		return fmt.Sprintf("%s (recovered %.2f)", h.Relation, h.Confidence)
	case !h.Declared:
		return h.Relation + "*"
	}
	return h.Relation
}

// writeHops prints hops as a table, DEPTH, RELATION and the two columns
// head names, then the notes on its marks (hopNotes).
func writeHops(w io.Writer, head string, hops []lineage.Hop, explainInferred bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DEPTH\tRELATION\t"+head)
	for _, h := range hops {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", h.Depth, hopRelation(h), h.ID, h.Via)
	}
	tw.Flush()
	hopNotes(w, hops, explainInferred)
}

// relationCounts lists the non-zero counts of by in relation order
// ("finetune 2, quantized 1"), or "".
func relationCounts(by map[string]int) string {
	var parts []string
	for _, r := range lineage.Relations {
		if n := by[r.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", r, n))
		}
	}
	return strings.Join(parts, ", ")
}

// hopNotes explains the marks hopRelation used in hops: "*" only when
// explainInferred (descendants and impact never said, and their output
// without --recovered stays as it was).
func hopNotes(w io.Writer, hops []lineage.Hop, explainInferred bool) {
	inferred, recovered := false, false
	for _, h := range hops {
		inferred = inferred || !h.Declared && !h.Recovered
		recovered = recovered || h.Recovered
	}
	if inferred && explainInferred {
		fmt.Fprintln(w, "* relation inferred (not declared in the card or tags)")
	}
	if recovered {
		fmt.Fprintln(w, "(recovered p): no input declares this edge; recovered lineage proposed it from evidence with confidence p (lineage recover shows the evidence)")
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func cmdDescendants(c *call) error {
	depth := c.fs.Int("depth", 0, "only descendants within `N` hops (0: all)")
	rel := c.fs.String("relation", "", "only follow edges of these relations (`R,...`: adapter, finetune, quantized, merge)")
	limit := c.fs.Int("limit", 50, "list at most `N` descendants (0: all); counts always cover all")
	if err := c.parse(1, 1, "one MODEL id"); err != nil {
		return err
	}
	if *depth < 0 || *limit < 0 {
		return usagef("--depth and --limit must be >= 0")
	}
	labels, err := lineage.ParseRelations(*rel)
	if err != nil {
		return err
	}
	c.data.noDigest = true // no manifest here
	s, v, err := c.model()
	if err != nil {
		return err
	}
	stdout := c.stdout
	res := s.Descendants(v, *depth, labels, *limit)
	impact := s.ImpactCount(v) // over every relation and depth (impact.go)
	if c.asJSON {
		return c.writeJSON(struct {
			lineage.DescendantsResult
			Impact int `json:"impact"`
		}{res, impact})
	}
	fmt.Fprintf(stdout, "%s has %d distinct descendant(s)", res.ID, res.Count)
	if res.Recovered > 0 {
		fmt.Fprintf(stdout, ", %d of them only through recovered edges", res.Recovered)
	}
	if parts := relationCounts(res.ByRelation); parts != "" {
		fmt.Fprintf(stdout, " (%s, by the relation of the hop reaching them)", parts)
	}
	fmt.Fprintln(stdout)
	if all := res.Count; all > 0 || impact > 0 {
		if *depth > 0 || labels != graph.AllLabels {
			all = s.G.CountReach(v, graph.Down, graph.AllLabels)
		}
		fmt.Fprintf(stdout, "%d of its %d descendants depend on it alone (lineage impact lists them)\n", impact, all)
	}
	if len(res.Descendants) > 0 {
		writeHops(stdout, "DESCENDANT\tCHILD OF", res.Descendants, false)
	}
	if res.Truncated {
		fmt.Fprintf(stdout, "... %d more; raise --limit (0 for all)\n", res.Count-len(res.Descendants))
	}
	return nil
}

func cmdExport(c *call) error {
	format := c.fs.String("format", "", "listing (JSON Lines of model facts), edges (CSV parent,child,relation,declared), "+graphFormatsHelp)
	family := c.fs.String("family", "", "with graphml, csv, json or dot: export only `MODEL`, its ancestors and its descendants")
	out := c.fs.String("o", "", "output `FILE` (.gz compresses); default stdout")
	if err := c.parse(0, 0, ""); err != nil {
		return err
	}
	if slices.Contains(graphFormats, *format) {
		return exportGraph(c, *format, *family, *out)
	}
	if !slices.Contains([]string{"listing", "edges"}, *format) {
		return usagef("--format must be listing, edges, graphml, csv, json or dot")
	}
	if *family != "" {
		return usagef("--family works with --format graphml, csv, json or dot")
	}
	s, err := c.store()
	if err != nil {
		return err
	}
	return writeOutput(*out, c.stdout, func(w io.Writer) error {
		if *format == "listing" {
			return s.WriteListing(w)
		}
		return s.WriteEdgeList(w)
	})
}
