package hfhub

import (
	"context"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
)

// SearchPageMax is the largest page Search asks for, as huggingface.js
// does (min(limit, 500)). The Hub's own maximum is UNVERIFIED.
const SearchPageMax = 500

// searchExpand are the properties every search asks for: what the model
// browser shows. huggingface.js always expands the first six; gated in
// particular is not in the Hub's default item. With expand, the Hub returns
// only these (plus _id and id).
var searchExpand = []string{"pipeline_tag", "private", "gated", "downloads", "likes", "lastModified",
	"tags", "library_name", "author", "createdAt", "trendingScore"}

var sorts = []string{hfgate.SortDownloads, hfgate.SortLikes, hfgate.SortTrending, hfgate.SortUpdated, hfgate.SortCreated}

// Search lists the models matching q, best first by q.Sort, following the
// Hub's cursor pagination (Link rel="next") until the last page or until
// q.Limit results were yielded: it never fetches a page it will not use.
// Each page asks for min(q.Limit, SearchPageMax) models (the Hub's default
// page size when q.Limit is 0).
//
// q.Library and q.Filters are sent as filter= tags (the Hub has no library
// parameter; huggingface_hub sends library names as filters, so "gguf"
// selects GGUF repos). q.MinDownloads is applied here, since the Hub has no
// such filter; with q.Sort == hfgate.SortDownloads the listing stops at the
// first model below it. Failed pages are retried like every request (429
// included, honouring Retry-After).
//
// A model whose id the Hub would not make is left out and reported to
// OnMalformed. A next-page link back to a page already read (pagination
// that loops) ends the listing with EUNAVAILABLE.
//
// An error is yielded once, with a nil model, and ends the sequence: EINVALID
// for a bad query, else the errors of hfgate.Hub.
func (c *Client) Search(ctx context.Context, q hfgate.SearchQuery) iter.Seq2[*hfgate.Model, error] {
	return func(yield func(*hfgate.Model, error) bool) {
		first, err := c.searchURL(q)
		if err != nil {
			yield(nil, err)
			return
		}
		n := 0
		pages := c.newPager(first)
		for next := first; next != ""; {
			models, link, err := c.searchPage(ctx, q, next)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, m := range models {
				if !yield(m, nil) {
					return
				}
				if n++; q.Limit > 0 && n >= q.Limit {
					return
				}
			}
			var u *url.URL
			if link != "" {
				u, _ = url.Parse(link)
			}
			if next, err = pages.next(u); err != nil {
				yield(nil, err)
				return
			}
		}
	}
}

// SearchPage returns one page of the models matching q: the first when
// cursor is "", else the page at cursor, a next URL that an earlier call
// returned (for a "load more" button). next is "" after the last page.
// q.MinDownloads is applied as in Search; q.Limit only sets the page size.
//
// cursor may come from an untrusted client, so it must be an /api/models
// URL on the endpoint's own origin; anything else is EINVALID (the server
// would otherwise fetch any URL it is handed). Errors are those of Search.
func (c *Client) SearchPage(ctx context.Context, q hfgate.SearchQuery, cursor string) (models []*hfgate.Model, next string, err error) {
	first, err := c.searchURL(q)
	if err != nil {
		return nil, "", err
	}
	if cursor == "" {
		return c.searchPage(ctx, q, first)
	}
	u, err := url.Parse(cursor)
	if err != nil || !u.IsAbs() || !c.sameOrigin(u) || u.Path != c.endpoint.Path+"/api/models" {
		return nil, "", hfgate.Errorf(hfgate.EINVALID, "invalid search cursor: it must be a next-page link of %s/api/models", c.base())
	}
	return c.searchPage(ctx, q, cursor)
}

// searchPage fetches one page and applies q.MinDownloads.
func (c *Client) searchPage(ctx context.Context, q hfgate.SearchQuery, pageURL string) ([]*hfgate.Model, string, error) {
	var page []modelJSON
	link, err := c.getJSON(ctx, pageURL, target{}, &page)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if link != nil {
		next = link.String()
	}
	out := make([]*hfgate.Model, 0, len(page))
	for i := range page {
		m, ok := page[i].model(c)
		if !ok {
			continue // an invalid id never becomes a link or a request
		}
		if m.Downloads < q.MinDownloads {
			if q.Sort == hfgate.SortDownloads {
				return out, "", nil // sorted by downloads: the rest are below too
			}
			continue
		}
		out = append(out, m)
	}
	return out, next, nil
}

// searchURL checks q and builds the first page's URL.
func (c *Client) searchURL(q hfgate.SearchQuery) (string, error) {
	switch {
	case q.Sort != "" && !slices.Contains(sorts, q.Sort):
		return "", hfgate.Errorf(hfgate.EINVALID, "cannot sort by %q: use one of %s", q.Sort, strings.Join(sorts, ", "))
	case q.Limit < 0:
		return "", hfgate.Errorf(hfgate.EINVALID, "the search limit must not be negative (0 means no limit)")
	case q.MinDownloads < 0:
		return "", hfgate.Errorf(hfgate.EINVALID, "the minimum download count must not be negative")
	}
	if err := c.init(); err != nil {
		return "", err
	}
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("search", q.Search)
	set("author", q.Author)
	for _, f := range dedupe(append(slices.Clone(q.Filters), q.Library)) {
		v.Add("filter", f)
	}
	set("pipeline_tag", q.Task)
	set("sort", q.Sort)
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(min(q.Limit, SearchPageMax)))
	}
	if q.Gated != nil {
		v.Set("gated", strconv.FormatBool(*q.Gated))
	}
	for _, e := range dedupe(append(slices.Clone(searchExpand), q.Expand...)) {
		v.Add("expand", e)
	}
	return c.apiURL("models", v), nil
}

// dedupe drops empty and repeated values, keeping the first order.
func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
