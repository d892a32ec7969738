package gateway_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
)

// TestTwoUsersSignIn: alice and bob sign in from browsers of their own;
// each sees only their own sessions, and alice's HF token is kept sealed
// for the gateway to call the Hub with.
func TestTwoUsersSignIn(t *testing.T) {
	forEachDB(t, func(t *testing.T, db database) {
		sim := startHubsim(t)
		g := startGateway(t, sim, db.open(t), nil)
		alice, alice2, bob := newBrowser(t, g, "alice"), newBrowser(t, g, "alice"), newBrowser(t, g, "bob")
		for _, b := range []*browser{alice, alice2, bob} {
			b.signIn()
		}
		a, a2, bb := alice.account(), alice2.account(), bob.account()
		if a.User.Username != "alice" || bb.User.Username != "bob" || a.User.Subject == bb.User.Subject {
			t.Fatalf("accounts: %+v, %+v", a.User, bb.User)
		}
		if len(a.Sessions) != 2 || len(bb.Sessions) != 1 {
			t.Fatalf("alice sees %d sessions, bob %d; want 2 and 1", len(a.Sessions), len(bb.Sessions))
		}
		if !a.Sessions[0].Current && !a.Sessions[1].Current {
			t.Error("alice's list does not mark her current session")
		}
		for _, s := range bb.Sessions {
			for _, as := range a.Sessions {
				if s.ID == as.ID {
					t.Error("bob sees one of alice's sessions")
				}
			}
		}
		// Bob cannot end alice's session.
		resp := bob.postForm("/account/sessions/"+a2.Sessions[0].ID+"/end", url.Values{})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("bob ending alice's session: %d, want 404", resp.StatusCode)
		}
		resp.Body.Close()
		// Alice ends her other browser's session: it is signed out.
		var other string
		for _, s := range a.Sessions {
			if !s.Current {
				other = s.ID
			}
		}
		resp = alice.postForm("/account/sessions/"+other+"/end", url.Values{})
		if resp.StatusCode != http.StatusOK || !strings.HasSuffix(resp.Request.URL.Path, "/account") {
			t.Errorf("ending a session: %d at %s", resp.StatusCode, resp.Request.URL)
		}
		resp.Body.Close()
		if resp := alice2.get("/api/account"); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("the ended session still works: %d", resp.StatusCode)
		}
		if n := len(alice.account().Sessions); n != 1 {
			t.Errorf("alice has %d sessions after ending one, want 1", n)
		}

		// The upstream credential of alice is kept, sealed, by subject.
		cred, err := g.store.LoadCredential(t.Context(), sim.URL(), a.User.Subject)
		if err != nil || !strings.HasPrefix(cred.AccessToken, "hf_oauth_") || cred.Username != "alice" {
			t.Errorf("alice's upstream credential: %+v, %v", cred, err)
		}
		p, err := g.Upstream().Token(hfgate.WithPrincipal(t.Context(), &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: a.User.Subject}))
		if err != nil || p != cred.AccessToken {
			t.Errorf("Upstream().Token for alice = %q, %v", p, err)
		}
	})
}

// TestForgedCookies: a cookie that names no session (forged, tampered,
// or of an ended session) is a signed-out browser.
func TestForgedCookies(t *testing.T) {
	sim := startHubsim(t)
	forEachDB(t, func(t *testing.T, db database) {
		g := startGateway(t, sim, db.open(t), nil)
		b := newBrowser(t, g, "alice")
		b.signIn()
		u, _ := url.Parse(g.URL)
		var secret string
		for _, c := range b.c.Jar.Cookies(u) {
			if c.Name == "hfgate_session" {
				secret = c.Value
			}
		}
		if secret == "" {
			t.Fatal("no session cookie")
		}
		for name, value := range map[string]string{
			"tampered": secret[:len(secret)-1] + string(rune('A'+(secret[len(secret)-1]+1)%26)),
			"forged":   "AAAAAAAAAAAAAAAAAAAAAAAAAA",
			"empty":    "",
			"huge":     strings.Repeat("x", 3000),
		} {
			req, _ := http.NewRequest("GET", g.URL+"/api/account", nil)
			req.AddCookie(&http.Cookie{Name: "hfgate_session", Value: value})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s cookie: %d, want 401", name, resp.StatusCode)
			}
		}
	})
}

// TestCSRF: a form posted without the session's CSRF token, or from
// another site, changes nothing.
func TestCSRF(t *testing.T) {
	sim := startHubsim(t)
	forEachDB(t, func(t *testing.T, db database) {
		g := startGateway(t, sim, db.open(t), nil)
		b := newBrowser(t, g, "alice")
		b.signIn()
		form := "name=script&days=30"
		for name, h := range map[string]map[string]string{
			"no token":     {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"},
			"another site": {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		} {
			body := form
			if name == "another site" {
				body += "&csrf_token=" + b.csrf()
			}
			resp := b.do("POST", "/account/tokens", strings.NewReader(body), h)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", name, resp.StatusCode)
			}
			resp.Body.Close()
		}
		if n := len(b.account().Tokens); n != 0 {
			t.Errorf("%d tokens made by refused requests", n)
		}
		resp := b.postForm("/account/tokens", url.Values{"name": {"script"}, "days": {"30"}})
		body := readAll(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="new-token-value">hf_`) {
			t.Errorf("with the token: %d\n%s", resp.StatusCode, body)
		}
	})
}
