package main

import (
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/gguf"
)

// filesOutput is the --json output of "hfgate files".
type filesOutput struct {
	Repo          hfgate.RepoID `json:"repo"`
	Revision      string        `json:"revision"` // the commit the files were listed at
	Budget        fit.Budget    `json:"budget"`
	ContextLength int64         `json:"context_length,omitempty"` // as asked; 0: each model's, capped
	Files         []fit.Entry   `json:"files"`
}

func (a *app) filesCmd() *cobra.Command {
	var (
		rev, memory string
		ggufOnly    bool
		context     int64
		asJSON      bool
	)
	cmd := &cobra.Command{
		Use:   "files REPO",
		Short: "List a repo's files: size, quantization, memory needed and whether it fits",
		Long: `List the files of a model repository with their size. For GGUF files hfgate reads
the header over HTTP Range requests (a few megabytes, never the whole file) and
shows the quantization, the memory llama.cpp needs to run the model at the
context length (default: the model's own, at most 8192 tokens) and whether that
fits this machine: the estimate must be at most the available memory (or
--memory) less a headroom of a tenth, and at least 1 GiB. The shards of a split
model (name-00001-of-00003.gguf ...) are one line.`,
		Example: `  hfgate files Qwen/Qwen2.5-Coder-7B-Instruct-GGUF
  hfgate files Qwen/Qwen2.5-Coder-14B-Instruct-GGUF --memory 16GiB --context 32768
  hfgate files HuggingFaceTB/SmolLM2-135M-Instruct --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			repo, err := hfgate.ParseRepoID(args[0])
			if err != nil {
				return err
			}
			if err := checkRevisionFlag(rev); err != nil {
				return err
			}
			if context < 0 {
				return hfgate.Errorf(hfgate.EINVALID, "--context must not be negative")
			}
			budget, err := a.memoryBudget(memory)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			c, err := a.onlineHub("files")
			if err != nil {
				return err
			}
			m, err := c.ModelInfo(ctx, repo, rev, hfgate.WithBlobs())
			if err != nil {
				return err
			}
			files := m.Files
			if ggufOnly {
				files = nil
				for _, f := range m.Files {
					if fit.IsGGUF(f.Path) {
						files = append(files, f)
					}
				}
			}
			entries, err := fit.Analyze(ctx, opener(c, m.ID, m.SHA), files, fit.Options{Budget: budget, ContextLength: context})
			if err != nil {
				return err
			}
			out := filesOutput{Repo: m.ID, Revision: m.SHA, Budget: budget, ContextLength: context, Files: entries}
			if out.Files == nil {
				out.Files = []fit.Entry{}
			}
			if asJSON {
				return writeJSON(a.io.Out, out)
			}
			return out.print(a)
		},
	}
	f := cmd.Flags()
	f.StringVar(&rev, "revision", "", "a branch, tag or commit (default: the main branch)")
	f.BoolVar(&ggufOnly, "gguf", false, "list only GGUF files")
	f.StringVar(&memory, "memory", "", "memory to fit in, e.g. 16GiB (default: this machine's available memory)")
	f.Int64Var(&context, "context", 0, "context length in tokens for the estimate (default: the model's, at most 8192)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (o *filesOutput) print(a *app) error {
	t := newTable(a.io.Out, "FILE", "SIZE", "QUANT", "MEMORY", "FITS")
	var problems []string
	for _, e := range o.Files {
		t.Row(entryName(&e), humanBytes(e.Size), cellOr(e.Quantization, "-"), memoryCell(&e), cellOr(string(e.Fits), "-"))
		if e.Problem != "" {
			problems = append(problems, e.Path+": "+e.Problem)
		}
	}
	if err := t.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.io.Out, "\n%s@%s\n", o.Repo, printable(shortCommit(o.Revision)))
	if slices.ContainsFunc(o.Files, func(e fit.Entry) bool { return e.GGUF }) {
		fmt.Fprintf(a.io.Out, "memory: llama.cpp's weights + KV cache (f16) + compute at %s\n", contextWords(o.ContextLength))
		fmt.Fprintln(a.io.Out, budgetLine(o.Budget))
	}
	for _, p := range problems {
		a.warn("%s", p)
	}
	return nil
}

func cellOr(s, empty string) string {
	if s == "" {
		return empty
	}
	return s
}

func shortCommit(c string) string { return c[:min(len(c), 12)] }

func contextWords(n int64) string {
	if n == 0 {
		return fmt.Sprintf("each model's context length, at most %d tokens", gguf.DefaultContextCap)
	}
	return fmt.Sprintf("%d tokens of context", n)
}
