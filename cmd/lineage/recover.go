package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/lineage-project/lineage/lineage"
	"github.com/lineage-project/lineage/lineage/recovery"
)

// proposalJSON is one proposal in the recover --json contract.
type proposalJSON struct {
	ID         string              `json:"id"`
	Parent     string              `json:"parent"`
	Relation   string              `json:"relation"`
	Confidence float64             `json:"confidence"`
	Match      string              `json:"match"`
	Rule       string              `json:"rule"`
	Evidence   []recovery.Evidence `json:"evidence"`
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func cmdRecover(c *call) error {
	fs, stdout := c.fs, c.stdout
	minConf := fs.Float64("min-confidence", recovery.DefaultMinConfidence, "leave out proposals below confidence `F` (0..1)")
	rel := fs.String("relation", "", "only proposals of these relations (`R,...`: adapter, finetune, quantized, merge)")
	out := fs.String("o", "", "write to `FILE` instead of stdout (.gz compresses)")
	evaluate := fs.Bool("evaluate", false, "measure recovery: hide a fraction of the single-parent declarations, recover, score")
	fraction := fs.Float64("fraction", 0.2, "with --evaluate: the `F`raction of single-parent declarations to hide")
	seed := fs.Uint64("seed", 1, "with --evaluate: the seed of the choice of declarations to hide")
	if err := c.parse(0, 0, ""); err != nil {
		return err
	}
	if *minConf < 0 || *minConf > 1 || math.IsNaN(*minConf) {
		return usagef("--min-confidence must be between 0 and 1")
	}
	if *fraction <= 0 || *fraction >= 1 || math.IsNaN(*fraction) {
		return usagef("--fraction must be between 0 and 1 (exclusive)")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !*evaluate && (set["fraction"] || set["seed"]) {
		return usagef("--fraction and --seed go with --evaluate")
	}
	var rels []lineage.Relation
	if strings.TrimSpace(*rel) != "" {
		for _, part := range strings.Split(*rel, ",") {
			r, ok := lineage.ParseRelation(part)
			if !ok {
				return usagef("unknown relation %q (want adapter, finetune, quantized or merge)", strings.TrimSpace(part))
			}
			rels = append(rels, r)
		}
	}
	c.data.noDigest = true
	s, err := c.store()
	if err != nil {
		return err
	}
	corpus := recovery.FromStore(s)
	opt := recovery.Options{MinConfidence: *minConf, Relations: rels}
	if *evaluate {
		rep := recovery.Evaluate(corpus, recovery.EvalOptions{Fraction: *fraction, Seed: *seed, MinConfidence: *minConf, Options: opt})
		return writeOutput(*out, stdout, func(w io.Writer) error {
			if c.asJSON {
				return writeJSON(w, rep)
			}
			return writeEvalTables(w, rep)
		})
	}
	res := recovery.Recover(corpus, opt)
	return writeOutput(*out, stdout, func(w io.Writer) error {
		if c.asJSON {
			ps := make([]proposalJSON, len(res.Proposals))
			for i, p := range res.Proposals {
				ps[i] = proposalJSON{ID: s.Name(p.Child), Parent: s.Name(p.Parent), Relation: p.Relation.String(),
					Confidence: round4(p.Confidence), Match: p.Match.String(), Rule: p.Rule.String(), Evidence: nonNil(p.Evidence)}
			}
			return writeJSON(w, struct {
				Proposals []proposalJSON   `json:"proposals"`
				Summary   recovery.Summary `json:"summary"`
			}{ps, res.Summary})
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "CONFIDENCE\tRELATION\tMODEL\tPARENT\tEVIDENCE")
		for _, p := range res.Proposals {
			var kinds []string
			for _, e := range p.Evidence {
				kinds = append(kinds, e.Kind)
			}
			fmt.Fprintf(tw, "%10.2f\t%s\t%s\t%s\t%s (%s/%s)\n", p.Confidence, p.Relation, s.Name(p.Child), s.Name(p.Parent), strings.Join(kinds, ","), p.Match, p.Rule)
		}
		tw.Flush()
		sm := res.Summary
		fmt.Fprintf(w, "%d of %d models declare no parent; %d got a parent (%d edges) at confidence >= %.2f; %d proposals below it left out.\n",
			sm.Undeclared, sm.Models, sm.Proposed, sm.Edges, sm.MinConfidence, sm.BelowMin)
		fmt.Fprintln(w, "CONFIDENCE: the observed precision of such proposals on real Hub data (see lineage recover --evaluate); --json has every piece of evidence.")
		return nil
	})
}

// writeEvalTables prints an evaluation report as tables.
func writeEvalTables(w io.Writer, rep recovery.EvalReport) error {
	fmt.Fprintf(w, "hid %.0f%% of %d single-parent declarations (seed %d); threshold %.2f\n\n", rep.Fraction*100, rep.Declarations, rep.Seed, rep.MinConfidence)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "RELATION\tHIDDEN\tPROPOSED\tCORRECT\tSAME RELATION\tPRECISION\tRECALL\t")
	rels := make([]string, 0, len(rep.ByRelation))
	for k := range rep.ByRelation {
		rels = append(rels, k)
	}
	sort.Strings(rels)
	row := func(name string, sc recovery.Score) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.3f\t%.3f\t\n", name, sc.Hidden, sc.Proposed, sc.Correct, sc.SameRel, sc.Precision, sc.Recall)
	}
	for _, k := range rels {
		row(k, rep.ByRelation[k])
	}
	row("all", rep.All)
	tw.Flush()
	fmt.Fprintln(w, "\nevery proposal for a hidden model, by confidence:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "CONFIDENCE\tPROPOSED\tCORRECT\tPRECISION\t")
	for _, b := range rep.Buckets {
		fmt.Fprintf(tw, "[%.2f, %.2f)\t%d\t%d\t%.3f\t\n", b.Lo, b.Hi, b.Proposed, b.Correct, b.Precision)
	}
	tw.Flush()
	fmt.Fprintf(w, "\ntop %d foundations: %.3f of their lost descendants restored (%.3f by the proposals for hidden models alone)\n", len(rep.Foundations), rep.LostRestored, rep.LostRestoredHidden)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BEFORE\tHIDDEN\tRECOVERED\tHIDDEN-ONLY\tFOUNDATION")
	for _, f := range rep.Foundations {
		fmt.Fprintf(tw, "%6d\t%6d\t%9d\t%11d\t%s\n", f.Before, f.Hidden, f.Recovered, f.OnlyHidden, f.ID)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d proposals at the threshold for models that declared nothing to begin with (not scored).\n", rep.Undeclared)
	return nil
}
