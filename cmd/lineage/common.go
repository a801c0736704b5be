package main

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
)

func cmdCommon(c *call) error {
	if err := c.parse(2, -1, "two or more MODEL ids"); err != nil {
		return err
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
	for i := range vs {
		if j := slices.Index(vs[:i], vs[i]); j >= 0 {
			return usagef("%s is given twice (%q and %q)", s.Name(vs[i]), c.pos[j], c.pos[i])
		}
	}
	res := s.Common(vs)
	stdout := c.stdout
	if c.asJSON {
		return c.writeJSON(res)
	}
	who := strings.Join(res.IDs[:len(res.IDs)-1], ", ") + " and " + res.IDs[len(res.IDs)-1]
	if len(res.Common) == 0 {
		fmt.Fprintf(stdout, "%s share no ancestor\n", who)
		return nil
	}
	fmt.Fprintf(stdout, "%s share %d ancestor(s) (each model counting as its own)\n", who, len(res.Common))
	fmt.Fprintf(stdout, "nearest: %s\n", strings.Join(res.Nearest, ", "))
	if len(res.Foundations) > 0 {
		fmt.Fprintf(stdout, "shared foundations: %s\n", strings.Join(res.Foundations, ", "))
	} else {
		fmt.Fprintln(stdout, "shared foundations: none (the common ancestry ends in a cycle)")
	}
	nearest := map[string]bool{}
	for _, id := range res.Nearest {
		nearest[id] = true
	}
	found := map[string]bool{}
	for _, id := range res.Foundations {
		found[id] = true
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "COMMON ANCESTOR\tKIND")
	for _, id := range res.IDs {
		fmt.Fprintf(tw, "\tHOPS FROM %s", id)
	}
	fmt.Fprintln(tw)
	for _, ca := range res.Common {
		var kind []string
		if nearest[ca.ID] {
			kind = append(kind, "nearest")
		}
		if found[ca.ID] {
			kind = append(kind, "foundation")
		}
		if len(kind) == 0 {
			kind = append(kind, "-")
		}
		fmt.Fprintf(tw, "%s\t%s", ca.ID, strings.Join(kind, ","))
		for _, id := range res.IDs {
			fmt.Fprintf(tw, "\t%d", ca.Depth[id])
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}
