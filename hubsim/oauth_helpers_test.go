package hubsim

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const testRedirect = "http://127.0.0.1:53682/callback"

// pkce returns a fresh verifier and its S256 challenge.
func pkce() (verifier, challenge string) {
	verifier = rand.Text() + rand.Text()
	return verifier, s256(verifier)
}

// authParams returns a valid authorization request for the public client.
func authParams(challenge string) url.Values {
	return url.Values{
		"client_id": {ClientPublic}, "redirect_uri": {testRedirect}, "response_type": {"code"},
		"scope": {"openid profile"}, "state": {"st-1"}, "nonce": {"n-1"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"},
	}
}

// authorizeGet sends GET /oauth/authorize without following redirects.
func authorizeGet(tb testing.TB, s *Server, q url.Values) (*http.Response, string) {
	tb.Helper()
	resp, body := do(tb, "GET", s.URL()+"/oauth/authorize?"+q.Encode(), "")
	return resp, string(body)
}

// redirectQuery checks that resp redirects to testRedirect's host and path and
// returns the redirect's query.
func redirectQuery(tb testing.TB, resp *http.Response, redirectPath string) url.Values {
	tb.Helper()
	if resp.StatusCode != http.StatusFound {
		tb.Fatalf("status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		tb.Fatal(err)
	}
	if loc.Host != "127.0.0.1:53682" || loc.Path != redirectPath {
		tb.Fatalf("redirect to %s, want the registered redirect URI", loc.Redacted())
	}
	return loc.Query()
}

var consentField = regexp.MustCompile(`name="consent" value="([^"]+)"`)

// consentID reads the consent page's hidden anti-CSRF field.
func consentID(tb testing.TB, page string) string {
	tb.Helper()
	m := consentField.FindStringSubmatch(page)
	if m == nil {
		tb.Fatalf("no consent form in page:\n%s", page)
	}
	return m[1]
}

// postForm posts form to path, with HTTP Basic if user is set, and decodes
// a JSON answer into a map (nil for a non-JSON body).
func postForm(tb testing.TB, s *Server, path string, form url.Values, user, pass string) (*http.Response, map[string]any) {
	tb.Helper()
	req, err := http.NewRequest("POST", s.URL()+path, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		m = map[string]any{"_body": string(body)}
	}
	return resp, m
}

// wantTokenError checks an RFC 6749 §5.2 error answer.
func wantTokenError(tb testing.TB, resp *http.Response, body map[string]any, status int, code string) {
	tb.Helper()
	if resp.StatusCode != status || body["error"] != code {
		tb.Fatalf("got %d %v, want %d error=%s", resp.StatusCode, body, status, code)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		tb.Errorf("Cache-Control = %q, want no-store", resp.Header.Get("Cache-Control"))
	}
}

// signIn runs the authorization code flow with auto-approval as user and
// returns the token response.
func signIn(tb testing.TB, s *Server, user, scope string) map[string]any {
	tb.Helper()
	if err := s.SetAutoApprove(user); err != nil {
		tb.Fatal(err)
	}
	defer s.SetAutoApprove("")
	verifier, challenge := pkce()
	q := authParams(challenge)
	q.Set("scope", scope)
	resp, _ := authorizeGet(tb, s, q)
	code := redirectQuery(tb, resp, "/callback").Get("code")
	resp, tok := postForm(tb, s, "/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {testRedirect}, "code_verifier": {verifier}, "client_id": {ClientPublic}}, "", "")
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("token: %d %v", resp.StatusCode, tok)
	}
	return tok
}
