// Package hubsimtest starts hubsim servers for tests, as net/http/httptest
// does for handlers. It is the only part of hubsim that imports package
// testing, so that the shipped binary, which runs hubsim for "hfgate
// hubsim" and "hfgate demo", does not link it.
package hubsimtest

import (
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
