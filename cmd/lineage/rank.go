package main

import (
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

func cmdRank(c *call) error {
	top := c.fs.Int("top", 25, "show the top `N` foundations (0: all)")
	rel := c.fs.String("relation", "", "count descendants along these relations only (`R,...`)")
	var rb rankBy
	rb.register(c.fs)
	var grp groupFlags // --group, --attribution, --origins (origins.go)
	grp.register(c.fs)
	if err := c.parse(0, 0, ""); err != nil {
		return err
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
	// dates); the plain ranking by descendants needs the graph alone
	// (recovery reads the metadata: names, files, dates).
	d := &c.data
	d.noDigest = grp.by == ""
	d.graphOnly = grp.by == "" && !rb.measure.Summed() && !rb.windowed() && !d.recovered
	s, err := c.store()
	if err != nil {
		return err
	}
	if grp.by != "" {
		return grp.rank(c, s, labels, &rb, *top)
	}
	r, err := s.RankBy(lineage.RankOptions{Top: *top, Labels: labels, By: rb.measure, From: rb.from, To: rb.to})
	if err != nil {
		return err
	}
	if c.asJSON {
		return writeRankJSON(c.stdout, s, r, &rb, c.recovered)
	}
	writeRankTable(c.stdout, s, r, &rb)
	return nil
}

// writeRankJSON writes {"foundations": [...]}, with the measure, the
// window and what the figures cover before it when the ranking is not the
// plain one by descendants.
func writeRankJSON(w io.Writer, s *lineage.Store, r lineage.Ranking, rb *rankBy, rec *recoveredInfo) error {
	out := struct {
		Recovered   *recoveredInfo      `json:"recovered,omitempty"`
		By          string              `json:"by,omitempty"`
		Window      *rankWindow         `json:"window,omitempty"`
		Descendants *int                `json:"descendants,omitempty"`
		Unknown     *int                `json:"unknown,omitempty"`
		Undated     *int                `json:"undated,omitempty"`
		Outside     *int                `json:"outside_window,omitempty"`
		PageRank    *pageRankSettings   `json:"pagerank,omitempty"`
		Foundations []lineage.RankEntry `json:"foundations"`
	}{Recovered: rec, Foundations: nonNil(r.Entries)}
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
	// With recovered lineage added, a column says how many of each
	// foundation's descendants only a recovered edge reaches.
	recovered := s.NumRecovered() > 0
	recHead, recCell := "", func(lineage.RankEntry) string { return "" }
	if recovered {
		recHead = "RECOVERED\t"
		recCell = func(e lineage.RankEntry) string {
			if e.Recovered == nil {
				return "-\t"
			}
			return fmt.Sprintf("%9d\t", *e.Recovered)
		}
	}
	switch {
	case r.By == lineage.MeasureDescendants:
		fmt.Fprintln(tw, "RANK\tDESCENDANTS\tFINETUNE\tADAPTER\tQUANTIZED\tMERGE\t"+recHead+"FOUNDATION")
		for i, e := range r.Entries {
			fmt.Fprintf(tw, "%4d\t%11d\t%8d\t%7d\t%9d\t%5d\t%s%s\n", i+1, e.Descendants, e.Direct["finetune"], e.Direct["adapter"], e.Direct["quantized"], e.Direct["merge"], recCell(e), e.ID)
		}
	case r.By == lineage.MeasurePageRank:
		fmt.Fprintln(tw, "RANK\tPAGERANK\tDESCENDANTS\t"+recHead+"FOUNDATION")
		for i, e := range r.Entries {
			fmt.Fprintf(tw, "%4d\t%8s\t%11d\t%s%s\n", i+1, formatRank(*e.PageRank), e.Descendants, recCell(e), e.ID)
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
		fmt.Fprintf(tw, "RANK\t%s\t%*s\tDESCENDANTS\tUNKNOWN\t%sFOUNDATION\n", name, width, "OWN", recHead)
		for i, e := range r.Entries {
			fmt.Fprintf(tw, "%4d\t%*d\t%*s\t%11d\t%7d\t%s%s\n", i+1, len(name), int64(e.Figure()), width, owns[i], e.Descendants, *e.Unknown, recCell(e), e.ID)
		}
	}
	tw.Flush()
	if recovered {
		fmt.Fprintf(w, "RECOVERED: descendants only a recovered edge reaches (part of DESCENDANTS): no input declares the way to them; %d recovered edge(s) in the graph (lineage recover shows their evidence).\n", s.NumRecovered())
	}
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
