package oidcauth

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
)

// mustOpen opens a Client on p's Hugging Face preset, changed by edit.
func mustOpen(tb testing.TB, p *fakeProvider, edit func(*Config)) *Client {
	tb.Helper()
	cfg := p.config()
	if edit != nil {
		edit(&cfg)
	}
	c, err := Open(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return c
}

// authorize plays the browser at the provider: it follows authURL to the
// redirect back and returns that redirect's query, without calling it.
func authorize(tb testing.TB, p *fakeProvider, authURL string) url.Values {
	tb.Helper()
	hc := *p.srv.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Get(authURL)
	if err != nil {
		tb.Fatalf("GET authorize: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		tb.Fatalf("authorize status = %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		tb.Fatal(err)
	}
	return loc.Query()
}

// signIn runs Begin, the browser and Exchange.
func signIn(tb testing.TB, p *fakeProvider, c *Client) (*Result, error) {
	tb.Helper()
	authURL, a, err := c.Begin("http://127.0.0.1:8123/callback")
	if err != nil {
		tb.Fatalf("Begin: %v", err)
	}
	return c.Exchange(context.Background(), a, authorize(tb, p, authURL))
}

// wantError fails unless err is an *hfgate.Error with code and a text
// containing every part, and checks that it leaks no secret.
func wantError(tb testing.TB, p *fakeProvider, err error, code string, parts ...string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("err = nil, want %s error", code)
	}
	tb.Logf("error: %v", err)
	if got := hfgate.ErrorCode(err); got != code {
		tb.Errorf("code = %q, want %q (err: %v)", got, code, err)
	}
	for _, part := range parts {
		if !strings.Contains(err.Error(), part) {
			tb.Errorf("err = %q, want it to contain %q", err, part)
		}
	}
	assertNoSecrets(tb, p, err)
}

// assertNoSecrets fails if err's text or user message contains any code,
// token or verifier the provider saw, or any of extra.
func assertNoSecrets(tb testing.TB, p *fakeProvider, err error, extra ...string) {
	tb.Helper()
	if err == nil {
		return
	}
	text := err.Error() + "\n" + hfgate.ErrorMessage(err)
	for _, s := range append(p.Secrets(), extra...) {
		if s != "" && strings.Contains(text, s) {
			tb.Errorf("error %q contains the secret %q", text, s)
		}
	}
}
