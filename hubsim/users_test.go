package hubsim

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

type whoamiOrgs struct {
	Name string
	Orgs []struct{ Name, RoleInOrg string }
}

func (w whoamiOrgs) roles() []string {
	var out []string
	for _, o := range w.Orgs {
		out = append(out, o.Name+":"+o.RoleInOrg)
	}
	return out
}

// TestUsersFromOptions checks that users, orgs and grants come from
// Options, with the built-in ones as defaults, and that bad ones are
// refused.
func TestUsersFromOptions(t *testing.T) {
	s := startTest(t, Options{
		Users:  []User{{Name: "carol", Orgs: []Membership{{Org: "labs", Role: "admin"}}}, {Name: "dave"}},
		Orgs:   []Org{{Name: "labs", FullName: "Labs Inc"}},
		Grants: []Grant{{Repo: RepoGated, User: "dave"}},
	})
	var me whoamiOrgs
	getJSON(t, s.URL()+"/api/whoami-v2", mintToken(t, s, "carol"), &me)
	if me.Name != "carol" || !slices.Equal(me.roles(), []string{"labs:admin"}) {
		t.Errorf("whoami %+v", me)
	}
	if resp, _ := do(t, "GET", s.ResolveURL(RepoGated, "main", "config.json"), mintToken(t, s, "dave")); resp.StatusCode != 200 {
		t.Errorf("dave, granted by Options: %d", resp.StatusCode)
	}
	if _, err := s.MintToken(UserAlice, ""); err == nil {
		t.Error("alice exists although Options named other users")
	}
	for _, tt := range []struct {
		name string
		opts Options
		want string
	}{
		{"unknown org", Options{Users: []User{{Name: "x", Orgs: []Membership{{Org: "nope", Role: "read"}}}}}, `no org "nope"`},
		{"bad role", Options{Users: []User{{Name: "x", Orgs: []Membership{{Org: OrgAcme, Role: "owner"}}}}}, "role must be"},
		{"user named like an org", Options{Users: []User{{Name: OrgAcme}}}, "used twice"},
		{"catalog grants a missing user", Options{Catalog: mallorysCatalog(t)}, "granted: hubsim: no user mallory"},
		{"grant on a missing repo", Options{Grants: []Grant{{Repo: "no/repo", User: UserBob}}}, "no repo no/repo"},
	} {
		if _, err := New(tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// mallorysCatalog is a catalog that grants its gated repo to a user hubsim
// does not have.
func mallorysCatalog(tb testing.TB) *Catalog {
	cat, err := LoadCatalog(strings.NewReader(`{"repos":[{"id":"a/b","gated":"manual","granted":["mallory"],
		"createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x","text":"x"}]}]}`))
	if err != nil {
		tb.Fatal(err)
	}
	return cat
}

// TestRuntimeChanges checks issue 12 item 5: memberships, grants and
// disabled accounts change at run time, through the Go API and
// /_hubsim/, and show at once in whoami-v2, userinfo and access.
func TestRuntimeChanges(t *testing.T) {
	s := startTest(t, Options{})
	bob := mintToken(t, s, UserBob)
	bobOAuth := addOAuthToken(s, UserBob, []string{"openid", "profile", "read-memberships", "read-repos", "gated-repos"}, nil)
	put := func(path, body string) {
		t.Helper()
		if resp, b := sendJSON(t, "PUT", s.URL()+path, body); resp.StatusCode != 200 {
			t.Fatalf("PUT %s %s: %d %s", path, body, resp.StatusCode, b)
		}
	}
	private := s.URL() + "/api/models/" + RepoPrivate
	if resp, _ := do(t, "GET", private, bob); resp.StatusCode != 404 {
		t.Fatalf("bob sees acme's private repo before joining: %d", resp.StatusCode)
	}

	put("/_hubsim/memberships", `{"user":"bob","org":"acme","role":"read"}`)
	var me whoamiOrgs
	getJSON(t, s.URL()+"/api/whoami-v2", bob, &me)
	var ui struct {
		Orgs []struct {
			PreferredUsername string `json:"preferred_username"`
			RoleInOrg         string `json:"roleInOrg"`
		}
	}
	getJSON(t, s.URL()+"/oauth/userinfo", bobOAuth, &ui)
	if !slices.Equal(me.roles(), []string{"acme:read"}) || len(ui.Orgs) != 1 || ui.Orgs[0].RoleInOrg != "read" {
		t.Errorf("after joining: whoami %v, userinfo %+v", me.roles(), ui)
	}
	if resp, _ := do(t, "GET", private, bob); resp.StatusCode != 200 {
		t.Errorf("bob, now in acme, reading its private repo: %d", resp.StatusCode)
	}
	if err := s.SetMembership(UserBob, OrgAcme, "write"); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.User(UserBob); len(u.Orgs) != 1 || u.Orgs[0].Role != "write" {
		t.Errorf("after SetMembership write: %+v", u.Orgs)
	}
	put("/_hubsim/memberships", `{"user":"bob","org":"acme","role":""}`)
	getJSON(t, s.URL()+"/api/whoami-v2", bob, &me)
	if len(me.Orgs) != 0 {
		t.Errorf("after leaving: %v", me.roles())
	}
	if err := s.SetMembership(UserBob, "nope", "read"); err == nil {
		t.Error("SetMembership into an unknown org: no error")
	}

	gated := s.ResolveURL(RepoGated, "main", "config.json")
	if resp, _ := do(t, "HEAD", gated, bob); resp.StatusCode != 403 {
		t.Fatalf("bob before the grant: %d", resp.StatusCode)
	}
	put("/_hubsim/grants", `{"repo":"`+RepoGated+`","user":"bob","granted":true}`)
	if resp, _ := do(t, "HEAD", gated, bob); resp.StatusCode != 200 {
		t.Errorf("bob after the grant: %d", resp.StatusCode)
	}
	if err := s.RevokeAccess(RepoGated, UserBob); err != nil {
		t.Fatal(err)
	}
	if resp, _ := do(t, "HEAD", gated, bob); resp.StatusCode != 403 {
		t.Errorf("bob after the revocation: %d", resp.StatusCode)
	}
	if err := s.GrantAccess(RepoTiny, UserBob); err == nil {
		t.Error("GrantAccess on a repo that is not gated: no error")
	}

	put("/_hubsim/users/disabled", `{"user":"bob","disabled":true}`)
	for _, tok := range []string{bob, bobOAuth} {
		if resp, _ := do(t, "GET", s.URL()+"/api/whoami-v2", tok); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a disabled user's token: %d, want 401", resp.StatusCode)
		}
	}
	if _, err := s.SignIn(UserBob, true); err == nil {
		t.Error("SignIn of a disabled user: no error")
	}
	if err := s.SetDisabled(UserBob, false); err != nil {
		t.Fatal(err)
	}
	if resp, _ := do(t, "GET", s.URL()+"/api/whoami-v2", bob); resp.StatusCode != 200 {
		t.Errorf("re-enabled: %d", resp.StatusCode)
	}
}

// TestDisabledUserRefresh checks that a disabled account's refresh token
// is refused, and works again once it is enabled.
func TestDisabledUserRefresh(t *testing.T) {
	s := startTest(t, Options{})
	tok := signIn(t, s, UserBob, "openid profile")
	if err := s.SetDisabled(UserBob, true); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}, "client_id": {ClientPublic}}
	resp, body := postForm(t, s, "/oauth/token", form, "", "")
	wantTokenError(t, resp, body, http.StatusBadRequest, "invalid_grant")
	if err := s.SetDisabled(UserBob, false); err != nil {
		t.Fatal(err)
	}
	if resp, body := postForm(t, s, "/oauth/token", form, "", ""); resp.StatusCode != 200 {
		t.Errorf("refresh once enabled again: %d %v", resp.StatusCode, body)
	}
}
