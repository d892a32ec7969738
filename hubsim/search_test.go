package hubsim

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

type searchItem struct {
	ID            string
	Likes         int64
	TrendingScore int64
	Downloads     int64
	Tags          []string
	PipelineTag   string `json:"pipeline_tag"`
	LibraryName   string `json:"library_name"`
	CreatedAt     string
	LastModified  string
	Gated         any
	Siblings      []map[string]string
}

// searchAll follows Link rel="next" to the end and returns every item and
// the number of pages.
func searchAll(tb testing.TB, s *Server, query, token string) ([]searchItem, int) {
	tb.Helper()
	next := s.URL() + "/api/models?" + query
	var all []searchItem
	pages := 0
	for next != "" {
		var page []searchItem
		resp := getJSON(tb, next, token, &page)
		all = append(all, page...)
		pages++
		next = ""
		if link := resp.Header.Get("Link"); link != "" {
			m := regexp.MustCompile(`^<([^>]+)>; rel="next"$`).FindStringSubmatch(link)
			if m == nil {
				tb.Fatalf("Link %q", link)
			}
			next = m[1]
			if !strings.HasPrefix(next, s.URL()+"/api/models?") {
				tb.Fatalf("next URL %q is not absolute on the Hub", next)
			}
		}
		if pages > 100 {
			tb.Fatal("pagination does not end")
		}
	}
	return all, pages
}

func ids(items []searchItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func TestSearchFilters(t *testing.T) {
	s := startTest(t, Options{})
	for _, tt := range []struct {
		query string
		check func(searchItem) bool
		min   int
	}{
		{"filter=gguf", func(it searchItem) bool { return slices.Contains(it.Tags, "gguf") }, 15},
		{"filter=gguf&filter=code", func(it searchItem) bool { return slices.Contains(it.Tags, "gguf") && slices.Contains(it.Tags, "code") }, 5},
		{"search=CODER", func(it searchItem) bool { return strings.Contains(strings.ToLower(it.ID), "coder") }, 10},
		{"search=coder&filter=gguf", func(it searchItem) bool {
			return strings.Contains(strings.ToLower(it.ID), "coder") && slices.Contains(it.Tags, "gguf")
		}, 8},
		{"author=Qwen", func(it searchItem) bool { return strings.HasPrefix(it.ID, "Qwen/") }, 6},
		{"pipeline_tag=fill-mask", func(it searchItem) bool { return it.ID == RepoRenamedTo }, 1},
		{"filter=transformers&search=coder", func(it searchItem) bool {
			return !slices.Contains(it.Tags, "gguf") || slices.Contains(it.Tags, "transformers")
		}, 2},
		{"gated=true", func(it searchItem) bool { return it.ID == RepoGated }, 1},
		{"gated=false", func(it searchItem) bool { return it.ID != RepoGated }, 20},
	} {
		items, _ := searchAll(t, s, tt.query, "")
		if len(items) < tt.min {
			t.Errorf("%s: %d results, want at least %d: %v", tt.query, len(items), tt.min, ids(items))
		}
		for _, it := range items {
			if !tt.check(it) {
				t.Errorf("%s: %s does not match", tt.query, it.ID)
			}
		}
	}
	all, _ := searchAll(t, s, "", "")
	if gguf, _ := searchAll(t, s, "filter=gguf", ""); len(gguf) >= len(all) {
		t.Errorf("filter=gguf kept %d of %d repos; some repos are not GGUF", len(gguf), len(all))
	}
}

func TestSearchSortAndShape(t *testing.T) {
	s := startTest(t, Options{})
	for _, sortBy := range []string{"", "downloads", "likes", "trendingScore", "lastModified", "createdAt"} {
		items, _ := searchAll(t, s, "sort="+sortBy+"&expand=downloads&expand=likes&expand=trendingScore&expand=lastModified&expand=createdAt", "")
		val := func(it searchItem) int64 {
			switch sortBy {
			case "downloads":
				return it.Downloads
			case "likes":
				return it.Likes
			case "lastModified", "createdAt":
				ts := it.LastModified
				if sortBy == "createdAt" {
					ts = it.CreatedAt
				}
				tm, err := time.Parse(time.RFC3339, ts)
				if err != nil {
					t.Fatal(err)
				}
				return tm.UnixMilli()
			}
			return it.TrendingScore
		}
		for i := 1; i < len(items); i++ {
			if val(items[i-1]) < val(items[i]) {
				t.Errorf("sort=%s: %s before %s is not descending", sortBy, items[i-1].ID, items[i].ID)
			}
		}
	}
	resp, body := do(t, "GET", s.URL()+"/api/models?search=Qwen2.5-Coder-7B-Instruct-GGUF&author=Qwen", "")
	if resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	item := body[1 : len(body)-1] // the single item of the array
	want := []string{"_id", "id", "likes", "trendingScore", "private", "downloads", "tags", "pipeline_tag", "library_name", "createdAt", "modelId"}
	if got := topKeys(t, item); !slices.Equal(got, want) {
		t.Errorf("default item keys %v, want %v", got, want)
	}
	items, _ := searchAll(t, s, "search=tiny-llama&full=true", "")
	if len(items) != 1 || len(items[0].Siblings) < 3 || items[0].Siblings[0]["rfilename"] == "" || items[0].LastModified == "" {
		t.Errorf("full=true: %+v", items)
	}
	_, body = do(t, "GET", s.URL()+"/api/models?search=tiny-llama&expand=gated&expand=downloadsAllTime", "")
	if got := topKeys(t, body[1:len(body)-1]); !slices.Equal(got, []string{"_id", "id", "gated", "downloadsAllTime"}) {
		t.Errorf("expand keys %v", got)
	}
	for _, q := range []string{"sort=name", "limit=0", "limit=x", "cursor=@@@", "expand=nope"} {
		if resp, _ := do(t, "GET", s.URL()+"/api/models?"+q, ""); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", q, resp.StatusCode)
		}
	}
}

func TestSearchPagination(t *testing.T) {
	s := startTest(t, Options{})
	for _, q := range []string{"sort=downloads", "sort=lastModified&filter=gguf", "search=coder"} {
		whole, pages := searchAll(t, s, q, "")
		if pages != 1 {
			t.Fatalf("%s: %d pages without a limit", q, pages)
		}
		paged, pages := searchAll(t, s, q+"&limit=4", "")
		if !slices.Equal(ids(paged), ids(whole)) {
			t.Errorf("%s: pages of 4 give\n%v\nwant\n%v", q, ids(paged), ids(whole))
		}
		if want := (len(whole) + 3) / 4; pages != want {
			t.Errorf("%s: %d pages of 4 for %d items, want %d", q, pages, len(whole), want)
		}
	}
	// The next URL keeps every parameter.
	resp, _ := do(t, "GET", s.URL()+"/api/models?search=coder&filter=gguf&sort=likes&limit=2&expand=likes", "")
	link := resp.Header.Get("Link")
	u, err := url.Parse(strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"search": "coder", "filter": "gguf", "sort": "likes", "limit": "2", "expand": "likes"} {
		if u.Query().Get(k) != v {
			t.Errorf("next URL %s lost %s=%s", link, k, v)
		}
	}
	if u.Query().Get("cursor") == "" {
		t.Errorf("next URL %s has no cursor", link)
	}
	// A cursor made for another sort order is refused.
	if resp, _ := do(t, "GET", s.URL()+"/api/models?sort=downloads&cursor="+u.Query().Get("cursor"), ""); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("cursor of another sort: %d, want 400", resp.StatusCode)
	}
}
