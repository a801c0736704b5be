package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/lineage-project/lineage/lineage"
)

func cmdDiff(c *call) error {
	quiet := c.fs.Bool("quiet", false, "print no notes on stderr")
	top := c.fs.Int("top", 10, "show the `N` foundations that grew most (0: all that grew)")
	rel := c.fs.String("relation", "", "count the foundations' descendants along these relations only (`R,...`)")
	limit := c.fs.Int("limit", 20, "list at most `N` entries of each other list (0: all); counts always cover all")
	format := c.fs.String("format", "text", "output `FORMAT`: text, json or csv")
	if err := c.parse(2, 2, "two snapshots, OLD and NEW: each an index file, a listing or a directory"); err != nil {
		return err
	}
	if *top < 0 || *limit < 0 {
		return usagef("--top and --limit must be >= 0")
	}
	if c.asJSON {
		*format = "json"
	}
	switch *format {
	case "text", "json", "csv":
	default:
		return usagef("--format must be text, json or csv (got %q)", *format)
	}
	labels, err := lineage.ParseRelations(*rel)
	if err != nil {
		return err
	}
	pos := c.pos
	old, err := loadSnapshot(c.env, pos[0], *quiet)
	if err != nil {
		return err
	}
	cur, err := loadSnapshot(c.env, pos[1], *quiet)
	if err != nil {
		return err
	}
	res := lineage.Diff(old, cur, lineage.DiffOptions{Labels: labels, Top: *top, Limit: *limit})
	switch *format {
	case "json":
		return c.writeJSON(res)
	case "csv":
		return writeDiffCSV(c.stdout, res)
	}
	printDiff(c.stdout, pos[0], pos[1], res)
	return nil
}

// loadSnapshot opens one side of a diff: an index file (detected by its
// magic), else inputs read as --in reads them.
func loadSnapshot(e env, path string, quiet bool) (*lineage.Store, error) {
	isIndex, err := lineage.IsIndexFile(path)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	// Names, edges and relations are all a diff needs.
	d := dataFlags{quiet: quiet, noDigest: true, graphOnly: true}
	if isIndex {
		d.index = path
	} else {
		d.in = stringList{path}
	}
	return d.load(e.ctx, e.stderr, e.stdin)
}

func printDiff(w io.Writer, oldName, newName string, r lineage.DiffResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SNAPSHOT\tMODELS\tEDGES\tFOUNDATIONS\tFROM")
	fmt.Fprintf(tw, "old\t%d\t%d\t%d\t%s\n", r.Old.Models, r.Old.Edges, r.Old.Foundations, oldName)
	fmt.Fprintf(tw, "new\t%d\t%d\t%d\t%s\n", r.New.Models, r.New.Edges, r.New.Foundations, newName)
	tw.Flush()
	fmt.Fprintf(w, "models: +%d -%d; edges: +%d -%d; re-parented models: %d; relation changes: %d; new foundations: %d\n",
		r.ModelsAdded, r.ModelsRemoved, r.EdgesAdded, r.EdgesRemoved, r.Reparented, r.RelationChanged, r.NewFoundations)

	section := func(title string, total, shown int, order string) bool {
		if total == 0 {
			return false
		}
		fmt.Fprintf(w, "\n%s (%d", title, total)
		if shown < total {
			fmt.Fprintf(w, "; the first %d %s", shown, order)
		}
		fmt.Fprintln(w, ")")
		return true
	}
	table := func(header string, rows [][]string) {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, header)
		for _, row := range rows {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		tw.Flush()
	}
	if len(r.Foundations) > 0 {
		fmt.Fprintln(w, "\nfoundations that grew most (distinct descendants)")
		var rows [][]string
		for _, f := range r.Foundations {
			rows = append(rows, []string{strconv.Itoa(f.Before), strconv.Itoa(f.After), "+" + strconv.Itoa(f.Delta), f.ID})
		}
		table("BEFORE\tAFTER\tDELTA\tFOUNDATION", rows)
	}
	if section("new foundations", r.NewFoundations, len(r.NewFoundationModels), "by descendants") {
		var rows [][]string
		for _, f := range r.NewFoundationModels {
			rows = append(rows, []string{strconv.Itoa(f.Descendants), f.ID})
		}
		table("DESCENDANTS\tFOUNDATION", rows)
	}
	ids := func(title string, total int, list []string) {
		if section(title, total, len(list), "by id") {
			for _, id := range list {
				fmt.Fprintln(w, "  "+id)
			}
		}
	}
	ids("models added", r.ModelsAdded, r.Added)
	ids("models removed", r.ModelsRemoved, r.Removed)
	edges := func(title string, total int, list []lineage.DiffEdge) {
		if section(title, total, len(list), "by child") {
			var rows [][]string
			for _, e := range list {
				rows = append(rows, []string{e.Child, e.Relation, e.Parent})
			}
			table("CHILD\tRELATION\tPARENT", rows)
		}
	}
	edges("edges added", r.EdgesAdded, r.AddedEdges)
	edges("edges removed", r.EdgesRemoved, r.RemovedEdges)
	if section("re-parented models", r.Reparented, len(r.ReparentedModels), "by id") {
		var rows [][]string
		for _, m := range r.ReparentedModels {
			rows = append(rows, []string{m.ID, parentList(m.Before), parentList(m.After)})
		}
		table("MODEL\tPARENTS BEFORE\tPARENTS AFTER", rows)
	}
	if section("relation changes", r.RelationChanged, len(r.RelationChanges), "by child") {
		var rows [][]string
		for _, c := range r.RelationChanges {
			rows = append(rows, []string{c.Child, c.Before, c.After, c.Parent})
		}
		table("CHILD\tBEFORE\tAFTER\tPARENT", rows)
	}
}

func parentList(ps []string) string {
	if len(ps) == 0 {
		return "(none)"
	}
	return strings.Join(ps, ", ")
}

// writeDiffCSV writes every list of a diff as rows of one CSV table with
// the columns change, model, parent, before, after, delta (see README).
func writeDiffCSV(w io.Writer, r lineage.DiffResult) error {
	cw := csv.NewWriter(w)
	row := func(f ...string) { cw.Write(f) }
	row("change", "model", "parent", "before", "after", "delta")
	for _, f := range r.Foundations {
		row("foundation_grew", f.ID, "", strconv.Itoa(f.Before), strconv.Itoa(f.After), strconv.Itoa(f.Delta))
	}
	for _, f := range r.NewFoundationModels {
		row("new_foundation", f.ID, "", "", strconv.Itoa(f.Descendants), "")
	}
	for _, id := range r.Added {
		row("model_added", id, "", "", "", "")
	}
	for _, id := range r.Removed {
		row("model_removed", id, "", "", "", "")
	}
	for _, e := range r.AddedEdges {
		row("edge_added", e.Child, e.Parent, "", e.Relation, "")
	}
	for _, e := range r.RemovedEdges {
		row("edge_removed", e.Child, e.Parent, e.Relation, "", "")
	}
	for _, m := range r.ReparentedModels {
		row("reparented", m.ID, "", strings.Join(m.Before, ";"), strings.Join(m.After, ";"), "")
	}
	for _, c := range r.RelationChanges {
		row("relation_changed", c.Child, c.Parent, c.Before, c.After, "")
	}
	cw.Flush()
	return cw.Error()
}
