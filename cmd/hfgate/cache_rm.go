package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

// cacheRmOutput is the --json output of "hfgate cache rm".
type cacheRmOutput struct {
	Repo    hfgate.RepoID `json:"repo"`
	Commits []string      `json:"commits,omitempty"` // the revisions removed; none: the whole repo
	Freed   int64         `json:"freed"`
	Paths   []string      `json:"paths"`
	Removed bool          `json:"removed"` // false: a dry run, nothing was confirmed
}

func (a *app) cacheRmCmd() *cobra.Command {
	var (
		revs   []string
		yes    bool
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "rm REPO",
		Short: "Remove a repo, or some of its revisions, from the cache",
		Long: `Remove a repository from the Hugging Face cache, or with --revision only those
revisions (a commit id, or a branch or tag whose cached commit is meant) and
the files no remaining revision uses. It first says what it removes and how
much space that frees; it removes only when confirmed, with --yes or by
answering y on a terminal.`,
		Example: `  hfgate cache rm Qwen/Qwen2.5-Coder-7B-Instruct-GGUF
  hfgate cache rm Qwen/Qwen2.5-Coder-7B-Instruct-GGUF --yes
  hfgate cache rm hubsim/tiny-llama-GGUF --revision v1.0 --yes --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := hfgate.ParseRepoID(args[0])
			if err != nil {
				return err
			}
			c, _ := a.cache()
			plan, err := a.removal(cmd, c, id, revs, hfcache.RemoveOptions{DryRun: true})
			if err != nil {
				return err
			}
			if !asJSON {
				a.describeRemoval(plan)
			}
			if len(revs) == 0 {
				a.warnPinned(c, id)
			}
			if !yes {
				if !a.interactive() || !a.confirm("remove them?") {
					if asJSON {
						return writeJSON(a.io.Out, plan)
					}
					fmt.Fprintln(a.io.Out, "nothing removed; run again with --yes to remove them")
					return nil
				}
			}
			done, err := a.removal(cmd, c, id, revs, hfcache.RemoveOptions{})
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.io.Out, done)
			}
			_, err = fmt.Fprintf(a.io.Out, "removed; freed %s\n", humanBytes(done.Freed))
			return err
		},
	}
	cmd.Flags().StringArrayVar(&revs, "revision", nil, "remove only this revision: a commit id, branch or tag (repeatable)")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "remove without asking")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// removal removes (or with DryRun plans to remove) a repo or its revisions.
func (a *app) removal(cmd *cobra.Command, c hfcache.Cache, id hfgate.RepoID, revs []string, opts hfcache.RemoveOptions) (*cacheRmOutput, error) {
	out := &cacheRmOutput{Repo: id, Removed: !opts.DryRun}
	var rm *hfcache.Removal
	var err error
	if len(revs) == 0 {
		rm, err = c.RemoveRepo(cmd.Context(), hfgate.RepoTypeModel, id, opts)
		if hfgate.ErrorCode(err) == hfgate.ENOTFOUND {
			err = hfgate.WrapError(hfgate.ENOTFOUND, err, "%s; list what is with \"hfgate cache ls\"", hfgate.ErrorMessage(err))
		}
	} else {
		repo, rerr := c.Repo(hfgate.RepoTypeModel, id)
		if rerr != nil {
			return nil, rerr
		}
		for _, rev := range revs {
			commit, err := repo.Resolve(rev)
			if hfgate.ErrorCode(err) == hfgate.ENOTFOUND {
				return nil, hfgate.WrapError(hfgate.ENOTFOUND, err, "%s; list the cached ones with \"hfgate cache ls %s\"", hfgate.ErrorMessage(err), id)
			}
			if err != nil {
				return nil, err
			}
			out.Commits = append(out.Commits, commit)
		}
		rm, err = c.RemoveRevisions(cmd.Context(), out.Commits, opts)
	}
	if err != nil {
		return nil, err
	}
	out.Freed, out.Paths = rm.Freed, orEmpty(rm.Paths)
	return out, nil
}

func (a *app) describeRemoval(o *cacheRmOutput) {
	what := "all of " + string(o.Repo)
	if len(o.Commits) > 0 {
		what = fmt.Sprintf("revision(s) %s of %s", strings.Join(o.Commits, ", "), o.Repo)
	}
	fmt.Fprintf(a.io.Out, "%s: %d path(s), freeing %s:\n", what, len(o.Paths), humanBytes(o.Freed))
	for _, p := range o.Paths {
		fmt.Fprintf(a.io.Out, "  %s\n", p)
	}
}

// warnPinned says when removing the whole repository would forget files
// pinned on IPFS: their records go with it, their pins stay on the node.
func (a *app) warnPinned(c hfcache.Cache, id hfgate.RepoID) {
	repo, err := c.Repo(hfgate.RepoTypeModel, id)
	if err != nil {
		return
	}
	if recs, _, _ := repo.IPFSRecords(); len(recs) > 0 {
		fmt.Fprintf(a.io.Err, "hfgate: %d file(s) of %s are pinned on IPFS; removing the repo forgets them but leaves the pins on the node: unpin them first with \"hfgate ipfs rm\"\n", len(recs), id)
	}
}

// interactive reports whether a question can be asked: stdin and stderr
// are a terminal.
func (a *app) interactive() bool {
	in, ok := a.io.In.(*os.File)
	return ok && isTerminal(in) && isTerminal(a.io.Err)
}

// confirm asks a yes/no question on the terminal; only y or yes is yes.
func (a *app) confirm(question string) bool {
	fmt.Fprintf(a.io.Err, "%s [y/N] ", question)
	line, _ := bufio.NewReader(a.io.In).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}
