package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

func (a *app) cacheCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "List, remove and verify models in the Hugging Face cache",
		Long: `Work on the Hugging Face cache that hfgate, huggingface_hub, transformers, the hf
CLI and @huggingface/hub share: $HF_HUB_CACHE, else $HF_HOME/hub, else
~/.cache/huggingface/hub. These commands make no network requests.`,
		Example: `  hfgate cache ls
  hfgate cache ls Qwen/Qwen2.5-Coder-7B-Instruct-GGUF
  hfgate cache rm Qwen/Qwen2.5-Coder-7B-Instruct-GGUF --yes
  hfgate cache verify`,
		// Runnable, so that an unknown subcommand is a usage error, not help.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(a.cacheLsCmd(), a.cacheRmCmd(), a.cacheVerifyCmd())
	return cmd
}

// cachedRepoOutput is one repository in "cache ls --json".
type cachedRepoOutput struct {
	ID           hfgate.RepoID          `json:"id"`
	Type         hfgate.RepoType        `json:"type"`
	Path         string                 `json:"path"`
	Size         int64                  `json:"size"`
	Files        int                    `json:"files"` // distinct blobs
	Refs         []string               `json:"refs"`
	LastAccessed *time.Time             `json:"last_accessed,omitempty"`
	LastModified *time.Time             `json:"last_modified,omitempty"`
	Revisions    []cachedRevisionOutput `json:"revisions"`
}

type cachedRevisionOutput struct {
	Commit       string             `json:"commit"`
	Refs         []string           `json:"refs"`
	Size         int64              `json:"size"`
	Path         string             `json:"path"`
	LastModified *time.Time         `json:"last_modified,omitempty"`
	Files        []cachedFileOutput `json:"files"`
}

type cachedFileOutput struct {
	Path      string `json:"path"` // in the repository
	Size      int64  `json:"size"`
	LocalPath string `json:"local_path"` // the snapshot entry other tools open
	BlobPath  string `json:"blob_path"`
	IPFSCID   string `json:"ipfs_cid,omitempty"` // pinned on IPFS by hfgate ipfs add or download --ipfs
}

func newCachedRepoOutput(r hfcache.CachedRepo) cachedRepoOutput {
	o := cachedRepoOutput{ID: r.ID, Type: r.Type, Path: r.Path, Size: r.Size, Files: r.Files,
		Refs: orEmpty(r.Refs), LastAccessed: timeOrNil(r.LastAccessed), LastModified: timeOrNil(r.LastModified),
		Revisions: []cachedRevisionOutput{}}
	for _, rev := range r.Revisions {
		ro := cachedRevisionOutput{Commit: rev.Commit, Refs: orEmpty(rev.Refs), Size: rev.Size, Path: rev.Path,
			LastModified: timeOrNil(rev.LastModified), Files: []cachedFileOutput{}}
		for _, f := range rev.Files {
			ro.Files = append(ro.Files, cachedFileOutput{Path: f.Path, Size: f.Size, LocalPath: f.LocalPath, BlobPath: f.BlobPath, IPFSCID: f.IPFSCID})
		}
		o.Revisions = append(o.Revisions, ro)
	}
	return o
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// scanCache scans the cache and returns the report with its repos, or
// with only the repo args names: ENOTFOUND when it is not cached, EINVALID
// for a bad id.
func (a *app) scanCache(ctx context.Context, args []string) (*hfcache.Report, []hfcache.CachedRepo, error) {
	c, _ := a.cache()
	rep, err := c.Scan(ctx)
	if err != nil {
		return nil, nil, err
	}
	if len(args) == 0 {
		return rep, rep.Repos, nil
	}
	id, err := hfgate.ParseRepoID(args[0])
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rep.Repos {
		if r.ID == id && r.Type == hfgate.RepoTypeModel {
			return rep, []hfcache.CachedRepo{r}, nil
		}
	}
	return nil, nil, hfgate.Errorf(hfgate.ENOTFOUND, "%s is not in the cache %s; list what is with \"hfgate cache ls\"", id, rep.Dir)
}
