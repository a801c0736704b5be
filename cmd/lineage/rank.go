package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/lineage-project/lineage/lineage"
)

// rankBy are the flags that say what rank ranks by: --by and the window
// --since/--until on descendants' creation dates (rank and rank --group).
type rankBy struct {
	by, since, until string

	measure  lineage.Measure
	from, to time.Time // [from, to); zero: open
}

func (r *rankBy) register(fs *flag.FlagSet) {
	fs.StringVar(&r.by, "by", "descendants", "rank foundations by `M`: descendants (distinct descendants), downloads, downloads-all or likes (that figure summed over the distinct descendants), or pagerank (PageRank over the lineage graph)")
	fs.StringVar(&r.since, "since", "", "count only descendants created on or after `DATE` (YYYY-MM-DD, YYYY-MM or YYYY)")
	fs.StringVar(&r.until, "until", "", "count only descendants created on or before `DATE` (YYYY-MM-DD, YYYY-MM or YYYY, inclusive)")
}

// check parses the flags (usage errors) before any input is read.
func (r *rankBy) check() error {
	var err error
	if r.measure, err = lineage.ParseMeasure(r.by); err != nil {
		return err
	}
	if r.from, err = parseDate(r.since, false); err != nil {
		return usagef("--since: %v", err)
	}
	if r.to, err = parseDate(r.until, true); err != nil {
		return usagef("--until: %v", err)
	}
	if r.windowed() && !r.from.IsZero() && !r.to.IsZero() && !r.from.Before(r.to) {
		return usagef("--since %s is after --until %s", r.since, r.until)
	}
	if r.windowed() && r.measure == lineage.MeasurePageRank {
		return usagef("--since and --until select the descendants whose figures are summed; --by pagerank is a measure of the whole graph and takes no window")
	}
	return nil
}

func (r *rankBy) windowed() bool { return !r.from.IsZero() || !r.to.IsZero() }

// window returns the window as inclusive dates (empty bounds are open).
func (r *rankBy) window() rankWindow {
	var w rankWindow
	if !r.from.IsZero() {
		w.From = r.from.UTC().Format(time.DateOnly)
	}
	if !r.to.IsZero() {
		w.To = r.to.UTC().Add(-time.Second).Format(time.DateOnly)
	}
	return w
}

// rankWindow is the window of a ranking as inclusive dates.
type rankWindow struct {
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

func (w rankWindow) String() string {
	switch {
	case w.To == "":
		return "from " + w.From
	case w.From == "":
		return "until " + w.To
	}
	return w.From + " .. " + w.To
}

// measureWhat says in words what a measure's figure is, for footers.
func measureWhat(m lineage.Measure) string {
	switch m {
	case lineage.MeasureDownloads:
		return "downloads (the Hub's count over the 30 days before the listing was fetched)"
	case lineage.MeasureDownloadsAllTime:
		return "all-time downloads (the Hub's downloadsAllTime)"
	case lineage.MeasureLikes:
		return "likes"
	}
	return m.String()
}

// pageRankRule states how PageRank is computed, for footers.
func pageRankRule(models int) string {
	return fmt.Sprintf("PageRank over the lineage graph with every edge pointing from a derivative to what it is built on, so rank flows to what much is built on (gonum's sparse power iteration; damping %g, tolerance %g, %d significant digits); the ranks of all %d models sum to 1",
		lineage.PageRankDamping, lineage.PageRankTolerance, lineage.PageRankDigits, models)
}

func cmdRank(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("rank", "[--top N] [--by descendants|downloads|downloads-all|likes|pagerank] [--since DATE] [--until DATE] [--relation R,...] [--group org|country [--attribution full|fractional] [--origins FILE]] [--json]", stderr)
	var d dataFlags
	d.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	top := fs.Int("top", 25, "show the top `N` foundations (0: all)")
	rel := fs.String("relation", "", "count descendants along these relations only (`R,...`)")
	var rb rankBy
	rb.register(fs)
	var grp groupFlags // --group, --attribution, --origins (origins.go)
	grp.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("rank takes no arguments")
	}
	if *top < 0 {
		return usagef("--top must be >= 0")
	}
	if err := grp.check(); err != nil {
		return err
	}
	if err := rb.check(); err != nil {
		return err
	}
	labels, err := lineage.ParseRelations(*rel)
	if err != nil {
		return err
	}
	// Only --group prints a manifest (which quotes the input digest and
	// dates); the plain ranking by descendants needs the graph alone.
	d.noDigest = grp.by == ""
	d.graphOnly = grp.by == "" && !rb.measure.Summed() && !rb.windowed()
	s, err := d.load(ctx, stderr)
	if err != nil {
		return err
	}
	if grp.by != "" {
		return grp.rank(s, labels, &rb, *top, *asJSON, stdout)
	}
	r, err := s.RankBy(lineage.RankOptions{Top: *top, Labels: labels, By: rb.measure, From: rb.from, To: rb.to})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeRankJSON(stdout, s, r, &rb)
	}
	writeRankTable(stdout, s, r, &rb)
	return nil
}

// writeRankJSON writes {"foundations": [...]}, with the measure, the
// window and what the figures cover before it when the ranking is not the
// plain one by descendants.
func writeRankJSON(w io.Writer, s *lineage.Store, r lineage.Ranking, rb *rankBy) error {
	out := struct {
		By          string              `json:"by,omitempty"`
		Window      *rankWindow         `json:"window,omitempty"`
		Descendants *int                `json:"descendants,omitempty"`
		Unknown     *int                `json:"unknown,omitempty"`
		Undated     *int                `json:"undated,omitempty"`
		Outside     *int                `json:"outside_window,omitempty"`
		PageRank    *pageRankSettings   `json:"pagerank,omitempty"`
		Foundations []lineage.RankEntry `json:"foundations"`
	}{Foundations: nonNil(r.Entries)}
	if r.By != lineage.MeasureDescendants || rb.windowed() {
		out.By = r.By.String()
		out.Descendants = &r.Descendants
	}
	if r.By.Summed() {
		out.Unknown = &r.Unknown
	}
	if rb.windowed() {
		win := rb.window()
		out.Window, out.Undated, out.Outside = &win, &r.Undated, &r.Outside
	}
	if r.By == lineage.MeasurePageRank {
		out.PageRank = &pageRankSettings{lineage.PageRankDamping, lineage.PageRankTolerance, lineage.PageRankDigits, s.NumModels()}
	}
	return writeJSON(w, out)
}

// pageRankSettings are the parameters of the PageRank in JSON output.
type pageRankSettings struct {
	Damping   float64 `json:"damping"`
	Tolerance float64 `json:"tolerance"`
	Digits    int     `json:"significant_digits"`
	Models    int     `json:"models"` // the ranks of all of them sum to 1
}

func writeRankTable(w io.Writer, s *lineage.Store, r lineage.Ranking, rb *rankBy) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	switch {
	case r.By == lineage.MeasureDescendants:
		fmt.Fprintln(tw, "RANK\tDESCENDANTS\tFINETUNE\tADAPTER\tQUANTIZED\tMERGE\tFOUNDATION")
		for i, e := range r.Entries {
			fmt.Fprintf(tw, "%4d\t%11d\t%8d\t%7d\t%9d\t%5d\t%s\n", i+1, e.Descendants, e.Direct["finetune"], e.Direct["adapter"], e.Direct["quantized"], e.Direct["merge"], e.ID)
		}
	case r.By == lineage.MeasurePageRank:
		fmt.Fprintln(tw, "RANK\tPAGERANK\tDESCENDANTS\tFOUNDATION")
		for i, e := range r.Entries {
			fmt.Fprintf(tw, "%4d\t%8s\t%11d\t%s\n", i+1, formatRank(*e.PageRank), e.Descendants, e.ID)
		}
	default:
		name := headOf(r.By)
		owns := make([]string, len(r.Entries))
		width := len("OWN")
		for i, e := range r.Entries {
			owns[i] = "-"
			if *e.Own >= 0 {
				owns[i] = strconv.FormatInt(*e.Own, 10)
			}
			width = max(width, len(owns[i]))
		}
		fmt.Fprintf(tw, "RANK\t%s\t%*s\tDESCENDANTS\tUNKNOWN\tFOUNDATION\n", name, width, "OWN")
		for i, e := range r.Entries {
			fmt.Fprintf(tw, "%4d\t%*d\t%*s\t%11d\t%7d\t%s\n", i+1, len(name), int64(e.Figure()), width, owns[i], e.Descendants, *e.Unknown, e.ID)
		}
	}
	tw.Flush()
	switch {
	case r.By == lineage.MeasureDescendants:
		fmt.Fprintln(w, "DESCENDANTS: distinct models reachable along child edges; FINETUNE..MERGE: direct children by relation.")
	case r.By == lineage.MeasurePageRank:
		fmt.Fprintf(w, "PAGERANK: %s. DESCENDANTS: distinct models reachable along child edges.\n", pageRankRule(s.NumModels()))
	default:
		fmt.Fprintf(w, "%s: the %s of the distinct descendants, each counted once, the foundation's own excluded (OWN; - when unknown); UNKNOWN: descendants whose figure is unknown, counted as 0.\n", headOf(r.By), measureWhat(r.By))
		fmt.Fprintf(w, "%d of the %d descendants below the foundations have no %s figure (counted as 0).\n", r.Unknown, r.Descendants, r.By)
	}
	if rb.windowed() {
		fmt.Fprintf(w, "window %s: only descendants created in it count; %d dated descendants fall outside it and %d without a creation time are left out.\n", rb.window(), r.Outside, r.Undated)
	}
}

// headOf returns a measure's column heading.
func headOf(m lineage.Measure) string {
	switch m {
	case lineage.MeasureDownloads:
		return "DOWNLOADS"
	case lineage.MeasureDownloadsAllTime:
		return "DOWNLOADS-ALL"
	case lineage.MeasureLikes:
		return "LIKES"
	case lineage.MeasurePageRank:
		return "PAGERANK"
	}
	return "DESCENDANTS"
}

// formatRank formats a rank to its significant digits.
func formatRank(x float64) string {
	return strconv.FormatFloat(x, 'g', lineage.PageRankDigits, 64)
}
