package gateway

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/proxy"
)

// cacheView is the console's cache page: the figures, the largest
// entries, and the forms that warm a file and evict one.
type cacheView struct {
	Enabled  bool
	Stats    CacheStats
	Size     string // "12.3 GB of 500 GB"
	HitRatio string
	Saved    string
	Upstream string
	Entries  []cacheLine
	Notice   string // what the last form did
}

// cacheLine is an entry as the page shows it.
type cacheLine struct {
	Key, Repo, Commit, Path, Size, State, LastUsed string
}

// consoleCache shows GET /admin/cache.
func (s *Server) consoleCache(w http.ResponseWriter, r *http.Request) error {
	v := &cacheView{}
	if c, err := s.cache(); err == nil {
		v.Notice = cacheNotice(c, r.URL.Query())
		st := cacheStats(c)
		v.Enabled, v.Stats = true, st
		v.Size = byteText(st.Size)
		if st.MaxSize > 0 {
			v.Size += " of " + byteText(st.MaxSize)
		}
		v.HitRatio = strconv.FormatFloat(100*st.HitRatio, 'f', 1, 64) + "%"
		v.Saved, v.Upstream = byteText(st.BytesSaved), byteText(st.BytesUpstream)
		for _, e := range cacheEntries(c.Largest(25)) {
			state := "complete"
			if !e.Complete {
				state = "partial, " + strconv.FormatInt(100*e.Filled/max(e.Size, 1), 10) + "%"
			}
			v.Entries = append(v.Entries, cacheLine{Key: e.Key, Repo: clean(e.Repo, 200), Commit: e.Commit,
				Path: clean(e.Path, 300), Size: byteText(e.Size), State: state, LastUsed: e.LastUsed.Format(time.DateTime) + " UTC"})
		}
	}
	return s.renderConsole(w, r, "admin-cache", "Cache", v)
}

// consoleCacheWarm handles the warm form: one file of a repo.
func (s *Server) consoleCacheWarm(w http.ResponseWriter, r *http.Request) error {
	res, err := s.warm(r, strings.TrimSpace(r.PostFormValue("repo")), strings.TrimSpace(r.PostFormValue("revision")),
		strings.TrimSpace(r.PostFormValue("path")))
	if err != nil {
		return err
	}
	return backToCache(w, r, url.Values{"warmed": {res.ETag}})
}

// consoleCacheEvict handles an entry's Evict button.
func (s *Server) consoleCacheEvict(w http.ResponseWriter, r *http.Request) error {
	removed, err := s.removeCached(r, []string{r.PostFormValue("key")}, "")
	if err != nil {
		return err
	}
	return backToCache(w, r, url.Values{"evicted": {strconv.Itoa(len(removed))}})
}

// backToCache shows the cache page after a form, with what it did in the
// query: a key warmed or a number of files evicted, never words, so that a
// crafted link cannot make the page say what it likes.
func backToCache(w http.ResponseWriter, r *http.Request, done url.Values) error {
	http.Redirect(w, r, "/admin/cache?"+done.Encode(), http.StatusSeeOther)
	return nil
}

// cacheNotice words what backToCache's query says was done: the warmed
// file as the cache itself names it, or the number of files evicted.
func cacheNotice(c *blobcache.Cache, q url.Values) string {
	if k, err := blobcache.ParseKey(q.Get("warmed")); err == nil {
		if e, ok := c.Stat(k); ok {
			_, _, path, _ := proxy.ParseBlobName(e.Name)
			return "warmed " + clean(path, 300) + " (" + byteText(e.Size) + ")"
		}
	}
	if n, err := strconv.Atoi(q.Get("evicted")); err == nil && n >= 0 {
		if n == 1 {
			return "evicted 1 file"
		}
		return "evicted " + strconv.Itoa(n) + " files"
	}
	return ""
}

// byteText writes n bytes in decimal units, as the Hub's pages do.
func byteText(n int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB"}
	f, i := float64(n), 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if i == 0 {
		return strconv.FormatInt(n, 10) + " B"
	}
	return strconv.FormatFloat(f, 'f', 1, 64) + " " + units[i]
}
