package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/lineage-project/lineage/lineage"
)

// errProblems makes lint exit 1 when it found problems (like a linter).
type errProblems int

func (e errProblems) Error() string { return fmt.Sprintf("%d problem(s) found", int(e)) }

func cmdLint(c *call) error {
	kinds := c.fs.String("kind", "", "only these problem kinds (`K,...`)")
	maxPer := c.fs.Int("max", 20, "list at most `N` problems per kind (0: all); counts always cover all")
	if err := c.parse(0, 0, ""); err != nil {
		return err
	}
	d, stdout := &c.data, c.stdout
	if d.index != "" {
		return usagef("lint reads inputs (--in); an index keeps only counts and examples")
	}
	if *maxPer < 0 {
		return usagef("--max must be >= 0")
	}
	d.quiet = true
	s, err := c.store()
	if err != nil {
		return err
	}
	problems := s.Lint()
	if *kinds != "" {
		want := map[string]bool{}
		for _, k := range strings.Split(*kinds, ",") {
			want[strings.TrimSpace(k)] = true
		}
		kept := problems[:0]
		for _, p := range problems {
			if want[p.Kind] {
				kept = append(kept, p)
			}
		}
		problems = kept
	}
	summary := lineage.LintSummary(problems)
	if c.asJSON {
		if err := writeJSON(stdout, struct {
			Summary  map[string]int       `json:"summary"`
			Problems []lineage.Diagnostic `json:"problems"`
		}{summary, nonNil(problems)}); err != nil {
			return err
		}
	} else {
		printLint(stdout, problems, summary, *maxPer)
	}
	if len(problems) > 0 {
		return errProblems(len(problems))
	}
	return nil
}

func printLint(w io.Writer, problems []lineage.Diagnostic, summary map[string]int, maxPer int) {
	if len(problems) == 0 {
		fmt.Fprintln(w, "no problems found")
		return
	}
	kinds := make([]string, 0, len(summary))
	for k := range summary {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool {
		a, b := summary[kinds[i]], summary[kinds[j]]
		return a > b || a == b && kinds[i] < kinds[j]
	})
	fmt.Fprintf(w, "%d problem(s):\n", len(problems))
	for _, k := range kinds {
		fmt.Fprintf(w, "  %-32s %d\n", k, summary[k])
	}
	byKind := map[string][]lineage.Diagnostic{}
	for _, p := range problems {
		byKind[p.Kind] = append(byKind[p.Kind], p)
	}
	for _, k := range kinds {
		fmt.Fprintf(w, "\n%s (%d)\n", k, summary[k])
		for i, p := range byKind[k] {
			if maxPer > 0 && i == maxPer {
				fmt.Fprintf(w, "  ... %d more (--max 0 lists all)\n", len(byKind[k])-maxPer)
				break
			}
			loc := p.Source
			if p.Line > 0 {
				loc = fmt.Sprintf("%s:%d", p.Source, p.Line)
				if p.Column > 0 {
					loc += fmt.Sprintf(":%d", p.Column)
				}
			}
			if loc != "" && p.ID != "" {
				loc += ": "
			}
			fmt.Fprintf(w, "  %s%s", loc, p.ID)
			if p.Value != "" && p.Value != p.ID {
				fmt.Fprintf(w, " %q", p.Value)
			}
			if p.Detail != "" {
				fmt.Fprintf(w, ": %s", p.Detail)
			}
			fmt.Fprintln(w)
			if p.Fix != "" {
				fmt.Fprintf(w, "      fix: %s\n", strings.ReplaceAll(p.Fix, "\n", "\n           "))
			}
		}
	}
}
