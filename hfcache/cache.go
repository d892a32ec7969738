package hfcache

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hfgate/hfgate"
)

// Cache is a Hugging Face hub cache directory ($HF_HUB_CACHE).
//
// The zero value has no directory: every method fails with EINVALID. A Cache
// is a plain value, safe to copy and to use from many goroutines.
type Cache struct {
	// Dir is the hub cache directory, normally the first result of
	// DirFromEnv. It is created (mode 0777 less the umask, as Python does)
	// on the first write. It may be relative; returned paths then are too.
	Dir string

	// DisableSymlinks makes Link and Publish put real files into
	// snapshots/ instead of symbolic links, as huggingface_hub does on
	// filesystems without symlinks (Windows without Developer Mode, some
	// network mounts): Publish moves a new blob into the snapshot (blobs/
	// then has no copy) and Link copies an existing one, so identical files
	// are no longer shared. When false, support is probed once per cache
	// directory per process, and the same fallback is used if the probe
	// fails.
	DisableSymlinks bool
}

// Repo returns the cache entry of one repository. typ "" means a model, as
// in huggingface_hub. It fails with EINVALID for an unknown type or an id
// hfgate.ParseRepoID rejects, and when c.Dir is empty. It touches no file.
func (c Cache) Repo(typ hfgate.RepoType, id hfgate.RepoID) (Repo, error) {
	if c.Dir == "" {
		return Repo{}, hfgate.Errorf(hfgate.EINVALID, "no Hugging Face cache directory is set; set HF_HUB_CACHE or HF_HOME")
	}
	folder, err := RepoFolder(typ, id)
	if err != nil {
		return Repo{}, err
	}
	if typ == "" {
		typ = hfgate.RepoTypeModel
	}
	return Repo{Type: typ, ID: id, cache: c, folder: folder}, nil
}

// RepoFolder returns the name of a repository's folder in the cache:
// "models--org--name", "datasets--org--name" or "spaces--org--name" ("" as
// typ means a model). The repo id rules make the name reversible.
func RepoFolder(typ hfgate.RepoType, id hfgate.RepoID) (string, error) {
	switch typ {
	case "", hfgate.RepoTypeModel:
		typ = hfgate.RepoTypeModel
	case hfgate.RepoTypeDataset, hfgate.RepoTypeSpace:
	default:
		return "", hfgate.Errorf(hfgate.EINVALID, "unknown repo type %q; use model, dataset or space", typ)
	}
	if _, err := hfgate.ParseRepoID(string(id)); err != nil {
		return "", err
	}
	return string(typ) + "s--" + strings.ReplaceAll(string(id), "/", "--"), nil
}

// parseRepoFolder is RepoFolder's inverse. ok is false for any name that
// RepoFolder could not have made.
func parseRepoFolder(name string) (typ hfgate.RepoType, id hfgate.RepoID, ok bool) {
	prefix, rest, found := strings.Cut(name, "--")
	if !found {
		return "", "", false
	}
	typ = hfgate.RepoType(strings.TrimSuffix(prefix, "s"))
	id = hfgate.RepoID(strings.ReplaceAll(rest, "--", "/"))
	if folder, err := RepoFolder(typ, id); err != nil || folder != name {
		return "", "", false
	}
	return typ, id, true
}

// Repo is one repository's entry in a Cache, made by Cache.Repo. Its paths
// are computed, not checked for existence, unless a method says otherwise.
// The zero Repo fails every method with EINVALID. A Repo is safe for
// concurrent use.
type Repo struct {
	Type hfgate.RepoType // never "": Cache.Repo turns "" into RepoTypeModel
	ID   hfgate.RepoID

	cache  Cache
	folder string
}

// Folder returns the repository's folder name, e.g. "models--org--name".
func (r Repo) Folder() string { return r.folder }

// Path returns the repository's folder in the cache.
func (r Repo) Path() string { return filepath.Join(r.cache.Dir, r.folder) }

// BlobPath returns blobs/<etag>. etag is the file's ETag without quotes: a
// SHA-256 for LFS files or a git blob id for the rest.
func (r Repo) BlobPath(etag string) (string, error) {
	rel, err := r.blobRel(etag)
	return r.abs(rel), err
}

// IncompletePath returns blobs/<etag>.incomplete, the partial download that
// huggingface_hub resumes too, after creating the blobs, snapshots and refs
// folders (the official JS scanner insists on refs/).
func (r Repo) IncompletePath(etag string) (string, error) {
	rel, err := r.blobRel(etag)
	if err != nil {
		return "", err
	}
	if err := r.withRoot(true, r.prepare); err != nil {
		return "", err
	}
	return r.abs(rel + ".incomplete"), nil
}

// LockPath returns .locks/<folder>/<etag>.lock, the file lock every tool
// takes before writing blobs/<etag>.incomplete, after creating its folder.
func (r Repo) LockPath(etag string) (string, error) {
	if _, err := r.blobRel(etag); err != nil {
		return "", err
	}
	dir := path.Join(".locks", r.folder)
	err := r.withRoot(true, func(root *os.Root) error { return mkdirAll(root, dir) })
	if err != nil {
		return "", err
	}
	return r.abs(path.Join(dir, etag+".lock")), nil
}

// SnapshotDir returns snapshots/<commit>, the file tree of one commit.
func (r Repo) SnapshotDir(commit string) (string, error) {
	if err := r.check(); err != nil {
		return "", err
	}
	if err := checkCommit(commit); err != nil {
		return "", err
	}
	return r.abs(path.Join(r.folder, "snapshots", commit)), nil
}

// SnapshotPath returns snapshots/<commit>/<file>, where tools find a file.
// file is a repository path such as "sub/model.gguf"; it is checked with
// hfgate.ValidateRepoPath.
func (r Repo) SnapshotPath(commit, file string) (string, error) {
	rel, err := r.snapshotRel(commit, file)
	return r.abs(rel), err
}

// check reports a zero Repo.
func (r Repo) check() error {
	if r.folder == "" || r.cache.Dir == "" {
		return hfgate.Errorf(hfgate.EINVALID, "no cache repository: use Cache.Repo")
	}
	return nil
}

// abs turns a slash-separated path relative to the cache into a local path.
func (r Repo) abs(rel string) string { return joinRel(r.cache.Dir, rel) }

// joinRel joins a slash-separated relative path to dir.
func joinRel(dir, rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }

func (r Repo) blobRel(etag string) (string, error) {
	if err := r.check(); err != nil {
		return "", err
	}
	if err := checkETag(etag); err != nil {
		return "", err
	}
	return path.Join(r.folder, "blobs", etag), nil
}

func (r Repo) snapshotRel(commit, p string) (string, error) {
	return r.commitRel("snapshots", commit, p)
}

// commitRel is the path of file p of commit under the folder kind
// (snapshots or .no_exist), after checking all three.
func (r Repo) commitRel(kind, commit, p string) (string, error) {
	if err := r.check(); err != nil {
		return "", err
	}
	if err := checkCommit(commit); err != nil {
		return "", err
	}
	if err := hfgate.ValidateRepoPath(p); err != nil {
		return "", err
	}
	return path.Join(r.folder, kind, commit, p), nil
}

// prepare creates the folders every repository entry has.
func (r Repo) prepare(root *os.Root) error {
	for _, sub := range []string{"blobs", "snapshots", "refs"} {
		if err := mkdirAll(root, path.Join(r.folder, sub)); err != nil {
			return err
		}
	}
	return nil
}

// withRoot runs fn with the cache directory opened as an os.Root, creating
// the directory first if create is set.
func (r Repo) withRoot(create bool, fn func(*os.Root) error) error {
	if err := r.check(); err != nil {
		return err
	}
	root, err := r.cache.openRoot(create)
	if err != nil {
		return err
	}
	defer root.Close()
	return fn(root)
}

// openRoot opens c.Dir as an os.Root so that no symlink can lead outside it.
func (c Cache) openRoot(create bool) (*os.Root, error) {
	if c.Dir == "" {
		return nil, hfgate.Errorf(hfgate.EINVALID, "no Hugging Face cache directory is set; set HF_HUB_CACHE or HF_HOME")
	}
	return openRoot(c.Dir, create)
}

var etagRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._-]{0,127}$`)

// checkETag accepts what can safely be one file name: the Hub's ETags are
// 40 or 64 hex digits, but other servers may send other opaque tokens.
func checkETag(etag string) error {
	if !etagRE.MatchString(etag) {
		return hfgate.Errorf(hfgate.EINVALID, "refusing ETag %q: not a plain file name", etag)
	}
	return nil
}

func checkCommit(commit string) error {
	if !hfgate.IsCommitHash(commit) {
		return hfgate.Errorf(hfgate.EINVALID, "%q is not a 40-hex commit id", commit)
	}
	return nil
}

// checkRev accepts a branch, tag or PR ref ("refs/pr/1") that stays inside
// refs/ when used as a path.
func checkRev(rev string) error {
	if err := hfgate.ValidateRevision(rev); err != nil {
		return err
	}
	if hfgate.ValidateRepoPath(rev) != nil {
		return hfgate.Errorf(hfgate.EINVALID, "%q is not a valid revision; use a branch, tag or commit id such as main", rev)
	}
	return nil
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
