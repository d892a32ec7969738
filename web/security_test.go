package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

func TestCrossOriginPostsRejected(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	a := startApp(t, hub, false)
	c := a.browser(t, false)
	a.signIn(t, c, "/")

	for _, path := range []string{"/auth/logout", "/api/downloads", "/api/downloads/1/cancel", "/api/downloads/1/resume"} {
		for _, hdr := range []map[string]string{
			{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
			{"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:1"},
			{"Sec-Fetch-Site": "", "Origin": "https://evil.example"},
		} {
			resp, body := a.post(t, c, path, `{}`, hdr)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "another site") {
				t.Errorf("POST %s with %v: %s, want 403", path, hdr, resp.Status)
			}
		}
	}
	if s, _ := a.session(t, c); !s.SignedIn {
		t.Fatal("a cross-origin POST /auth/logout signed the browser out")
	}
	// The same requests from the app's own pages go through.
	resp, _ := a.post(t, c, "/auth/logout", "", map[string]string{"Accept": "application/json"})
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("same-origin POST /auth/logout: %s, want 204", resp.Status)
	}
	if s, _ := a.session(t, c); s.SignedIn {
		t.Error("same-origin sign out did not sign out")
	}
}

func TestSecurityHeaders(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{})
	a := startApp(t, hub, false)
	for _, path := range []string{"/", "/auth/session", "/static/app.js", "/api/nope"} {
		resp, _ := a.get(t, a.browser(t, true), path)
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'",
			"img-src 'self' data: " + hub.URL(), "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self' " + hub.URL()} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") {
			t.Errorf("%s: CSP allows unsafe sources: %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", path, resp.Header)
		}
	}
}

func TestForeignHostRefused(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{})
	a := startApp(t, hub, false)
	c := a.browser(t, true)
	req, _ := http.NewRequest(http.MethodGet, a.ts.URL+"/auth/session", nil)
	req.Host = "rebind.evil.example"
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("Host rebind.evil.example: %s, want 403", resp.Status)
	}
	u, _ := url.Parse(a.ts.URL)
	req, _ = http.NewRequest(http.MethodGet, a.ts.URL+"/downloads?x=1", nil)
	req.Host = "localhost:" + u.Port()
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.Header.Get("Location"), a.ts.URL+"/downloads?x=1"; resp.StatusCode != http.StatusTemporaryRedirect || got != want {
		t.Errorf("Host localhost: %s to %q, want 307 to %s", resp.Status, got, want)
	}
}

func TestFooterNamesTheCache(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{})
	a := startApp(t, hub, false)
	_, body := a.get(t, a.browser(t, true), "/")
	if want := "files go to <code>" + a.cache.Dir + "</code>"; !strings.Contains(body, want) {
		t.Errorf("home page lacks %q", want)
	}
}
