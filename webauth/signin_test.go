package webauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/webauth"
)

// TestSignInRefusedByApp: when the app's SignedIn refuses, the browser is
// told why and gets no session.
func TestSignInRefusedByApp(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserBob})
	s := startSite(t, hub, nil)
	s.refuse = true
	c := browser(t, false)
	resp, body := s.get(t, c, "/auth/oauth/authorize/huggingface")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "this app refuses bob") {
		t.Errorf("refused sign-in: %s %q", resp.Status, body)
	}
	if got := s.whoami(t, c); !strings.HasPrefix(got, "anonymous") {
		t.Errorf("after a refused sign-in: %q", got)
	}
}

// TestSignInPerProvider: the routes serve the configured providers only; a
// callback needs the attempt its browser began, for the same provider.
func TestSignInPerProvider(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	s := startSite(t, hub, nil)
	for _, tt := range []struct {
		path   string
		status int
		says   string
	}{
		{"/auth/oauth/authorize/nope", http.StatusNotFound, `no sign-in provider "nope"`},
		{"/auth/oauth/authorize/unconfigured", http.StatusBadRequest, "no OAuth app is configured"},
		{"/auth/oauth/callback/huggingface?code=stolen&state=guess", http.StatusUnauthorized, "not started from this browser, or took too long; sign in again"},
	} {
		resp, body := s.get(t, browser(t, true), tt.path)
		if resp.StatusCode != tt.status || !strings.Contains(body, tt.says) {
			t.Errorf("GET %s: %s %q, want %d saying %q", tt.path, resp.Status, body, tt.status, tt.says)
		}
	}

	// An attempt begun for one provider does not complete another's callback.
	c := browser(t, true)
	resp, _ := s.get(t, c, "/auth/oauth/authorize/huggingface")
	loc, _ := url.Parse(resp.Header.Get("Location"))
	back := follow(t, c, loc.String())
	other := strings.Replace(back, "/callback/huggingface", "/callback/unconfigured", 1)
	if resp, _ := s.get(t, c, strings.TrimPrefix(other, s.ts.URL)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("callback of another provider: %s, want 401", resp.Status)
	}
	if len(s.signedIn) != 0 {
		t.Errorf("SignedIn ran for %q", s.signedIn)
	}
}

// follow GETs u without following its redirect and returns the Location.
func follow(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Location")
}

// TestSecureCookies: behind https the session cookie is Secure and
// __Host- prefixed, and only the prefixed name is read.
func TestSecureCookies(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	s := startSite(t, hub, func(a *webauth.Auth) { a.BaseURL = "https://gw.example" })
	resp, _ := s.get(t, browser(t, true), "/auth/oauth/authorize/huggingface")
	var names []string
	for _, c := range resp.Cookies() {
		names = append(names, c.Name)
		if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %s = %+v: want Secure, HttpOnly, SameSite=Lax", c.Name, c)
		}
	}
	if len(names) != 1 || names[0] != "__Secure-"+webauth.AttemptCookie {
		t.Errorf("cookies %q, want the __Secure- attempt cookie", names)
	}
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, url.QueryEscape("https://gw.example/auth/oauth/callback/huggingface")) {
		t.Errorf("redirect_uri in %s is not on the https base URL", loc)
	}
}
