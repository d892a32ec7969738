package hubsim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// newCode gets an auto-approved code for client with a fresh PKCE pair.
func newCode(tb testing.TB, s *Server, client string, withPKCE bool) (code, verifier string) {
	tb.Helper()
	s.SetAutoApprove(UserAlice)
	defer s.SetAutoApprove("")
	verifier, challenge := pkce()
	q := authParams(challenge)
	q.Set("client_id", client)
	if !withPKCE {
		q.Del("code_challenge")
		q.Del("code_challenge_method")
		verifier = ""
	}
	resp, _ := authorizeGet(tb, s, q)
	return redirectQuery(tb, resp, "/callback").Get("code"), verifier
}

func codeForm(code, verifier string) url.Values {
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect}}
	if verifier != "" {
		f.Set("code_verifier", verifier)
	}
	return f
}

func TestTokenAuthorizationCode(t *testing.T) {
	s := startTest(t, Options{})
	code, verifier := newCode(t, s, ClientPublic, true)
	// No client_id at all, as @huggingface/hub's oauthHandleRedirect sends it.
	resp, tok := postForm(t, s, "/oauth/token", codeForm(code, verifier), "", "")
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token: %d %v", resp.StatusCode, tok)
	}
	at, _ := tok["access_token"].(string)
	if !strings.HasPrefix(at, "hf_oauth_") || tok["token_type"] != "bearer" || tok["expires_in"] != float64(8*3600) ||
		tok["scope"] != "openid profile" || tok["refresh_token"] == "" || tok["id_token"] == nil {
		t.Fatalf("token response %v", tok)
	}
	var who struct{ Name string }
	getJSON(t, s.URL()+"/api/whoami-v2", at, &who)
	if who.Name != UserAlice {
		t.Fatalf("whoami = %q", who.Name)
	}

	// Replaying the code fails and revokes what it issued.
	resp, body := postForm(t, s, "/oauth/token", codeForm(code, verifier), "", "")
	wantTokenError(t, resp, body, 400, "invalid_grant")
	if r, _ := do(t, "GET", s.URL()+"/api/whoami-v2", at); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("access token after code replay: %d, want 401", r.StatusCode)
	}
	resp, body = postForm(t, s, "/oauth/token", url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {tok["refresh_token"].(string)}, "client_id": {ClientPublic}}, "", "")
	wantTokenError(t, resp, body, 400, "invalid_grant")
}

func TestTokenAuthorizationCodeErrors(t *testing.T) {
	s := startTest(t, Options{})
	for _, tt := range []struct {
		name   string
		client string
		pkce   bool
		edit   func(f url.Values, verifier string)
		user   string // HTTP Basic
		pass   string
		status int
		code   string
	}{
		{"wrong verifier", ClientPublic, true, func(f url.Values, _ string) { f.Set("code_verifier", strings.Repeat("a", 43)) }, "", "", 400, "invalid_grant"},
		{"no verifier", ClientPublic, true, func(f url.Values, _ string) { f.Del("code_verifier") }, "", "", 400, "invalid_grant"},
		{"other redirect URI", ClientPublic, true, func(f url.Values, _ string) {
			f.Set("redirect_uri", "http://127.0.0.1:1/callback")
		}, "", "", 400, "invalid_grant"},
		{"other client", ClientPublic, true, func(f url.Values, _ string) {}, ClientConfidential, ClientSecret, 400, "invalid_grant"},
		{"unknown code", ClientPublic, true, func(f url.Values, _ string) { f.Set("code", "nope") }, "", "", 400, "invalid_grant"},
		{"confidential without secret", ClientConfidential, false, func(f url.Values, _ string) { f.Set("client_id", ClientConfidential) }, "", "", 401, "invalid_client"},
		{"confidential nothing", ClientConfidential, false, func(f url.Values, _ string) {}, "", "", 401, "invalid_client"},
		{"confidential wrong secret", ClientConfidential, false, func(f url.Values, _ string) {}, ClientConfidential, "wrong", 401, "invalid_client"},
		{"confidential wrong post secret", ClientConfidential, false, func(f url.Values, _ string) {
			f.Set("client_id", ClientConfidential)
			f.Set("client_secret", "wrong")
		}, "", "", 401, "invalid_client"},
		{"unknown client", ClientPublic, true, func(f url.Values, _ string) { f.Set("client_id", "nope") }, "", "", 401, "invalid_client"},
		{"grant type", ClientPublic, true, func(f url.Values, _ string) { f.Set("grant_type", "password") }, "", "", 400, "unsupported_grant_type"},
		{"no grant type", ClientPublic, true, func(f url.Values, _ string) { f.Del("grant_type") }, "", "", 400, "invalid_request"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, verifier := newCode(t, s, tt.client, tt.pkce)
			f := codeForm(code, verifier)
			tt.edit(f, verifier)
			resp, body := postForm(t, s, "/oauth/token", f, tt.user, tt.pass)
			wantTokenError(t, resp, body, tt.status, tt.code)
			if tt.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

func TestTokenConfidentialClientAuthMethods(t *testing.T) {
	s := startTest(t, Options{})
	code, _ := newCode(t, s, ClientConfidential, false)
	if resp, body := postForm(t, s, "/oauth/token", codeForm(code, ""), ClientConfidential, ClientSecret); resp.StatusCode != 200 {
		t.Fatalf("Basic: %d %v", resp.StatusCode, body)
	}
	code, verifier := newCode(t, s, ClientConfidential, true)
	f := codeForm(code, verifier)
	f.Set("client_id", ClientConfidential)
	f.Set("client_secret", ClientSecret)
	if resp, body := postForm(t, s, "/oauth/token", f, "", ""); resp.StatusCode != 200 {
		t.Fatalf("post body with PKCE: %d %v", resp.StatusCode, body)
	}
}

func TestTokenCodeExpiresOnSimulatedClock(t *testing.T) {
	s := startTest(t, Options{})
	code, verifier := newCode(t, s, ClientPublic, true)
	s.Advance(DefaultAuthCodeTTL)
	resp, body := postForm(t, s, "/oauth/token", codeForm(code, verifier), "", "")
	wantTokenError(t, resp, body, 400, "invalid_grant")
}

func TestTokenRefreshRotation(t *testing.T) {
	s := startTest(t, Options{AccessTokenTTL: time.Hour})
	tok := signIn(t, s, UserBob, "openid profile read-repos")
	refresh := func(rt, scope string) (*http.Response, map[string]any) {
		f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {ClientPublic}}
		if scope != "" {
			f.Set("scope", scope)
		}
		return postForm(t, s, "/oauth/token", f, "", "")
	}
	old := tok["refresh_token"].(string)
	resp, next := refresh(old, "")
	if resp.StatusCode != 200 || next["refresh_token"] == old || next["access_token"] == tok["access_token"] ||
		next["expires_in"] != float64(3600) || next["scope"] != "openid profile read-repos" {
		t.Fatalf("refresh: %d %v", resp.StatusCode, next)
	}
	resp, body := refresh(old, "")
	wantTokenError(t, resp, body, 400, "invalid_grant")

	// Narrowing is allowed, widening is not.
	resp, body = refresh(next["refresh_token"].(string), "openid write-repos")
	wantTokenError(t, resp, body, 400, "invalid_scope")
	resp, narrow := refresh(next["refresh_token"].(string), "openid")
	if resp.StatusCode != 200 || narrow["scope"] != "openid" {
		t.Fatalf("narrowing refresh: %d %v", resp.StatusCode, narrow)
	}

	// Expired access tokens stop working; refresh tokens expire too.
	s.Advance(time.Hour + time.Second)
	if r, _ := do(t, "GET", s.URL()+"/api/whoami-v2", narrow["access_token"].(string)); r.StatusCode != 401 {
		t.Fatalf("expired access token: %d", r.StatusCode)
	}
	s.Advance(DefaultRefreshTokenTTL)
	resp, body = refresh(narrow["refresh_token"].(string), "")
	wantTokenError(t, resp, body, 400, "invalid_grant")
}

func TestRevokeOAuthTokens(t *testing.T) {
	s := startTest(t, Options{})
	tok := signIn(t, s, UserAlice, "openid")
	classic := mintToken(t, s, UserAlice)
	resp, body := do(t, "POST", s.URL()+"/_hubsim/revoke", "", "Content-Type", "application/json")
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("revoke without body: %d %s", resp.StatusCode, body)
	}
	if n, err := s.RevokeOAuth(UserAlice); err != nil || n != 2 {
		t.Fatalf("RevokeOAuth = %d, %v; want 2 (access + refresh)", n, err)
	}
	if r, _ := do(t, "GET", s.URL()+"/api/whoami-v2", tok["access_token"].(string)); r.StatusCode != 401 {
		t.Fatalf("revoked access token: %d", r.StatusCode)
	}
	if r, _ := do(t, "GET", s.URL()+"/api/whoami-v2", classic); r.StatusCode != 200 {
		t.Fatalf("classic token after OAuth revoke: %d", r.StatusCode)
	}
	r, err := http.Post(s.URL()+"/api/credentials/revoke", "application/json", strings.NewReader(`{"credentials":["`+classic+`"]}`))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusAccepted {
		t.Fatalf("credentials/revoke: %d", r.StatusCode)
	}
	if r, _ := do(t, "GET", s.URL()+"/api/whoami-v2", classic); r.StatusCode != 401 {
		t.Fatalf("classic token after credentials/revoke: %d", r.StatusCode)
	}
}
