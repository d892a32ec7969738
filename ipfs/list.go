package ipfs

import (
	"cmp"
	"context"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

// List returns the pins recorded in the cache, for the model repository
// repo or, when repo is "", for all of them, sorted by repository, file
// and commit. It reads the cache only: whether the node still holds each
// pin is for the caller to ask (Node.Pinned). The warnings are the
// cache's damaged entries and invalid records, which List skipped.
func (p *Pinner) List(ctx context.Context, repo hfgate.RepoID) ([]Pin, []hfcache.Warning, error) {
	rep, err := p.Cache.Scan(ctx)
	if err != nil {
		return nil, nil, err
	}
	var pins []Pin
	for _, r := range rep.Repos {
		if r.Type != hfgate.RepoTypeModel || (repo != "" && r.ID != repo) {
			continue
		}
		for _, rec := range r.IPFS {
			pins = append(pins, Pin{Repo: r.ID, File: rec.File, Commit: rec.Commit, SHA256: rec.SHA256, Size: rec.Size,
				CID: rec.CID, PinnedAt: rec.PinnedAt, Path: cachedPath(r, rec)})
		}
	}
	slices.SortFunc(pins, func(a, b Pin) int {
		return cmp.Or(strings.Compare(string(a.Repo), string(b.Repo)), strings.Compare(a.File, b.File), strings.Compare(a.Commit, b.Commit))
	})
	return pins, rep.Warnings, nil
}

// cachedPath is the snapshot entry of rec's file at rec's commit, if it
// still leads to rec's blob.
func cachedPath(r hfcache.CachedRepo, rec hfcache.IPFSRecord) string {
	for _, rev := range r.Revisions {
		if rev.Commit != rec.Commit {
			continue
		}
		for _, f := range rev.Files {
			if f.Path == rec.File && filepath.Base(f.BlobPath) == rec.ETag {
				return f.LocalPath
			}
		}
	}
	return ""
}

// Unpin removes the pin of file of the model repository repo at rev (""
// means main) from the node, and its record from the cache. The content
// that file has at rev in the cache decides which record; a file no longer
// in the cache is found by its record alone, which must then be the only
// one of that file (or the one at rev, when rev is a commit).
//
// When another record, of this or another repository, names the same CID,
// the node's pin is kept for it and only this record is removed (Kept is
// set). A pin the node no longer has is not an error: the record goes.
// If the node cannot be reached, nothing changes.
func (p *Pinner) Unpin(ctx context.Context, repo hfgate.RepoID, rev, file string) (*Pin, error) {
	if p.Node == nil {
		return nil, hfgate.Errorf(hfgate.EINVALID, "no IPFS node to unpin from")
	}
	r, err := p.Cache.Repo(hfgate.RepoTypeModel, repo)
	if err != nil {
		return nil, err
	}
	rec, err := findRecord(r, rev, file)
	if err != nil {
		return nil, err
	}
	all, _, err := p.List(ctx, "")
	if err != nil {
		return nil, err
	}
	pin := &Pin{Repo: repo, File: rec.File, Commit: rec.Commit, SHA256: rec.SHA256, Size: rec.Size, CID: rec.CID, PinnedAt: rec.PinnedAt}
	pin.Kept = slices.ContainsFunc(all, func(o Pin) bool { return o.CID == rec.CID && o.Repo != repo })
	if !pin.Kept {
		if _, err := p.Node.Unpin(ctx, rec.CID); err != nil {
			return nil, err
		}
	}
	if err := r.RemoveIPFSRecord(rec.ETag); err != nil {
		return nil, err
	}
	return pin, nil
}

// findRecord returns the record of what file holds at rev in the cache,
// or, when file is not cached at rev, the one record of file.
func findRecord(r hfcache.Repo, rev, file string) (*hfcache.IPFSRecord, error) {
	blob, err := r.LookupBlob(rev, file)
	if err == nil {
		rec, err := r.IPFSRecord(blob.ETag)
		if err == nil && rec == nil {
			err = hfgate.Errorf(hfgate.ENOTFOUND, "%s of %s %s at revision %s is not pinned by hfgate", file, r.Type, r.ID, blob.Commit)
		}
		return rec, err
	}
	if hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
		return nil, err
	}
	recs, _, err := r.IPFSRecords()
	if err != nil {
		return nil, err
	}
	recs = slices.DeleteFunc(recs, func(rec hfcache.IPFSRecord) bool {
		return rec.File != file || (hfgate.IsCommitHash(rev) && rec.Commit != rev)
	})
	switch len(recs) {
	case 0:
		return nil, hfgate.Errorf(hfgate.ENOTFOUND, "%s of %s %s is not pinned by hfgate", file, r.Type, r.ID)
	case 1:
		return &recs[0], nil
	}
	var commits []string
	for _, rec := range recs {
		commits = append(commits, rec.Commit)
	}
	return nil, hfgate.Errorf(hfgate.EINVALID,
		"%s of %s %s is pinned at several commits (%s) and is no longer cached at %s: name the commit as the revision",
		file, r.Type, r.ID, strings.Join(commits, ", "), cmp.Or(rev, hfgate.DefaultRevision))
}
