package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
	"github.com/hfgate/hfgate/ipfs"
)

// downloadOptions are the flags of "hfgate download".
type downloadOptions struct {
	include, exclude []string
	revision         string
	localDir         string
	workers          int
	unverified       bool
	asJSON           bool
	ipfs             bool   // --ipfs: pin the files on the IPFS node
	ipfsAPI          string // --ipfs-api
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

Several files come at once; a file that one connection would bring too slowly
comes over several. Every file is checked against its SHA-256 (or git blob id),
as the endpoint names it, before it appears in the cache; a file the endpoint
gives no hash for is refused unless --unverified. An interrupted download
(Ctrl-C, a crash, kill -9, a lost connection) keeps what it has: run the same
command again to resume (huggingface_hub resumes it too). Files already in the
cache are not downloaded again. With HF_HUB_OFFLINE=1 only the cache is used;
HF_HUB_DOWNLOAD_TIMEOUT (seconds, default 10) cuts and retries a connection
that stops sending.

With --ipfs, each file is then added to the local IPFS node (Kubo), checked
against its SHA-256 while it is sent and pinned, and stdout has one line per
file: its CID and its path. The node is checked before anything is
downloaded (exit status 9 when none is running); see "hfgate ipfs --help".

Progress goes to stderr: a bar per file on a terminal, plain lines otherwise,
and with --json one JSON object per event on stdout (kind, file, size, done,
bytes_per_second, path, error; ipfs_* kinds with --ipfs), ending with a
"result" object.`,
		Example: `  hfgate download Qwen/Qwen2.5-Coder-7B-Instruct-GGUF qwen2.5-coder-7b-instruct-q4_k_m.gguf
  hfgate download hubsim/tiny-llama-GGUF --include '*Q4_K_M*' --include README.md
  hfgate download HuggingFaceTB/SmolLM2-135M-Instruct --exclude '*.safetensors' --revision main
  hfgate download hubsim/tiny-llama-GGUF tiny-llama-Q2_K.gguf --local-dir ./models
  hfgate download hubsim/tiny-llama-GGUF --json | jq -c 'select(.kind=="done")'
  hfgate download hubsim/tiny-llama-GGUF tiny-llama-Q4_K_M.gguf --ipfs
  HF_ENDPOINT=https://mirror.example hfgate download some/repo weights.bin --unverified`,
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
	f.BoolVar(&o.unverified, "unverified", false, "also download files the server gives no content hash for (checking only their size)")
	f.BoolVar(&o.asJSON, "json", false, "print one JSON object per event on stdout")
	f.BoolVar(&o.ipfs, "ipfs", false, "then pin the files on the local IPFS node and print their CIDs")
	f.StringVar(&o.ipfsAPI, "ipfs-api", "", "the IPFS node's RPC API, e.g. /ip4/127.0.0.1/tcp/5001 (env IPFS_API; default from $IPFS_PATH/api)")
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
	if o.ipfsAPI != "" && !o.ipfs {
		return hfgate.Errorf(hfgate.EINVALID, "--ipfs-api is for --ipfs: add --ipfs to pin the files")
	}
	var pinner *ipfs.Pinner
	if o.ipfs {
		if o.localDir != "" {
			return hfgate.Errorf(hfgate.EINVALID, "--ipfs pins files of the Hugging Face cache: leave out --local-dir")
		}
		if pinner, _, _, err = a.ipfsReady(ctx, o.ipfsAPI); err != nil {
			return err // before downloading anything
		}
	}
	readTimeout, err := a.envSeconds("HF_HUB_DOWNLOAD_TIMEOUT")
	if err != nil {
		return err
	}
	cache, offline := a.cache()
	d := &download.Downloader{
		Hub:             a.hubClient(),
		Cache:           cache,
		Offline:         offline,
		Conns:           o.workers,
		Files:           min(o.workers, download.DefaultFiles),
		ReadTimeout:     readTimeout,
		AllowUnverified: o.unverified,
	}
	req := download.Request{
		Repo: repo, Revision: o.revision, Files: files,
		Include: o.include, Exclude: o.exclude, LocalDir: o.localDir,
	}
	prog := a.newProgress(o.asJSON)
	res, err := d.Download(ctx, req, prog)
	err = downloadError(err, repo)
	var pins []pinOutput
	if err == nil && pinner != nil {
		targets := make([]pinTarget, 0, len(res))
		for _, r := range res {
			targets = append(targets, pinTarget{rev: r.Commit, file: r.File})
		}
		pins, err = a.pinFiles(ctx, pinner, repo, targets, prog)
		err = pinError(err)
	}
	prog.finish()
	where := downloadedPath(d, req, res)
	switch {
	case o.asJSON:
		if jerr := prog.result(where, res, pins, err); jerr != nil && err == nil {
			err = jerr
		}
	case pinner != nil:
		printPins(a.io.Out, pins)
	default:
		for _, p := range where {
			fmt.Fprintln(a.io.Out, printable(p))
		}
	}
	return err
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

// downloadError words what to do next after a failed download of repo: an
// interrupted one resumes (it does not wrap the context error, so that
// printError shows this message rather than the bare "interrupted" of other
// commands), and a missing file is looked for in repo's own list.
func downloadError(err error, repo hfgate.RepoID) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled) || hfgate.ErrorCode(err) == hfgate.ECANCELED:
		return hfgate.Errorf(hfgate.ECANCELED, "download interrupted: partial files are kept").WithAction(hfgate.ActionResume)
	case hfgate.ErrorAction(err) == hfgate.ActionListFiles:
		return hfgate.WrapError(hfgate.ErrorCode(err), err, "%s; \"hfgate files %s\" lists the files", hfgate.ErrorMessage(err), repo)
	}
	return err
}
