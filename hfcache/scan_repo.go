package hfcache

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
)

// scanRepo reads one repository folder. An error means the folder is
// unusable as a whole; smaller problems are added to rep as warnings.
func (c Cache) scanRepo(fsys fs.FS, folder string, typ hfgate.RepoType, id hfgate.RepoID, rep *Report) (*CachedRepo, error) {
	snaps := path.Join(folder, "snapshots")
	if fi, err := fs.Stat(fsys, snaps); err != nil || !fi.IsDir() {
		return nil, errors.New("no snapshots folder in this repository folder")
	}
	refs, err := scanRefs(fsys, folder)
	if err != nil {
		return nil, fmt.Errorf("read refs: %w", err)
	}
	entries, err := fs.ReadDir(fsys, snaps)
	if err != nil {
		return nil, fmt.Errorf("read snapshots: %w", err)
	}
	repo := &CachedRepo{Type: typ, ID: id, Path: c.abs(folder)}
	blobs := map[string]fs.FileInfo{}
	for _, e := range entries {
		if ignored(e.Name()) {
			continue
		}
		if !e.IsDir() {
			rep.warn(c.abs(path.Join(snaps, e.Name())), "not a snapshot folder")
			continue
		}
		rev := c.scanRevision(fsys, path.Join(snaps, e.Name()), blobs, rep)
		rev.Refs = refs[rev.Commit]
		slices.Sort(rev.Refs)
		repo.Refs = append(repo.Refs, rev.Refs...)
		delete(refs, rev.Commit)
		repo.Revisions = append(repo.Revisions, rev)
	}
	for _, commit := range slices.Sorted(maps.Keys(refs)) {
		for _, ref := range refs[commit] {
			rep.warn(c.abs(path.Join(folder, "refs", ref)), fmt.Sprintf("ref points to commit %q, which has no snapshot", commit))
		}
	}
	slices.Sort(repo.Refs)
	for _, fi := range blobs {
		repo.Size += fi.Size()
		atime, mtime := statTimes(fi)
		repo.LastAccessed = latest(repo.LastAccessed, atime)
		repo.LastModified = latest(repo.LastModified, mtime)
	}
	repo.Files = len(blobs)
	if len(blobs) == 0 {
		if fi, err := fs.Stat(fsys, folder); err == nil {
			repo.LastAccessed, repo.LastModified = statTimes(fi)
		}
	}
	return repo, nil
}

// scanRevision lists the files of one snapshot folder, adding the blobs
// they use to blobs.
func (c Cache) scanRevision(fsys fs.FS, dir string, blobs map[string]fs.FileInfo, rep *Report) CachedRevision {
	rev := CachedRevision{Commit: path.Base(dir), Path: c.abs(dir)}
	seen := map[string]bool{}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			rep.warn(c.abs(p), err.Error())
			return nil
		}
		if d.IsDir() {
			return nil
		}
		blob, fi, problem := resolveEntry(fsys, p, d)
		if problem != "" {
			rep.warn(c.abs(p), problem)
			return nil
		}
		if _, ok := blobs[blob]; !ok {
			blobs[blob] = fi
		}
		fi = blobs[blob]
		atime, mtime := statTimes(fi)
		rev.Files = append(rev.Files, CachedFile{
			Path:         strings.TrimPrefix(p, dir+"/"),
			LocalPath:    c.abs(p),
			BlobPath:     c.abs(blob),
			Size:         fi.Size(),
			LastAccessed: atime,
			LastModified: mtime,
		})
		if !seen[blob] {
			seen[blob] = true
			rev.Size += fi.Size()
		}
		rev.LastModified = latest(rev.LastModified, mtime)
		return nil
	})
	if err != nil {
		rep.warn(c.abs(dir), err.Error())
	}
	if len(rev.Files) == 0 {
		if fi, err := fs.Stat(fsys, dir); err == nil {
			rev.LastModified = fi.ModTime()
		}
	}
	return rev
}

// resolveEntry returns the blob a snapshot entry uses and the blob's
// FileInfo: for a link, the path its target names (huggingface_hub resolves
// only that first hop, so a blob that itself links into the shared store is
// still the repository's own blob); for a plain file, the file itself. A
// non-empty problem describes a link that leads nowhere or out of the cache.
func resolveEntry(fsys fs.FS, p string, d fs.DirEntry) (blob string, fi fs.FileInfo, problem string) {
	if d.Type()&fs.ModeSymlink == 0 {
		fi, err := d.Info()
		if err != nil {
			return "", nil, err.Error()
		}
		if !fi.Mode().IsRegular() {
			return "", nil, "not a regular file or link"
		}
		return p, fi, ""
	}
	target, err := fs.ReadLink(fsys, p)
	if err != nil {
		return "", nil, err.Error()
	}
	if filepath.IsAbs(target) {
		return "", nil, fmt.Sprintf("link to %s: absolute links are not used in the cache", target)
	}
	blob = path.Join(path.Dir(p), filepath.ToSlash(target))
	if blob == ".." || strings.HasPrefix(blob, "../") {
		return "", nil, fmt.Sprintf("link to %s leads outside the cache", target)
	}
	fi, err = fs.Stat(fsys, p) // follows every hop, but never out of the cache
	switch {
	case isNotExist(err):
		return "", nil, fmt.Sprintf("broken link: blob %s is missing", target)
	case err != nil:
		return "", nil, fmt.Sprintf("link to %s: %v", target, err)
	case !fi.Mode().IsRegular():
		return "", nil, fmt.Sprintf("link to %s: not a regular file", target)
	}
	return blob, fi, ""
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
