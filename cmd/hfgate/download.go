package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
)

// downloadOptions are the flags of "hfgate download".
type downloadOptions struct {
	include, exclude []string
	revision         string
	localDir         string
	workers          int
	asJSON           bool
}

func (a *app) downloadCmd() *cobra.Command {
	var o downloadOptions
	cmd := &cobra.Command{
		Use:   "download REPO [FILE...]",
		Short: "Download model files into the Hugging Face cache, in parallel, resumable and verified",
		Long: `Download files of a model repository into the Hugging Face cache
($HF_HUB_CACHE, else $HF_HOME/hub), exactly where huggingface_hub, transformers,
llama.cpp and the hf CLI look, and print where they are. With FILE names only
those files are fetched; without, the whole repository at the revision,
optionally filtered with --include and --exclude (fnmatch patterns, as
"hf download": '*' also matches '/').

Large files are fetched as parallel ranged parts, several files at once. Every
file is checked against its SHA-256 (or git blob id) before it appears in the
cache. An interrupted download (Ctrl-C, a crash, kill -9, a lost connection)
keeps what it has: run the same command again to resume. Files already in the
cache are not downloaded again. With HF_HUB_OFFLINE=1 only the cache is used.

Progress goes to stderr: a bar per file on a terminal, plain lines otherwise,
and with --json one JSON object per event on stdout (kind, file, size, done,
bytes_per_second, path, error), ending with a "result" object.`,
		Example: `  hfgate download Qwen/Qwen2.5-Coder-7B-Instruct-GGUF qwen2.5-coder-7b-instruct-q4_k_m.gguf
  hfgate download hubsim/tiny-llama-GGUF --include '*Q4_K_M*' --include README.md
  hfgate download HuggingFaceTB/SmolLM2-135M-Instruct --exclude '*.safetensors' --revision main
  hfgate download hubsim/tiny-llama-GGUF tiny-llama-Q2_K.gguf --local-dir ./models
  hfgate download hubsim/tiny-llama-GGUF --json | jq -c 'select(.kind=="done")'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.download(cmd.Context(), args[0], args[1:], o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.include, "include", nil, "download only files matching this pattern (repeatable)")
	f.StringArrayVar(&o.exclude, "exclude", nil, "skip files matching this pattern (repeatable)")
	f.StringVar(&o.revision, "revision", "", "branch, tag or commit id (default main)")
	f.StringVar(&o.localDir, "local-dir", "", "write plain files into this folder instead of the cache")
	f.IntVar(&o.workers, "workers", download.DefaultConns, "connections at once, over all files and parts")
	f.BoolVar(&o.asJSON, "json", false, "print one JSON object per event on stdout")
	return cmd
}

func (a *app) download(ctx context.Context, repoArg string, files []string, o downloadOptions) error {
	repo, err := hfgate.ParseRepoID(repoArg)
	if err != nil {
		return err
	}
	if o.workers < 1 || o.workers > 64 {
		return hfgate.Errorf(hfgate.EINVALID, "--workers must be between 1 and 64, not %d", o.workers)
	}
	if len(files) > 0 && len(o.include)+len(o.exclude) > 0 {
		return hfgate.Errorf(hfgate.EINVALID, "--include and --exclude select files of the whole repository: give either FILE names or patterns, not both")
	}
	if o.localDir != "" {
		if o.localDir, err = filepath.Abs(o.localDir); err != nil {
			return hfgate.WrapError(hfgate.EINVALID, err, "bad --local-dir")
		}
	}
	cache, offline := a.cache()
	d := &download.Downloader{
		Hub:     a.hubClient(),
		Cache:   cache,
		Offline: offline,
		Conns:   o.workers,
		Files:   min(o.workers, download.DefaultFiles),
	}
	req := download.Request{
		Repo: repo, Revision: o.revision, Files: files,
		Include: o.include, Exclude: o.exclude, LocalDir: o.localDir,
	}
	prog := a.newProgress(o.asJSON)
	res, err := d.Download(ctx, req, prog)
	prog.finish()
	where := downloadedPath(d, req, res)
	if o.asJSON {
		if jerr := prog.result(where, res, err); jerr != nil && err == nil {
			err = jerr
		}
	} else {
		for _, p := range where {
			fmt.Fprintln(a.io.Out, p)
		}
	}
	return downloadError(err)
}

// downloadedPath is what the command prints: each file asked for, or the
// folder holding the whole snapshot (the snapshot dir, or --local-dir).
func downloadedPath(d *download.Downloader, req download.Request, res []download.Result) []string {
	var out []string
	switch {
	case len(res) == 0:
	case len(req.Files) > 0:
		for _, r := range res {
			out = append(out, r.Path)
		}
	case req.LocalDir != "":
		out = append(out, req.LocalDir)
	default:
		repo, err := d.Cache.Repo(hfgate.RepoTypeModel, req.Repo)
		if err == nil {
			if dir, err := repo.SnapshotDir(res[0].Commit); err == nil {
				out = append(out, dir)
			}
		}
	}
	return out
}

// downloadError adds what to do next to an interrupted download. It does
// not wrap the context error, so that printError shows this message rather
// than the bare "interrupted" of other commands.
func downloadError(err error) error {
	if err == nil || (!errors.Is(err, context.Canceled) && hfgate.ErrorCode(err) != hfgate.ECANCELED) {
		return err
	}
	return hfgate.Errorf(hfgate.ECANCELED, "download interrupted: partial files are kept; run the same command again to resume")
}
