package webauth_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/webauth"
)

// TestTwoUsersOwnSessions: two browsers signed in as two users each act as
// their own principal, see only their own sessions, and a sign-out ends
// only the signer's.
func TestTwoUsersOwnSessions(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	s := startSite(t, hub, nil)
	alice, bob, nobody := browser(t, false), browser(t, false), browser(t, false)
	s.signIn(t, alice, hubsim.UserAlice)
	s.signIn(t, bob, hubsim.UserBob)

	aliceSays, bobSays := s.whoami(t, alice), s.whoami(t, bob)
	if !strings.HasPrefix(aliceSays, "user huggingface:") || !strings.HasSuffix(aliceSays, " alice") ||
		!strings.HasSuffix(bobSays, " bob") || aliceSays[:len(aliceSays)-6] == bobSays[:len(bobSays)-4] {
		t.Fatalf("alice is %q, bob is %q: want two users with their own subjects", aliceSays, bobSays)
	}
	if got := s.whoami(t, nobody); got != "anonymous  " {
		t.Errorf("a browser without a session is %q, want anonymous", got)
	}
	aliceSubject := strings.Fields(aliceSays)[1]
	list, err := s.sessions.ListSessions(t.Context(), aliceSubject)
	if err != nil || len(list) != 1 || list[0].Principal.Username != hubsim.UserAlice {
		t.Fatalf("alice's sessions = %+v, %v; want one", list, err)
	}

	s.logout(t, alice)
	if got := s.whoami(t, alice); got != "anonymous  " {
		t.Errorf("after signing out, alice is %q", got)
	}
	if got := s.whoami(t, bob); got != bobSays {
		t.Errorf("alice's sign-out changed bob to %q", got)
	}
	if list, _ := s.sessions.ListSessions(t.Context(), aliceSubject); len(list) != 0 {
		t.Errorf("alice still has %d sessions after signing out", len(list))
	}
}

// TestSessionJSON: GET /auth/session says who is signed in, with the app's
// fields, and never holds a token.
func TestSessionJSON(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	s := startSite(t, hub, func(a *webauth.Auth) {
		a.SessionFields = func(*http.Request) map[string]any { return map[string]any{"app": "x", "signed_in": "overridden?"} }
	})
	c := browser(t, false)
	session := func() map[string]any {
		_, body := s.get(t, c, "/auth/session")
		var out map[string]any
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		if strings.Contains(body, "hf_") {
			t.Errorf("session JSON %s holds something like a token", body)
		}
		return out
	}
	if out := session(); out["signed_in"] != false || out["app"] != "x" {
		t.Errorf("signed out: %v", out)
	}
	s.signIn(t, c, hubsim.UserAlice)
	if out := session(); out["signed_in"] != true || out["username"] != hubsim.UserAlice ||
		out["name"] != "Alice Martin" || out["provider"] != "huggingface" || out["avatar_url"] == "" {
		t.Errorf("signed in: %v", out)
	}
}

// TestSessionExpiry: a session ends after its idle timeout unless used,
// and after its lifetime whatever the use; an ended session is anonymous.
func TestSessionExpiry(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	s := startSite(t, hub, func(a *webauth.Auth) { a.SessionTTL, a.IdleTimeout = 3*time.Hour, time.Hour })
	c := browser(t, false)
	s.signIn(t, c, hubsim.UserAlice)
	for range 3 { // used every 50 minutes: the idle timeout never strikes
		s.clock.Advance(50 * time.Minute)
		if got := s.whoami(t, c); !strings.HasSuffix(got, " alice") {
			t.Fatalf("after %v of regular use: %q", 50*time.Minute, got)
		}
	}
	s.clock.Advance(time.Hour)
	if got := s.whoami(t, c); !strings.HasPrefix(got, "anonymous") {
		t.Errorf("past the 3-hour lifetime: %q, want anonymous", got)
	}

	s.signIn(t, c, hubsim.UserAlice)
	s.clock.Advance(time.Hour + time.Second)
	if got := s.whoami(t, c); !strings.HasPrefix(got, "anonymous") {
		t.Errorf("an hour idle: %q, want anonymous", got)
	}
}

// TestMiddlewareForgedCookieAndOuterPrincipal: a cookie that names no
// session is anonymous, and so is a request whose context carried a
// principal before (the middleware decides alone).
func TestMiddlewareForgedCookieAndOuterPrincipal(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	s := startSite(t, hub, nil)
	c := browser(t, false)
	s.signIn(t, c, hubsim.UserAlice)
	// The store holds only the hash: its IDs are no cookies.
	list, _ := s.sessions.ListSessions(t.Context(), strings.Fields(s.whoami(t, c))[1])
	for _, cookie := range []string{"guess", list[0].ID} {
		req, _ := http.NewRequest(http.MethodGet, s.ts.URL+"/whoami", nil)
		req.AddCookie(&http.Cookie{Name: webauth.SessionCookie, Value: cookie})
		if got := s.serve(req); !strings.HasPrefix(got, "anonymous") {
			t.Errorf("cookie %.12s…: %q, want anonymous", cookie, got)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, s.ts.URL+"/whoami", nil)
	req = req.WithContext(hfgate.WithPrincipal(req.Context(), hfgate.Local))
	if got := s.serve(req); !strings.HasPrefix(got, "anonymous") {
		t.Errorf("a request carrying hfgate.Local: %q, want anonymous", got)
	}
}
