package oidcauth

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// DefaultHTTPTimeout bounds each request to the provider when Config has no
// HTTPClient. go-oidc fetches signing keys with the client it was given and
// lets later key refreshes wait on a fetch in flight, so one hung request
// with no timeout would stall every sign-in of a long-running server.
const DefaultHTTPTimeout = 30 * time.Second

// Redirect policies. net/http drops Authorization when a redirect leaves the
// domain but not for a subdomain, and it resends a POST body on 307/308 to
// any host. The token and device endpoints get POST bodies holding the
// authorization code, the PKCE verifier, the refresh token or the client
// secret, so they never follow a redirect; discovery, JWKS and userinfo (a
// bearer token) follow redirects on their own origin only.

var errTokenRedirect = errors.New("the token endpoint answered with a redirect; hfgate does not resend credentials to another address")

func refuseRedirect(*http.Request, []*http.Request) error { return errTokenRedirect }

func sameOriginRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if o := via[0].URL; req.URL.Scheme != o.Scheme || req.URL.Host != o.Host {
		return fmt.Errorf("refusing to follow a redirect from %s to another origin (%s://%s)", o.Host, req.URL.Scheme, req.URL.Host)
	}
	return nil
}

// withRedirects returns a copy of hc with the redirect policy check.
func withRedirects(hc *http.Client, check func(*http.Request, []*http.Request) error) *http.Client {
	cp := *hc
	cp.CheckRedirect = check
	return &cp
}
