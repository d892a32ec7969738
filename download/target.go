package download

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

// target is where a Download puts files: the hub cache (cacheTarget) or a
// plain folder (localTarget). Both lay files out exactly as huggingface_hub
// does, so either tool finds and resumes the other's.
type target interface {
	// have returns where file is when it is already in place at commit
	// with this etag and size, making it visible there if only its blob
	// was.
	have(ctx context.Context, commit, file, etag string, size int64) (path string, ok bool, err error)
	// lockPath is the file lock a writer of file/etag holds.
	lockPath(file, etag string) (string, error)
	// incompletePath is where the partial download of file/etag lives.
	incompletePath(file, etag string) (string, error)
	// publish moves the verified src into place and returns where it is.
	publish(commit, file, etag, src string) (string, error)
	// lookup finds file offline, with no network call.
	lookup(rev, file string) (*Result, error)
	// listDir is the folder whose files make up rev offline, and the
	// commit rev stands for ("" when the folder does not say).
	listDir(rev string) (dir, commit string, err error)
	// resolved records that rev is commit, and notFound that file is
	// missing at commit.
	resolved(rev, commit string) error
	notFound(commit, file string)
}

func (d *Downloader) newTarget(req Request) (target, error) {
	if req.LocalDir != "" {
		return localTarget{hfcache.LocalDir{Root: req.LocalDir}}, nil
	}
	repo, err := d.Cache.Repo(hfgate.RepoTypeModel, req.Repo)
	if err != nil {
		return nil, err
	}
	return cacheTarget{repo}, nil
}

// cacheTarget is the huggingface_hub cache: blobs/, snapshots/, refs/.
type cacheTarget struct{ repo hfcache.Repo }

func (t cacheTarget) have(_ context.Context, commit, file, etag string, size int64) (string, bool, error) {
	blob, err := t.repo.BlobPath(etag)
	if err != nil {
		return "", false, err
	}
	// A blob of another size is not this file, whatever its name says (a
	// tool that trusted a partial file's length may have published it):
	// fetch it again, which replaces it.
	if fi, err := os.Stat(blob); err == nil && fi.Mode().IsRegular() && fi.Size() != size {
		return "", false, nil
	}
	if p, err := t.repo.Lookup(commit, file); err == nil {
		if fi, err := os.Stat(p); err == nil && fi.Size() == size {
			return p, true, nil
		}
	}
	if fi, err := os.Stat(blob); err != nil || !fi.Mode().IsRegular() {
		return "", false, nil
	}
	// Another revision (or tool) fetched the same content: link it.
	if err := t.repo.Link(commit, file, etag); err != nil {
		return "", false, err
	}
	p, err := t.repo.SnapshotPath(commit, file)
	return p, err == nil, err
}

func (t cacheTarget) lockPath(_, etag string) (string, error) { return t.repo.LockPath(etag) }
func (t cacheTarget) incompletePath(_, etag string) (string, error) {
	return t.repo.IncompletePath(etag)
}

func (t cacheTarget) publish(commit, file, etag, src string) (string, error) {
	if err := t.repo.Publish(commit, file, etag, src); err != nil {
		return "", err
	}
	return t.repo.SnapshotPath(commit, file)
}

func (t cacheTarget) lookup(rev, file string) (*Result, error) {
	p, err := t.repo.Lookup(rev, file)
	if err != nil {
		return nil, err
	}
	commit, err := t.repo.Resolve(rev)
	if err != nil {
		return nil, err
	}
	r := &Result{File: file, Path: p, Commit: commit, Cached: true}
	if fi, err := os.Stat(p); err == nil {
		r.Size = fi.Size()
	}
	if l, err := os.Readlink(p); err == nil {
		r.ETag = filepath.Base(l)
	}
	return r, nil
}

func (t cacheTarget) listDir(rev string) (string, string, error) {
	commit, err := t.repo.Resolve(rev)
	if err == nil {
		var dir string
		if dir, err = t.repo.SnapshotDir(commit); err == nil {
			if _, err = os.Stat(dir); err == nil {
				return dir, commit, nil
			}
		}
	}
	if hfgate.ErrorCode(err) == hfgate.ENOTFOUND || os.IsNotExist(err) {
		return "", "", hfgate.WrapError(hfgate.ENOTFOUND, err,
			"%s at revision %s is not in the cache and HF_HUB_OFFLINE is set: run without HF_HUB_OFFLINE=1 to download it", t.repo.ID, rev)
	}
	return "", "", err
}

func (t cacheTarget) resolved(rev, commit string) error { return t.repo.WriteRef(rev, commit) }
func (t cacheTarget) notFound(commit, file string)      { t.repo.MarkNoExist(commit, file) }

// localTarget is a plain folder, as `hf download --local-dir` fills it.
type localTarget struct{ dir hfcache.LocalDir }

func (t localTarget) have(ctx context.Context, commit, file, etag string, _ int64) (string, bool, error) {
	ok, err := t.dir.UpToDate(ctx, file, etag, commit)
	if !ok || err != nil {
		return "", false, err
	}
	p, err := t.dir.FilePath(file)
	return p, err == nil, err
}

func (t localTarget) lockPath(file, _ string) (string, error) { return t.dir.LockPath(file) }
func (t localTarget) incompletePath(file, etag string) (string, error) {
	return t.dir.IncompletePath(file, etag)
}

func (t localTarget) publish(commit, file, etag, src string) (string, error) {
	if err := t.dir.Publish(file, commit, etag, src); err != nil {
		return "", err
	}
	return t.dir.FilePath(file)
}

func (t localTarget) lookup(rev, file string) (*Result, error) {
	md, err := t.dir.ReadMetadata(file)
	if err != nil {
		return nil, err
	}
	if md == nil || (hfgate.IsCommitHash(rev) && md.Commit != rev) {
		return nil, hfgate.Errorf(hfgate.ENOTFOUND,
			"%s is not in %s and HF_HUB_OFFLINE is set: run without HF_HUB_OFFLINE=1 to download it", file, t.dir.Root)
	}
	p, err := t.dir.FilePath(file)
	if err != nil {
		return nil, err
	}
	r := &Result{File: file, Path: p, Commit: md.Commit, ETag: md.ETag, Cached: true}
	if fi, err := os.Stat(p); err == nil {
		r.Size = fi.Size()
	}
	return r, nil
}

func (t localTarget) listDir(string) (string, string, error) {
	if _, err := os.Stat(t.dir.Root); err != nil {
		return "", "", hfgate.WrapError(hfgate.ENOTFOUND, err,
			"%s does not exist and HF_HUB_OFFLINE is set: run without HF_HUB_OFFLINE=1 to download into it", t.dir.Root)
	}
	return t.dir.Root, "", nil
}

func (localTarget) resolved(string, string) error { return nil }
func (localTarget) notFound(string, string)       {}

// listFiles returns the regular files and links below dir as repository
// paths, leaving out .cache/huggingface (a LocalDir's metadata).
func listFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir() && rel == ".cache/huggingface":
			return filepath.SkipDir
		case d.IsDir():
			return nil
		}
		if hfgate.ValidateRepoPath(rel) == nil {
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}
