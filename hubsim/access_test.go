package hubsim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
)

// TestAccessRules checks every Hub error code and status of reference §4
// against the visibility rules: private, gated, disabled, unknown repos,
// revisions and files, and bad tokens.
func TestAccessRules(t *testing.T) {
	s := startTest(t, Options{})
	alice, bob := mintToken(t, s, UserAlice), mintToken(t, s, UserBob)
	oauthNoOrg := addOAuthToken(s, UserAlice, []string{"openid", "read-repos", "gated-repos"}, nil)
	oauthOrg := addOAuthToken(s, UserAlice, []string{"openid", "read-repos"}, []string{OrgAcme})
	oauthOrgNoRead := addOAuthToken(s, UserAlice, []string{"openid"}, []string{OrgAcme})
	oauthGated := addOAuthToken(s, UserAlice, []string{"openid", "gated-repos"}, nil)
	mainOf := func(id string) string { re, _ := s.catalog.idx.lookupTyped(id); return re.main.id }

	gatedAnon := "Access to model " + RepoGated + " is restricted. You must have access to it and be authenticated to access it. Please log in."
	gatedDenied := "Access to model " + RepoGated + " is restricted and you are not in the authorized list. Visit " + s.URL() + "/" + RepoGated + " to ask for access."
	for _, tt := range []struct {
		name, path, token string
		status            int
		code, msg         string
		commit            string // expected X-Repo-Commit
	}{
		{"unknown repo, anonymous", "/api/models/nobody/nothing", "", 401, "RepoNotFound", "Invalid username or password.", ""},
		{"unknown repo, signed in", "/api/models/nobody/nothing", bob, 404, "RepoNotFound", "Repository not found", ""},
		{"unknown repo resolve, anonymous", "/nobody/nothing/resolve/main/x", "", 401, "RepoNotFound", "Invalid username or password.", ""},
		{"bad token on a public repo", "/api/models/" + RepoTiny, "hf_notatoken", 401, "", "Invalid credentials in Authorization header", ""},
		{"bad token on resolve", "/" + RepoTiny + "/resolve/main/README.md", "hf_notatoken", 401, "", "Invalid credentials in Authorization header", ""},
		{"bad token on search", "/api/models?search=tiny", "hf_notatoken", 401, "", "Invalid credentials in Authorization header", ""},

		{"private org repo, anonymous", "/api/models/" + RepoPrivate, "", 401, "RepoNotFound", "Invalid username or password.", ""},
		{"private org repo, non-member", "/api/models/" + RepoPrivate, bob, 404, "RepoNotFound", "Repository not found", ""},
		{"private org repo, member", "/api/models/" + RepoPrivate, alice, 200, "", "", ""},
		{"private org repo, OAuth without the org", "/api/models/" + RepoPrivate, oauthNoOrg, 404, "RepoNotFound", "", ""},
		{"private org repo, OAuth with the org", "/api/models/" + RepoPrivate, oauthOrg, 200, "", "", ""},
		{"private org repo, OAuth without read-repos", "/api/models/" + RepoPrivate, oauthOrgNoRead, 404, "RepoNotFound", "", ""},
		{"private org file, member", "/" + RepoPrivate + "/resolve/main/README.md", alice, 200, "", "", mainOf(RepoPrivate)},
		{"private user repo, owner", "/api/models/" + RepoPrivateUser, alice, 200, "", "", ""},
		{"private user repo, other user", "/api/models/" + RepoPrivateUser, bob, 404, "RepoNotFound", "", ""},

		{"gated info, anonymous", "/api/models/" + RepoGated, "", 200, "", "", ""},
		{"gated tree, anonymous", "/api/models/" + RepoGated + "/tree/main", "", 200, "", "", ""},
		{"gated file, anonymous", "/" + RepoGated + "/resolve/main/config.json", "", 401, "GatedRepo", gatedAnon, ""},
		{"gated file, not granted", "/" + RepoGated + "/resolve/main/config.json", bob, 403, "GatedRepo", gatedDenied, ""},
		{"gated file, granted", "/" + RepoGated + "/resolve/main/config.json", alice, 200, "", "", mainOf(RepoGated)},
		{"gated raw, not granted", "/" + RepoGated + "/raw/main/config.json", bob, 403, "GatedRepo", gatedDenied, ""},
		{"gated file, OAuth without gated-repos", "/" + RepoGated + "/resolve/main/config.json", oauthOrg, 403, "GatedRepo", gatedDenied, ""},
		{"gated file, OAuth with gated-repos", "/" + RepoGated + "/resolve/main/config.json", oauthGated, 200, "", "", mainOf(RepoGated)},

		{"disabled info", "/api/models/" + RepoDisabled, "", 403, "", "Access to this resource is disabled.", ""},
		{"disabled file", "/" + RepoDisabled + "/resolve/main/README.md", alice, 403, "", "Access to this resource is disabled.", ""},

		{"unknown revision", "/api/models/" + RepoTiny + "/revision/nope", "", 404, "RevisionNotFound", "Invalid rev id: nope", ""},
		{"unknown revision resolve", "/" + RepoTiny + "/resolve/nope/README.md", "", 404, "RevisionNotFound", "", ""},
		{"unknown revision tree", "/api/models/" + RepoTiny + "/tree/nope", "", 404, "RevisionNotFound", "", ""},
		{"missing file", "/" + RepoTiny + "/resolve/main/nope.gguf", "", 404, "EntryNotFound", "Entry not found", mainOf(RepoTiny)},
		{"missing file at a tag", "/" + RepoTiny + "/resolve/v1.0/tiny-llama-Q8_0.gguf", "", 404, "EntryNotFound", "", s.catalog.idx.repos[repoKey{hfgate.RepoTypeModel, RepoTiny}].resolve("v1.0").id},
		{"missing tree path", "/api/models/" + RepoTiny + "/tree/main/nope", "", 404, "EntryNotFound", "", mainOf(RepoTiny)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, method := range []string{"GET", "HEAD"} {
				resp, body := do(t, method, s.URL()+tt.path, tt.token)
				if resp.StatusCode != tt.status {
					t.Fatalf("%s: status %d, want %d (%s)", method, resp.StatusCode, tt.status, body)
				}
				h := resp.Header
				if got := h.Get("X-Error-Code"); got != tt.code {
					t.Errorf("%s: X-Error-Code %q, want %q", method, got, tt.code)
				}
				if tt.msg != "" && h.Get("X-Error-Message") != tt.msg {
					t.Errorf("%s: X-Error-Message %q, want %q", method, h.Get("X-Error-Message"), tt.msg)
				}
				if method == "GET" && tt.status >= 400 && !strings.Contains(string(body), `"error":`) {
					t.Errorf("GET error body %q, want {\"error\": ...}", body)
				}
				if method == "HEAD" && len(body) != 0 {
					t.Errorf("HEAD answered a body")
				}
				if tt.commit != "" && h.Get("X-Repo-Commit") != tt.commit {
					t.Errorf("%s: X-Repo-Commit %q, want %q", method, h.Get("X-Repo-Commit"), tt.commit)
				}
			}
		})
	}
}

// TestSearchVisibility checks that search lists private repos only to those
// who may see them, and never disabled ones.
func TestSearchVisibility(t *testing.T) {
	s := startTest(t, Options{})
	ids := func(token string) map[string]bool {
		var items []struct{ ID string }
		getJSON(t, s.URL()+"/api/models?limit=1000", token, &items)
		out := map[string]bool{}
		for _, it := range items {
			out[it.ID] = true
		}
		return out
	}
	anon, alice, bob := ids(""), ids(mintToken(t, s, UserAlice)), ids(mintToken(t, s, UserBob))
	if anon[RepoPrivate] || bob[RepoPrivate] || !alice[RepoPrivate] {
		t.Errorf("%s listed: anonymous %v, bob %v, alice %v", RepoPrivate, anon[RepoPrivate], bob[RepoPrivate], alice[RepoPrivate])
	}
	if bob[RepoPrivateUser] || !alice[RepoPrivateUser] {
		t.Errorf("%s listed: bob %v, alice %v", RepoPrivateUser, bob[RepoPrivateUser], alice[RepoPrivateUser])
	}
	if anon[RepoDisabled] || alice[RepoDisabled] {
		t.Error("a disabled repo is listed")
	}
	if !anon[RepoGated] || !anon[RepoTiny] {
		t.Error("public repos missing")
	}
	if resp, _ := do(t, "GET", s.URL()+"/api/models?limit=1000", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
}
