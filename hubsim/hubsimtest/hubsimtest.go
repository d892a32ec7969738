// Package hubsimtest starts hubsim servers for tests, as net/http/httptest
// does for handlers. It is the only part of hubsim that imports package
// testing, so that the shipped binary, which runs hubsim for "hfgate
// hubsim" and "hfgate demo", does not link it.
package hubsimtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
)

// Start starts a hubsim.Server with opts on two loopback ports (the Hub and
// its CDN) for the duration of a test, and closes it in tb.Cleanup. It
// fails the test if the server cannot start.
func Start(tb testing.TB, opts hubsim.Options) *hubsim.Server {
	tb.Helper()
	s, err := hubsim.New(opts)
	if err != nil {
		tb.Fatalf("hubsim.New: %v", err)
	}
	if err := s.Start("127.0.0.1:0", "127.0.0.1:0"); err != nil {
		tb.Fatalf("hubsim.Start: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// Token mints a classic access token ("hf_…") with role "read" or "write"
// for user, failing the test if it cannot.
func Token(tb testing.TB, s *hubsim.Server, user, role string) string {
	tb.Helper()
	tok, err := s.MintToken(user, role)
	if err != nil {
		tb.Fatalf("hubsim.MintToken(%q, %q): %v", user, role, err)
	}
	return tok
}

// CIToken starts a simulated CI job with claims and returns an ID token
// of it for audience, fetched as GitHub's toolkit fetches one (GET the
// request URL with &audience=, the request token as bearer), failing the
// test if it cannot.
func CIToken(tb testing.TB, s *hubsim.Server, claims map[string]string, audience string) string {
	tb.Helper()
	reqURL, reqToken, err := s.StartCIJob(claims)
	if err != nil {
		tb.Fatalf("hubsim.StartCIJob: %v", err)
	}
	req, err := http.NewRequest(http.MethodGet, reqURL+"&audience="+url.QueryEscape(audience), nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+reqToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("get a CI ID token: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		Value string `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.Value == "" {
		tb.Fatalf("get a CI ID token: %s (%v)", resp.Status, err)
	}
	return out.Value
}
