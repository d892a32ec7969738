package hubsim

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

const grantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"

// tokenError is an RFC 6749 §5.2 error response of the token endpoint.
type tokenError struct {
	status     int
	code, desc string
}

func badGrant(code, desc string) *tokenError { return &tokenError{http.StatusBadRequest, code, desc} }

var errInvalidClient = &tokenError{http.StatusUnauthorized, "invalid_client",
	"Client authentication failed: unknown client_id, or a missing or wrong client_secret"}

func (e *tokenError) write(w http.ResponseWriter) {
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="hubsim"`)
	}
	noStore(w)
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.desc})
}

// noStore marks a response that carries tokens (RFC 6749 §5.1).
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// handleToken is POST /oauth/token.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		badGrant("invalid_request", "the body must be application/x-www-form-urlencoded").write(w)
		return
	}
	c, terr := s.authenticateClient(r)
	if terr != nil {
		terr.write(w)
		return
	}
	var resp map[string]any
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "authorization_code":
		resp, terr = s.grantAuthCode(r, c)
	case "refresh_token":
		resp, terr = s.grantRefresh(r, c)
	case grantDeviceCode:
		resp, terr = s.grantDevice(r, c)
	case "":
		terr = badGrant("invalid_request", "grant_type is missing")
	default:
		terr = badGrant("unsupported_grant_type", "grant_type "+gt+" is not supported")
	}
	if terr != nil {
		terr.write(w)
		return
	}
	noStore(w)
	writeJSON(w, http.StatusOK, resp)
}

// authenticateClient finds the client by HTTP Basic (RFC 6749 §2.3.1),
// client_id and client_secret in the body, or client_id alone for a public
// client. It returns nil, nil when the request names no client at all, as
// @huggingface/hub's oauthHandleRedirect sends it; the grant's own client
// is then used, and must be public (checkGrantClient).
func (s *Server) authenticateClient(r *http.Request) (*oauthClient, *tokenError) {
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
		if r.PostForm.Has("client_secret") || r.PostForm.Has("client_id") && r.PostForm.Get("client_id") != id {
			return nil, badGrant("invalid_request", "authenticate the client one way only")
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		if id == "" && secret == "" {
			return nil, nil
		}
	}
	c := s.oauth.clients[id]
	switch {
	case c == nil:
		return nil, errInvalidClient
	case c.public() && secret != "":
		return nil, errInvalidClient
	case !c.public() && subtle.ConstantTimeCompare([]byte(secret), []byte(c.secret)) != 1:
		return nil, errInvalidClient
	}
	return c, nil
}

// checkGrantClient checks that the authenticated client c owns g. With no
// client named, g's client must be public.
func (s *Server) checkGrantClient(c *oauthClient, g *grant) *tokenError {
	if c == nil {
		if gc := s.oauth.clients[g.clientID]; gc == nil || !gc.public() {
			return errInvalidClient
		}
		return nil
	}
	if c.id != g.clientID {
		return badGrant("invalid_grant", "this grant was issued to another client")
	}
	return nil
}

// pkceVerifier matches an RFC 7636 §4.1 code_verifier.
var pkceVerifier = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

func (s *Server) grantAuthCode(r *http.Request, c *oauthClient) (map[string]any, *tokenError) {
	code := r.PostForm.Get("code")
	if code == "" {
		return nil, badGrant("invalid_request", "code is missing")
	}
	now := s.Now()
	s.oauth.mu.Lock()
	ac := s.oauth.codes[code]
	if ac == nil {
		s.oauth.mu.Unlock()
		return nil, badGrant("invalid_grant", "the authorization code is invalid")
	}
	if ac.used {
		// RFC 6749 §4.1.2: a replayed code SHOULD revoke what it issued.
		issued := ac.issued
		ac.issued = nil
		s.oauth.mu.Unlock()
		s.revokeValues(issued)
		return nil, badGrant("invalid_grant", "the authorization code was already used; tokens issued from it are revoked")
	}
	ac.used = true
	s.oauth.mu.Unlock()

	if !now.Before(ac.expires) {
		return nil, badGrant("invalid_grant", "the authorization code expired")
	}
	if terr := s.checkGrantClient(c, &ac.grant); terr != nil {
		return nil, terr
	}
	if r.PostForm.Get("redirect_uri") != ac.redirectURI {
		return nil, badGrant("invalid_grant", "redirect_uri does not match the authorization request")
	}
	verifier := r.PostForm.Get("code_verifier")
	switch {
	case ac.challenge == "" && verifier != "":
		return nil, badGrant("invalid_grant", "code_verifier sent, but the authorization request had no code_challenge")
	case ac.challenge != "" && verifier == "":
		return nil, badGrant("invalid_grant", "code_verifier is missing")
	case ac.challenge != "" && (!pkceVerifier.MatchString(verifier) || s256(verifier) != ac.challenge):
		return nil, badGrant("invalid_grant", "code_verifier does not match the code_challenge")
	}
	resp, issued, terr := s.issueTokens(r, ac.grant, now)
	if terr != nil {
		return nil, terr
	}
	s.oauth.mu.Lock()
	ac.issued = issued
	s.oauth.mu.Unlock()
	return resp, nil
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// grantRefresh rotates a refresh token: the old one stops working (chat-ui
// #1217). A scope parameter may narrow the grant (RFC 6749 §6).
func (s *Server) grantRefresh(r *http.Request, c *oauthClient) (map[string]any, *tokenError) {
	value := r.PostForm.Get("refresh_token")
	if value == "" {
		return nil, badGrant("invalid_request", "refresh_token is missing")
	}
	now := s.Now()
	s.oauth.mu.Lock()
	rt := s.oauth.refresh[value]
	if rt == nil || !now.Before(rt.expires) {
		delete(s.oauth.refresh, value)
		s.oauth.mu.Unlock()
		return nil, badGrant("invalid_grant", "the refresh token is invalid, expired or revoked")
	}
	if terr := s.checkGrantClient(c, &rt.grant); terr != nil {
		s.oauth.mu.Unlock()
		return nil, terr
	}
	if s.ids.active(rt.user.Name) == nil {
		// Refused, but kept: it works again if the account is enabled.
		s.oauth.mu.Unlock()
		return nil, badGrant("invalid_grant", "the account of this grant is disabled")
	}
	g := rt.grant
	if scope := strings.Fields(r.PostForm.Get("scope")); len(scope) > 0 {
		for _, sc := range scope {
			if !slices.Contains(g.scopes, sc) {
				s.oauth.mu.Unlock()
				return nil, badGrant("invalid_scope", "scope "+sc+" was not granted")
			}
		}
		g.scopes = scope
	}
	delete(s.oauth.refresh, value)
	s.oauth.mu.Unlock()
	g.nonce = "" // OIDC Core §12.2: no nonce in a refreshed ID token
	resp, _, terr := s.issueTokens(r, g, now)
	return resp, terr
}

// issueTokens creates an access token (registered with the Hub, so the API
// honours it with g's scopes and orgs), a refresh token, and, with the openid
// scope, an ID token. issued lists the access and refresh token values.
//
// The grant's user is read again, so that the tokens and the ID token say
// what the account is now; a disabled account gets invalid_grant.
func (s *Server) issueTokens(r *http.Request, g grant, now time.Time) (resp map[string]any, issued []string, terr *tokenError) {
	if g.user = s.ids.active(g.user.Name); g.user == nil {
		return nil, nil, badGrant("invalid_grant", "the account of this grant is disabled")
	}
	at := &accessToken{
		value: randomToken("hf_oauth_", 34), kind: oauthToken, user: g.user.Name,
		scopes: g.scopes, orgs: g.orgs, clientID: g.clientID,
		created: now, expires: now.Add(s.opts.AccessTokenTTL),
	}
	resp = map[string]any{
		"access_token": at.value,
		"token_type":   "bearer",
		"expires_in":   int64(s.opts.AccessTokenTTL / time.Second),
		"scope":        strings.Join(g.scopes, " "),
	}
	if g.has("openid") {
		idt, err := s.idToken(r, &g, now)
		if err != nil {
			s.opts.Logger.Error("hubsim: sign ID token", "err", err)
			return nil, nil, &tokenError{http.StatusInternalServerError, "server_error", "could not sign the ID token"}
		}
		resp["id_token"] = idt
	}
	// UNVERIFIED which apps get a refresh token; every grant gets one here.
	rt := randomSecret("")
	resp["refresh_token"] = rt
	s.ids.addToken(at)
	s.oauth.mu.Lock()
	s.oauth.refresh[rt] = &refreshToken{grant: g, expires: now.Add(s.opts.RefreshTokenTTL)}
	s.oauth.mu.Unlock()
	return resp, []string{at.value, rt}, nil
}
