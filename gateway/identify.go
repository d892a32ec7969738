package gateway

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/hfgate/hfgate"
)

// bearer returns the token of r's Authorization header, and whether the
// header was there at all.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, tok, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimSpace(tok), true
}

// identify returns the caller of r: the owner of its bearer token, else of
// its session cookie, else hfgate.Anonymous. A bearer token the gateway
// does not accept is an error (EUNAUTHORIZED); a session cookie that names
// no live session is not (the browser is simply signed out).
func (s *Server) identify(r *http.Request) (*hfgate.Principal, error) {
	if tok, ok := bearer(r); ok {
		return s.checker.Token(r.Context(), tok)
	}
	secret := s.auth.SessionSecret(r)
	if secret == "" {
		return hfgate.Anonymous, nil
	}
	p, err := s.checker.Session(r.Context(), secret)
	switch {
	case hfgate.ErrorCode(err) == hfgate.EUNAUTHORIZED:
		return hfgate.Anonymous, nil
	case err != nil:
		return nil, err
	}
	return p, nil
}

// identityMiddleware puts the caller in every request's context. A
// request whose credentials are refused, or cannot be checked now, is
// answered at once: 401 for a bad token (clients must learn that theirs is
// no good, not be served as someone else), 503 when the store is down.
func (s *Server) identityMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if credentialBlind(r) {
			next.ServeHTTP(w, r.WithContext(hfgate.WithPrincipal(r.Context(), hfgate.Anonymous)))
			return
		}
		p, err := s.identify(r)
		if err != nil {
			s.metrics.authFailures.Inc()
			if info := routeOf(r.Context()); info != nil {
				info.pattern = "refused credentials"
			}
			if isHubPath(r.URL.Path) {
				s.hubError(w, r, err)
			} else {
				s.errors.Write(w, r, err)
			}
			return
		}
		if info := routeOf(r.Context()); info != nil {
			info.principal = p
		}
		s.refresh.maybe(p)
		next.ServeHTTP(w, r.WithContext(hfgate.WithPrincipal(r.Context(), p)))
	})
}

// credentialBlind reports whether r's route ignores who is calling: the
// OAuth endpoints that authenticate by their grant (a client may send an
// old token of another server along, which must not fail its sign-in),
// metadata, health, metrics and static files.
func credentialBlind(r *http.Request) bool {
	switch p := r.URL.Path; {
	case p == "/oauth/token", p == "/oauth/jwks", strings.HasPrefix(p, "/.well-known/"),
		p == "/healthz", p == "/readyz", p == "/metrics", strings.HasPrefix(p, "/static/"):
		return true
	case p == "/oauth/device":
		return r.Method == http.MethodPost
	}
	return false
}

// isHubPath tells the paths that HF clients and API callers use, whose
// errors take the Hub's shape rather than a page's.
func isHubPath(p string) bool {
	return strings.HasPrefix(p, "/api/") && !strings.HasPrefix(p, "/api/account") || strings.HasPrefix(p, "/admin/api/") || p == "/oauth/userinfo"
}

// csrfToken returns the CSRF token of the session whose cookie holds
// secret: derived from the secret, so that every replica computes the same
// one without storing it, and only a page that could read the (HttpOnly)
// cookie, which no other site can, could compute it.
func csrfToken(secret string) string {
	sum := sha256.Sum256([]byte("hfgate csrf\x00" + secret))
	return hex.EncodeToString(sum[:16])
}

// checkCSRF refuses a state-changing request made with a session cookie
// unless it carries the session's CSRF token (header X-CSRF-Token, or form
// field csrf_token). Requests with a bearer token carry no ambient
// credential and need none. This is on top of the cross-origin check
// every request passes.
func (s *Server) checkCSRF(r *http.Request) error {
	if _, ok := bearer(r); ok {
		return nil
	}
	secret := s.auth.SessionSecret(r)
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf_token")
	}
	if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(csrfToken(secret))) != 1 {
		return hfgate.Errorf(hfgate.EFORBIDDEN, "this form has expired or did not come from this gateway's own page; reload the page and try again")
	}
	return nil
}

// signedIn returns the caller, or EUNAUTHORIZED for an anonymous one.
func signedIn(r *http.Request) (*hfgate.Principal, error) {
	p := hfgate.PrincipalFrom(r.Context())
	if p.IsAnonymous() {
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED, "not signed in").WithAction(hfgate.ActionSignIn)
	}
	return p, nil
}
