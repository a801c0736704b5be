package report

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"io"
	"strings"

	"github.com/lineage-project/lineage/render/chart"
)

// page is what the template shows: the data, its charts and the charts
// that could not be drawn.
type page struct {
	Data
	Charts      map[string]template.URL
	ChartErrors []string
}

// Write writes d as one self-contained HTML page: tables, the manifest,
// and the timeline, foundations and velocity charts inlined as PNG. A
// chart that cannot be drawn (no dated derivative, no foundation) is named
// on the page instead; only a failure to write is an error.
func Write(w io.Writer, d Data) error {
	p := page{Data: d, Charts: map[string]template.URL{}}
	embed := func(key string, draw func(io.Writer, chart.Format) error) {
		var buf bytes.Buffer
		if err := draw(&buf, chart.PNG); err != nil {
			p.ChartErrors = append(p.ChartErrors, key+": "+err.Error())
			return
		}
		// A PNG data URL is self-contained and renders exactly as drawn
		// (an SVG would depend on the viewer's fonts).
		p.Charts[key] = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
	}
	embed("timeline", func(w io.Writer, f chart.Format) error { return TimelineChart(w, f, d.Timeline, d.Attribution) })
	embed("foundations", func(w io.Writer, f chart.Format) error {
		return foundationsChart(w, f, d.Foundations, d.Attribution, d.Figure())
	})
	if len(d.Velocity.Models) > 0 {
		embed("velocity", func(w io.Writer, f chart.Format) error { return VelocityChart(w, f, d.Velocity, d.Attribution) })
	}
	return pageTemplate.Execute(w, p)
}

// cell formats a table cell: the credit and its share, or nothing.
func cell(fractional bool, c Cell) string {
	if !c.Present {
		return ""
	}
	return CellCredit(c.Credit, fractional) + " (" + Share(c.Share) + ")"
}

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":    Share,
	"credit": Credit,
	"join":   strings.Join,
	"inc":    func(i int) int { return i + 1 },
	"sub":    func(a, b int) int { return a - b },
	"cell":   cell,
	"label":  Group.label,
	"value": func(g Group) string {
		if g.Value != "" {
			return g.Value
		}
		return Credit(g.Credit)
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lineage: who builds on whom</title>
<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; margin: 2rem auto; max-width: 84rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .6rem 0; font-size: 13px; }
th, td { padding: .2rem .6rem; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th { background: #f5f5f5; }
td.l, th.l { text-align: left; }
.note { color: #555; font-size: 13px; }
.manifest td { text-align: left; font-family: ui-monospace, "Liberation Mono", monospace; font-size: 12px; white-space: normal; }
img.chart { width: 1013px; max-width: 100%; height: auto; border: 1px solid #eee; }
.scroll { overflow-x: auto; }
</style>
</head>
<body>
<h1>Who builds on whom</h1>
<p class="note">Organisations, countries of origin and derivatives over time, from the Hugging Face lineage graph. Attribution: <b>{{.Attribution}}</b> — {{.Rule}}. Shares are of the {{.Counted}} derivatives counted.{{if .Measure}} The rankings of countries, organisations and foundations are by {{.Measure}}: {{.MeasureNote}}{{end}}</p>

<h2>Manifest</h2>
<table class="manifest">
{{range .Manifest}}<tr><td>{{.Name}}</td><td>{{.Value}}</td></tr>
{{end}}</table>
<h2>What the origins table places</h2>
{{with .Coverage}}<p class="note">Foundation country known for <b>{{credit .Known}}</b> of {{.Derivatives}} derivatives (<b>{{pct .KnownShare}}</b>; a derivative of k foundations counts 1/k for each).{{if .UnderRehost}} {{.UnderRehost}} derivatives sit under {{.RehostFoundations}} foundations in re-host namespaces (quantizers, re-uploads, conversions), which have no origin of their own: unknown until recovered lineage names the model each re-hosts.{{end}}{{if .Resolved}} {{.Resolved}} re-hosted foundations are placed where the model they re-host is.{{end}}</p>
{{if .Unknown}}<table>
<tr><th class="l">top unknown organisations</th><th class="l">why</th><th>derivatives</th><th>foundations</th><th class="l">top foundation</th></tr>
{{range .Unknown}}<tr><td class="l">{{if .Org}}{{.Org}}{{else}}(ids without an organisation){{end}}</td><td class="l">{{.Reason}}</td><td>{{.Derivatives}}</td><td>{{.Foundations}}</td><td class="l">{{.Top}}</td></tr>
{{end}}</table>
{{if gt .UnknownOrgs (len .Unknown)}}<p class="note">and {{sub .UnknownOrgs (len .Unknown)}} more organisations; --origins FILE adds rows.</p>{{end}}{{end}}{{end}}
{{range .ChartErrors}}<p class="note">chart not drawn: {{.}}</p>{{end}}

<h2>Influence by country of the foundation</h2>
<table>
<tr><th>rank</th><th class="l">country</th><th>{{.Figure}}</th><th>share</th><th>foundations</th><th class="l">top foundation</th></tr>
{{range $i, $g := .Countries}}<tr><td>{{if $g.Folded}}-{{else}}{{$i | inc}}{{end}}</td><td class="l">{{label $g}}</td><td>{{value $g}}</td><td>{{pct $g.Share}}</td><td>{{$g.Foundations}}</td><td class="l">{{$g.Top}}</td></tr>
{{end}}</table>

<h2>Influence by organisation</h2>
<table>
<tr><th>rank</th><th class="l">organisation</th><th class="l">country</th><th>{{.Figure}}</th><th>share</th><th>foundations</th><th class="l">Hub orgs</th></tr>
{{range $i, $g := .Orgs}}<tr><td>{{if $g.Folded}}-{{else}}{{$i | inc}}{{end}}</td><td class="l">{{label $g}}</td><td class="l">{{$g.Country}}</td><td>{{value $g}}</td><td>{{pct $g.Share}}</td><td>{{$g.Foundations}}</td><td class="l">{{join $g.HubOrgs ", "}}</td></tr>
{{end}}</table>

<h2>Top foundations</h2>
{{with index .Charts "foundations"}}<img class="chart" alt="bar chart of the top foundations by {{$.Figure}}" src="{{.}}">{{end}}
<table>
<tr><th>rank</th><th class="l">foundation</th><th>{{.Figure}}</th><th>share</th></tr>
{{range $i, $g := .Foundations}}<tr><td>{{$i | inc}}</td><td class="l">{{label $g}}</td><td>{{value $g}}</td><td>{{pct $g.Share}}</td></tr>
{{end}}</table>

<h2>New derivatives per month by foundation country</h2>
{{with index .Charts "timeline"}}<img class="chart" alt="stacked bars of the monthly share of new derivatives by foundation country, above bars of the number of new derivatives each month" src="{{.}}">{{end}}
<p class="note">{{.Timeline.Dated}} dated derivatives; {{.Timeline.Undated}} have no creation time and are in no month. Each cell: derivatives credited (share of the month's new derivatives).</p>
<div class="scroll"><table>
<tr><th class="l">month</th><th>new</th>{{range .Timeline.Columns}}<th>{{.Key}}</th>{{end}}</tr>
{{range .Timeline.Months}}<tr><td class="l">{{.Month}}</td><td>{{.New}}</td>{{range .Cells}}<td>{{cell $.Fractional .}}</td>{{end}}</tr>
{{end}}{{with .Timeline.Total}}<tr><td class="l">total</td><td>{{.New}}</td>{{range .Cells}}<td>{{cell $.Fractional .}}</td>{{end}}</tr>
{{end}}</table></div>

<h2>Cross-origin matrix</h2>
<p class="note">Rows: the country of the derivative's author organisation (its id prefix); columns: the country of its foundations. Cell: derivatives credited (share of the row). Author country known for {{.Matrix.KnownAuthor}} of {{.Matrix.Derivatives}} derivatives; {{.Matrix.NotInTable}} authors not in the origins table and {{.Matrix.NoCountry}} without a country ({{pct .Matrix.UnknownShare}}) are left out.</p>
<div class="scroll"><table>
<tr><th class="l">author</th><th>derivatives</th>{{range .Matrix.Columns}}<th>&rarr; {{.}}</th>{{end}}</tr>
{{range .Matrix.Rows}}<tr><td class="l">{{.Country}}</td><td>{{.Derivatives}}</td>{{range .Cells}}<td>{{cell $.Fractional .}}</td>{{end}}</tr>
{{end}}</table></div>

<h2>Velocity</h2>
{{with index .Charts "velocity"}}<img class="chart" alt="cumulative descendants by days since release" src="{{.}}">{{end}}
<table>
<tr><th class="l">model</th><th class="l">created</th>{{range .Velocity.Days}}<th>{{.}} days</th>{{end}}<th>all</th><th>dated</th><th>undated</th><th>before release</th></tr>
{{range .Velocity.Models}}<tr><td class="l">{{.ID}}</td><td class="l">{{if .Created}}{{.Created}}{{else}}unknown{{end}}</td>{{range .Windows}}<td>{{credit .Credit}}{{if .Partial}}*{{end}}</td>{{else}}{{range $.Velocity.Days}}<td>-</td>{{end}}{{end}}<td>{{credit .All}}</td><td>{{.Dated}}</td><td>{{.Undated}}</td><td>{{.Before}}</td></tr>
{{end}}</table>
<p class="note">Distinct descendants created within N days of the model's own creation; undated descendants and those dated before the model are in no window.</p>
{{if .Velocity.Partial}}<p class="note">*: the window ends after the newest creation time in the input, so the data does not cover all of it yet.</p>
{{end}}
</body>
</html>
`))
