package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// cacheLsOutput is the --json output of "hfgate cache ls".
type cacheLsOutput struct {
	Dir        string             `json:"dir"`
	Size       int64              `json:"size"`
	Repos      []cachedRepoOutput `json:"repos"`
	Incomplete []string           `json:"incomplete"` // partial downloads
	Warnings   []string           `json:"warnings"`   // damaged entries the listing skipped
}

func (a *app) cacheLsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ls [REPO]",
		Short: "List the cached repos, or one repo's revisions and files",
		Long: `List the repositories in the Hugging Face cache with their size, number of
files, revisions and when they were last used. With REPO, list its revisions
(commits, with the branches and tags pointing at them) and files.`,
		Example: `  hfgate cache ls
  hfgate cache ls Qwen/Qwen2.5-Coder-7B-Instruct-GGUF
  HF_HUB_CACHE=/data/hf hfgate cache ls --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, repos, err := a.scanCache(cmd.Context(), args)
			if err != nil {
				return err
			}
			out := cacheLsOutput{Dir: rep.Dir, Size: rep.Size, Repos: []cachedRepoOutput{}, Incomplete: []string{}, Warnings: []string{}}
			if len(args) == 1 {
				out.Size = repos[0].Size
			}
			for _, r := range repos {
				out.Repos = append(out.Repos, newCachedRepoOutput(r))
			}
			for _, f := range rep.Incomplete {
				out.Incomplete = append(out.Incomplete, f.Path)
			}
			for _, w := range rep.Warnings {
				out.Warnings = append(out.Warnings, w.String())
			}
			if asJSON {
				return writeJSON(a.io.Out, out)
			}
			if len(args) == 1 {
				return printCachedRepo(a, &out.Repos[0])
			}
			return printCache(a, &out)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printCache(a *app, o *cacheLsOutput) error {
	if len(o.Repos) == 0 {
		fmt.Fprintf(a.io.Out, "the cache %s is empty\n", o.Dir)
	} else {
		t := newTable(a.io.Out, "REPO", "SIZE", "FILES", "REVISIONS", "LAST USED", "REFS")
		now := time.Now()
		for _, r := range o.Repos {
			used := ""
			if r.LastAccessed != nil {
				used = humanAge(*r.LastAccessed, now)
			}
			t.Row(string(r.ID), humanBytes(r.Size), fmt.Sprint(r.Files), fmt.Sprint(len(r.Revisions)), used, strings.Join(r.Refs, ", "))
		}
		if err := t.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(a.io.Out, "\n%d repos, %s in %s\n", len(o.Repos), humanBytes(o.Size), o.Dir)
	}
	for _, p := range o.Incomplete {
		a.warn("partial download %s (resume it with hfgate download, or remove the repo)", p)
	}
	for _, w := range o.Warnings {
		a.warn("skipped %s", w)
	}
	return nil
}

func printCachedRepo(a *app, r *cachedRepoOutput) error {
	fmt.Fprintf(a.io.Out, "%s: %s in %d files, %s\n\n", r.ID, humanBytes(r.Size), r.Files, printable(r.Path))
	t := newTable(a.io.Out, "REVISION", "REFS", "FILE", "SIZE")
	for _, rev := range r.Revisions {
		refs := strings.Join(rev.Refs, ", ")
		if refs == "" {
			refs = "(detached)"
		}
		if len(rev.Files) == 0 {
			t.Row(rev.Commit, refs, "(no files)", "")
		}
		for _, f := range rev.Files {
			t.Row(rev.Commit, refs, f.Path, humanBytes(f.Size))
		}
	}
	return t.Flush()
}
