// Package chart draws the charts of lineage analytics with gonum.org/v1/plot,
// as PNG or SVG: shares stacked per period (StackedShares), horizontal bars
// (Bars) and cumulative curves (Curves).
//
// What it assumes: plain series of names and numbers from the caller. It
// never imports package lineage and knows nothing of models, countries or
// attribution; which series is a catch-all bucket (drawn in grey) is the
// caller's Series.Neutral. Every name is drawn as text: in SVG it is
// escaped, so a hostile name cannot inject markup.
//
// Output is deterministic for the same input: series are drawn in the
// order given, colours are assigned by position, and no map is iterated.
package chart

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Format is an image format.
type Format uint8

// The formats a chart can be written in.
const (
	PNG Format = iota + 1
	SVG
)

func (f Format) String() string {
	switch f {
	case PNG:
		return "png"
	case SVG:
		return "svg"
	}
	return fmt.Sprintf("format(%d)", f)
}

// ErrFormat is returned for a file name whose extension is not .png or .svg.
var ErrFormat = errors.New("unsupported chart format (want .png or .svg)")

// FormatFor returns the format a file name's extension asks for.
func FormatFor(name string) (Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png":
		return PNG, nil
	case ".svg":
		return SVG, nil
	}
	return 0, fmt.Errorf("%s: %w", name, ErrFormat)
}

// Options are a chart's titles and size.
type Options struct {
	Title  string
	XLabel string
	YLabel string
	// Width and Height in points (1/72 inch); zero picks 760 x 420.
	Width, Height float64
	// BarLabels, for StackedShares, are small texts drawn above each bar
	// (such as the period's total); empty strings draw nothing.
	BarLabels []string
	// Counts, for StackedShares, draws a second panel under the stacked
	// bars: one bar per period of this height (such as the period's
	// number of items) on an axis named CountsLabel, so that a period of
	// one item and a period of hundreds, both 100% tall above, do not
	// look alike. Nil draws no such panel.
	Counts      []float64
	CountsLabel string
}

func (o Options) size() (vg.Length, vg.Length) {
	w, h := o.Width, o.Height
	if w <= 0 {
		w = 760
	}
	if h <= 0 {
		h = 420
		if o.Counts != nil {
			h += countsHeight
		}
	}
	return vg.Length(w), vg.Length(h)
}

// countsHeight is the height the counts panel adds to the default size.
const countsHeight = 150

// panel is one plot of a chart and its share of the plotting height.
type panel struct {
	p      *plot.Plot
	weight float64
}

// Series is one named row of values, one per period or point.
type Series struct {
	Name   string
	Values []float64
	// Neutral draws the series in grey: for catch-all buckets such as
	// "unknown" and "other".
	Neutral bool
}

// Curve is one named line of points.
type Curve struct {
	Name string
	X, Y []float64
}

// palette is Tableau 10, readable on white and for most colour vision.
var palette = []color.RGBA{
	{0x4E, 0x79, 0xA7, 0xFF}, {0xF2, 0x8E, 0x2B, 0xFF}, {0xE1, 0x57, 0x59, 0xFF}, {0x76, 0xB7, 0xB2, 0xFF},
	{0x59, 0xA1, 0x4F, 0xFF}, {0xED, 0xC9, 0x48, 0xFF}, {0xB0, 0x7A, 0xA1, 0xFF}, {0xFF, 0x9D, 0xA7, 0xFF},
	{0x9C, 0x75, 0x5F, 0xFF}, {0x3B, 0x3B, 0x8F, 0xFF}, {0x2F, 0x8F, 0x5B, 0xFF}, {0xC9, 0x4C, 0x9E, 0xFF},
}

var greys = []color.RGBA{{0x9A, 0x9A, 0x9A, 0xFF}, {0xC8, 0xC8, 0xC8, 0xFF}, {0x70, 0x70, 0x70, 0xFF}}

// colours assigns a colour to every series by position, greys to neutral ones.
func colours(series []Series) []color.Color {
	out := make([]color.Color, len(series))
	c, g := 0, 0
	for i, s := range series {
		if s.Neutral {
			out[i] = greys[g%len(greys)]
			g++
			continue
		}
		out[i] = palette[c%len(palette)]
		c++
	}
	return out
}

func sans(size vg.Length) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
}

// newPlot returns a plot with the options' titles in a sans-serif face.
func newPlot(o Options) *plot.Plot {
	p := plot.New()
	p.Title.Text = o.Title
	p.Title.TextStyle.Font = sans(14)
	p.Title.Padding = 8
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = sans(11)
		ax.Tick.Label.Font = sans(9)
	}
	p.X.Label.Text = o.XLabel
	p.Y.Label.Text = o.YLabel
	return p
}

func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font = sans(10)
	l.Top, l.Left = true, true
	l.ThumbnailWidth = 14
	l.Padding = 3
	return l
}

// legendWidth is the room a legend drawn beside the plot needs.
func legendWidth(l *plot.Legend, names []string) vg.Length {
	var w vg.Length
	for _, n := range names {
		w = max(w, l.TextStyle.Rectangle(" "+n).Max.X)
	}
	// 10% slack: an SVG viewer without the Liberation fonts substitutes
	// a face that is often wider.
	return w*1.1 + l.ThumbnailWidth + 16
}

// write draws p, and legend l when it is not nil, on a white canvas of the
// format, and writes it to w. The legend goes at the right of the plot;
// when that would take more than a third of the width, below it, the
// canvas growing to make room.
func write(w io.Writer, f Format, o Options, p *plot.Plot, l *plot.Legend, names []string) error {
	return writePanels(w, f, o, []panel{{p, 1}}, l, names)
}

// writePanels is write for plots stacked top to bottom, each taking its
// weight's share of the height, their data areas aligned left and right so
// that they share an x axis.
func writePanels(w io.Writer, f Format, o Options, panels []panel, l *plot.Legend, names []string) error {
	width, height := o.size()
	var lw, below vg.Length
	if l != nil && len(names) > 0 {
		lw = legendWidth(l, names)
		if lw > width/3 {
			lw = 0
			below = vg.Length(len(names))*(l.TextStyle.Rectangle("Xg").Max.Y+l.Padding) + 16
			height += below
		}
	}
	var c interface {
		vg.CanvasSizer
		io.WriterTo
	}
	switch f {
	case PNG:
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(144), vgimg.UseBackgroundColor(color.White))}
	case SVG:
		c = vgsvg.New(width, height)
	default:
		return fmt.Errorf("chart: %w", ErrFormat)
	}
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	switch {
	case lw > 0:
		drawPanels(draw.Crop(dc, 4, -lw, 4, -4), panels)
		l.Draw(draw.Crop(dc, width-lw+10, -4, 0, -34))
	case below > 0:
		drawPanels(draw.Crop(dc, 4, -8, below, -4), panels)
		l.Draw(draw.Crop(dc, 60, -8, 4, -(height - below + 4)))
	default:
		drawPanels(draw.Crop(dc, 4, -8, 4, -4), panels)
	}
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("chart: write %s: %w", f, err)
	}
	return nil
}

// drawPanels splits area among the panels, top to bottom by weight, and
// draws each with its data area aligned to the widest axes of all.
func drawPanels(area draw.Canvas, panels []panel) {
	const gap = 6
	var total float64
	for _, p := range panels {
		total += p.weight
	}
	h := area.Max.Y - area.Min.Y - gap*vg.Length(len(panels)-1)
	cs := make([]draw.Canvas, len(panels))
	top := area.Max.Y
	for i, p := range panels {
		ph := h * vg.Length(p.weight/total)
		cs[i] = draw.Crop(area, 0, 0, top-ph-area.Min.Y, top-area.Max.Y)
		top -= ph + gap
	}
	var left, right vg.Length
	for i, p := range panels {
		d := p.p.DataCanvas(cs[i])
		left = max(left, d.Min.X-cs[i].Min.X)
		right = max(right, cs[i].Max.X-d.Max.X)
	}
	for i, p := range panels {
		d := p.p.DataCanvas(cs[i])
		p.p.Draw(draw.Crop(cs[i], left-(d.Min.X-cs[i].Min.X), -(right - (cs[i].Max.X - d.Max.X)), 0, 0))
	}
}

func checkValues(what string, vs []float64) error {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("chart: %s: value %v is not finite", what, v)
		}
	}
	return nil
}

// StackedShares draws one bar per period, the series stacked on each
// other in the order given (the first at the bottom), with a legend at the
// right listing the series top to bottom as they appear in the bars. Every
// series must have one value per period. Values are drawn as given:
// callers pass percentages (or counts) and say so in o.YLabel. Period
// labels are thinned out so that they never overlap.
func StackedShares(w io.Writer, f Format, o Options, periods []string, series []Series) error {
	if len(periods) == 0 || len(series) == 0 {
		return errors.New("chart: stacked shares need at least one period and one series")
	}
	if o.Counts != nil {
		if len(o.Counts) != len(periods) {
			return fmt.Errorf("chart: %d counts for %d periods", len(o.Counts), len(periods))
		}
		if err := checkValues("counts", o.Counts); err != nil {
			return err
		}
	}
	for _, s := range series {
		if len(s.Values) != len(periods) {
			return fmt.Errorf("chart: series %q has %d values for %d periods", s.Name, len(s.Values), len(periods))
		}
		if err := checkValues(s.Name, s.Values); err != nil {
			return err
		}
	}
	p := newPlot(o)
	p.Add(plotter.NewGrid()) // first: drawn under the bars
	width, _ := o.size()
	l := newLegend()
	names := make([]string, len(series))
	for i, s := range series {
		names[i] = s.Name
	}
	plotW := width - legendWidth(&l, names) - 70
	barW := max(vg.Length(1), plotW/vg.Length(len(periods))*0.82)
	cols := colours(series)
	bars := make([]*plotter.BarChart, len(series))
	var below *plotter.BarChart
	for i, s := range series {
		b, err := plotter.NewBarChart(plotter.Values(s.Values), barW)
		if err != nil {
			return fmt.Errorf("chart: %w", err)
		}
		b.Color = cols[i]
		b.LineStyle.Width = 0
		if below != nil {
			b.StackOn(below)
		}
		below = b
		bars[i] = b
		p.Add(b)
	}
	for i := len(series) - 1; i >= 0; i-- { // legend top to bottom as stacked
		l.Add(series[i].Name, bars[i])
	}
	p.X.Tick.Marker = periodTicks(periods)
	p.X.Min, p.X.Max = -0.6, float64(len(periods))-0.4
	p.Y.Min = 0
	top := 0.0
	for i := range periods {
		top = max(top, below.BarHeight(i))
	}
	if len(o.BarLabels) == len(periods) {
		xys := make(plotter.XYs, len(periods))
		for i := range periods {
			xys[i] = plotter.XY{X: float64(i), Y: below.BarHeight(i)}
		}
		lab, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: o.BarLabels})
		if err != nil {
			return fmt.Errorf("chart: %w", err)
		}
		for i := range lab.TextStyle {
			lab.TextStyle[i].Font = sans(7)
			lab.TextStyle[i].XAlign = draw.XCenter
			lab.TextStyle[i].Color = color.Gray{0x40}
		}
		lab.Offset = vg.Point{Y: 2}
		p.Add(lab)
		p.Y.Max = top * 1.05
	}
	if o.Counts == nil {
		return write(w, f, o, p, &l, names)
	}
	// The counts panel below takes the x axis' labels; the shares keep
	// the ticks.
	pc := newPlot(Options{XLabel: o.XLabel, YLabel: o.CountsLabel})
	pc.Add(plotter.NewGrid())
	b, err := plotter.NewBarChart(plotter.Values(o.Counts), barW)
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	b.Color = greys[2]
	b.LineStyle.Width = 0
	pc.Add(b)
	pc.X.Tick.Marker = periodTicks(periods)
	pc.X.Min, pc.X.Max = p.X.Min, p.X.Max
	pc.Y.Min = 0
	for _, c := range o.Counts {
		pc.Y.Max = max(pc.Y.Max, c*1.05)
	}
	p.X.Label.Text = ""
	p.X.Tick.Marker = unlabelled(periodTicks(periods))
	_, height := o.size()
	return writePanels(w, f, o, []panel{{p, float64(height - countsHeight)}, {pc, countsHeight}}, &l, names)
}

// unlabelled returns the ticks without their labels.
func unlabelled(ticks plot.ConstantTicks) plot.ConstantTicks {
	out := make(plot.ConstantTicks, len(ticks))
	for i, t := range ticks {
		out[i] = plot.Tick{Value: t.Value}
	}
	return out
}

// periodTicks labels at most about 12 periods, evenly spaced, with a small
// tick on every period.
func periodTicks(periods []string) plot.ConstantTicks {
	step := (len(periods) + 11) / 12
	ticks := make([]plot.Tick, len(periods))
	for i, name := range periods {
		ticks[i].Value = float64(i)
		if i%step == 0 {
			ticks[i].Label = name
		}
	}
	return ticks
}

// Bars draws one horizontal bar per label, the first at the top, each with
// its value written at its end.
func Bars(w io.Writer, f Format, o Options, labels []string, values []float64) error {
	if len(labels) == 0 || len(labels) != len(values) {
		return fmt.Errorf("chart: bars need as many values as labels (got %d labels, %d values)", len(labels), len(values))
	}
	if err := checkValues("bars", values); err != nil {
		return err
	}
	p := newPlot(o)
	n := len(labels)
	rev := make(plotter.Values, n)
	names := make([]string, n)
	for i := range labels {
		rev[n-1-i] = values[i]
		names[n-1-i] = labels[i]
	}
	_, height := o.size()
	barW := max(vg.Length(2), (height-90)/vg.Length(n)*0.7)
	b, err := plotter.NewBarChart(rev, barW)
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	b.Horizontal = true
	b.Color = palette[0]
	b.LineStyle.Width = 0
	p.Add(plotter.NewGrid(), b)
	p.NominalY(names...)
	maxV := 0.0
	xys := make(plotter.XYs, n)
	txt := make([]string, n)
	for i, v := range rev {
		maxV = max(maxV, v)
		xys[i] = plotter.XY{X: v, Y: float64(i)}
		txt[i] = formatValue(v)
	}
	lab, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: txt})
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	for i := range lab.TextStyle {
		lab.TextStyle[i].Font = sans(9)
		lab.TextStyle[i].YAlign = draw.YCenter
	}
	lab.Offset = vg.Point{X: 4}
	p.Add(lab)
	p.X.Min = 0
	p.X.Max = maxV * 1.12 // room for the value labels
	if maxV == 0 {
		p.X.Max = 1
	}
	return write(w, f, o, p, nil, nil)
}

func formatValue(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// Curves draws one line per curve, in distinct colours and dash patterns,
// with a legend at the right.
func Curves(w io.Writer, f Format, o Options, curves []Curve) error {
	if len(curves) == 0 {
		return errors.New("chart: curves need at least one curve")
	}
	p := newPlot(o)
	p.Add(plotter.NewGrid())
	l := newLegend()
	l.ThumbnailWidth = 24
	dashes := [][]vg.Length{nil, {6, 3}, {2, 2}, {8, 3, 2, 3}}
	names := make([]string, len(curves))
	for i, c := range curves {
		if len(c.X) != len(c.Y) || len(c.X) == 0 {
			return fmt.Errorf("chart: curve %q has %d x and %d y values", c.Name, len(c.X), len(c.Y))
		}
		if err := checkValues(c.Name, c.X); err != nil {
			return err
		}
		if err := checkValues(c.Name, c.Y); err != nil {
			return err
		}
		xys := make(plotter.XYs, len(c.X))
		for j := range c.X {
			xys[j] = plotter.XY{X: c.X[j], Y: c.Y[j]}
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return fmt.Errorf("chart: curve %q: %w", c.Name, err)
		}
		line.Color = palette[i%len(palette)]
		line.Width = 2
		line.Dashes = dashes[(i/len(palette)+i)%len(dashes)]
		p.Add(line)
		l.Add(c.Name, line)
		names[i] = c.Name
	}
	p.Y.Min = 0
	return write(w, f, o, p, &l, names)
}
