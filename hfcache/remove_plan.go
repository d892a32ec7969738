package hfcache

import (
	"path/filepath"
	"slices"
	"strings"
)

// removalPlan is what RemoveRevisions will delete, computed from a Scan as
// huggingface_hub's delete_revisions computes it.
type removalPlan struct {
	repos, snapshots, refs, blobs []string
	freed                         int64
	counted                       map[string]bool // blobs already in freed
}

// wholeRepo plans to delete a repository none of whose snapshots stay.
func (p *removalPlan) wholeRepo(repo CachedRepo) {
	p.repos = append(p.repos, repo.Path)
	p.freed += repo.Size
}

// revisions plans to delete the snapshots gone of repo, their refs, and the
// blobs that no snapshot in kept uses. A file that is a copy inside its
// snapshot folder (no symlink support) goes with the folder.
func (p *removalPlan) revisions(repo CachedRepo, gone, kept []CachedRevision) {
	if p.counted == nil {
		p.counted = map[string]bool{}
	}
	used := map[string]bool{}
	for _, rev := range kept {
		for _, f := range rev.Files {
			used[f.BlobPath] = true
		}
	}
	for _, rev := range gone {
		p.snapshots = append(p.snapshots, rev.Path)
		for _, ref := range rev.Refs {
			p.refs = append(p.refs, filepath.Join(repo.Path, "refs", filepath.FromSlash(ref)))
		}
		for _, f := range rev.Files {
			if used[f.BlobPath] || p.counted[f.BlobPath] {
				continue
			}
			p.counted[f.BlobPath] = true
			p.freed += f.Size
			if !strings.HasPrefix(f.BlobPath, rev.Path+string(filepath.Separator)) {
				p.blobs = append(p.blobs, f.BlobPath)
			}
		}
	}
}

// all lists every path of the plan, sorted.
func (p *removalPlan) all() []string {
	out := slices.Concat(p.repos, p.snapshots, p.refs, p.blobs)
	slices.Sort(out)
	return out
}
