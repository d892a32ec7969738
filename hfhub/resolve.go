package hfhub

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
)

// safeETag is what an ETag may look like once unquoted: it names a blob
// file in the cache (blobs/<etag>), so it must be one safe file name.
var safeETag = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9_.-]*$`)

// FileMetadata resolves a file at revision rev ("" for the default
// branch) without downloading it, as huggingface_hub's get_hf_file_metadata
// does: HEAD /{repo}/resolve/{rev}/{path} with Accept-Encoding: identity
// (so that Content-Length is the real size), following relative redirects
// (repo renames) but not the absolute one to the CDN.
//
// ETag is X-Linked-Etag, else ETag, without W/ and quotes, hex digits in
// lower case: the SHA-256 for LFS files, the git blob sha1 otherwise. Size is X-Linked-Size, else
// Content-Length. Commit is X-Repo-Commit. Location is the redirect target
// (absolute; a signed CDN URL that expires, typically after an hour), else
// the resolve URL itself.
//
// path is checked with hfgate.ValidateRepoPath first (EINVALID). An answer
// without X-Repo-Commit, or with an unusable ETag or size (above
// hfgate.MaxFileSize included), is EUNAVAILABLE:
// the endpoint is not a Hub, or a proxy rewrites its answers. A missing
// file is ENOTFOUND, and EntryNotFoundCommit(err) gives the commit at which
// it is missing. Other errors are those of hfgate.Hub.
func (c *Client) FileMetadata(ctx context.Context, repo hfgate.RepoID, rev, path string) (*hfgate.FileMetadata, error) {
	if rev == "" {
		rev = hfgate.DefaultRevision
	}
	if err := checkRepo(repo, rev, true); err != nil {
		return nil, err
	}
	if err := hfgate.ValidateRepoPath(path); err != nil {
		return nil, err
	}
	if err := c.init(); err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, &request{
		method: http.MethodHead,
		url:    c.ResolveURL(repo, rev, path),
		header: http.Header{"Accept-Encoding": {"identity"}},
		follow: followRelative,
		accept: func(s int) bool { return s >= 200 && s < 400 },
		target: target{repo: repo, rev: rev, path: path},
	})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	h := resp.Header
	bad := func(what string) error {
		return hfgate.Errorf(hfgate.EUNAVAILABLE,
			"%s did not send %s: it is not a Hugging Face Hub, or a proxy strips headers (resolving %s)", c.base(), what, path)
	}
	meta := &hfgate.FileMetadata{Repo: repo, Revision: rev, Path: path, Commit: h.Get("X-Repo-Commit")}
	if meta.Commit == "" {
		return nil, bad("X-Repo-Commit")
	}
	if !hfgate.IsCommitHash(meta.Commit) {
		return nil, bad("a valid X-Repo-Commit")
	}
	meta.ETag = normalizeETag(firstHeader(h, "X-Linked-Etag", "ETag"))
	if isHex(meta.ETag) {
		meta.ETag = strings.ToLower(meta.ETag) // an upper-case SHA-256 is a SHA-256
	}
	if !safeETag.MatchString(meta.ETag) || strings.Contains(meta.ETag, "..") {
		return nil, bad("a usable ETag")
	}
	meta.Size = -1
	if v := firstHeader(h, "X-Linked-Size", "Content-Length"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			meta.Size = n
		}
	} else if resp.ContentLength >= 0 {
		meta.Size = resp.ContentLength
	}
	if meta.Size < 0 {
		return nil, bad("the file size")
	}
	if meta.Size > hfgate.MaxFileSize {
		return nil, hfgate.Errorf(hfgate.EUNAVAILABLE,
			"%s sent an implausible size for %s (%d bytes): refusing it", c.base(), path, meta.Size)
	}
	meta.Location = resp.Request.URL.String()
	if loc := h.Get("Location"); loc != "" {
		u, err := resp.Request.URL.Parse(loc)
		if err != nil {
			return nil, bad("a valid Location")
		}
		meta.Location = u.String()
	}
	return meta, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; !('0' <= s[i] && s[i] <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return s != ""
}

// normalizeETag strips a weak marker and quotes: W/"abc" → abc.
func normalizeETag(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "W/")
	return strings.Trim(v, `"`)
}
