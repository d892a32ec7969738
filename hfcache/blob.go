package hfcache

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/hfgate/hfgate"
)

// CachedBlob is the content one cached file leads to.
type CachedBlob struct {
	Commit string // the commit the revision resolved to
	File   string // the repository path
	ETag   string // the blob's name: its SHA-256 (LFS) or git blob id
	Path   string // blobs/<etag>
	Size   int64
}

// LookupBlob finds file of the repository at rev ("" means main) in the
// cache, as Lookup does, and returns the blob its snapshot entry links to,
// for callers that read the content and check it against its name. It
// makes no network call.
//
// It fails with ENOTFOUND when the revision or the file is not cached or
// the blob is gone, and with EINVALID for a bad rev or file, or when the
// snapshot entry is a copy (a cache without symbolic links) or a link
// that does not lead to the repository's blobs/: such content has no name
// to be checked against.
func (r Repo) LookupBlob(rev, file string) (CachedBlob, error) {
	if rev == "" {
		rev = hfgate.DefaultRevision
	}
	if err := hfgate.ValidateRepoPath(file); err != nil {
		return CachedBlob{}, err
	}
	commit, err := r.Resolve(rev)
	if err != nil {
		return CachedBlob{}, err
	}
	rel, err := r.snapshotRel(commit, file)
	if err != nil {
		return CachedBlob{}, err
	}
	b := CachedBlob{Commit: commit, File: file}
	notCached := func(err error) error {
		return hfgate.WrapError(hfgate.ENOTFOUND, err, "%s of %s %s is not in the cache at revision %s", file, r.Type, r.ID, rev)
	}
	err = r.withRoot(false, func(root *os.Root) error {
		fi, err := root.Lstat(rel)
		if err != nil {
			return notCached(err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return hfgate.Errorf(hfgate.EINVALID,
				"the cache holds a copy of %s, not a link to its blob, so its content cannot be checked", file)
		}
		target, err := root.Readlink(rel)
		if err != nil {
			return fmt.Errorf("read link %s: %w", file, err)
		}
		blob := path.Join(path.Dir(rel), filepath.ToSlash(target))
		b.ETag = path.Base(blob)
		if path.Dir(blob) != path.Join(r.folder, "blobs") || checkETag(b.ETag) != nil {
			return hfgate.Errorf(hfgate.EINVALID, "the cached %s links to %s, not to a blob of the repository", file, target)
		}
		fi, err = root.Stat(blob) // a blob may itself link into the shared store, never out of the cache
		if err != nil || !fi.Mode().IsRegular() {
			return hfgate.WrapError(hfgate.ENOTFOUND, err,
				"the cached copy of %s in %s %s is damaged: its blob %s is missing", file, r.Type, r.ID, b.ETag)
		}
		b.Path, b.Size = r.abs(blob), fi.Size()
		return nil
	})
	if isNotExist(err) && hfgate.ErrorCode(err) != hfgate.ENOTFOUND { // no cache directory at all
		err = notCached(err)
	}
	return b, err
}

// OpenBlob opens blobs/<etag> for reading. A blob that links into the
// cache's shared blob store is followed there, never outside the cache.
func (r Repo) OpenBlob(etag string) (*os.File, error) {
	rel, err := r.blobRel(etag)
	if err != nil {
		return nil, err
	}
	var f *os.File
	err = r.withRoot(false, func(root *os.Root) error {
		f, err = root.Open(rel)
		return err
	})
	if isNotExist(err) {
		return nil, hfgate.WrapError(hfgate.ENOTFOUND, err, "blob %s of %s %s is not in the cache", etag, r.Type, r.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("open blob %s: %w", etag, err)
	}
	return f, nil
}
