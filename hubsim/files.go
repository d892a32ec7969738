package hubsim

import (
	"fmt"
	"io"
	"net/url"
	"strings"
)

// FileInfo describes one file of a repo at a revision, as the Hub reports it
// (tree entries, siblings with blobs=true, resolve headers). Tests use it as
// the expected value of a download.
type FileInfo struct {
	Repo     string // the repo's current id
	Revision string // as asked
	Commit   string // the commit the revision resolved to (X-Repo-Commit)
	Path     string
	Size     int64
	LFS      bool   // stored in Git LFS: resolve redirects to the CDN
	SHA256   string // hex SHA-256 of the content
	BlobID   string // git object id: of the LFS pointer for LFS files, of the content otherwise
	// ETag is the unquoted value resolve sends: SHA256 (X-Linked-Etag) for
	// LFS files, BlobID (ETag) otherwise. It names the blob in the
	// huggingface_hub cache.
	ETag string

	pointerSize int64
}

// Stat describes a file of a repo at a revision ("" means main). repo is
// "owner/name" for a model, "datasets/owner/name" or "spaces/owner/name"
// for the others, and may be an old id of a renamed repo. It ignores visibility: private, gated and
// disabled repos are described too. It computes the SHA-256 if the catalog
// neither commits nor gives it, which reads the whole file once.
func (c *Catalog) Stat(repo, rev, path string) (FileInfo, error) {
	re, f, commit, err := c.find(repo, rev, path)
	if err != nil {
		return FileInfo{}, err
	}
	fi, err := c.idx.stat(f)
	if err != nil {
		return FileInfo{}, err
	}
	fi.Repo, fi.Revision, fi.Commit = re.ID, rev, commit.id
	return fi, nil
}

// Open returns the content of a file of a repo at a revision ("" means
// main) as an io.ReadSeeker, and its size. Reading is deterministic and
// costs no disk; any offset can be read directly.
func (c *Catalog) Open(repo, rev, path string) (io.ReadSeeker, int64, error) {
	_, f, _, err := c.find(repo, rev, path)
	if err != nil {
		return nil, 0, err
	}
	ct, err := f.src.content()
	if err != nil {
		return nil, 0, err
	}
	return newContentReader(ct, -1), ct.size(), nil
}

func (c *Catalog) find(repo, rev, path string) (*repoEntry, *fileEntry, *commitEntry, error) {
	re, _ := c.idx.lookupTyped(repo)
	if re == nil {
		return nil, nil, nil, fmt.Errorf("hubsim: no repo %s", repo)
	}
	commit, herr := resolveRevision(re, rev)
	if herr != nil {
		return nil, nil, nil, fmt.Errorf("hubsim: repo %s has no revision %s", repo, rev)
	}
	f := commit.byPath[path]
	if f == nil {
		return nil, nil, nil, fmt.Errorf("hubsim: repo %s has no file %s at %s", repo, path, rev)
	}
	return re, f, commit, nil
}

// stat fills the size and digests of a file.
func (idx *catalogIndex) stat(f *fileEntry) (FileInfo, error) {
	ct, err := f.src.content()
	if err != nil {
		return FileInfo{}, err
	}
	fi := FileInfo{Path: f.path, Size: ct.size(), LFS: f.lfs}
	if fi.SHA256, err = idx.digests.sha256(f.src); err != nil {
		return FileInfo{}, err
	}
	if f.lfs {
		ptr := lfsPointer(fi.SHA256, fi.Size)
		fi.BlobID, fi.pointerSize, fi.ETag = gitSHA1([]byte(ptr)), int64(len(ptr)), fi.SHA256
		return fi, nil
	}
	if fi.BlobID, err = idx.digests.gitBlobSHA1(f.src); err != nil {
		return FileInfo{}, err
	}
	fi.ETag = fi.BlobID
	return fi, nil
}

// Catalog returns the catalog the server serves.
func (s *Server) Catalog() *Catalog { return s.catalog }

// ResolveURL returns the Hub URL that downloads a file:
// {URL}/{repo}/resolve/{rev}/{path}, with rev escaped whole (refs%2Fpr%2F1)
// and path escaped per segment, as huggingface_hub builds it. rev ""
// means main. repo is named as in Catalog.Stat ("datasets/owner/name" for
// a dataset).
func (s *Server) ResolveURL(repo, rev, path string) string {
	if rev == "" {
		rev = "main"
	}
	return s.URL() + "/" + repo + "/resolve/" + url.PathEscape(rev) + "/" + escapePath(path)
}

func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
