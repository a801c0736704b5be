package main

import (
	"fmt"

	"github.com/lineage-project/lineage/graph"
)

func cmdImpact(c *call) error {
	limit := c.fs.Int("limit", 50, "list at most `N` models (0: all); counts always cover all")
	if err := c.parse(1, 1, "one MODEL id"); err != nil {
		return err
	}
	if *limit < 0 {
		return usagef("--limit must be >= 0")
	}
	c.data.noDigest, c.data.graphOnly = true, true // no manifest, no metadata here
	s, v, err := c.model()
	if err != nil {
		return err
	}
	res := s.Impact(v, *limit)
	stdout := c.stdout
	if c.asJSON {
		return c.writeJSON(res)
	}
	desc := s.G.CountReach(v, graph.Down, graph.AllLabels)
	if s.InCycle(v) {
		fmt.Fprintf(stdout, "note: %s is on a derivation cycle; each member of a cycle that no foundation reaches counts as an entry of its own, so no member depends on another\n", res.ID)
	}
	if res.Count == 0 {
		if desc == 0 {
			fmt.Fprintf(stdout, "%s has no descendants: withdrawing it cuts no model off\n", res.ID)
		} else {
			fmt.Fprintf(stdout, "no model depends on %s alone: each of its %d descendant(s) can be reached without it\n", res.ID, desc)
		}
		return nil
	}
	fmt.Fprintf(stdout, "%d of the %d descendant(s) of %s depend on it alone: withdrawing it would cut them off from every foundation", res.Count, desc, res.ID)
	fmt.Fprintf(stdout, " (%s, by the relation of the hop reaching them)\n", relationCounts(res.ByRelation))
	writeHops(stdout, "MODEL\tCHILD OF", res.Models, false)
	if res.Truncated {
		fmt.Fprintf(stdout, "... %d more; raise --limit (0 for all)\n", res.Count-len(res.Models))
	}
	return nil
}
