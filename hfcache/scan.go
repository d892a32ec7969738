package hfcache

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
)

// Report describes a cache the way `hf cache scan` (huggingface_hub's
// scan_cache_dir) does. Slices are sorted: repositories by folder name,
// revisions by commit, files by path.
type Report struct {
	Dir        string
	Repos      []CachedRepo
	Size       int64            // bytes of all blobs (sum of the repositories' Size)
	Incomplete []IncompleteFile // partial downloads: blobs/*.incomplete and hfgate's sidecars (IsPartial)
	Warnings   []Warning        // damaged entries; the scan went on past them
}

// CachedRepo is one repository in a Report.
type CachedRepo struct {
	Type         hfgate.RepoType
	ID           hfgate.RepoID
	Path         string
	Size         int64 // bytes of the blobs its snapshots use, each counted once
	Files        int   // number of distinct blobs
	LastAccessed time.Time
	LastModified time.Time
	Refs         []string // every ref, e.g. "main", "refs/pr/1"
	Revisions    []CachedRevision
	IPFS         []IPFSRecord // what hfgate pinned on an IPFS node, by file
}

// CachedRevision is one snapshot (commit) of a CachedRepo.
type CachedRevision struct {
	Commit       string
	Path         string
	Refs         []string // refs pointing at this commit; none means detached
	Size         int64
	LastModified time.Time
	Files        []CachedFile
}

// CachedFile is one file of a CachedRevision.
type CachedFile struct {
	Path         string // repository path, e.g. "sub/model.gguf"
	LocalPath    string // the snapshot entry
	BlobPath     string // the blob it leads to (itself for a copy)
	Size         int64
	LastAccessed time.Time
	LastModified time.Time
	IPFSCID      string // the CID of its blob, when hfgate pinned it on an IPFS node
}

// IncompleteFile is a partial download left in a blobs folder.
type IncompleteFile struct {
	Path string
	Size int64
}

// Warning is a damaged or unknown cache entry that Scan skipped.
type Warning struct {
	Path    string
	Message string
}

// String returns the warning as "path: message".
func (w Warning) String() string { return w.Path + ": " + w.Message }

// ignoredNames are the files operating systems drop into folders, which
// huggingface_hub's scan skips everywhere.
var ignoredNames = []string{".DS_Store", "Thumbs.db", "desktop.ini"}

func ignored(name string) bool { return slices.Contains(ignoredNames, name) }

// notRepos are the entries of the cache root that are not repositories:
// the lock folder, the CACHEDIR.TAG recent huggingface_hub versions write,
// and "blobs", their cache-wide shared blob store.
var notRepos = []string{".locks", "CACHEDIR.TAG", "blobs"}

// Scan lists every repository, revision and file in the cache with sizes
// and times, reading refs/ and snapshots/ as huggingface_hub does. A
// damaged entry (a link whose blob is gone, a ref to a missing commit, a
// folder that is not a repository) becomes a Warning and the scan goes on;
// unlike huggingface_hub, which then drops the whole repository from its
// report, Scan keeps what it could read so that the rest can still be listed
// and removed. A missing cache directory gives an empty Report. Scan stops
// with ctx's error when ctx ends.
func (c Cache) Scan(ctx context.Context) (*Report, error) {
	rep := &Report{Dir: c.Dir}
	root, err := c.openRoot(false)
	if isNotExist(err) {
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	defer root.Close()
	fsys := root.FS()
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("scan cache: %w", err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := e.Name()
		if ignored(name) || slices.Contains(notRepos, name) {
			continue
		}
		typ, id, ok := parseRepoFolder(name)
		if !ok {
			rep.warn(c.abs(name), "not a Hugging Face cache repository folder")
			continue
		}
		if !e.IsDir() {
			rep.warn(c.abs(name), "not a folder (links to repository folders are not followed)")
			continue
		}
		repo, err := c.scanRepo(fsys, name, typ, id, rep)
		if err != nil {
			rep.warn(c.abs(name), err.Error())
			continue
		}
		c.scanIPFS(root, name, repo, rep)
		rep.Repos = append(rep.Repos, *repo)
		rep.Size += repo.Size
		rep.Incomplete = append(rep.Incomplete, c.scanIncomplete(fsys, name)...)
	}
	return rep, nil
}

func (rep *Report) warn(p, msg string) {
	rep.Warnings = append(rep.Warnings, Warning{Path: p, Message: msg})
}

func (c Cache) abs(rel string) string { return joinRel(c.Dir, rel) }

// scanIncomplete lists the partial downloads in folder/blobs.
func (c Cache) scanIncomplete(fsys fs.FS, folder string) []IncompleteFile {
	entries, _ := fs.ReadDir(fsys, path.Join(folder, "blobs"))
	var out []IncompleteFile
	for _, e := range entries {
		if !IsPartial(e.Name()) {
			continue
		}
		if fi, err := e.Info(); err == nil {
			out = append(out, IncompleteFile{Path: c.abs(path.Join(folder, "blobs", e.Name())), Size: fi.Size()})
		}
	}
	return out
}

// scanRefs maps each commit to the refs naming it, walking refs/ down into
// refs/refs/pr/ as huggingface_hub does.
func scanRefs(fsys fs.FS, folder string) (map[string][]string, error) {
	refs := map[string][]string{}
	dir := path.Join(folder, "refs")
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if isNotExist(err) && p == dir {
			return fs.SkipDir // no refs yet
		}
		if err != nil {
			return err
		}
		if d.IsDir() || ignored(d.Name()) || !d.Type().IsRegular() {
			return nil // a link planted among the refs is no ref
		}
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(io.LimitReader(f, maxSmallFile))
		f.Close()
		if err != nil {
			return err
		}
		commit := strings.TrimSpace(string(b))
		refs[commit] = append(refs[commit], strings.TrimPrefix(p, dir+"/"))
		return nil
	})
	return refs, err
}

// statTimes returns a file's access and modification times.
func statTimes(fi fs.FileInfo) (atime, mtime time.Time) {
	return accessTime(fi), fi.ModTime()
}
