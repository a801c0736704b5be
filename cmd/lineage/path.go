package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/lineage-project/lineage/lineage"
)

func cmdPath(c *call) error {
	all := c.fs.Bool("all", false, "list every path from FROM to TO (at most --max-paths) and count them")
	maxPaths := c.fs.Int("max-paths", 1000, "with --all, list at most `N` paths (N > 0; the paths are counted whatever their number)")
	if err := c.parse(2, 2, "two MODEL ids, FROM and TO"); err != nil {
		return err
	}
	if *maxPaths <= 0 {
		return usagef("--max-paths must be a positive number (got %d); the paths are counted whatever their number", *maxPaths)
	}
	c.data.noDigest, c.data.graphOnly = true, true // no manifest, no metadata here
	s, err := c.store()
	if err != nil {
		return err
	}
	vs, err := c.models(s)
	if err != nil {
		return err
	}
	res, err := s.Path(vs[0], vs[1], lineage.PathOptions{All: *all, MaxPaths: *maxPaths})
	if err != nil {
		return err
	}
	stdout := c.stdout
	if c.asJSON {
		return c.writeJSON(res)
	}
	if res.Reversed {
		fmt.Fprintf(stdout, "note: %s is an ancestor of %s, not a descendant; the answer is the other way round\n", res.From, res.To)
	}
	switch {
	case res.Hops == 0:
		fmt.Fprintf(stdout, "%s is the model itself: a path of 0 hops\n", res.To)
	case !*all:
		fmt.Fprintf(stdout, "%s derives from %s in %d hop(s) (a shortest path; --all lists and counts every path)\n", res.To, res.From, res.Hops)
	case res.Count == nil:
		fmt.Fprintf(stdout, "%s derives from %s, but a cycle lies between them (%d models: %s), so the paths are not counted; the shortest has %d hop(s); %d path(s) without repeated models listed\n",
			res.To, res.From, res.CycleSize, cycleNames(res.Cycle, res.CycleSize), res.Hops, len(res.Paths))
	case res.CountSaturated:
		fmt.Fprintf(stdout, "%s derives from %s by at least %d paths (the count saturates there); the shortest has %d hop(s); %d shown\n", res.To, res.From, *res.Count, res.Hops, len(res.Paths))
	case res.Truncated:
		fmt.Fprintf(stdout, "%s derives from %s by %d paths; the shortest has %d hop(s); %d shown\n", res.To, res.From, *res.Count, res.Hops, len(res.Paths))
	default:
		fmt.Fprintf(stdout, "%s derives from %s by %d path(s); the shortest has %d hop(s)\n", res.To, res.From, *res.Count, res.Hops)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PATH\tHOPS\tROUTE")
	inferred, recovered := false, false
	for i, p := range res.Paths {
		var b strings.Builder
		for j, l := range p {
			if j > 0 {
				rel := l.Relation
				switch {
				case l.Recovered:
					rel += " (recovered)"
					recovered = true
				case l.Inferred:
					rel += "*"
					inferred = true
				}
				fmt.Fprintf(&b, " -%s-> ", rel)
			}
			b.WriteString(l.ID)
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\n", i+1, len(p)-1, b.String())
	}
	tw.Flush()
	if res.Truncated {
		fmt.Fprintln(stdout, "... more paths exist; raise --max-paths")
	}
	if inferred {
		fmt.Fprintln(stdout, "* relation inferred (not declared in the card or tags)")
	}
	if recovered {
		fmt.Fprintln(stdout, "(recovered): no input declares this edge; recovered lineage proposed it from evidence (lineage recover shows the evidence)")
	}
	return nil
}

// cycleNames lists the members of a cycle shown, saying how many more
// there are.
func cycleNames(shown []string, size int) string {
	s := strings.Join(shown, ", ")
	if size > len(shown) {
		s += fmt.Sprintf(" and %d more", size-len(shown))
	}
	return s
}
