package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/analytics"
	"github.com/lineage-project/lineage/render/chart"
	"github.com/lineage-project/lineage/render/report"
)

// The analytic commands: rank --group, origins, timeline, velocity, report.
// Each prints a manifest: as a "manifest" object in --json, as a footer in
// tables.

// analyticFlags are the flags the analytic commands share.
type analyticFlags struct {
	rel         string
	attribution string
	origins     stringList
	from, to    string
}

func (f *analyticFlags) register(fs *flag.FlagSet, window bool) {
	fs.StringVar(&f.rel, "relation", "", "follow edges of these relations only (`R,...`: adapter, finetune, quantized, merge)")
	fs.StringVar(&f.attribution, "attribution", "full", "credit rule for a derivative built on k foundations: `full` (1 to each) or fractional (1/k to each)")
	fs.Var(&f.origins, "origins", "origins table `FILE` (CSV org,name,country,kind,source) adding to or overriding the embedded one; repeatable")
	if window {
		fs.StringVar(&f.from, "from", "", "count derivatives created on or after `DATE` (YYYY-MM-DD, YYYY-MM or YYYY)")
		fs.StringVar(&f.to, "to", "", "count derivatives created on or before `DATE` (YYYY-MM-DD, YYYY-MM or YYYY, inclusive)")
	}
}

// scope parses the flags into a scope (usage errors) and reads the origins
// table (failures).
func (f *analyticFlags) scope() (analytics.Scope, *analytics.Origins, error) {
	var sc analytics.Scope
	var err error
	if sc.Labels, err = lineage.ParseRelations(f.rel); err != nil {
		return sc, nil, err
	}
	if sc.Attribution, err = analytics.ParseAttribution(f.attribution); err != nil {
		return sc, nil, err
	}
	if sc.From, err = parseDate(f.from, false); err != nil {
		return sc, nil, usagef("--from: %v", err)
	}
	if sc.To, err = parseDate(f.to, true); err != nil {
		return sc, nil, usagef("--to: %v", err)
	}
	if !sc.From.IsZero() && !sc.To.IsZero() && !sc.From.Before(sc.To) {
		return sc, nil, usagef("--from %s is after --to %s", f.from, f.to)
	}
	o, err := loadOrigins(f.origins)
	return sc, o, err
}

// analysis loads the store and credits its derivatives.
func (f *analyticFlags) analysis(c *call) (*lineage.Store, *analytics.Analysis, error) {
	sc, o, err := f.scope()
	if err != nil {
		return nil, nil, err
	}
	s, err := c.store()
	if err != nil {
		return nil, nil, err
	}
	sc.Recovered = c.recovered
	return s, analytics.New(s, o, sc), nil
}

// loadOrigins returns the embedded origins table with the rows of files.
func loadOrigins(files []string) (*analytics.Origins, error) {
	o := analytics.DefaultOrigins()
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("origins: %w", err)
		}
		rows, err := analytics.ParseOrigins(bytes.NewReader(data), filepath.Base(name))
		if err != nil {
			return nil, err
		}
		o = o.With(rows, filepath.Base(name))
	}
	return o, nil
}

// parseDate parses YYYY-MM-DD, YYYY-MM or YYYY (UTC). With end set it
// returns the start of the next day, month or year: an exclusive bound
// for an inclusive date.
func parseDate(s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range []struct {
		layout string
		y, m   int
		d      int
	}{{"2006-01-02", 0, 0, 1}, {"2006-01", 0, 1, 0}, {"2006", 1, 0, 0}} {
		if t, err := time.Parse(l.layout, s); err == nil {
			if end {
				t = t.AddDate(l.y, l.m, l.d)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad date %q (want YYYY-MM-DD, YYYY-MM or YYYY)", s)
}

// groupFlags are rank's --group, --attribution and --origins.
type groupFlags struct {
	by          string
	attribution string
	origins     stringList
}

func (g *groupFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&g.by, "group", "", "aggregate descendants by the foundation's `org|country` (see lineage origins)")
	fs.StringVar(&g.attribution, "attribution", "", "with --group: `full` (default; a derivative counts for each of its foundations) or fractional (1/k to each of k)")
	fs.Var(&g.origins, "origins", "with --group: origins table `FILE` adding to or overriding the embedded one; repeatable")
}

// check validates the flags before any input is read.
func (g *groupFlags) check() error {
	switch g.by {
	case "":
		if g.attribution != "" || len(g.origins) > 0 {
			return usagef("--attribution and --origins need --group org|country")
		}
		return nil
	case "org", "country":
	default:
		return usagef("--group must be org or country (got %q)", g.by)
	}
	_, err := analytics.ParseAttribution(g.attribution)
	return err
}

// rank prints the foundations' descendants, or the measure rb names,
// aggregated by group.
func (g *groupFlags) rank(c *call, s *lineage.Store, labels graph.LabelSet, rb *rankBy, top int) error {
	stdout := c.stdout
	by, _ := analytics.ParseGroupBy(g.by)
	attr, _ := analytics.ParseAttribution(g.attribution)
	o, err := loadOrigins(g.origins)
	if err != nil {
		return err
	}
	a := analytics.New(s, o, analytics.Scope{Labels: labels, Attribution: attr, From: rb.from, To: rb.to, Recovered: c.recovered})
	r, err := a.RankBy(by, rb.measure)
	if err != nil {
		return err
	}
	man := a.Manifest()
	shown := analytics.TopGroups(r.Groups, top, r.Derivatives)
	if c.asJSON {
		out := struct {
			By          string                 `json:"by"`
			Measure     string                 `json:"measure,omitempty"`
			Attribution string                 `json:"attribution"`
			Derivatives int                    `json:"derivatives"`
			Total       *float64               `json:"total,omitempty"`
			Unknown     *int                   `json:"unknown,omitempty"`
			PageRank    *pageRankSettings      `json:"pagerank,omitempty"`
			Groups      []analytics.GroupShare `json:"groups"`
			Coverage    analytics.Coverage     `json:"coverage"`
			Manifest    analytics.Manifest     `json:"manifest"`
		}{By: r.By, Attribution: attr.String(), Derivatives: r.Derivatives, Groups: shown, Coverage: a.Coverage(jsonUnknownOrgs), Manifest: man}
		if r.Measure != lineage.MeasureDescendants {
			out.Measure, out.Total = r.Measure.String(), &r.Total
		}
		if r.Measure.Summed() {
			out.Unknown = &r.Unknown
		}
		if r.Measure == lineage.MeasurePageRank {
			out.PageRank = &pageRankSettings{lineage.PageRankDamping, lineage.PageRankTolerance, lineage.PageRankDigits, s.NumModels()}
		}
		return writeJSON(stdout, out)
	}
	writeGroupTable(stdout, r, shown, attr)
	switch {
	case r.Measure == lineage.MeasurePageRank:
		fmt.Fprintf(stdout, "PAGERANK: the sum over the group's foundations of their %s; SHARE: of %s, the PageRank of all foundations with a derivative counted. DERIVATIVES: distinct descendants, %s attribution.\n",
			pageRankRule(s.NumModels()), formatRank(r.Total), attr)
	case r.Measure.Summed():
		fmt.Fprintf(stdout, "%s: the %s of the group's derivatives, each derivative's figure credited to its foundations as the derivative is (%s attribution; unknown as 0); SHARE: of %s, the figure of the %d derivatives counted, each once. DERIVATIVES: distinct descendants.\n",
			headOf(r.Measure), measureWhat(r.Measure), attr, credit(r.Total, analytics.AttributionFull), r.Derivatives)
		fmt.Fprintf(stdout, "%d of the %d derivatives counted have no %s figure (counted as 0).\n", r.Unknown, r.Derivatives, r.Measure)
	default:
		fmt.Fprintf(stdout, "DERIVATIVES: distinct descendants of the group's foundations, %s attribution; SHARE: of the %d derivatives counted.\n", attr, r.Derivatives)
	}
	writeUnknownNote(stdout, r.Groups, r.Derivatives, by)
	writeCoverage(stdout, a.Coverage(textUnknownOrgs))
	writeManifest(stdout, man)
	return nil
}

func writeGroupTable(w io.Writer, r analytics.GroupRanking, shown []analytics.GroupShare, attr analytics.Attribution) {
	pos := map[string]int{}
	for i, g := range r.Groups {
		pos[g.Key] = i + 1
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	// By a measure, its figure and share lead and the derivatives follow.
	lead := "DERIVATIVES\tSHARE\t"
	if r.Measure != lineage.MeasureDescendants {
		lead = headOf(r.Measure) + "\tSHARE\tDERIVATIVES\t"
	}
	if r.By == "country" {
		fmt.Fprintln(tw, "RANK\t"+lead+"FOUNDATIONS\tCOUNTRY\tNAME\tTOP FOUNDATION")
	} else {
		fmt.Fprintln(tw, "RANK\t"+lead+"FOUNDATIONS\tCOUNTRY\tORGANISATION\tHUB ORGS")
	}
	for _, g := range shown {
		rank := "-"
		if p := pos[g.Key]; p > 0 && g.Key != analytics.Other {
			rank = fmt.Sprint(p)
		}
		figures := fmt.Sprintf("%11s\t%5s\t", credit(g.Derivatives, attr), pct(g.Share))
		if x, ok := g.Figure(); ok {
			f := credit(x, attr)
			if r.Measure == lineage.MeasurePageRank {
				f = formatRank(x)
			}
			figures = fmt.Sprintf("%*s\t%5s\t%11s\t", len(headOf(r.Measure)), f, pct(*g.FigureShare), credit(g.Derivatives, attr))
		}
		if r.By == "country" {
			fmt.Fprintf(tw, "%4s\t%s%11d\t%s\t%s\t%s\n", rank, figures, g.Foundations, g.Key, g.Name, g.TopFoundation)
		} else {
			fmt.Fprintf(tw, "%4s\t%s%11d\t%s\t%s\t%s\n", rank, figures, g.Foundations, g.Country, g.Key, strings.Join(g.HubOrgs, ", "))
		}
	}
	tw.Flush()
}

// The number of unknown foundation organisations listed in tables and in JSON.
const (
	textUnknownOrgs = 8
	jsonUnknownOrgs = 25
)

// writeCoverage says how much the origins table places and names the
// organisations it misses.
func writeCoverage(w io.Writer, c analytics.Coverage) {
	fmt.Fprintf(w, "coverage: foundation country known for %s of %d derivatives (%s; a derivative of k foundations counts 1/k for each).\n",
		report.Credit(c.Known), c.Derivatives, pct(c.KnownShare))
	if c.UnderRehost > 0 {
		fmt.Fprintf(w, "  %d derivatives sit under %d foundations in re-host namespaces (quantizers, re-uploads, conversions), which have no origin of their own: unknown until recovered lineage names the model each re-hosts.\n",
			c.UnderRehost, c.RehostFoundations)
	}
	if c.ResolvedRehosts > 0 {
		fmt.Fprintf(w, "  %d re-hosted foundations are placed where the model they re-host is.\n", c.ResolvedRehosts)
	}
	if len(c.Unknown) == 0 {
		return
	}
	parts := make([]string, len(c.Unknown))
	for i, u := range c.Unknown {
		org := u.Org
		if org == "" {
			org = "(ids without an organisation)"
		}
		parts[i] = fmt.Sprintf("%s %d (%s)", org, u.Derivatives, u.Reason)
	}
	more := ""
	if c.UnknownOrgs > len(c.Unknown) {
		more = fmt.Sprintf(", and %d more", c.UnknownOrgs-len(c.Unknown))
	}
	fmt.Fprintf(w, "  top unknown foundation organisations (derivatives): %s%s; --origins FILE adds rows.\n", strings.Join(parts, ", "), more)
}

// writeUnknownNote states the unknown bucket's share even when it is zero.
func writeUnknownNote(w io.Writer, gs []analytics.GroupShare, n int, by analytics.GroupBy) {
	var u analytics.GroupShare
	for _, g := range gs {
		if g.Key == analytics.Unknown {
			u = g
		}
	}
	what := "organisation not in the origins table, no country recorded, or a re-host namespace"
	if by == analytics.ByOrg {
		what = "organisation not in the origins table, or a re-host namespace"
	}
	fmt.Fprintf(w, "unknown (%s): %s of %d derivatives (%s).\n", what, trimFloat(u.Derivatives), n, pct(u.Share))
}

func writeManifest(w io.Writer, m analytics.Manifest) {
	fmt.Fprintln(w, "manifest:")
	for _, l := range m.Lines() {
		fmt.Fprintln(w, "  "+l)
	}
}

// credit formats a credit: an integer under full attribution.
func credit(x float64, attr analytics.Attribution) string {
	if attr == analytics.AttributionFull {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
}

func trimFloat(x float64) string {
	s := fmt.Sprintf("%.1f", x)
	return strings.TrimSuffix(s, ".0")
}

// pct formats a share (0..1) as a percentage: as the report does, never
// "0.0%" for a share that is not zero.
func pct(x float64) string { return report.Share(x) }

func cmdOrigins(c *call) error {
	var f analyticFlags
	f.register(c.fs, true)
	list := c.fs.String("list", "", "list the derivatives of one cell: `FROM:TO` author country : foundation country (e.g. US:CN, DE:unknown)")
	table := c.fs.Bool("table", false, "print the origins table itself (organisation, country, kind, source)")
	if err := c.parse(0, 0, ""); err != nil {
		return err
	}
	stdout := c.stdout
	var from, to string
	if *list != "" {
		var ok bool
		from, to, ok = strings.Cut(*list, ":")
		if !ok || strings.TrimSpace(from) == "" || strings.TrimSpace(to) == "" {
			return usagef("--list wants FROM:TO country codes, such as US:CN (got %q)", *list)
		}
	}
	if *table {
		_, o, err := f.scope()
		if err != nil {
			return err
		}
		return writeOriginsTable(stdout, o, c.asJSON)
	}
	_, a, err := f.analysis(c)
	if err != nil {
		return err
	}
	attr := a.Scope().Attribution
	man := a.Manifest()
	if *list != "" {
		ms := a.CellModels(from, to)
		if c.asJSON {
			return writeJSON(stdout, struct {
				Author     string                `json:"author_country"`
				Foundation string                `json:"foundation_country"`
				Count      int                   `json:"count"`
				Models     []analytics.CellModel `json:"models"`
				Manifest   analytics.Manifest    `json:"manifest"`
			}{strings.ToUpper(from), normCell(to), len(ms), ms, man})
		}
		fmt.Fprintf(stdout, "%d derivative(s) whose author organisation is in %s, built on foundations from %s:\n", len(ms), countryLabel(strings.ToUpper(from)), countryLabel(normCell(to)))
		if len(ms) > 0 {
			tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "DERIVATIVE\tCREATED\tFOUNDATIONS")
			for _, m := range ms {
				c := m.Created
				if c == "" {
					c = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", m.ID, c, strings.Join(m.Foundations, ", "))
			}
			tw.Flush()
		}
		writeManifest(stdout, man)
		return nil
	}
	m := a.Matrix()
	if c.asJSON {
		return writeJSON(stdout, struct {
			Attribution string `json:"attribution"`
			analytics.OriginMatrix
			Coverage analytics.Coverage `json:"coverage"`
			Manifest analytics.Manifest `json:"manifest"`
		}{attr.String(), m, a.Coverage(jsonUnknownOrgs), man})
	}
	writeMatrix(stdout, m, attr)
	writeCoverage(stdout, a.Coverage(textUnknownOrgs))
	writeManifest(stdout, man)
	return nil
}

func normCell(c string) string {
	if strings.EqualFold(strings.TrimSpace(c), analytics.Unknown) {
		return analytics.Unknown
	}
	return strings.ToUpper(strings.TrimSpace(c))
}

func countryLabel(code string) string {
	if n := analytics.CountryName(code); n != code {
		return code + " (" + n + ")"
	}
	return code
}

func writeMatrix(w io.Writer, m analytics.OriginMatrix, attr analytics.Attribution) {
	fmt.Fprintf(w, "Who builds on whom: derivatives by the country of their author organisation (rows) and of their foundations (columns), %s attribution.\n", attr)
	if len(m.Rows) > 0 {
		cells := map[[2]string]analytics.OriginCell{}
		for _, c := range m.Cells {
			cells[[2]string{c.Author, c.Foundation}] = c
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "AUTHOR\tDERIVATIVES\t")
		for _, c := range m.Columns {
			fmt.Fprintf(tw, "%s\t", "-> "+c)
		}
		fmt.Fprintln(tw)
		for _, r := range m.Rows {
			fmt.Fprintf(tw, "%s\t%d\t", r.Country, r.Derivatives)
			for _, c := range m.Columns {
				cell, ok := cells[[2]string{r.Country, c}]
				if !ok {
					fmt.Fprint(tw, ".\t")
					continue
				}
				fmt.Fprintf(tw, "%s (%s)\t", credit(cell.Derivatives, attr), pct(cell.ShareOfRow))
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
		fmt.Fprintln(w, "Each cell: derivatives credited to foundations of that country (share of the row's derivatives); lineage origins --list FROM:TO names them.")
	}
	fmt.Fprintf(w, "Author country known for %d of %d derivatives (%s); unknown author: %d not in the origins table, %d without a country (%s, left out).\n",
		m.KnownAuthor, m.Derivatives, pct(1-m.UnknownAuthorShare), m.AuthorNotInTable, m.AuthorNoCountry, pct(m.UnknownAuthorShare))
}

func writeOriginsTable(w io.Writer, o *analytics.Origins, asJSON bool) error {
	rows := o.Rows()
	if asJSON {
		return writeJSON(w, struct {
			Version string             `json:"version"`
			SHA256  string             `json:"sha256"`
			Rows    []analytics.Origin `json:"rows"`
		}{o.Version(), o.Hash(), rows})
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ORG\tCOUNTRY\tKIND\tNAME\tSOURCE")
	for _, r := range rows {
		c := r.Country
		if c == "" {
			c = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Org, c, r.Kind, r.Name, r.Source)
	}
	tw.Flush()
	fmt.Fprintf(w, "origins table %s %s: %d organisations\n", o.Version(), o.Hash(), o.Len())
	return nil
}

func cmdTimeline(c *call) error {
	var f analyticFlags
	f.register(c.fs, true)
	byFlag := c.fs.String("by", "country", "credit new derivatives to their foundations' `country|org|foundation`")
	top := c.fs.Int("top", 0, "show the top `N` groups; the rest are folded into \"other\" (0: 6 columns, every group in --json)")
	chartFile := c.fs.String("chart", "", "also draw the monthly shares to `FILE` (.png or .svg)")
	if err := c.parse(0, 0, ""); err != nil {
		return err
	}
	stdout, stderr := c.stdout, c.stderr
	by, err := analytics.ParseGroupBy(*byFlag)
	if err != nil {
		return err
	}
	if *top < 0 {
		return usagef("--top must be >= 0")
	}
	if *chartFile != "" {
		if _, err := chart.FormatFor(*chartFile); err != nil {
			return usagef("--chart: %v", err)
		}
	}
	_, a, err := f.analysis(c)
	if err != nil {
		return err
	}
	attr := a.Scope().Attribution
	tl := a.Timeline(by)
	man := a.Manifest()
	n := *top
	if n == 0 {
		n = 6
	}
	folded := tl.Fold(topKeys(tl.Totals, n))
	if *chartFile != "" {
		if err := writeChartFile(*chartFile, func(w io.Writer, ff chart.Format) error {
			return report.TimelineChart(w, ff, timelineData(folded), attr.String())
		}); err != nil {
			return err
		}
		if !c.data.quiet {
			fmt.Fprintf(stderr, "wrote %s\n", *chartFile)
		}
	}
	if c.asJSON {
		out := tl
		if *top > 0 {
			out = folded
		}
		return writeJSON(stdout, struct {
			Attribution string `json:"attribution"`
			analytics.Timeline
			Coverage analytics.Coverage `json:"coverage"`
			Manifest analytics.Manifest `json:"manifest"`
		}{attr.String(), out, a.Coverage(jsonUnknownOrgs), man})
	}
	writeTimeline(stdout, folded, attr)
	writeCoverage(stdout, a.Coverage(textUnknownOrgs))
	writeManifest(stdout, man)
	return nil
}

// topKeys returns the keys of the first n groups other than Unknown.
func topKeys(gs []analytics.GroupShare, n int) []string {
	var keys []string
	for _, g := range gs {
		if len(keys) == n {
			break
		}
		if g.Key != analytics.Unknown {
			keys = append(keys, g.Key)
		}
	}
	return keys
}

// columns returns the column order of a folded timeline: its totals
// order, with unknown and other last.
func columns(tl analytics.Timeline) []string {
	var keys []string
	for _, g := range tl.Totals {
		if g.Key != analytics.Unknown && g.Key != analytics.Other {
			keys = append(keys, g.Key)
		}
	}
	for _, k := range []string{analytics.Other, analytics.Unknown} {
		present := false
		for _, g := range tl.Totals {
			present = present || g.Key == k
		}
		// unknown is a column even when empty: its share is always shown.
		if present || k == analytics.Unknown && tl.By != "foundation" {
			keys = append(keys, k)
		}
	}
	return keys
}

func writeTimeline(w io.Writer, tl analytics.Timeline, attr analytics.Attribution) {
	whose := "their foundations' " + tl.By
	if tl.By == "foundation" {
		whose = "their foundations"
	}
	fmt.Fprintf(w, "New derivatives per month of creation, credited to %s (%s attribution; share of the month's new derivatives).\n", whose, attr)
	cols := columns(tl)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "MONTH\tNEW\t")
	for _, c := range cols {
		fmt.Fprintf(tw, "%s\t", c)
	}
	fmt.Fprintln(tw)
	row := func(label string, n int, gs []analytics.GroupShare) {
		byKey := map[string]analytics.GroupShare{}
		for _, g := range gs {
			byKey[g.Key] = g
		}
		fmt.Fprintf(tw, "%s\t%d\t", label, n)
		for _, c := range cols {
			g, ok := byKey[c]
			if !ok {
				fmt.Fprint(tw, ".\t")
				continue
			}
			fmt.Fprintf(tw, "%s %s\t", credit(g.Derivatives, attr), pct(g.Share))
		}
		fmt.Fprintln(tw)
	}
	for _, m := range tl.Months {
		row(m.Month, m.Derivatives, m.Groups)
	}
	row("TOTAL", tl.Derivatives, tl.Totals)
	tw.Flush()
	if tl.By != "foundation" {
		var u analytics.GroupShare
		for _, g := range tl.Totals {
			if g.Key == analytics.Unknown {
				u = g
			}
		}
		fmt.Fprintf(w, "unknown (foundation's organisation not in the origins table%s): %s of %d dated derivatives.\n", map[bool]string{true: " or without a country", false: ""}[tl.By == "country"], pct(u.Share), tl.Derivatives)
	}
	fmt.Fprintf(w, "%d derivative(s) have no creation time and are in no month.\n", tl.Undated)
}

// writeChartFile writes a chart to name in the format its extension names.
func writeChartFile(name string, draw func(io.Writer, chart.Format) error) error {
	ff, err := chart.FormatFor(name)
	if err != nil {
		return usagef("%v", err)
	}
	return writeOutput(name, nil, func(w io.Writer) error { return draw(w, ff) })
}

// velocityTargets resolves MODEL arguments: ids, or patterns with * or ?
// matched case-insensitively against the foundations that have
// descendants (each pattern expands to its matches by descendant count).
func velocityTargets(s *lineage.Store, labels graph.LabelSet, args []string) ([]graph.NodeID, error) {
	var out []graph.NodeID
	seen := map[graph.NodeID]bool{}
	var ranked []lineage.RankEntry
	for _, arg := range args {
		if !strings.ContainsAny(arg, "*?[") {
			v, err := s.Lookup(arg)
			if err != nil {
				return nil, err
			}
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
			continue
		}
		if ranked == nil {
			ranked = s.Rank(0, labels)
		}
		pat := strings.ToLower(arg)
		if _, err := path.Match(pat, ""); err != nil {
			return nil, usagef("bad pattern %q: %v", arg, err)
		}
		n := 0
		for _, e := range ranked {
			if ok, _ := path.Match(pat, strings.ToLower(e.ID)); ok && !seen[e.Node()] {
				seen[e.Node()] = true
				out = append(out, e.Node())
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("pattern %q matches no foundation with descendants: %w", arg, lineage.ErrNotFound)
		}
	}
	return out, nil
}

func cmdVelocity(c *call) error {
	var f analyticFlags
	f.register(c.fs, false)
	daysFlag := c.fs.String("days", "7,30,90,365", "windows in days after each model's creation (`N,...`)")
	chartFile := c.fs.String("chart", "", "also draw cumulative descendants vs days since release to `FILE` (.png or .svg)")
	if err := c.parse(1, -1, "one or more MODEL ids or patterns (such as 'meta-llama/*')"); err != nil {
		return err
	}
	pos, stdout, stderr := c.pos, c.stdout, c.stderr
	var days []int
	for _, p := range strings.Split(*daysFlag, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(p), &n); err != nil || n < 0 {
			return usagef("--days wants non-negative day counts such as 7,30,90,365 (got %q)", *daysFlag)
		}
		days = append(days, n)
	}
	slices.Sort(days)
	days = slices.Compact(days)
	if *chartFile != "" {
		if _, err := chart.FormatFor(*chartFile); err != nil {
			return usagef("--chart: %v", err)
		}
	}
	s, a, err := f.analysis(c)
	if err != nil {
		return err
	}
	vs, err := velocityTargets(s, a.Scope().Labels, pos)
	if err != nil {
		return err
	}
	attr := a.Scope().Attribution
	entries := make([]analytics.VelocityEntry, len(vs))
	for i, v := range vs {
		entries[i] = a.Velocity(v, days)
	}
	man := a.Manifest()
	if *chartFile != "" {
		maxDays := days[len(days)-1]
		if err := writeChartFile(*chartFile, func(w io.Writer, ff chart.Format) error {
			return report.VelocityChart(w, ff, velocityData(a, vs, days, maxDays), attr.String())
		}); err != nil {
			return err
		}
		if !c.data.quiet {
			fmt.Fprintf(stderr, "wrote %s\n", *chartFile)
		}
	}
	if c.asJSON {
		return writeJSON(stdout, struct {
			Attribution string                    `json:"attribution"`
			Days        []int                     `json:"days"`
			Models      []analytics.VelocityEntry `json:"models"`
			Manifest    analytics.Manifest        `json:"manifest"`
		}{attr.String(), days, entries, man})
	}
	writeVelocity(stdout, entries, days, attr)
	writeManifest(stdout, man)
	return nil
}

func writeVelocity(w io.Writer, entries []analytics.VelocityEntry, days []int, attr analytics.Attribution) {
	fmt.Fprintf(w, "Distinct descendants created within N days of each model's own creation (%s attribution).\n", attr)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s\tCREATED\t", max(len("MODEL"), maxIDLen(entries)), "MODEL")
	for _, d := range days {
		fmt.Fprintf(tw, "%dD\t", d)
	}
	fmt.Fprintln(tw, "ALL\tDATED\tUNDATED\tBEFORE\t")
	notes, partial := false, false
	ids := make([]string, len(entries))
	width := len("MODEL")
	for i, e := range entries {
		ids[i] = e.ID
		if !e.IsFoundation {
			ids[i] += " (not a foundation)"
		}
		width = max(width, len(ids[i]))
	}
	for i, e := range entries {
		created := e.Created
		if created == "" {
			created = "unknown"
			notes = true
		}
		// Padding keeps the ids left-aligned in a right-aligned table.
		fmt.Fprintf(tw, "%-*s\t%s\t", width, ids[i], created)
		for i := range days {
			switch {
			case i >= len(e.Windows):
				fmt.Fprint(tw, "-\t")
			case !e.Windows[i].Complete:
				fmt.Fprintf(tw, "%s*\t", credit(e.Windows[i].Derivatives, attr))
				partial = true
			default:
				fmt.Fprintf(tw, "%s\t", credit(e.Windows[i].Derivatives, attr))
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", credit(e.Descendants, attr), e.Dated, e.Undated, e.BeforeRelease)
	}
	tw.Flush()
	fmt.Fprintln(w, "ND: descendants created within N days of the model; ALL: every descendant; DATED/UNDATED: with/without a creation time (undated ones are in no window); BEFORE: created before the model itself (in no window).")
	if partial {
		fmt.Fprintln(w, "*: the window ends after the newest creation time in the input, so the data does not cover all of it yet.")
	}
	if notes {
		fmt.Fprintln(w, "CREATED unknown: the input has no creation time for that model, so its windows cannot be measured.")
	}
}

func maxIDLen(entries []analytics.VelocityEntry) int {
	n := 0
	for _, e := range entries {
		l := len(e.ID)
		if !e.IsFoundation {
			l += len(" (not a foundation)")
		}
		n = max(n, l)
	}
	return n
}

func cmdReport(c *call) error {
	var f analyticFlags
	f.register(c.fs, true)
	fs, stderr := c.fs, c.stderr
	by := fs.String("by", "descendants", "rank countries, organisations and foundations by `M`: descendants, downloads, downloads-all or likes (the derivatives' figure, credited like them), or pagerank (the foundations' PageRank)")
	out := fs.String("o", "", "HTML `FILE` to write")
	top := fs.Int("top", 15, "rows in the ranking tables and bars in the chart (`N`)")
	velocity := fs.String("velocity", "", "models (or patterns) for the velocity section, comma-separated (`MODEL,...`; default: the 6 foundations with most descendants that have a creation time)")
	asJSON := fs.Bool("json", false, "not available: report writes HTML (the other commands have --json)")
	if err := c.parse(0, 0, ""); err != nil {
		return err
	}
	if *asJSON {
		return usagef("report writes HTML; use the other commands for --json")
	}
	if *out == "" {
		return usagef("report needs -o FILE")
	}
	if *top <= 0 {
		return usagef("--top must be > 0")
	}
	measure, err := lineage.ParseMeasure(*by)
	if err != nil {
		return err
	}
	if measure == lineage.MeasurePageRank && (f.from != "" || f.to != "") {
		return usagef("--from and --to select derivatives; --by pagerank is a measure of the whole graph and takes no window")
	}
	s, a, err := f.analysis(c)
	if err != nil {
		return err
	}
	var vs []graph.NodeID
	if *velocity != "" {
		if vs, err = velocityTargets(s, a.Scope().Labels, strings.Split(*velocity, ",")); err != nil {
			return err
		}
	} else {
		for _, e := range s.Rank(0, a.Scope().Labels) {
			if len(vs) == 6 {
				break
			}
			if !s.Created(e.Node()).IsZero() {
				vs = append(vs, e.Node())
			}
		}
	}
	data, err := reportData(a, *top, vs, measure, s.NumModels())
	if err != nil {
		return err
	}
	if err := writeOutput(*out, nil, func(w io.Writer) error { return report.Write(w, data) }); err != nil {
		return err
	}
	if !c.data.quiet {
		fmt.Fprintf(stderr, "wrote %s\n", *out)
	}
	return nil
}
