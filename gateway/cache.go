package gateway

import (
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

// This file is the admin API of the replica's file cache (Config.Proxy's
// Cache): what it holds, removing entries and warming files. The cache is
// per replica (a directory only its process may open), so these answer
// for the replica that serves the request; `hfgate admin cache` calls
// them on the gateway URL it is given.

// CacheEntry is one blob of the cache in the admin API.
type CacheEntry struct {
	Key      string    `json:"key"`
	Repo     string    `json:"repo,omitempty"`
	Commit   string    `json:"commit,omitempty"`
	Path     string    `json:"path,omitempty"`
	Size     int64     `json:"size"`
	Filled   int64     `json:"filled"`
	Complete bool      `json:"complete"`
	Filling  bool      `json:"filling,omitempty"`
	Readers  int       `json:"readers,omitempty"`
	LastUsed time.Time `json:"last_used"`
}

// CacheStats is the cache's figures in the admin API (blobcache.Stats and
// MetaStats); the counters run from the replica's start.
type CacheStats struct {
	Size          int64   `json:"size"`
	MaxSize       int64   `json:"max_size"` // 0: no bound
	Blobs         int     `json:"blobs"`
	Partial       int     `json:"partial"`
	Fills         int     `json:"fills_running"`
	Hits          int64   `json:"hits"`
	Joins         int64   `json:"joins"`
	Misses        int64   `json:"misses"`
	HitRatio      float64 `json:"hit_ratio"` // (hits + joins) / opens
	BytesServed   int64   `json:"bytes_served"`
	BytesUpstream int64   `json:"bytes_upstream"`
	BytesSaved    int64   `json:"bytes_saved"`
	Evictions     int64   `json:"evictions"`
	EvictedBytes  int64   `json:"evicted_bytes"`
	FillsDone     int64   `json:"fills_done"`
	FillsFailed   int64   `json:"fills_failed"`
	Integrity     int64   `json:"integrity_failures"`
	Retries       int64   `json:"retries"`
	Revisions     int     `json:"revisions"`
	Docs          int     `json:"docs"`
	DocBytes      int64   `json:"doc_bytes"`
}

func cacheEntries(list []blobcache.Entry) []CacheEntry {
	out := make([]CacheEntry, 0, len(list))
	for _, e := range list {
		c := CacheEntry{Key: string(e.Key), Size: e.Size, Filled: e.Filled, Complete: e.Complete,
			Filling: e.Filling, Readers: e.Readers, LastUsed: e.LastUsed.UTC()}
		c.Repo, c.Commit, c.Path, _ = proxy.ParseBlobName(e.Name)
		out = append(out, c)
	}
	return out
}

func cacheStats(c *blobcache.Cache) CacheStats {
	st, m := c.Stats(), c.Meta().Stats()
	out := CacheStats{Size: st.Size, MaxSize: st.MaxSize, Blobs: st.Blobs, Partial: st.Partial, Fills: st.Fills,
		Hits: st.Hits, Joins: st.Joins, Misses: st.Misses, BytesServed: st.BytesServed, BytesUpstream: st.BytesUpstream,
		BytesSaved: st.BytesSaved(), Evictions: st.Evictions, EvictedBytes: st.EvictedBytes, FillsDone: st.FillsDone,
		FillsFailed: st.FillsFailed, Integrity: st.IntegrityFailures, Retries: st.Retries,
		Revisions: m.Revisions, Docs: m.Docs, DocBytes: m.DocBytes}
	if opens := st.Hits + st.Joins + st.Misses; opens > 0 {
		out.HitRatio = float64(st.Hits+st.Joins) / float64(opens)
	}
	return out
}

// cache returns the replica's file cache, or ENOTFOUND without one.
func (s *Server) cache() (*blobcache.Cache, error) {
	if c := s.cfg.Proxy.Cache; c != nil && s.proxy != nil {
		return c, nil
	}
	return nil, hfgate.Errorf(hfgate.ENOTFOUND, "this gateway keeps no file cache (the config has no [cache] dir)")
}

// adminCache answers GET /admin/api/cache: the figures and the entries,
// every entry, or the ?largest=N largest.
func (s *Server) adminCache(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cache()
	if err != nil {
		return err
	}
	list := c.List()
	if n, err := strconv.Atoi(r.URL.Query().Get("largest")); err == nil && n > 0 {
		list = c.Largest(n)
	}
	webauth.WriteJSON(w, http.StatusOK, map[string]any{"stats": cacheStats(c), "entries": cacheEntries(list)})
	return nil
}

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
	return warmed{Path: path, Size: sink.n, Commit: sink.header.Get("X-Repo-Commit"),
		ETag: strings.Trim(sink.header.Get("ETag"), `"`)}, nil
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
