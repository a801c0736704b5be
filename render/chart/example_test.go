package chart_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/lineage-project/lineage/render/chart"
)

func ExampleBars() {
	var svg bytes.Buffer
	err := chart.Bars(&svg, chart.SVG, chart.Options{Title: "Top foundations", XLabel: "derivatives"},
		[]string{"google/gemma-7b", "microsoft/phi-2"}, []float64{3618, 1348})
	fmt.Println(err, strings.Contains(svg.String(), ">google/gemma-7b</text>"))
	// Output: <nil> true
}

func ExampleStackedShares() {
	var png bytes.Buffer
	err := chart.StackedShares(&png, chart.PNG, chart.Options{Title: "New derivatives by foundation country", YLabel: "%"},
		[]string{"2025-01", "2025-02"},
		[]chart.Series{
			{Name: "US", Values: []float64{85, 50}},
			{Name: "CN", Values: []float64{14, 47}},
			{Name: "unknown", Values: []float64{1, 3}, Neutral: true},
		})
	fmt.Println(err, bytes.HasPrefix(png.Bytes(), []byte("\x89PNG")))
	// Output: <nil> true
}

func ExampleCurves() {
	var svg bytes.Buffer
	err := chart.Curves(&svg, chart.SVG, chart.Options{Title: "Cumulative descendants", XLabel: "days since release"},
		[]chart.Curve{{Name: "deepseek-ai/DeepSeek-R1", X: []float64{0, 7, 30}, Y: []float64{0, 16, 149}}})
	fmt.Println(err, strings.Contains(svg.String(), "deepseek-ai/DeepSeek-R1"))
	// Output: <nil> true
}
