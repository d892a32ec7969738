package oidcauth

import (
	"context"
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

func TestSignIn(t *testing.T) {
	for _, tt := range []struct {
		name   string
		secret string
	}{
		{"public client", ""},
		{"confidential client", "s3cret-app-secret"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t)
			p.clientSecret = tt.secret
			c := mustOpen(t, p, nil)
			r, err := signIn(t, p, c)
			if err != nil {
				t.Fatalf("sign-in: %v", err)
			}
			want := hfgate.User{
				ID: "62f264b9f3c90f4b6514a269", Username: "alice", FullName: "Alice Martin",
				Email: "alice@example.com", AvatarURL: "https://example.test/avatars/alice.svg", IsPro: true,
				Orgs: []hfgate.Org{{ID: "6400000000000000000000aa", Name: "acme", FullName: "Acme Corp",
					AvatarURL: "https://example.test/avatars/acme.svg", Role: "write"}},
			}
			if !reflect.DeepEqual(r.User, want) {
				t.Errorf("User = %+v,\nwant %+v", r.User, want)
			}
			if got, want := r.Scopes, HuggingFaceScopes(); !slices.Equal(got, want) {
				t.Errorf("Scopes = %q, want %q", got, want)
			}
			if got, want := r.Token.Expiry, p.clock.Now().Add(time.Hour); !got.Equal(want) {
				t.Errorf("Expiry = %v, want %v (expires_in from the configured clock)", got, want)
			}
			if r.IDToken == nil || r.IDToken.Subject != want.ID {
				t.Errorf("IDToken = %+v, want subject %s", r.IDToken, want.ID)
			}
			cred := r.Credential("https://hub.example", hfgate.LocalSubject)
			if cred.AccessToken == "" || cred.RefreshToken == "" || cred.Username != "alice" ||
				cred.ClientID != "app" || cred.Issuer != p.srv.URL || cred.Endpoint != "https://hub.example" {
				t.Errorf("Credential = %+v", cred)
			}
		})
	}
}

func TestBegin(t *testing.T) {
	p := newProvider(t)
	c := mustOpen(t, p, nil)
	authURL, a, err := c.Begin("http://127.0.0.1:5000/callback", WithOrgID("6400000000000000000000aa"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, want := range map[string]string{
		"response_type":         "code",
		"client_id":             "app",
		"redirect_uri":          "http://127.0.0.1:5000/callback",
		"scope":                 "openid profile read-repos gated-repos",
		"state":                 a.State,
		"nonce":                 a.Nonce,
		"code_challenge_method": "S256",
		"code_challenge":        s256(a.Verifier),
		"orgIds":                "6400000000000000000000aa",
	} {
		if got := q.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if q.Has("code_verifier") || q.Has("client_secret") {
		t.Errorf("authorization URL leaks a secret: %s", authURL)
	}
	if q.Has("prompt") {
		t.Errorf("prompt = %q without offline_access", q.Get("prompt"))
	}
	if len(a.Verifier) < 43 || len(a.State) < 20 || len(a.Nonce) < 20 {
		t.Errorf("attempt values too short: %+v", a)
	}

	_, b, err := c.Begin("http://127.0.0.1:5000/callback")
	if err != nil {
		t.Fatal(err)
	}
	if b.State == a.State || b.Nonce == a.Nonce || b.Verifier == a.Verifier {
		t.Errorf("two attempts share values: %+v and %+v", a, b)
	}

	// The attempt survives a JSON round trip, for web servers that store it.
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var back Attempt
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Created.Equal(a.Created) {
		t.Errorf("JSON round trip Created = %v, want %v", back.Created, a.Created)
	}
	back.Created = a.Created
	if back != *a {
		t.Errorf("JSON round trip = %+v, want %+v", back, *a)
	}
}

// TestBeginOfflineAccess: asking for offline_access sends prompt=consent
// (OpenID Connect Core §11), unless the caller chose a prompt.
func TestBeginOfflineAccess(t *testing.T) {
	p := newProvider(t)
	c := mustOpen(t, p, func(cfg *Config) { cfg.Scopes = []string{"openid", "offline_access"} })
	for _, tt := range []struct {
		opts []AuthOption
		want string
	}{
		{nil, "consent"},
		{[]AuthOption{WithParam("prompt", "login consent")}, "login consent"},
	} {
		authURL, _, err := c.Begin("http://127.0.0.1:5000/callback", tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(authURL)
		if got := u.Query()["prompt"]; len(got) != 1 || got[0] != tt.want {
			t.Errorf("prompt = %q, want [%q]", got, tt.want)
		}
	}
}

func TestBeginRejects(t *testing.T) {
	p := newProvider(t)
	c := mustOpen(t, p, nil)
	for _, tt := range []struct {
		name     string
		redirect string
		opts     []AuthOption
	}{
		{"plain http to another host", "http://example.com/callback", nil},
		{"relative redirect", "/callback", nil},
		{"redirect with fragment", "https://app.example/cb#x", nil},
		{"PKCE downgrade", "http://127.0.0.1/callback", []AuthOption{WithParam("code_challenge_method", "plain")}},
		{"state override", "http://127.0.0.1/callback", []AuthOption{WithParam("state", "fixed")}},
		{"nonce override", "http://127.0.0.1/callback", []AuthOption{WithParam("nonce", "fixed")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := c.Begin(tt.redirect, tt.opts...)
			wantError(t, p, err, hfgate.EINVALID)
		})
	}
}

func TestExchangeRejectsCallback(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(p *fakeProvider)
		edit  func(q url.Values, c *fakeProvider)
		code  string
		parts []string
	}{
		{name: "wrong state", edit: func(q url.Values, _ *fakeProvider) { q.Set("state", "forged") },
			code: hfgate.EUNAUTHORIZED, parts: []string{"state mismatch"}},
		{name: "missing state", edit: func(q url.Values, _ *fakeProvider) { q.Del("state") },
			code: hfgate.EUNAUTHORIZED, parts: []string{"state mismatch"}},
		{name: "other issuer (RFC 9207)", edit: func(q url.Values, _ *fakeProvider) { q.Set("iss", "https://evil.example") },
			code: hfgate.EUNAUTHORIZED, parts: []string{"another provider"}},
		{name: "access denied", setup: func(p *fakeProvider) { p.deny = true },
			code: hfgate.EUNAUTHORIZED, parts: []string{"sign-in was denied at the consent page", "access_denied"}},
		{name: "no code", edit: func(q url.Values, _ *fakeProvider) { q.Del("code") },
			code: hfgate.EUNAUTHORIZED, parts: []string{"without a code"}},
		{name: "unknown code", edit: func(q url.Values, _ *fakeProvider) { q.Set("code", "code_forged") },
			code: hfgate.EUNAUTHORIZED, parts: []string{"invalid_grant"}},
		{name: "attempt too old", edit: func(_ url.Values, p *fakeProvider) { p.clock.Advance(DefaultAttemptTTL + time.Second) },
			code: hfgate.EUNAUTHORIZED, parts: []string{"not completed within 10m0s"}},
		{name: "userinfo for another user", setup: func(p *fakeProvider) { p.userinfoSub = "someone-else" },
			code: hfgate.EUNAUTHORIZED, parts: []string{"another user"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t)
			if tt.setup != nil {
				tt.setup(p)
			}
			c := mustOpen(t, p, nil)
			authURL, a, err := c.Begin("http://127.0.0.1:8123/callback")
			if err != nil {
				t.Fatal(err)
			}
			q := authorize(t, p, authURL)
			if tt.edit != nil {
				tt.edit(q, p)
			}
			_, err = c.Exchange(context.Background(), a, q)
			wantError(t, p, err, tt.code, tt.parts...)
			assertNoSecrets(t, p, err, a.Verifier, q.Get("code"))
		})
	}
}

// TestExchangeChecksStateFirst proves a forged callback costs no token
// request: the code it carries is never sent.
func TestExchangeChecksStateFirst(t *testing.T) {
	p := newProvider(t)
	c := mustOpen(t, p, nil)
	_, a, err := c.Begin("http://127.0.0.1:8123/callback")
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"state": {"forged"}, "code": {"code_attacker"}, "error": {"server_error"}}
	_, err = c.Exchange(context.Background(), a, q)
	wantError(t, p, err, hfgate.EUNAUTHORIZED, "state mismatch")
	if n := p.Hits("authorization_code"); n != 0 {
		t.Errorf("token endpoint hit %d times, want 0", n)
	}
}

func TestExchangeCodeUsedTwice(t *testing.T) {
	p := newProvider(t)
	c := mustOpen(t, p, nil)
	authURL, a, err := c.Begin("http://127.0.0.1:8123/callback")
	if err != nil {
		t.Fatal(err)
	}
	q := authorize(t, p, authURL)
	if _, err := c.Exchange(context.Background(), a, q); err != nil {
		t.Fatalf("first Exchange: %v", err)
	}
	_, err = c.Exchange(context.Background(), a, q)
	wantError(t, p, err, hfgate.EUNAUTHORIZED, "code was rejected")
}
