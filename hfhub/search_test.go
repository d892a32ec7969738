package hfhub

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
)

// pagedModels serves /api/models from models in pages of size items,
// linking each page to the next with an absolute Link, GitHub style. The
// cursor is the index of the page's first item.
func pagedModels(t *testing.T, models []map[string]any, size int) *fake {
	var f *fake
	f = newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/models" {
			t.Errorf("path %s, want /api/models", r.URL.Path)
		}
		q := r.URL.Query()
		start, _ := strconv.Atoi(q.Get("cursor"))
		end := min(start+size, len(models))
		if end < len(models) {
			q.Set("cursor", strconv.Itoa(end))
			w.Header().Add("Link", fmt.Sprintf(`<%s/api/models?%s>; rel="next"`, f.URL, q.Encode()))
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(models[start:end])
	})
	return f
}

func modelList(downloads ...int64) []map[string]any {
	var out []map[string]any
	for i, d := range downloads {
		out = append(out, map[string]any{"_id": strconv.Itoa(i), "id": fmt.Sprintf("org/m%d", i), "downloads": d,
			"gated": false, "tags": []string{"gguf"}, "createdAt": "2024-05-01T10:00:00.000Z"})
	}
	return out
}

func collect(t *testing.T, c *Client, q hfgate.SearchQuery) []string {
	t.Helper()
	var ids []string
	for m, err := range c.Search(context.Background(), q) {
		if err != nil {
			t.Fatalf("Search: %v", err)
		}
		ids = append(ids, string(m.ID))
	}
	return ids
}

func TestSearchFollowsLinkToTheEnd(t *testing.T) {
	f := pagedModels(t, modelList(60, 50, 40, 30, 20, 10), 2)
	c := newClient(f.URL, testToken)
	ids := collect(t, c, hfgate.SearchQuery{Search: "coder", Filters: []string{"gguf"}, Sort: hfgate.SortDownloads})
	if want := []string{"org/m0", "org/m1", "org/m2", "org/m3", "org/m4", "org/m5"}; !slices.Equal(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("server saw %d requests, want 3 pages", len(reqs))
	}
	for i, r := range reqs {
		q, _ := url.ParseQuery(r.Query)
		if q.Get("search") != "coder" || q.Get("sort") != "downloads" || !slices.Equal(q["filter"], []string{"gguf"}) {
			t.Errorf("page %d lost parameters: %s", i+1, r.Query)
		}
		if r.Auth != "Bearer "+testToken {
			t.Errorf("page %d: Authorization %q", i+1, r.Auth)
		}
	}
}

func TestSearchLimitStopsEarly(t *testing.T) {
	// The fake ignores limit and sends pages of 2: with Limit 4 the client
	// must stop after page 2, without fetching page 3.
	f := pagedModels(t, modelList(60, 50, 40, 30, 20, 10), 2)
	ids := collect(t, newClient(f.URL, ""), hfgate.SearchQuery{Limit: 4})
	if len(ids) != 4 {
		t.Errorf("got %d models, want 4", len(ids))
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("server saw %d requests, want 2", n)
	}
	if q, _ := url.ParseQuery(f.requests()[0].Query); q.Get("limit") != "4" {
		t.Errorf("limit = %q, want 4", q.Get("limit"))
	}
}

func TestSearchBreakStopsFetching(t *testing.T) {
	f := pagedModels(t, modelList(60, 50, 40, 30, 20, 10), 2)
	for range newClient(f.URL, "").Search(context.Background(), hfgate.SearchQuery{}) {
		break
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestSearchMinDownloads(t *testing.T) {
	t.Run("sorted by downloads stops at the threshold", func(t *testing.T) {
		f := pagedModels(t, modelList(60, 50, 40, 30, 20, 10), 2)
		ids := collect(t, newClient(f.URL, ""), hfgate.SearchQuery{Sort: hfgate.SortDownloads, MinDownloads: 35})
		if want := []string{"org/m0", "org/m1", "org/m2"}; !slices.Equal(ids, want) {
			t.Errorf("ids = %v, want %v", ids, want)
		}
		if n := len(f.requests()); n != 2 {
			t.Errorf("server saw %d requests, want 2 (page 3 cannot hold any)", n)
		}
	})
	t.Run("other sorts filter every page", func(t *testing.T) {
		f := pagedModels(t, modelList(5, 50, 1, 30, 20, 100), 2)
		ids := collect(t, newClient(f.URL, ""), hfgate.SearchQuery{Sort: hfgate.SortLikes, MinDownloads: 20})
		if want := []string{"org/m1", "org/m3", "org/m4", "org/m5"}; !slices.Equal(ids, want) {
			t.Errorf("ids = %v, want %v", ids, want)
		}
	})
}

func TestSearchQueryParameters(t *testing.T) {
	f := pagedModels(t, nil, 2)
	yes := true
	collect(t, newClient(f.URL, ""), hfgate.SearchQuery{
		Search: "qwen coder", Author: "Qwen", Filters: []string{"gguf", "conversational", "gguf"}, Library: "transformers",
		Task: "text-generation", Sort: hfgate.SortTrending, Limit: 2000, Gated: &yes, Expand: []string{"gguf", "likes"},
	})
	q, _ := url.ParseQuery(f.requests()[0].Query)
	for k, want := range map[string][]string{
		"search": {"qwen coder"}, "author": {"Qwen"}, "filter": {"gguf", "conversational", "transformers"},
		"pipeline_tag": {"text-generation"}, "sort": {"trendingScore"}, "limit": {"500"}, "gated": {"true"},
		"expand": {"pipeline_tag", "private", "gated", "downloads", "likes", "lastModified", "tags", "library_name",
			"author", "createdAt", "trendingScore", "gguf"},
	} {
		if !slices.Equal(q[k], want) {
			t.Errorf("%s = %q, want %q", k, q[k], want)
		}
	}
	if _, ok := q["library"]; ok {
		t.Error("sent library=, which the Hub does not document; libraries are filter tags")
	}
}

func TestSearchInvalidQuery(t *testing.T) {
	f := pagedModels(t, nil, 2)
	for _, q := range []hfgate.SearchQuery{{Sort: "stars"}, {Limit: -1}, {MinDownloads: -5}} {
		for _, err := range newClient(f.URL, "").Search(context.Background(), q) {
			wantCode(t, err, hfgate.EINVALID)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("server saw %d requests, want none", n)
	}
}

func TestSearchPage(t *testing.T) {
	f := pagedModels(t, modelList(60, 50, 40, 30, 20), 2)
	c := newClient(f.URL, "")
	ctx := context.Background()
	var ids []string
	cursor := ""
	for pages := 0; ; pages++ {
		models, next, err := c.SearchPage(ctx, hfgate.SearchQuery{Limit: 2}, cursor)
		if err != nil {
			t.Fatalf("SearchPage(%q): %v", cursor, err)
		}
		for _, m := range models {
			ids = append(ids, string(m.ID))
		}
		if next == "" {
			break
		}
		if pages > 5 {
			t.Fatal("no end")
		}
		cursor = next
	}
	if len(ids) != 5 {
		t.Errorf("ids = %v, want 5", ids)
	}

	before := len(f.requests())
	for _, bad := range []string{"http://attacker.example/api/models?cursor=2", f.URL + "/api/whoami-v2", "/api/models?cursor=2", "::"} {
		_, _, err := c.SearchPage(ctx, hfgate.SearchQuery{}, bad)
		wantCode(t, err, hfgate.EINVALID, "invalid search cursor")
	}
	if n := len(f.requests()); n != before {
		t.Errorf("bad cursors made %d requests", n-before)
	}
}

func TestNextLink(t *testing.T) {
	base, _ := url.Parse("https://huggingface.co/api/models?limit=2")
	for _, tt := range []struct {
		header []string
		want   string
	}{
		{nil, ""},
		{[]string{`<https://huggingface.co/api/models?cursor=abc&limit=2>; rel="next"`}, "https://huggingface.co/api/models?cursor=abc&limit=2"},
		{[]string{`<https://x/prev>; rel="prev", <https://x/next?a=1,2>; rel="next"`}, "https://x/next?a=1,2"},
		{[]string{`<https://x/a>; rel="xet-auth"`, `</api/models?cursor=z>; title="n"; rel="last next"`}, "https://huggingface.co/api/models?cursor=z"},
		{[]string{`<https://x/a>; rel=next`}, "https://x/a"},
		{[]string{`<https://x/a>; rel="nextish"`}, ""},
		{[]string{`<broken`}, ""},
	} {
		got := ""
		if u := nextLink(tt.header, base); u != nil {
			got = u.String()
		}
		if got != tt.want {
			t.Errorf("nextLink(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

// A model whose id the Hub would not make is left out of the results and
// reported; it never becomes a link or a request.
func TestSearchLeavesOutInvalidIDs(t *testing.T) {
	models := modelList(30, 20, 10)
	models[1]["id"] = "evil\u001b]8;;http://x\u0007/m"
	hub := pagedModels(t, models, 2)
	c, got := reportingClient(hub.URL)
	if ids := collect(t, c, hfgate.SearchQuery{}); !slices.Equal(ids, []string{"org/m0", "org/m2"}) {
		t.Fatalf("ids %v, want the two valid ones", ids)
	}
	if len(*got) != 1 || !strings.Contains((*got)[0], "not a valid repo id") || strings.ContainsRune((*got)[0], 0x1b) {
		t.Fatalf("reported %q, want one invalid id, quoted", *got)
	}
}
