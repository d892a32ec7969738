package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

// cacheVerifyOutput is the --json output of "hfgate cache verify".
type cacheVerifyOutput struct {
	Dir      string          `json:"dir"`
	Repos    []hfgate.RepoID `json:"repos"` // the repos checked
	Problems []verifyProblem `json:"problems"`
}

type verifyProblem struct {
	Repo    hfgate.RepoID       `json:"repo"`
	Kind    hfcache.ProblemKind `json:"kind"` // mismatch, missing-blob, dangling-link, incomplete
	Path    string              `json:"path"`
	Message string              `json:"message"`
}

func (a *app) cacheVerifyCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify [REPO]",
		Short: "Re-hash cached files and report damaged ones",
		Long: `Re-hash every blob of the cached repositories (or of REPO) against its name
(SHA-256 for LFS files, the git blob id for small ones) and check every snapshot
link. Damaged blobs, missing blobs and broken links exit with status 7; a
partial download left behind is reported but is not damage.`,
		Example: `  hfgate cache verify
  hfgate cache verify Qwen/Qwen2.5-Coder-7B-Instruct-GGUF --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, _ := a.cache()
			rep, repos, err := a.scanCache(ctx, args)
			if err != nil {
				return err
			}
			out := cacheVerifyOutput{Dir: rep.Dir, Repos: []hfgate.RepoID{}, Problems: []verifyProblem{}}
			damaged := 0
			for _, cr := range repos {
				if !asJSON {
					fmt.Fprintf(a.io.Err, "verifying %s (%s)\n", cr.ID, humanBytes(cr.Size))
				}
				repo, err := c.Repo(cr.Type, cr.ID)
				if err != nil {
					return err
				}
				problems, err := repo.Verify(ctx, nil)
				if err != nil {
					return err
				}
				out.Repos = append(out.Repos, cr.ID)
				for _, p := range problems {
					out.Problems = append(out.Problems, verifyProblem{Repo: cr.ID, Kind: p.Kind, Path: p.Path, Message: p.Message})
					if p.Kind != hfcache.ProblemIncomplete {
						damaged++
					}
				}
			}
			if asJSON {
				err = writeJSON(a.io.Out, out)
			} else {
				err = printVerify(a, &out)
			}
			if err == nil && damaged > 0 {
				err = hfgate.Errorf(hfgate.EINTEGRITY, "%d damaged file(s) in the cache: remove the repo or revision with \"hfgate cache rm\" and download it again", damaged)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printVerify(a *app, o *cacheVerifyOutput) error {
	if len(o.Problems) == 0 {
		_, err := fmt.Fprintf(a.io.Out, "%d repo(s) verified in %s: no problems\n", len(o.Repos), o.Dir)
		return err
	}
	t := newTable(a.io.Out, "REPO", "PROBLEM", "PATH", "WHAT TO DO")
	for _, p := range o.Problems {
		t.Row(string(p.Repo), string(p.Kind), p.Path, p.Message)
	}
	return t.Flush()
}
