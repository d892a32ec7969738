package main

import (
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
)

// warmed is one file of a warm, as --json prints it.
type warmed struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	Commit string `json:"commit"`
	ETag   string `json:"etag"`
}

func (a *app) adminCacheWarmCmd() *cobra.Command {
	var asJSON bool
	var revision string
	var include []string
	cmd := &cobra.Command{
		Use:   "warm REPO [--revision R] [--include GLOB]... [--json]",
		Short: "Fetch a model's files into a replica's cache before anyone asks",
		Long: `Fill a replica's file cache with the files of a model repo at a revision (default
main), or those matching --include globs (as hfgate download and hf download
read them: '*' also matches '/', so '*.json' matches a/b.json). Each
file is fetched by the replica as if you had downloaded it: the policy decides, the
audit log records it, and the bytes are verified and kept, not sent to you. The
revision's metadata is cached too, so the files are served while the Hub is down.
Progress goes to standard error; the exit status is 0 only if every file warmed.`,
		Example: `  hfgate admin cache warm Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF --gateway https://hf.example.com
  hfgate admin cache warm Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF --include '*q4_k_m.gguf' --include '*.json'
  hfgate admin cache warm hubsim/tiny-gguf --revision 5fa2e4f1c0d2b5f0a6c1f3e8d7b9a4c2e1f0d3b7 --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			repo, err := hfgate.ParseRepoID(args[0])
			if err != nil {
				return err
			}
			if _, err := a.cacheGateway(); err != nil {
				return err
			}
			// The gateway lists the tree (the policy's "read"), with the
			// same token.
			files, err := a.hubClient().Tree(ctx, repo, revision, "", true)
			if err != nil {
				return err
			}
			out := []warmed{}
			var failed int
			for _, f := range files {
				if f.IsDir || !download.Selected(f.Path, include, nil) {
					continue
				}
				fmt.Fprintf(a.io.Err, "warming %s (%s)\n", printable(f.Path), humanBytes(f.Size))
				var w warmed
				err := a.adminAPI(ctx, http.MethodPost, "/admin/api/cache/warm",
					map[string]string{"repo": string(repo), "revision": revision, "path": f.Path}, &w)
				if err != nil {
					failed++
					fmt.Fprintf(a.io.Err, "hfgate: %s\n", printable(a.errorText(err)))
					continue
				}
				out = append(out, w)
			}
			if asJSON {
				if err := writeJSON(a.io.Out, out); err != nil {
					return err
				}
			} else {
				var n int64
				for _, w := range out {
					n += w.Size
				}
				fmt.Fprintf(a.io.Out, "warmed %d files of %s (%s)\n", len(out), printable(string(repo)), humanBytes(n))
			}
			switch {
			case failed > 0:
				return hfgate.Errorf(hfgate.EUNAVAILABLE, "%d of %d files could not be warmed", failed, failed+len(out))
			case len(out) == 0:
				return hfgate.Errorf(hfgate.ENOTFOUND, "no file of %s matches --include", repo)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the files warmed as JSON")
	cmd.Flags().StringVar(&revision, "revision", "", "branch, tag or commit (default main)")
	cmd.Flags().StringArrayVar(&include, "include", nil, "warm only the files matching this glob (repeatable)")
	return cmd
}
