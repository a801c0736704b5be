package report

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lineage-project/lineage/render/chart"
)

// TimelineChart draws the timeline's monthly shares, each month normalised
// to its credit (under fractional attribution, the share of the month's
// new derivatives), above a panel of the number of new derivatives each
// month: every month's bar is 100% tall, its count says what it weighs.
func TimelineChart(w io.Writer, f chart.Format, tl Timeline, attribution string) error {
	if len(tl.Months) == 0 {
		return errors.New("chart: no dated derivatives to draw")
	}
	periods := make([]string, len(tl.Months))
	series := make([]chart.Series, len(tl.Columns))
	for i, c := range tl.Columns {
		name := c.Label
		if name == "" {
			name = c.Key
		}
		series[i] = chart.Series{Name: name, Values: make([]float64, len(tl.Months)), Neutral: c.Neutral}
	}
	counts := make([]float64, len(tl.Months))
	for mi, m := range tl.Months {
		periods[mi] = m.Month
		counts[mi] = float64(m.New)
		var sum float64
		for _, c := range m.Cells {
			sum += c.Credit
		}
		for i, c := range m.Cells {
			if i < len(series) && c.Present && sum > 0 {
				series[i].Values[mi] = 100 * c.Credit / sum
			}
		}
	}
	ylabel := "% of new derivatives"
	if attribution != "fractional" {
		ylabel = "% of new derivatives' credit"
	}
	what := "foundation " + tl.By
	if tl.By == "foundation" {
		what = "foundation"
	}
	return chart.StackedShares(w, f, chart.Options{
		Title:  fmt.Sprintf("New derivatives per month by %s (%s attribution)", what, attribution),
		XLabel: "month of creation", YLabel: ylabel, Counts: counts, CountsLabel: "new derivatives",
	}, periods, series)
}

// FoundationsChart draws the foundations' credit as horizontal bars, the
// first at the top.
func FoundationsChart(w io.Writer, f chart.Format, gs []Group, attribution string) error {
	return foundationsChart(w, f, gs, attribution, "derivatives")
}

// foundationsChart is FoundationsChart of a figure: the foundations'
// Credit is that figure (Data.Measure).
func foundationsChart(w io.Writer, f chart.Format, gs []Group, attribution, figure string) error {
	if len(gs) == 0 {
		return errors.New("no foundation has a derivative")
	}
	labels := make([]string, len(gs))
	values := make([]float64, len(gs))
	for i, g := range gs {
		labels[i], values[i] = g.Key, g.Credit
	}
	return chart.Bars(w, f, chart.Options{
		Title:  fmt.Sprintf("Top %d foundations by %s (%s attribution)", len(labels), figure, attribution),
		XLabel: figure, Height: float64(120 + 22*len(labels)),
	}, labels, values)
}

// VelocityChart draws cumulative descendants against days since each
// model's creation: one curve per model of v.Curves.
func VelocityChart(w io.Writer, f chart.Format, v Velocity, attribution string) error {
	if len(v.Curves) == 0 {
		var ids []string
		for _, m := range v.Models {
			ids = append(ids, m.ID)
		}
		return fmt.Errorf("chart: no model with a known creation time among %s", strings.Join(ids, ", "))
	}
	title := fmt.Sprintf("Cumulative descendants by days since release (%s attribution)", attribution)
	return chart.Curves(w, f, chart.Options{Title: title, XLabel: "days since the model's creation", YLabel: "descendants created"}, v.Curves)
}
