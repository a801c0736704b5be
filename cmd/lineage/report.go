package main

import (
	"fmt"
	"strings"

	"github.com/lineage-project/lineage/graph"
	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/analytics"
	"github.com/lineage-project/lineage/render/chart"
	"github.com/lineage-project/lineage/render/report"
)

// The adapter from the analytics to the plain data of package
// render/report (which never imports lineage).

// reportData computes what the report shows: rankings of top rows (by
// derivatives, or by the measure m), the country timeline, the matrix and
// the velocity of vs.
func reportData(a *analytics.Analysis, top int, vs []graph.NodeID, m lineage.Measure, models int) (report.Data, error) {
	attr := a.Scope().Attribution
	man := a.Manifest()
	d := report.Data{
		Attribution: attr.String(), Rule: attr.Rule(), Counted: a.Counted(),
		Manifest: manifestFields(man), Coverage: coverageData(a.Coverage(15)),
	}
	rank := func(by analytics.GroupBy) ([]analytics.GroupShare, error) {
		r, err := a.RankBy(by, m)
		if err != nil {
			return nil, err
		}
		if by == analytics.ByFoundation {
			return r.Groups[:min(top, len(r.Groups))], nil
		}
		return analytics.TopGroups(r.Groups, top, a.Counted()), nil
	}
	for _, x := range []struct {
		by  analytics.GroupBy
		out *[]report.Group
	}{{analytics.ByCountry, &d.Countries}, {analytics.ByOrg, &d.Orgs}, {analytics.ByFoundation, &d.Foundations}} {
		gs, err := rank(x.by)
		if err != nil {
			return d, err
		}
		*x.out = groupsData(gs, x.by, m)
	}
	if m != lineage.MeasureDescendants {
		d.Measure = m.String()
		if m == lineage.MeasurePageRank {
			d.MeasureNote = pageRankRule(models) + "; a group's figure is the sum over its foundations."
		} else {
			d.MeasureNote = fmt.Sprintf("the %s of each derivative (unknown as 0), credited to its foundations like the derivative itself; shares are of the total of the derivatives counted.", measureWhat(m))
		}
	}
	d.Matrix = matrixData(a.Matrix())
	tl := a.Timeline(analytics.ByCountry)
	d.Timeline = timelineData(tl.Fold(topKeys(tl.Totals, 7)))
	d.Velocity = velocityData(a, vs, analytics.VelocityDays, 365)
	return d, nil
}

func manifestFields(m analytics.Manifest) []report.Field {
	fs := []report.Field{
		{Name: "input digest", Value: m.InputDigest},
		{Name: "sources", Value: strings.Join(m.Sources, ", ")},
		{Name: "records", Value: fmt.Sprintf("%d models, %d edges; %d foundations; %d derivatives counted of %d reached; %d models with a parent not reached",
			m.Models, m.Edges, m.Foundations, m.Counted, m.Derivatives, m.NotReached)},
		{Name: "relations", Value: strings.Join(m.Relations, ", ")},
		{Name: "attribution", Value: m.Attribution + ": " + m.AttributionRule},
		{Name: "window", Value: fmt.Sprintf("%s; %d derivatives undated, %d outside the window", m.Window, m.Undated, m.OutsideWindow)},
		{Name: "origins table", Value: fmt.Sprintf("%s %s (%d organisations)", m.Origins.Version, m.Origins.SHA256, m.Origins.Organisations)},
	}
	if r := m.Recovered; r != nil {
		fs = append(fs, report.Field{Name: "recovered lineage", Value: fmt.Sprintf("%d edge(s) added at confidence %g or more (rules %s); not declared by any input", r.Edges, r.MinConfidence, r.Rules)})
	}
	return fs
}

func groupsData(gs []analytics.GroupShare, by analytics.GroupBy, m lineage.Measure) []report.Group {
	out := make([]report.Group, len(gs))
	for i, g := range gs {
		out[i] = report.Group{
			Key: g.Key, Country: g.Country, Credit: g.Derivatives, Share: g.Share, Foundations: g.Foundations,
			Top: g.TopFoundation, HubOrgs: g.HubOrgs, Folded: g.Key == analytics.Other,
		}
		if x, ok := g.Figure(); ok {
			out[i].Credit, out[i].Share = x, *g.FigureShare
			if m == lineage.MeasurePageRank {
				out[i].Value = formatRank(x)
			}
		}
		if by == analytics.ByCountry {
			out[i].Label = countryLabel(g.Key)
		}
	}
	return out
}

func matrixData(m analytics.OriginMatrix) report.Matrix {
	out := report.Matrix{
		Columns: m.Columns, Derivatives: m.Derivatives, KnownAuthor: m.KnownAuthor,
		NotInTable: m.AuthorNotInTable, NoCountry: m.AuthorNoCountry, UnknownShare: m.UnknownAuthorShare,
	}
	cells := map[[2]string]analytics.OriginCell{}
	for _, c := range m.Cells {
		cells[[2]string{c.Author, c.Foundation}] = c
	}
	for _, r := range m.Rows {
		row := report.MatrixRow{Country: r.Country, Derivatives: r.Derivatives}
		for _, c := range m.Columns {
			cell, ok := cells[[2]string{r.Country, c}]
			row.Cells = append(row.Cells, report.Cell{Credit: cell.Derivatives, Share: cell.ShareOfRow, Present: ok})
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// timelineData lays a (folded) timeline out in its columns: its totals
// order, other and unknown last.
func timelineData(tl analytics.Timeline) report.Timeline {
	out := report.Timeline{By: tl.By, Dated: tl.Derivatives, Undated: tl.Undated}
	cols := columns(tl)
	for _, c := range cols {
		col := report.Column{Key: c, Neutral: c == analytics.Unknown || c == analytics.Other}
		if tl.By == "country" && !col.Neutral {
			col.Label = countryLabel(c)
		}
		out.Columns = append(out.Columns, col)
	}
	month := func(label string, n int, gs []analytics.GroupShare) report.Month {
		m := report.Month{Month: label, New: n, Cells: make([]report.Cell, len(cols))}
		for _, g := range gs {
			for i, c := range cols {
				if g.Key == c {
					m.Cells[i] = report.Cell{Credit: g.Derivatives, Share: g.Share, Present: true}
				}
			}
		}
		return m
	}
	for _, m := range tl.Months {
		out.Months = append(out.Months, month(m.Month, m.Derivatives, m.Groups))
	}
	out.Total = month("total", tl.Derivatives, tl.Totals)
	return out
}

// velocityData measures the velocity of vs within days, with curves up to
// maxDays (each stopping where the data stops: a flat line past the newest
// creation time in the input would claim that nothing was made).
func velocityData(a *analytics.Analysis, vs []graph.NodeID, days []int, maxDays int) report.Velocity {
	out := report.Velocity{Days: days}
	for _, v := range vs {
		e := a.Velocity(v, days)
		m := report.VelocityModel{ID: e.ID, Created: e.Created, All: e.Descendants, Dated: e.Dated, Undated: e.Undated, Before: e.BeforeRelease}
		for _, w := range e.Windows {
			m.Windows = append(m.Windows, report.Window{Credit: w.Derivatives, Partial: !w.Complete})
		}
		out.Models = append(out.Models, m)
		to := min(maxDays, e.ObservedDays)
		ys := a.VelocityCurve(v, to)
		if ys == nil {
			continue
		}
		xs := make([]float64, len(ys))
		for d := range xs {
			xs[d] = float64(d)
		}
		name := fmt.Sprintf("%s (%s)", e.ID, e.Created)
		if to < maxDays {
			name = fmt.Sprintf("%s (%s, data to day %d)", e.ID, e.Created, to)
		}
		out.Curves = append(out.Curves, chart.Curve{Name: name, X: xs, Y: ys})
	}
	return out
}

func coverageData(c analytics.Coverage) report.Coverage {
	out := report.Coverage{
		Known: c.Known, Derivatives: c.Derivatives, KnownShare: c.KnownShare,
		UnderRehost: c.UnderRehost, RehostFoundations: c.RehostFoundations, Resolved: c.ResolvedRehosts, UnknownOrgs: c.UnknownOrgs,
	}
	for _, u := range c.Unknown {
		out.Unknown = append(out.Unknown, report.UnknownOrg{Org: u.Org, Reason: u.Reason, Derivatives: u.Derivatives, Foundations: u.Foundations, Top: u.TopFoundation})
	}
	return out
}
