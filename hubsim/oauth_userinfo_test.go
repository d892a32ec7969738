package hubsim

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestUserinfoHonoursScopes(t *testing.T) {
	s := startTest(t, Options{})
	acme := s.ids.org(OrgAcme)
	for _, tt := range []struct {
		name    string
		scopes  []string
		orgs    []string
		want    []string // keys that must be present
		notWant []string
		role    string // orgs[0].roleInOrg
	}{
		{"openid", []string{"openid"}, nil, []string{"sub", "orgs", "isPro"},
			[]string{"email", "name", "preferred_username", "canPay"}, ""},
		{"profile email", []string{"openid", "profile", "email"}, nil,
			[]string{"sub", "name", "preferred_username", "picture", "profile", "email", "email_verified"}, []string{"canPay"}, ""},
		{"granted org and billing", []string{"openid", "read-billing"}, []string{OrgAcme}, []string{"canPay"}, []string{"email"}, "write"},
		{"read-memberships", []string{"openid", "read-memberships"}, nil, nil, nil, "write"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tok := addOAuthToken(s, UserAlice, tt.scopes, tt.orgs)
			var ui map[string]any
			getJSON(t, s.URL()+"/oauth/userinfo", tok, &ui)
			for _, k := range tt.want {
				if _, ok := ui[k]; !ok {
					t.Errorf("userinfo lacks %q: %v", k, ui)
				}
			}
			for _, k := range tt.notWant {
				if _, ok := ui[k]; ok {
					t.Errorf("userinfo has %q without its scope: %v", k, ui)
				}
			}
			orgs := ui["orgs"].([]any)
			o := orgs[0].(map[string]any)
			if len(orgs) != 1 || o["sub"] != acme.ID || o["preferred_username"] != OrgAcme || o["plan"] != "team" {
				t.Fatalf("orgs = %v", orgs)
			}
			if role, _ := o["roleInOrg"].(string); role != tt.role {
				t.Errorf("roleInOrg = %q, want %q", role, tt.role)
			}
		})
	}
	bob := addOAuthToken(s, UserBob, []string{"openid"}, nil)
	var ui map[string]any
	getJSON(t, s.URL()+"/oauth/userinfo", bob, &ui)
	if orgs, ok := ui["orgs"].([]any); !ok || len(orgs) != 0 {
		t.Errorf("bob's orgs = %v, want present and empty", ui["orgs"])
	}

	noOpenID := addOAuthToken(s, UserAlice, []string{"read-repos"}, nil)
	if resp, _ := do(t, "GET", s.URL()+"/oauth/userinfo", noOpenID); resp.StatusCode != http.StatusForbidden {
		t.Errorf("userinfo without openid: %d, want 403", resp.StatusCode)
	}
	if resp, _ := do(t, "GET", s.URL()+"/oauth/userinfo", ""); resp.StatusCode != http.StatusUnauthorized ||
		resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("userinfo anonymous: %d, want 401 with WWW-Authenticate", resp.StatusCode)
	}
}

func TestWhoamiOAuthAndClassic(t *testing.T) {
	s := startTest(t, Options{})
	type whoami struct {
		Type, ID, Name, Fullname, AvatarURL string
		Email                               *string
		IsPro                               bool
		Orgs                                []struct{ Name, RoleInOrg string }
		Auth                                struct {
			Type        string
			ExpiresAt   string
			AccessToken *struct{ DisplayName, Role, CreatedAt string }
		}
	}
	var w whoami
	getJSON(t, s.URL()+"/api/whoami-v2", mintToken(t, s, UserAlice), &w)
	if w.Type != "user" || w.Name != UserAlice || w.Email == nil || !w.IsPro || w.Auth.Type != "access_token" ||
		w.Auth.AccessToken == nil || w.Auth.AccessToken.Role != "read" || w.Auth.AccessToken.DisplayName == "" ||
		len(w.Orgs) != 1 || w.Orgs[0].RoleInOrg != "write" || w.ID != s.ids.user(UserAlice).ID {
		b, _ := json.Marshal(w)
		t.Fatalf("classic whoami = %s", b)
	}

	tok := signIn(t, s, UserAlice, "openid profile")
	w = whoami{}
	getJSON(t, s.URL()+"/api/whoami-v2", tok["access_token"].(string), &w)
	if w.Name != UserAlice || w.Email != nil || w.Auth.Type != "app_token_as_user" || w.Auth.AccessToken != nil ||
		w.Auth.ExpiresAt == "" || len(w.Orgs) != 1 {
		b, _ := json.Marshal(w)
		t.Fatalf("OAuth whoami = %s", b)
	}

	for _, tt := range []struct{ tok, msg string }{
		{"", "Invalid username or password."},
		{"hf_nope", errBadCredentials},
	} {
		resp, _ := do(t, "GET", s.URL()+"/api/whoami-v2", tt.tok)
		if resp.StatusCode != 401 || resp.Header.Get("X-Error-Message") != tt.msg {
			t.Errorf("whoami with %q: %d %q", tt.tok, resp.StatusCode, resp.Header.Get("X-Error-Message"))
		}
	}
}

func TestOAuthTokenScopesOnHubAPI(t *testing.T) {
	s := startTest(t, Options{})
	// alice is granted the gated repo; the OAuth token needs gated-repos.
	gatedFile := s.URL() + "/" + RepoGated + "/resolve/main/config.json"
	for _, tt := range []struct {
		scope  string
		status int
	}{
		{"openid", http.StatusForbidden},
		{"openid gated-repos", http.StatusOK},
	} {
		tok := signIn(t, s, UserAlice, tt.scope)
		if resp, _ := do(t, "HEAD", gatedFile, tok["access_token"].(string)); resp.StatusCode != tt.status {
			t.Errorf("gated file with scopes %q: %d, want %d", tt.scope, resp.StatusCode, tt.status)
		}
	}
	// Auto-approve grants alice's orgs, so read-repos reaches acme's private repo.
	tok := signIn(t, s, UserAlice, "openid read-repos")
	var info struct{ ID string }
	getJSON(t, s.URL()+"/api/models/"+RepoPrivate, tok["access_token"].(string), &info)
	if info.ID != RepoPrivate {
		t.Fatalf("private repo info id %q", info.ID)
	}
}
