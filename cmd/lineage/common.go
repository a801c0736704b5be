package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/lineage-project/lineage/graph"
)

func cmdCommon(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("common", "A B [C...] [--json]", stderr)
	var d dataFlags
	d.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return usagef("common takes two or more MODEL ids (got %d arguments)", len(pos))
	}
	d.noDigest, d.graphOnly = true, true // no manifest, no metadata here
	s, err := d.load(ctx, stderr)
	if err != nil {
		return err
	}
	vs := make([]graph.NodeID, len(pos))
	for i, q := range pos {
		if vs[i], err = s.Lookup(q); err != nil {
			return err
		}
		if j := slices.Index(vs[:i], vs[i]); j >= 0 {
			return usagef("%s is given twice (%q and %q)", s.Name(vs[i]), pos[j], q)
		}
	}
	res := s.Common(vs)
	if *asJSON {
		return writeJSON(stdout, res)
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
	for _, c := range res.Common {
		var kind []string
		if nearest[c.ID] {
			kind = append(kind, "nearest")
		}
		if found[c.ID] {
			kind = append(kind, "foundation")
		}
		if len(kind) == 0 {
			kind = append(kind, "-")
		}
		fmt.Fprintf(tw, "%s\t%s", c.ID, strings.Join(kind, ","))
		for _, id := range res.IDs {
			fmt.Fprintf(tw, "\t%d", c.Depth[id])
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}
