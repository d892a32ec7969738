package hubsim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestMintTokenAndAuthenticate(t *testing.T) {
	s := startTest(t, Options{})
	resp, err := http.Post(s.URL()+"/_hubsim/tokens", "application/json", strings.NewReader(`{"user":"alice","role":"write"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.Token, "hf_") || len(out.Token) != 37 {
		t.Fatalf("token %q: want hf_ and 34 characters", out.Token)
	}

	for _, tt := range []struct {
		header string
		ok     bool
		user   string
	}{
		{"", true, ""},
		{"Bearer " + out.Token, true, "alice"},
		{"bearer " + out.Token, true, "alice"},
		{"Bearer hf_unknown", false, ""},
		{"Basic " + out.Token, false, ""},
		{"Bearer", false, ""},
	} {
		r, _ := http.NewRequest("GET", s.URL(), nil)
		if tt.header != "" {
			r.Header.Set("Authorization", tt.header)
		}
		p, ok := s.authenticate(r)
		if ok != tt.ok {
			t.Errorf("%q: ok=%v, want %v", tt.header, ok, tt.ok)
			continue
		}
		if ok && (p.user == nil) != (tt.user == "") || ok && p.user != nil && p.user.Name != tt.user {
			t.Errorf("%q: user=%v, want %q", tt.header, p.user, tt.user)
		}
	}

	if _, err := s.MintToken("mallory", ""); err == nil {
		t.Error("MintToken(mallory): want an error for an unknown user")
	}
}

func TestClockAdvanceExpiresTokens(t *testing.T) {
	s := startTest(t, Options{})
	s.ids.addToken(&accessToken{value: "hf_oauth_x", kind: oauthToken, user: UserBob, expires: s.Now().Add(time.Hour)})
	if tok, _ := s.ids.lookupToken("hf_oauth_x", s.Now()); tok == nil {
		t.Fatal("token not live before expiry")
	}
	resp, err := http.Post(s.URL()+"/_hubsim/clock", "application/json", strings.NewReader(`{"advance":"61m"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("clock: status %d", resp.StatusCode)
	}
	if tok, _ := s.ids.lookupToken("hf_oauth_x", s.Now()); tok != nil {
		t.Fatal("token still live after the clock passed its expiry")
	}
}

func TestPrincipalScopes(t *testing.T) {
	ids, err := newIdentities(Options{}, mustBuiltin(t).idx)
	if err != nil {
		t.Fatal(err)
	}
	alice := ids.user(UserAlice)
	read := &principal{user: alice, tok: &accessToken{kind: classicToken, role: "read", user: UserAlice}}
	oauthNoOrg := &principal{user: alice, tok: &accessToken{kind: oauthToken, user: UserAlice, scopes: []string{"openid", "read-repos"}}}
	oauthOrg := &principal{user: alice, tok: &accessToken{kind: oauthToken, user: UserAlice, scopes: []string{"read-repos"}, orgs: []string{OrgAcme}}}
	if !read.hasScope("read-repos") || read.hasScope("write-repos") {
		t.Error("classic read token: want read-repos and not write-repos")
	}
	if !oauthNoOrg.hasScope("read-repos") || oauthNoOrg.hasScope("gated-repos") {
		t.Error("oauth token: scopes not honoured")
	}
	if got := read.orgRole(OrgAcme); got != "write" {
		t.Errorf("classic token orgRole=%q, want write", got)
	}
	if got := oauthNoOrg.orgRole(OrgAcme); got != "" {
		t.Errorf("oauth token without granted org: orgRole=%q, want none", got)
	}
	if got := oauthOrg.orgRole(OrgAcme); got != "write" {
		t.Errorf("oauth token with granted org: orgRole=%q, want write", got)
	}
}
