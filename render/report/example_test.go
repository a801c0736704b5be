package report_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/lineage-project/lineage/render/report"
)

func ExampleWrite() {
	d := report.Data{
		Attribution: "fractional", Counted: 2,
		Foundations: []report.Group{{Key: "mistralai/Mistral-7B-v0.1", Credit: 1.5, Share: 0.75}},
	}
	var page bytes.Buffer
	err := report.Write(&page, d)
	fmt.Println(err, strings.Contains(page.String(), "<td class=\"l\">mistralai/Mistral-7B-v0.1</td><td>1.5</td><td>75.0%</td>"))
	// Output: <nil> true
}

func ExampleShare() {
	fmt.Println(report.Share(0.25), report.Share(0), report.Share(0.0001))
	// Output: 25.0% 0.0% <0.1%
}
