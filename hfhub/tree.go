package hfhub

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
)

// treeJSON is one entry of /api/models/{id}/tree/{rev} (reference §3).
type treeJSON struct {
	Type string `json:"type"` // "file" or "directory"
	OID  string `json:"oid"`  // git blob (or tree) sha1
	Size int64  `json:"size"`
	Path string `json:"path"`
	LFS  *struct {
		OID         string `json:"oid"` // the content's sha256
		Size        int64  `json:"size"`
		PointerSize int64  `json:"pointerSize"`
	} `json:"lfs"`
}

// Tree lists the entries under dir ("" for the root) of a repository at
// revision rev ("" for the default branch): its children, or with
// recursive every descendant, directories included. It follows the Link
// pagination to the end. The revision and dir are each escaped whole, as
// huggingface_hub's list_repo_tree does.
//
// For an LFS file, RepoFile.LFS.SHA256 is the content's SHA-256 (the
// tree's lfs.oid). Every path the server sends is checked with
// hfgate.ValidateRepoPath; an unsafe one fails the call with EINVALID. A
// dir that does not exist is ENOTFOUND (EntryNotFound); other errors are
// those of hfgate.Hub.
func (c *Client) Tree(ctx context.Context, repo hfgate.RepoID, rev, dir string, recursive bool) ([]hfgate.RepoFile, error) {
	if rev == "" {
		rev = hfgate.DefaultRevision
	}
	if err := checkRepo(repo, rev, true); err != nil {
		return nil, err
	}
	if dir != "" {
		if err := hfgate.ValidateRepoPath(dir); err != nil {
			return nil, err
		}
	}
	if err := c.init(); err != nil {
		return nil, err
	}
	path := "models/" + escapePath(string(repo)) + "/tree/" + escapeAll(rev)
	if dir != "" {
		path += "/" + escapeAll(dir)
	}
	next := c.apiURL(path, url.Values{"recursive": {strconv.FormatBool(recursive)}})
	t := target{repo: repo, rev: rev, path: dir}
	var out []hfgate.RepoFile
	pages := c.newPager(next)
	for next != "" {
		var page []treeJSON
		link, err := c.getJSON(ctx, next, t, &page)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if f := e.repoFile(); c.checkFile(string(repo), f) {
				out = append(out, f)
			}
		}
		if next, err = pages.next(link); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (e *treeJSON) repoFile() hfgate.RepoFile {
	f := hfgate.RepoFile{Path: e.Path, IsDir: e.Type == "directory", Size: e.Size, BlobID: strings.ToLower(e.OID)}
	if e.LFS != nil {
		f.LFS = &hfgate.LFSInfo{SHA256: strings.ToLower(e.LFS.OID), Size: e.LFS.Size, PointerSize: e.LFS.PointerSize}
	}
	return f
}
