package hubsim

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// browser is an HTTP client with its own cookies, as a browser context.
func browser(tb testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// codeFor runs an authorization request in b and returns the redirect's
// code, or the consent page when there is no redirect.
func codeFor(tb testing.TB, s *Server, b *http.Client, state string) (code, page string) {
	tb.Helper()
	_, challenge := pkce()
	q := authParams(challenge)
	q.Set("state", state)
	resp, err := b.Get(s.URL() + "/oauth/authorize?" + q.Encode())
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusFound {
		loc, _ := url.Parse(resp.Header.Get("Location"))
		return loc.Query().Get("code"), ""
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return "", string(body)
}

// codeUser returns the user an authorization code was issued to.
func codeUser(s *Server, code string) string {
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	if ac := s.oauth.codes[code]; ac != nil {
		return ac.user.Name
	}
	return ""
}

// TestSignInPerBrowser checks per-browser consent: two browsers signed in
// to hubsim as different users each approve as their own user, with no
// global auto-approval; a signed-in browser without auto-approval sees
// the consent page for its user only.
func TestSignInPerBrowser(t *testing.T) {
	s := startTest(t, Options{})
	alice, bob := browser(t), browser(t)
	login := func(b *http.Client, body string) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.URL()+"/_hubsim/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := b.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("login %s: %d", body, resp.StatusCode)
		}
	}
	login(alice, `{"user":"alice","autoApprove":true}`)
	login(bob, `{"user":"bob","autoApprove":true}`)
	for _, tt := range []struct {
		b    *http.Client
		user string
	}{{alice, UserAlice}, {bob, UserBob}, {alice, UserAlice}} {
		code, page := codeFor(t, s, tt.b, "st")
		if got := codeUser(s, code); got != tt.user {
			t.Errorf("browser of %s: code for %q (page %.80q)", tt.user, got, page)
		}
	}
	if code, page := codeFor(t, s, browser(t), "st"); code != "" || !strings.Contains(page, `value="bob"`) {
		t.Errorf("a browser not signed in: code %q; want the consent page with every user", code)
	}

	carol := browser(t)
	cookie, err := s.SignIn(UserBob, false)
	if err != nil {
		t.Fatal(err)
	}
	carol.Jar.SetCookies(mustURL(t, s.URL()), []*http.Cookie{cookie})
	_, page := codeFor(t, s, carol, "st")
	if !strings.Contains(page, `value="bob"`) || strings.Contains(page, `value="alice"`) {
		t.Fatalf("signed in without auto-approval: want a consent page for bob only:\n%s", page)
	}
	form := url.Values{"consent": {consentID(t, page)}, "decision": {"approve"}, "user": {UserAlice}}
	resp, err := carol.PostForm(s.URL()+"/oauth/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("approving as alice from bob's browser: %d, want 400", resp.StatusCode)
	}

	resp, err = bob.Post(s.URL()+"/_hubsim/logout", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, _ := codeFor(t, s, bob, "st"); code != "" {
		t.Error("still approved after logout")
	}
}

// TestApproveOnce checks one-shot approvals: for an app's next request
// (optionally of one state), and for a pending device code.
func TestApproveOnce(t *testing.T) {
	s := startTest(t, Options{})
	b := browser(t)
	if err := s.Approve(Approval{User: UserBob, ClientID: ClientPublic, State: "mine"}); err != nil {
		t.Fatal(err)
	}
	if code, _ := codeFor(t, s, b, "other"); code != "" {
		t.Error("an approval for state mine approved state other")
	}
	if code, _ := codeFor(t, s, b, "mine"); codeUser(s, code) != UserBob {
		t.Errorf("state mine: code for %q, want bob", codeUser(s, code))
	}
	if code, _ := codeFor(t, s, b, "mine"); code != "" {
		t.Error("the approval was used twice")
	}
	if resp, body := postJSON(t, s.URL()+"/_hubsim/approvals", `{"user":"alice","client_id":"hubsim-public"}`); resp.StatusCode != 200 {
		t.Fatalf("approvals: %d %s", resp.StatusCode, body)
	}
	if code, _ := codeFor(t, s, b, "any"); codeUser(s, code) != UserAlice {
		t.Errorf("HTTP approval: code for %q, want alice", codeUser(s, code))
	}

	dc := startDevice(t, s, "openid profile")
	if resp, body := postJSON(t, s.URL()+"/_hubsim/approvals", `{"user":"bob","user_code":"`+dc["user_code"].(string)+`"}`); resp.StatusCode != 200 {
		t.Fatalf("device approval: %d %s", resp.StatusCode, body)
	}
	if resp, tok := pollDevice(t, s, dc); resp.StatusCode != 200 || tok["access_token"] == nil {
		t.Errorf("device poll after approval: %d %v", resp.StatusCode, tok)
	}
	for _, bad := range []Approval{{User: "mallory", ClientID: ClientPublic}, {User: UserBob}, {User: UserBob, ClientID: "nope"},
		{User: UserBob, UserCode: "BCDF-GHJK"}} {
		if err := s.Approve(bad); err == nil {
			t.Errorf("Approve(%+v): no error", bad)
		}
	}
}

func mustURL(tb testing.TB, s string) *url.URL {
	tb.Helper()
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}
