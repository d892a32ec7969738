package hfcache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hfgate/hfgate"
)

// RemoveOptions are the settings of one removal. The zero value removes.
type RemoveOptions struct {
	// DryRun computes what would be removed and freed, and removes nothing.
	DryRun bool
}

// Removal is what a removal deleted (or, with DryRun, would delete).
type Removal struct {
	Freed    int64    // bytes freed: the blobs (and copies) of the removed snapshots, each once; for RemoveRepo every file of the folder
	Paths    []string // deleted files and folders, sorted
	NotFound []string // requested commits that are in no snapshot
}

// RemoveRepo deletes a repository's whole folder: every snapshot, ref and
// blob, partial downloads included. It leaves .locks/ alone: deleting a lock
// file another process holds would let a third one take a second lock.
// ENOTFOUND if the repository is not cached.
func (c Cache) RemoveRepo(ctx context.Context, typ hfgate.RepoType, id hfgate.RepoID, opts RemoveOptions) (*Removal, error) {
	r, err := c.Repo(typ, id)
	if err != nil {
		return nil, err
	}
	root, err := c.openRoot(false)
	if isNotExist(err) {
		return nil, hfgate.WrapError(hfgate.ENOTFOUND, err, "%s %s is not in the cache", r.Type, r.ID)
	}
	if err != nil {
		return nil, err
	}
	defer root.Close()
	if fi, err := root.Lstat(r.folder); err != nil || !fi.IsDir() {
		return nil, hfgate.WrapError(hfgate.ENOTFOUND, err, "%s %s is not in the cache", r.Type, r.ID)
	}
	rm := &Removal{Paths: []string{r.Path()}}
	if rm.Freed, err = treeSize(ctx, root, r.folder); err != nil {
		return nil, err
	}
	if opts.DryRun {
		return rm, nil
	}
	if err := root.RemoveAll(r.folder); err != nil {
		return rm, fmt.Errorf("remove %s: %w", r.ID, err)
	}
	return rm, nil
}

// RemoveRevisions deletes the snapshots of the given commits in every
// repository that has them, the refs pointing at them, and the blobs no
// remaining snapshot uses, in that order, so that no ref is ever left
// pointing at a missing snapshot. When every snapshot of a repository goes,
// the whole repository folder goes (as huggingface_hub does). Commits found
// nowhere are listed in Removal.NotFound; if none is found at all the error
// is ENOTFOUND. Deletion goes on past a failed delete and returns the
// failures joined.
func (c Cache) RemoveRevisions(ctx context.Context, commits []string, opts RemoveOptions) (*Removal, error) {
	rep, err := c.Scan(ctx)
	if err != nil {
		return nil, err
	}
	plan := &removalPlan{}
	found := map[string]bool{}
	for _, repo := range rep.Repos {
		var gone, kept []CachedRevision
		for _, rev := range repo.Revisions {
			if slices.Contains(commits, rev.Commit) {
				gone = append(gone, rev)
				found[rev.Commit] = true
			} else {
				kept = append(kept, rev)
			}
		}
		if len(gone) == 0 {
			continue
		}
		if len(kept) == 0 {
			plan.wholeRepo(repo)
			continue
		}
		plan.revisions(repo, gone, kept)
	}
	rm := &Removal{Freed: plan.freed}
	for _, commit := range commits {
		if !found[commit] {
			rm.NotFound = append(rm.NotFound, commit)
		}
	}
	if len(found) == 0 {
		return rm, hfgate.Errorf(hfgate.ENOTFOUND, "no cached snapshot has commit %s", strings.Join(commits, ", ")).WithAction(hfgate.ActionListCache)
	}
	rm.Paths = plan.all()
	if opts.DryRun {
		return rm, nil
	}
	return rm, c.execute(plan)
}

// treeSize adds up the regular files below dir, not following links.
func treeSize(ctx context.Context, root *os.Root, dir string) (int64, error) {
	var size int64
	err := fs.WalkDir(root.FS(), dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
			}
		}
		return nil
	})
	return size, err
}

// execute deletes a plan's refs, then snapshots, then blobs, then repos.
func (c Cache) execute(p *removalPlan) error {
	root, err := c.openRoot(false)
	if err != nil {
		return err
	}
	defer root.Close()
	var errs []error
	for _, group := range [][]string{p.refs, p.snapshots, p.blobs, p.repos} {
		for _, abs := range group {
			rel, err := c.rel(abs)
			if err == nil {
				err = root.RemoveAll(filepath.FromSlash(rel))
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("remove %s: %w", abs, err))
			}
		}
	}
	return errors.Join(errs...)
}
