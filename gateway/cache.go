package gateway

import (
	"net/http"
	"strconv"
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
