package hubsim

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

type commitItem struct {
	ID      string
	Title   string
	Message string
	Date    string
	Authors []struct{ User, Avatar string }
	// Formatted is set with expand[]=formatted.
	Formatted *struct{ Title, Message string }
}

// commitsAll lists commits following Link rel="next", as huggingface_hub's
// paginate and @huggingface/hub's listCommits do.
func commitsAll(tb testing.TB, s *Server, path string) (all []commitItem, pages int, total string) {
	tb.Helper()
	for next := s.URL() + path; next != "" && pages < 50; pages++ {
		var page []commitItem
		resp := getJSON(tb, next, "", &page)
		all = append(all, page...)
		total = resp.Header.Get("X-Total-Count")
		next = ""
		if m := regexp.MustCompile(`^<([^>]+)>; rel="next"$`).FindStringSubmatch(resp.Header.Get("Link")); m != nil {
			next = m[1]
		}
	}
	return all, pages, total
}

func TestCommits(t *testing.T) {
	s := startTest(t, Options{})
	re, _ := s.catalog.idx.lookupTyped(RepoTiny)
	var history []*commitEntry
	for c := re.main; c != nil; c = c.parent {
		history = append(history, c)
	}
	all, pages, total := commitsAll(t, s, "/api/models/"+RepoTiny+"/commits/main")
	if len(all) != len(history) || pages != 1 || total != "3" {
		t.Fatalf("main: %d commits in %d pages, X-Total-Count %s; want %d in 1", len(all), pages, total, len(history))
	}
	for i, c := range all {
		if c.ID != history[i].id || c.Title != history[i].title || c.Date != hubTime(history[i].date) || len(c.Authors) != 1 {
			t.Errorf("commit %d = %+v, want %s %q", i, c, history[i].id, history[i].title)
		}
	}
	if first := all[len(all)-1]; first.Title != "initial commit" || first.Authors[0].User != "system" {
		t.Errorf("the first commit is %+v; want the Hub's initial commit by system", first)
	}
	if got := all[0].Authors[0]; got.User != "hubsim" || !strings.HasPrefix(got.Avatar, s.URL()+"/avatars/") {
		t.Errorf("author %+v", got)
	}

	paged, pages, total := commitsAll(t, s, "/api/models/"+RepoTiny+"/commits/main?limit=1")
	if len(paged) != 3 || pages != 3 || total != "3" || paged[2].ID != all[2].ID {
		t.Errorf("limit=1: %d commits in %d pages (X-Total-Count %s)", len(paged), pages, total)
	}
	pr, _, _ := commitsAll(t, s, "/api/models/"+RepoTiny+"/commits/refs%2Fpr%2F1")
	if len(pr) != 4 || pr[1].ID != re.main.id || pr[0].Title != "Add F16 weights" {
		t.Errorf("refs/pr/1: %+v; want the PR commit on top of main's history", pr)
	}
	f, _, _ := commitsAll(t, s, "/api/models/"+RepoTiny+"/commits/main?expand%5B%5D=formatted")
	if f[0].Formatted == nil || f[0].Formatted.Title != "Add Q2_K and Q8_0, update model card" || all[0].Formatted != nil {
		t.Errorf("expand[]=formatted: %+v", f[0])
	}
	ds, _, _ := commitsAll(t, s, "/api/datasets/"+DatasetTiny+"/commits/main")
	if len(ds) != 2 {
		t.Errorf("dataset commits: %+v", ds)
	}
	for _, tt := range []struct {
		path   string
		status int
		code   string
	}{
		{"/api/models/" + RepoTiny + "/commits/nope", 404, "RevisionNotFound"},
		{"/api/models/nobody/nothing/commits/main", 401, "RepoNotFound"},
		{"/api/models/" + RepoTiny + "/commits/main?limit=0", 400, ""},
		{"/api/models/" + RepoTiny + "/commits/main?p=-1", 400, ""},
	} {
		resp, _ := do(t, "GET", s.URL()+tt.path, "")
		if resp.StatusCode != tt.status || resp.Header.Get("X-Error-Code") != tt.code {
			t.Errorf("%s: %d %q, want %d %q", tt.path, resp.StatusCode, resp.Header.Get("X-Error-Code"), tt.status, tt.code)
		}
	}
}

func TestAuthCheck(t *testing.T) {
	s := startTest(t, Options{})
	alice, bob := mintToken(t, s, UserAlice), mintToken(t, s, UserBob)
	aliceWrite, err := s.MintToken(UserAlice, "write")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, repo, token string
		write             bool
		status            int
		code              string
	}{
		{"public, anonymous", RepoTiny, "", false, 200, ""},
		{"public dataset", "datasets/" + DatasetTiny, "", false, 200, ""},
		{"gated, anonymous", RepoGated, "", false, 401, "GatedRepo"},
		{"gated, not granted", RepoGated, bob, false, 403, "GatedRepo"},
		{"gated, granted", RepoGated, alice, false, 200, ""},
		{"private, anonymous", RepoPrivate, "", false, 401, "RepoNotFound"},
		{"private, not a member", RepoPrivate, bob, false, 404, "RepoNotFound"},
		{"private, member", RepoPrivate, alice, false, 200, ""},
		{"unknown, signed in", "nobody/nothing", bob, false, 404, "RepoNotFound"},
		{"write, own repo, write token", RepoPrivateUser, aliceWrite, true, 200, ""},
		{"write, own repo, read token", RepoPrivateUser, alice, true, 403, ""},
		{"write, org writer", RepoPrivate, aliceWrite, true, 200, ""},
		{"write, someone else's repo", RepoTiny, aliceWrite, true, 403, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api := "/api/models/" + tt.repo
			if rest, ok := strings.CutPrefix(tt.repo, "datasets/"); ok {
				api = "/api/datasets/" + rest
			}
			path := api + "/auth-check"
			if tt.write {
				path += "/write"
			}
			resp, _ := do(t, "GET", s.URL()+path, tt.token)
			if resp.StatusCode != tt.status || resp.Header.Get("X-Error-Code") != tt.code {
				t.Errorf("%s: %d %q, want %d %q", path, resp.StatusCode, resp.Header.Get("X-Error-Code"), tt.status, tt.code)
			}
		})
	}
}

func TestHubRouting(t *testing.T) {
	s := startTest(t, Options{})
	for _, tt := range []struct {
		method, path string
		status       int
		allow, code  string
	}{
		{"GET", "/" + RepoTiny, 404, "", ""},                                       // a web page, not an API
		{"GET", "/api/models/" + RepoTiny + "/likers", 404, "", ""},                // an endpoint hubsim does not serve
		{"POST", "/" + RepoTiny + "/resolve/main/README.md", 405, "GET, HEAD", ""}, //
		{"GET", "/api/models/" + RepoTiny + "/paths-info/main", 405, "POST", ""},
		{"DELETE", "/api/models/" + RepoTiny, 405, "GET, HEAD", ""},
		{"GET", "/api/models/a--b/c", 401, "", "RepoNotFound"}, // invalid id: a repo hubsim does not have
		{"GET", "/" + RepoTiny + "/resolve/refs/x", 401, "", "RepoNotFound"},
		{"GET", "/api/datasets/" + RepoTiny, 401, "", "RepoNotFound"}, // a model is not a dataset
	} {
		resp, _ := do(t, tt.method, s.URL()+tt.path, "")
		if resp.StatusCode != tt.status || resp.Header.Get("Allow") != tt.allow || resp.Header.Get("X-Error-Code") != tt.code {
			t.Errorf("%s %s: %d Allow %q code %q; want %d %q %q", tt.method, tt.path, resp.StatusCode,
				resp.Header.Get("Allow"), resp.Header.Get("X-Error-Code"), tt.status, tt.allow, tt.code)
		}
	}
	if resp, _ := do(t, "GET", s.URL()+"/api/models/"+RepoTiny+"/commits/main", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("commits: %d", resp.StatusCode)
	}
	if got := s.Counters().Route(RouteCommits).Requests; got != 1 {
		t.Errorf("RouteCommits counted %d requests, want 1", got)
	}
}
