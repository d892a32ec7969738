package gateway

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/proxy"
	"github.com/hfgate/hfgate/webauth"
)

// What admins do to the cache, from the admin API and the console:
// remove blobs, and warm files as their own downloads.

// adminCacheRemove answers POST /admin/api/cache/rm: {"keys": [...]} or
// {"repo": "owner/name"} (every file of that repo) -> {"removed": [...]}.
func (s *Server) adminCacheRemove(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Keys []string `json:"keys"`
		Repo string   `json:"repo"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	removed, err := s.removeCached(r, req.Keys, req.Repo)
	if err != nil {
		return err
	}
	webauth.WriteJSON(w, http.StatusOK, map[string]any{"removed": removed})
	return nil
}

// removeCached removes the blobs of keys, or every blob of repo, and
// records it in the audit log. A blob a client is reading is removed once
// the last reader is done.
func (s *Server) removeCached(r *http.Request, keyList []string, repo string) ([]CacheEntry, error) {
	c, err := s.cache()
	if err != nil {
		return nil, err
	}
	if (len(keyList) == 0) == (repo == "") {
		return nil, hfgate.Errorf(hfgate.EINVALID, "name the keys or the repo whose files to remove, not both")
	}
	var keys []blobcache.Key
	for _, k := range keyList {
		key, err := blobcache.ParseKey(k)
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	if repo != "" {
		for _, e := range c.List() {
			if name, _, _, ok := proxy.ParseBlobName(e.Name); ok && name == repo {
				keys = append(keys, e.Key)
			}
		}
	}
	removed := []CacheEntry{}
	for _, k := range keys {
		e, ok := c.Stat(k)
		if !ok {
			if repo == "" {
				return nil, hfgate.Errorf(hfgate.ENOTFOUND, "the cache holds no blob %s", k)
			}
			continue
		}
		if err := c.Remove(k); err != nil {
			return nil, err
		}
		removed = append(removed, cacheEntries([]blobcache.Entry{e})...)
	}
	detail := map[string]string{"blobs": strconv.Itoa(len(removed))}
	if repo != "" {
		detail["repo"] = repo
	} else {
		detail["keys"] = strings.Join(keyList, ",")
	}
	return removed, s.auditAdmin(r, "cache-remove", detail)
}

// warmed is one file a warm fetched.
type warmed struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	Commit string `json:"commit"`
	ETag   string `json:"etag"`
}

// adminCacheWarm answers POST /admin/api/cache/warm: {"repo", "revision",
// "path"} -> {"path", "size", "commit", "etag"} (see warm).
func (s *Server) adminCacheWarm(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Repo     string `json:"repo"`
		Revision string `json:"revision"`
		Path     string `json:"path"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	res, err := s.warm(r, req.Repo, req.Revision, req.Path)
	if err != nil {
		return err
	}
	webauth.WriteJSON(w, http.StatusOK, res)
	return nil
}

// warm fetches a file into the cache as if the admin calling had
// downloaded it: the same policy, rights check and audit events, through
// the proxy in-process; the bytes go nowhere.
func (s *Server) warm(r *http.Request, repo, rev, path string) (warmed, error) {
	if _, err := s.cache(); err != nil {
		return warmed{}, err
	}
	if repo == "" || path == "" {
		return warmed{}, hfgate.Errorf(hfgate.EINVALID, "name the repo and the path of the file to warm")
	}
	target := "/" + escapePath(repo) + "/resolve/" + url.PathEscape(cmpOr(rev, "main")) + "/" + escapePath(path)
	in, err := http.NewRequestWithContext(r.Context(), http.MethodGet, target, nil)
	if err != nil {
		return warmed{}, hfgate.WrapError(hfgate.EINVALID, err, "the repo, revision or path cannot make a URL")
	}
	in.RemoteAddr, in.Header = r.RemoteAddr, http.Header{"User-Agent": {"hfgate-cache-warm"}}
	sink := &discard{header: http.Header{}}
	sink.serve(s.proxy, in)
	if sink.status >= 400 {
		msg := sanitizeHeader(sink.header.Get("X-Error-Message"))
		return warmed{}, hfgate.Errorf(codeOfStatus(sink.status), "%s: %s", path, cmpOr(msg, http.StatusText(sink.status)))
	}
	if sink.aborted {
		return warmed{}, hfgate.Errorf(hfgate.EUNAVAILABLE, "%s: the transfer from the Hub could not be finished", path)
	}
	res := warmed{Path: path, Size: sink.n, Commit: sink.header.Get("X-Repo-Commit"),
		ETag: strings.Trim(sink.header.Get("ETag"), `"`)}
	return res, s.waitPublished(r.Context(), res.ETag)
}

// waitPublished waits until the cache holds the blob of etag complete: a
// fill releases its last byte once verified and publishes the file just
// after, so a warm answered at once could list it as partial.
func (s *Server) waitPublished(ctx context.Context, etag string) error {
	c, _ := s.cache()
	key, err := blobcache.ParseKey(etag)
	if err != nil || c == nil {
		return nil // not a content hash: served without the cache
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		e, ok := c.Stat(key)
		if !ok || e.Complete || !e.Filling {
			return nil // evicted already, kept, or a failed fill the client saw
		}
		select {
		case <-ctx.Done():
			return hfgate.WrapError(hfgate.EUNAVAILABLE, ctx.Err(), "the file was fetched but not yet kept")
		case <-tick.C:
		}
	}
}

// escapePath escapes each segment of a slash-separated path.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// codeOfStatus maps the proxy's answer to the error vocabulary.
func codeOfStatus(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return hfgate.EUNAUTHORIZED
	case http.StatusForbidden:
		return hfgate.EFORBIDDEN
	case http.StatusNotFound:
		return hfgate.ENOTFOUND
	case http.StatusBadRequest, http.StatusRequestedRangeNotSatisfiable:
		return hfgate.EINVALID
	}
	return hfgate.EUNAVAILABLE
}
