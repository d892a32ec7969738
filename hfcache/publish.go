package hfcache

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/hfgate/hfgate"
)

// PublishBlob makes a finished, verified download the blob blobs/<etag>:
// it syncs src, gives it the mode a new file in the repository folder gets
// (as huggingface_hub does, so a group-shared cache stays shared), renames
// it into place and syncs the folder. The rename is atomic: blobs/<etag>
// never holds part of a file, and on failure src is left as it was. An
// existing blob of the same etag is replaced (same name, same content).
//
// src must be inside the cache directory, normally IncompletePath(etag);
// verifying its content is the caller's job. Callers writing the same etag
// concurrently must hold the LockPath lock.
func (r Repo) PublishBlob(etag, src string) error {
	blob, err := r.blobRel(etag)
	if err != nil {
		return err
	}
	srcRel, err := r.cache.rel(src)
	if err != nil {
		return err
	}
	return r.withRoot(true, func(root *os.Root) error { return r.publishBlob(root, srcRel, blob) })
}

func (r Repo) publishBlob(root *os.Root, src, blob string) error {
	return r.moveIn(root, src, blob, "blob "+path.Base(blob))
}

// moveIn finishes the download src (sync, mode) and renames it to dst,
// creating the repository's folders and dst's folder first, then syncs
// dst's folder. what names dst in errors.
func (r Repo) moveIn(root *os.Root, src, dst, what string) error {
	if err := r.prepare(root); err != nil {
		return err
	}
	if err := mkdirAll(root, path.Dir(dst)); err != nil {
		return err
	}
	if err := finishFile(root, src, r.folder); err != nil {
		return fmt.Errorf("publish %s: %w", what, err)
	}
	if err := root.Rename(src, dst); err != nil {
		return fmt.Errorf("publish %s: %w", what, err)
	}
	return syncDir(root, path.Dir(dst))
}

// Link makes snapshots/<commit>/<file> point at blobs/<etag> with a
// relative symbolic link, "../../blobs/<etag>" plus one "../" per
// subdirectory of file, exactly as huggingface_hub links it, so the cache
// still works after being moved. An existing entry (a stale link, or a copy)
// is replaced atomically. Without symlink support (see
// Cache.DisableSymlinks) the blob is copied there instead.
//
// The blob must exist, else Link fails with ENOTFOUND and the caller
// downloads it again; without symlinks this is also the case after Publish
// moved a blob into another snapshot, exactly as with huggingface_hub.
// Link does not write refs/.
func (r Repo) Link(commit, file, etag string) error {
	dst, err := r.snapshotRel(commit, file)
	if err != nil {
		return err
	}
	blob, err := r.blobRel(etag)
	if err != nil {
		return err
	}
	return r.withRoot(true, func(root *os.Root) error { return r.link(root, file, blob, dst) })
}

// link does Link's work; file is the repository path dst is made for.
func (r Repo) link(root *os.Root, file, blob, dst string) error {
	if fi, err := root.Stat(blob); err != nil || !fi.Mode().IsRegular() {
		return hfgate.WrapError(hfgate.ENOTFOUND, err, "cannot link %s: blob %s is not in the cache", file, path.Base(blob))
	}
	if err := r.prepare(root); err != nil {
		return err
	}
	if err := mkdirAll(root, path.Dir(dst)); err != nil {
		return err
	}
	if !r.cache.symlinks(root, r.folder) {
		if err := copyFileAtomic(root, blob, r.folder, dst); err != nil {
			return fmt.Errorf("link %s: %w", file, err)
		}
		return syncDir(root, path.Dir(dst))
	}
	return r.symlink(root, linkTarget(file, path.Base(blob)), dst)
}

// Publish is PublishBlob followed by Link, for a file just downloaded at
// commit. Without symlink support it does what huggingface_hub does with a
// new blob: it moves src straight to snapshots/<commit>/<file>, leaving no
// copy in blobs/.
func (r Repo) Publish(commit, file, etag, src string) error {
	dst, err := r.snapshotRel(commit, file)
	if err != nil {
		return err
	}
	blob, err := r.blobRel(etag)
	if err != nil {
		return err
	}
	srcRel, err := r.cache.rel(src)
	if err != nil {
		return err
	}
	return r.withRoot(true, func(root *os.Root) error {
		if r.cache.symlinks(root, r.folder) {
			if err := r.publishBlob(root, srcRel, blob); err != nil {
				return err
			}
			return r.link(root, file, blob, dst)
		}
		return r.moveIn(root, srcRel, dst, file)
	})
}

// linkTarget is the relative path from snapshots/<commit>/<file> to
// blobs/<etag>.
func linkTarget(file, etag string) string {
	up := strings.Repeat("../", 2+strings.Count(file, "/"))
	return filepath.FromSlash(up + "blobs/" + etag)
}

// symlink points dst at target, replacing whatever is there in one rename.
// The new link is made under a temporary name in the repository folder
// (where no scanner looks) and then renamed over dst.
func (r Repo) symlink(root *os.Root, target, dst string) error {
	if old, err := root.Readlink(dst); err == nil && old == target {
		return nil
	}
	tmp := tmpName(r.folder)
	if err := root.Symlink(target, tmp); err != nil {
		return fmt.Errorf("create link: %w", err)
	}
	if err := root.Rename(tmp, dst); err != nil {
		root.Remove(tmp)
		return fmt.Errorf("create link: %w", err)
	}
	return syncDir(root, path.Dir(dst))
}

// rel returns p relative to the cache directory, slash-separated, or
// EINVALID when p is outside it.
func (c Cache) rel(p string) (string, error) { return relInside(c.Dir, p) }

// relInside returns p relative to dir, slash-separated, or EINVALID when p
// is not below dir. Only the names are compared; the os.Root every caller
// then uses is what keeps symlinks in check.
func relInside(dir, p string) (string, error) {
	absDir, err1 := filepath.Abs(dir)
	abs, err2 := filepath.Abs(p)
	if err1 != nil || err2 != nil {
		return "", hfgate.Errorf(hfgate.EINVALID, "cannot resolve %s", p)
	}
	rel, err := filepath.Rel(absDir, abs)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", hfgate.Errorf(hfgate.EINVALID, "refusing %s: it is not inside %s", p, dir)
	}
	return filepath.ToSlash(rel), nil
}
