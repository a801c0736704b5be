// Package report writes the "who builds on whom" analytics as one
// self-contained HTML page (Write) and draws its charts (TimelineChart,
// FoundationsChart, VelocityChart), from plain data the caller fills in.
//
// What it assumes: the numbers are computed elsewhere (cmd/lineage adapts
// package lineage/analytics); this package formats and draws them and never
// imports package lineage. Every caller-provided string is escaped by
// html/template, so a hostile model or organisation name cannot inject
// markup; charts are inlined as PNG data URLs, so the page needs no server
// and renders as drawn. Output is deterministic for the same Data.
package report

import (
	"fmt"
	"strings"

	"github.com/lineage-project/lineage/render/chart"
)

// Data is everything the report shows.
type Data struct {
	// Attribution is "full" or "fractional"; Rule states it in a sentence.
	Attribution string
	Rule        string
	// Counted is the number of derivatives counted: the share denominator.
	Counted int
	// Manifest rows: what the analysis was computed from, as name and value.
	Manifest []Field
	// Coverage: how much the origins table places, what it misses.
	Coverage Coverage
	// Countries, Orgs and Foundations are the rankings by the foundation's
	// country, organisation, and the foundation itself.
	Countries   []Group
	Orgs        []Group
	Foundations []Group
	Timeline    Timeline
	Matrix      Matrix
	Velocity    Velocity
	// Measure names what the three rankings are by when it is not the
	// derivatives (such as "downloads"), as a column heading; each Group
	// then holds that figure in Credit, its share in Share and its
	// spelling in Value. MeasureNote says what the figure is, in a
	// sentence.
	Measure     string
	MeasureNote string
}

// Figure returns the heading of the rankings' figure column: Measure, or
// "derivatives".
func (d Data) Figure() string {
	if d.Measure == "" {
		return "derivatives"
	}
	return d.Measure
}

// Fractional reports whether the attribution is fractional.
func (d Data) Fractional() bool { return d.Attribution == "fractional" }

// Coverage says how many derivatives' foundation country is known and
// which organisations the origins table misses.
type Coverage struct {
	// Known derivatives (a derivative of k foundations counting 1/k for
	// each) of Derivatives; KnownShare is their share.
	Known       float64
	Derivatives int
	KnownShare  float64
	// UnderRehost derivatives sit under RehostFoundations foundations in
	// re-host namespaces that are not placed; Resolved re-hosted
	// foundations are placed where the model they re-host is.
	UnderRehost, RehostFoundations, Resolved int
	// Unknown lists the top organisations whose foundations have no known
	// country, of UnknownOrgs in all.
	Unknown     []UnknownOrg
	UnknownOrgs int
}

// UnknownOrg is an organisation whose foundations have no known country.
type UnknownOrg struct {
	Org, Reason              string
	Derivatives, Foundations int
	Top                      string
}

// Field is one named value of the manifest.
type Field struct {
	Name, Value string
}

// Group is one row of a ranking.
type Group struct {
	// Key is the group: a country code, an organisation, a foundation id.
	Key string
	// Label is the key as shown (such as "US (United States)"); Key when empty.
	Label string
	// Country is the organisation's country (organisation rankings).
	Country string
	// Credit is the group's credit (a count under full attribution) and
	// Share that credit over the derivatives counted; with Data.Measure,
	// the group's figure and its share of the total.
	Credit, Share float64
	// Value is the figure as shown, when the caller formats it (a
	// PageRank to its significant digits); Credit formatted when empty.
	Value string
	// Foundations counts the group's foundations with a counted derivative.
	Foundations int
	// Top is the group's foundation with the most credit.
	Top string
	// HubOrgs lists the Hub organisations of the group's foundations.
	HubOrgs []string
	// Folded marks the bucket of groups folded together ("other"): it has
	// no rank.
	Folded bool
}

func (g Group) label() string {
	if g.Label != "" {
		return g.Label
	}
	return g.Key
}

// Cell is one group's credit in a month, a matrix row or a total; Present
// is false for an empty cell.
type Cell struct {
	Credit, Share float64
	Present       bool
}

// Column is one group of the timeline.
type Column struct {
	Key string
	// Label names the group in the chart legend; Key when empty.
	Label string
	// Neutral marks a catch-all bucket (unknown, other): grey in charts.
	Neutral bool
}

// Month is one month (or the total) of the timeline.
type Month struct {
	Month string
	// New is the number of new derivatives that month.
	New int
	// Cells hold each column's credit, in column order.
	Cells []Cell
}

// Timeline is new derivatives per month credited to groups of their
// foundations.
type Timeline struct {
	// By is what groups are: "country", "org" or "foundation".
	By      string
	Columns []Column
	Months  []Month
	Total   Month
	// Dated derivatives are in Months; Undated ones in none.
	Dated, Undated int
}

// Matrix is the cross-origin matrix: derivatives by the country of their
// author organisation (rows) and of their foundations (columns).
type Matrix struct {
	Columns []string
	Rows    []MatrixRow
	// Derivatives counted; KnownAuthor of them are in the matrix,
	// NotInTable and NoCountry are left out (UnknownShare of Derivatives).
	Derivatives, KnownAuthor, NotInTable, NoCountry int
	UnknownShare                                    float64
}

// MatrixRow is one author country.
type MatrixRow struct {
	Country     string
	Derivatives int
	Cells       []Cell // in column order; Share is of the row
}

// Velocity is how fast models gathered descendants.
type Velocity struct {
	// Days are the windows, in days after each model's creation.
	Days   []int
	Models []VelocityModel
	// Curves are cumulative descendants by days since creation, for the chart.
	Curves []chart.Curve
}

// Partial reports whether any model has a window the data does not cover.
func (v Velocity) Partial() bool {
	for _, m := range v.Models {
		for _, w := range m.Windows {
			if w.Partial {
				return true
			}
		}
	}
	return false
}

// VelocityModel is one model's velocity.
type VelocityModel struct {
	ID      string
	Created string // YYYY-MM-DD; empty when unknown
	// Windows hold the credit within each of Velocity.Days (empty when the
	// creation time is unknown).
	Windows []Window
	// All is the credit of every descendant; Dated and Undated count those
	// with and without a creation time, Before those created before the
	// model itself.
	All                    float64
	Dated, Undated, Before int
}

// Window is the credit of descendants within a number of days.
type Window struct {
	Credit float64
	// Partial marks a window that ends after the newest creation time in
	// the input: the data does not cover all of it yet.
	Partial bool
}

// Share formats a share (0..1, or more under full attribution) as a
// percentage with one decimal. A share that is not zero never prints as
// "0.0%" but as "<0.1%", and one short of 100% never as "100.0%" but as
// ">99.9%": rounding must not make a group vanish or a bucket look empty.
func Share(x float64) string {
	switch {
	case x > 0 && x < 0.0005:
		return "<0.1%"
	case x >= 0.9995 && x < 1:
		return ">99.9%"
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

// Credit formats a credit with at most one decimal, without a trailing ".0".
func Credit(x float64) string {
	return strings.TrimSuffix(fmt.Sprintf("%.1f", x), ".0")
}

// CellCredit formats a credit in a table cell: an integer under full
// attribution, one decimal under fractional attribution.
func CellCredit(x float64, fractional bool) string {
	if fractional {
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.0f", x)
}
