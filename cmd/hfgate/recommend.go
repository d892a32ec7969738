package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/fit"
)

func (a *app) recommendCmd() *cobra.Command {
	var (
		opts   fit.RecommendOptions
		memory string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "recommend",
		Short: "Recommend GGUF coding models that fit this machine",
		Long: `Recommend GGUF coding models for this machine: hfgate searches the Hub for the
Qwen2.5-Coder, deepseek-coder, codellama and starcoder2 families (and "coder"),
reads the headers of their Q4_K_M to Q8_0 files over HTTP Range requests, and
keeps the best file of each repo. Models that fit come first, the largest
first, then the better quantization, then the most downloaded. A model fits
when its estimate is at most the available memory (or --memory) less a
headroom of a tenth, and at least 1 GiB.`,
		Example: `  hfgate recommend
  hfgate recommend --memory 16GiB
  hfgate recommend --task coding --memory 8GiB --limit 3 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Picks < 1 || opts.ContextLength < 0 {
				return hfgate.Errorf(hfgate.EINVALID, "--limit must be at least 1 and --context not negative")
			}
			var err error
			if opts.Budget, err = a.memoryBudget(memory); err != nil {
				return err
			}
			c, err := a.onlineHub("recommend")
			if err != nil {
				return err
			}
			rec, err := fit.Recommend(cmd.Context(), c, func(repo hfgate.RepoID, commit string) fit.Opener {
				return opener(c, repo, commit)
			}, opts)
			if err != nil {
				return err
			}
			if asJSON {
				if rec.Picks == nil {
					rec.Picks = []fit.Pick{}
				}
				return writeJSON(a.io.Out, rec)
			}
			return printRecommendation(a, rec)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Task, "task", fit.TaskCoding, "what the model is for (coding)")
	f.StringVar(&memory, "memory", "", "memory to fit in, e.g. 16GiB (default: this machine's available memory)")
	f.Int64Var(&opts.ContextLength, "context", 0, "context length in tokens for the estimate (default: the model's, at most 8192)")
	f.IntVar(&opts.Picks, "limit", fit.DefaultPicks, "show at most this many models")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printRecommendation(a *app, rec *fit.Recommendation) error {
	if len(rec.Picks) == 0 {
		fmt.Fprintln(a.io.Err, "hfgate: no coding model found on the Hub")
	} else {
		t := newTable(a.io.Out, "#", "REPO", "FILE", "QUANT", "SIZE", "MEMORY", "FITS")
		for i, p := range rec.Picks {
			e := &p.Entry
			t.Row(fmt.Sprint(i+1), string(p.Repo), entryName(e), cellOr(e.Quantization, "-"), humanBytes(e.Size), memoryCell(e), string(e.Fits))
		}
		if err := t.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(a.io.Out)
		for i, p := range rec.Picks {
			fmt.Fprintf(a.io.Out, "%d. %s\n", i+1, printable(p.Reason))
		}
	}
	fmt.Fprintln(a.io.Out, budgetLine(rec.Budget))
	for _, s := range rec.Skipped {
		a.warn("skipped %s: %s", s.Repo, s.Reason)
	}
	if len(rec.Picks) > 0 && rec.Picks[0].Entry.Fits != fit.Fits { // those that fit come first
		fmt.Fprintln(a.io.Out, "\nnone of these fits; a larger --memory or a smaller --context may change that")
	} else if len(rec.Picks) > 0 {
		p := rec.Picks[0]
		files := p.Entry.Shards
		if len(files) == 0 {
			files = []string{p.Entry.Path}
		}
		fmt.Fprintf(a.io.Out, "\nget the first: hfgate download %s %s\n", printable(string(p.Repo)), printable(strings.Join(files, " ")))
	}
	return nil
}
