package hubsim

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
)

func TestDiscoveryAndIDTokenVerifyWithGoOIDC(t *testing.T) {
	s := startTest(t, Options{})
	ctx := context.Background()
	p, err := oidc.NewProvider(ctx, s.URL()) // checks issuer == URL
	if err != nil {
		t.Fatal(err)
	}
	var md struct {
		Device  string   `json:"device_authorization_endpoint"`
		PKCE    []string `json:"code_challenge_methods_supported"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
		JWKSURI string   `json:"jwks_uri"`
	}
	if err := p.Claims(&md); err != nil {
		t.Fatal(err)
	}
	if md.Device != s.URL()+"/oauth/device" || md.JWKSURI != s.URL()+"/oauth/jwks" ||
		strings.Join(md.PKCE, ",") != "S256" || strings.Join(md.Algs, ",") != "RS256" {
		t.Fatalf("discovery = %+v", md)
	}

	tok := signIn(t, s, UserAlice, "openid profile email")
	idt, err := p.Verifier(&oidc.Config{ClientID: ClientPublic}).Verify(ctx, tok["id_token"].(string))
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	var claims struct {
		Preferred string `json:"preferred_username"`
		Email     string `json:"email"`
		Picture   string `json:"picture"`
	}
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if idt.Nonce != "n-1" || idt.Subject != s.ids.user(UserAlice).ID || claims.Preferred != "alice" ||
		claims.Email != "alice@example.com" || !strings.HasPrefix(claims.Picture, s.URL()+"/avatars/") {
		t.Fatalf("ID token nonce=%q sub=%q claims=%+v", idt.Nonce, idt.Subject, claims)
	}
	if _, err := p.Verifier(&oidc.Config{ClientID: ClientConfidential}).Verify(ctx, tok["id_token"].(string)); err == nil {
		t.Fatal("ID token verified for another audience")
	}
}

func TestAuthorizeErrorsShownOnPage(t *testing.T) {
	s := startTest(t, Options{AutoApprove: UserAlice})
	_, challenge := pkce()
	for _, tt := range []struct {
		name string
		edit func(url.Values)
	}{
		{"unknown client", func(q url.Values) { q.Set("client_id", "nope") }},
		{"no redirect URI", func(q url.Values) { q.Del("redirect_uri") }},
		{"unregistered path", func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:53682/other") }},
		{"https loopback", func(q url.Values) { q.Set("redirect_uri", "https://127.0.0.1:53682/callback") }},
		{"other loopback host", func(q url.Values) { q.Set("redirect_uri", "http://localhost:53682/callback") }},
		{"not loopback", func(q url.Values) { q.Set("redirect_uri", "http://evil.example:53682/callback") }},
		{"extra query", func(q url.Values) { q.Set("redirect_uri", testRedirect+"?x=1") }},
		{"user info", func(q url.Values) { q.Set("redirect_uri", "http://a@127.0.0.1:53682/callback") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := authParams(challenge)
			tt.edit(q)
			resp, body := authorizeGet(t, s, q)
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" ||
				!strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, `id="error"`) {
				t.Fatalf("got %d Location=%q, want a 400 HTML error page", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
}

func TestAuthorizeErrorsRedirected(t *testing.T) {
	s := startTest(t, Options{AutoApprove: UserAlice})
	_, challenge := pkce()
	for _, tt := range []struct {
		name, code string
		edit       func(url.Values)
	}{
		{"response type", "unsupported_response_type", func(q url.Values) { q.Set("response_type", "token") }},
		{"unknown scope", "invalid_scope", func(q url.Values) { q.Set("scope", "openid admin") }},
		{"no PKCE", "invalid_request", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }},
		{"plain PKCE", "invalid_request", func(q url.Values) { q.Set("code_challenge_method", "plain") }},
		{"PKCE method missing", "invalid_request", func(q url.Values) { q.Del("code_challenge_method") }},
		{"bad challenge", "invalid_request", func(q url.Values) { q.Set("code_challenge", "short") }},
		{"unknown org", "invalid_request", func(q url.Values) { q.Set("orgIds", "ffffffffffffffffffffffff") }},
		{"bob lacks required org", "access_denied", func(q url.Values) { q.Set("orgIds", s.ids.org(OrgAcme).ID) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.code == "access_denied" {
				s.SetAutoApprove(UserBob)
				defer s.SetAutoApprove(UserAlice)
			}
			q := authParams(challenge)
			tt.edit(q)
			resp, _ := authorizeGet(t, s, q)
			got := redirectQuery(t, resp, "/callback")
			if got.Get("error") != tt.code || got.Get("state") != "st-1" || got.Has("code") {
				t.Fatalf("redirect query %v, want error=%s with state", got, tt.code)
			}
		})
	}
}

func TestRedirectURIAnyLoopbackPort(t *testing.T) {
	c := builtinClients()[ClientPublic]
	for uri, want := range map[string]bool{
		"http://127.0.0.1/callback":                               true,
		"http://127.0.0.1:1/callback":                             true,
		"http://127.0.0.1:49282/auth/oauth/callback/huggingface":  true,
		"http://127.0.0.1:49282/callback/":                        false,
		"http://127.0.0.1:49282/CALLBACK":                         false,
		"http://127.0.0.1:49282/callback#x":                       false,
		"http://127.0.0.2:49282/callback":                         false,
		"http://[::1]:49282/callback":                             false,
		"http://127.0.0.1:49282/auth/oauth/callback/huggingface?": false,
	} {
		if got := c.allowsRedirect(uri); got != want {
			t.Errorf("allowsRedirect(%q) = %v, want %v", uri, got, want)
		}
	}
}

func TestConsentPageApproveAndDeny(t *testing.T) {
	s := startTest(t, Options{})
	verifier, challenge := pkce()
	resp, page := authorizeGet(t, s, authParams(challenge))
	if resp.StatusCode != 200 {
		t.Fatalf("consent page: %d", resp.StatusCode)
	}
	for _, sel := range []string{`name="user" value="alice"`, `name="user" value="bob"`,
		`name="decision" value="approve"`, `name="decision" value="deny"`, `name="org" value="acme"`, "<code>profile</code>"} {
		if !strings.Contains(page, sel) {
			t.Errorf("consent page lacks %s", sel)
		}
	}
	// Approve as alice without ticking acme: the token does not see acme.
	form := url.Values{"consent": {consentID(t, page)}, "user": {"alice"}, "decision": {"approve"}}
	resp, _ = postForm(t, s, "/oauth/authorize", form, "", "")
	q := redirectQuery(t, resp, "/callback")
	if q.Get("state") != "st-1" || q.Get("code") == "" {
		t.Fatalf("approve redirect %v", q)
	}
	resp, again := postForm(t, s, "/oauth/authorize", form, "", "")
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("answering a consent twice: %d %v", resp.StatusCode, again)
	}
	resp, tok := postForm(t, s, "/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")},
		"redirect_uri": {testRedirect}, "code_verifier": {verifier}, "client_id": {ClientPublic}}, "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("token: %d %v", resp.StatusCode, tok)
	}
	var who struct{ Orgs []any }
	getJSON(t, s.URL()+"/api/whoami-v2", tok["access_token"].(string), &who)
	if len(who.Orgs) != 0 {
		t.Fatalf("orgs not ticked, whoami shows %v", who.Orgs)
	}

	// Deny.
	_, page = authorizeGet(t, s, authParams(challenge))
	resp, _ = postForm(t, s, "/oauth/authorize", url.Values{"consent": {consentID(t, page)}, "user": {"bob"}, "decision": {"deny"}}, "", "")
	if q := redirectQuery(t, resp, "/callback"); q.Get("error") != "access_denied" || q.Get("state") != "st-1" || q.Has("code") {
		t.Fatalf("deny redirect %v", q)
	}

	// A forged form without the page's consent id, and a cross-site POST.
	resp, _ = postForm(t, s, "/oauth/authorize", url.Values{"consent": {"guess"}, "user": {"alice"}, "decision": {"approve"}}, "", "")
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("forged consent: %d", resp.StatusCode)
	}
	_, page = authorizeGet(t, s, authParams(challenge))
	req, _ := http.NewRequest("POST", s.URL()+"/oauth/authorize",
		strings.NewReader(url.Values{"consent": {consentID(t, page)}, "user": {"alice"}, "decision": {"approve"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site consent POST: %d, want 403", resp.StatusCode)
	}
}

func TestAutoApproveAdminRoute(t *testing.T) {
	s := startTest(t, Options{})
	_, challenge := pkce()
	put := func(body string) int {
		req, _ := http.NewRequest("PUT", s.URL()+"/_hubsim/auto-approve", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if put(`{"user":"mallory"}`) != http.StatusBadRequest {
		t.Fatal("auto-approve accepted an unknown user")
	}
	if put(`{"user":"bob"}`) != 200 {
		t.Fatal("auto-approve bob refused")
	}
	resp, _ := authorizeGet(t, s, authParams(challenge))
	if q := redirectQuery(t, resp, "/callback"); q.Get("code") == "" {
		t.Fatalf("auto-approved redirect %v", q)
	}
	put(`{"user":""}`)
	if resp, _ := authorizeGet(t, s, authParams(challenge)); resp.StatusCode != 200 {
		t.Fatalf("auto-approve off: %d, want the consent page", resp.StatusCode)
	}
}
