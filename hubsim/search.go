package hubsim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubroute"
)

// Page sizes of GET /api/models. UNVERIFIED: the real default and maximum
// (a third-party OpenAPI rewrite says 1000).
const (
	defaultSearchLimit = 1000
	maxSearchLimit     = 1000
)

var sortKeys = map[string]func(*repoEntry) int64{
	"trendingScore": func(re *repoEntry) int64 { return re.TrendingScore },
	"downloads":     func(re *repoEntry) int64 { return re.Downloads },
	"likes":         func(re *repoEntry) int64 { return re.Likes },
	"lastModified":  func(re *repoEntry) int64 { return re.lastModified.UnixMilli() },
	"createdAt":     func(re *repoEntry) int64 { return re.createdAt.UnixMilli() },
}

// searchCursor is the opaque cursor: the sort key and the last item's sort
// value and id. Because it names a position rather than an offset, pages
// stay consistent even if requests interleave.
type searchCursor struct {
	Sort  string `json:"s"`
	Value int64  `json:"v"`
	ID    string `json:"id"`
}

// handleSearch serves GET /api/models, /api/datasets and /api/spaces:
// search, author, filter (repeatable; all must be tags), pipeline_tag
// (models), gated, apps (models), sort (always descending; default
// trendingScore, UNVERIFIED), limit (page size), full, config (models),
// cardData, expand, and cursor pagination through Link rel="next". Private
// repos are listed to those who may see them; disabled repos are not
// listed (UNVERIFIED).
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request, rt hubroute.Route) {
	typ := rt.Type
	p, ok := s.authenticate(r)
	if !ok {
		errInvalidCredentials.write(w, r)
		return
	}
	q := r.URL.Query()
	bad := func(msg string) { writeHubError(w, r, http.StatusBadRequest, "", msg) }
	expand, err := expandParams(q, typ)
	if err != nil {
		bad(err.Error())
		return
	}
	var full, config, cardData bool
	for _, b := range []struct {
		name string
		v    *bool
	}{{"full", &full}, {"config", &config}, {"cardData", &cardData}} {
		if *b.v, err = queryBool(q, b.name); err != nil {
			bad(err.Error())
			return
		}
	}
	match, err := searchFilter(q, typ)
	if err != nil {
		bad(err.Error())
		return
	}
	sortName := q.Get("sort")
	if sortName == "" {
		sortName = "trendingScore"
	}
	key := sortKeys[sortName]
	if key == nil {
		bad(`"sort" must be one of trendingScore, downloads, likes, lastModified, createdAt`)
		return
	}
	limit := defaultSearchLimit
	if l := q.Get("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 {
			bad(`"limit" must be a positive integer`)
			return
		}
		limit = min(limit, maxSearchLimit)
	}
	var after *searchCursor
	if c := q.Get("cursor"); c != "" {
		if after = decodeCursor(c); after == nil || after.Sort != sortName {
			bad("Invalid cursor")
			return
		}
	}

	var hits []*repoEntry
	for _, re := range s.hub.idx.order {
		if re.typ == typ && canSee(p, re) && !re.Disabled && match(re) {
			hits = append(hits, re)
		}
	}
	slices.SortStableFunc(hits, func(a, b *repoEntry) int {
		if ka, kb := key(a), key(b); ka != kb {
			return compareInt(kb, ka)
		}
		return strings.Compare(a.ID, b.ID)
	})
	if after != nil {
		i, _ := slices.BinarySearchFunc(hits, after, func(re *repoEntry, c *searchCursor) int {
			if k := key(re); k != c.Value {
				return compareInt(c.Value, k)
			}
			return strings.Compare(re.ID, c.ID)
		})
		for i < len(hits) && key(hits[i]) == after.Value && hits[i].ID == after.ID {
			i++
		}
		hits = hits[i:]
	}
	more := len(hits) > limit
	hits = hits[:min(limit, len(hits))]

	keys := keysOf[typ].list
	if len(expand) > 0 {
		keys = expandKeys(expand, typ)
	} else {
		add := func(ok bool, k ...string) {
			if ok {
				keys = append(keys[:len(keys):len(keys)], k...)
			}
		}
		add(full, keysOf[typ].full...)
		add(config && typ == hfgate.RepoTypeModel, "config")
		add(cardData && !slices.Contains(keys, "cardData"), "cardData")
	}
	items := make([]jsonObject, 0, len(hits))
	for _, re := range hits {
		obj, err := (&repoView{s: s, re: re, c: re.main}).object(keys)
		if err != nil {
			writeInternalError(w, r, err)
			return
		}
		items = append(items, obj)
	}
	if more {
		last := hits[len(hits)-1]
		next := encodeCursor(searchCursor{Sort: sortName, Value: key(last), ID: last.ID})
		w.Header().Set("Link", "<"+nextPageURL(r, next)+`>; rel="next"`)
	}
	writeHubJSON(w, r, items)
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func encodeCursor(c searchCursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) *searchCursor {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil
	}
	var c searchCursor
	if json.Unmarshal(b, &c) != nil {
		return nil
	}
	return &c
}

// nextPageURL is the absolute URL of the request with every parameter kept
// and the cursor replaced.
func nextPageURL(r *http.Request, cursor string) string {
	q := r.URL.Query()
	q.Set("cursor", cursor)
	return pageURL(r, q)
}
