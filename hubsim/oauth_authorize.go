package hubsim

import (
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// authRequest is a validated authorization request.
type authRequest struct {
	client      *oauthClient
	redirectURI string
	scopes      []string
	state       string
	nonce       string
	challenge   string   // S256 code_challenge
	orgIDs      []string // orgs the app requires (orgIds), by id
}

// authError is an invalid authorization request. Errors found before the
// client and redirect URI are validated are shown on an HTML page; never
// redirect to a URI that was not validated (RFC 6749 §4.1.2.1).
type authError struct {
	redirect bool
	code     string // RFC 6749 error code, when redirect
	desc     string
}

// pkceChallenge matches an RFC 7636 §4.2 S256 challenge: base64url of a
// SHA-256, 43 characters.
var pkceChallenge = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// parseAuthorize validates the query of GET /oauth/authorize. With an
// error that may be redirected, it returns the request too, whose client and
// redirect URI are valid.
func (s *Server) parseAuthorize(q url.Values) (*authRequest, *authError) {
	page := func(desc string) *authError { return &authError{desc: desc} }
	redirect := func(code, desc string) *authError { return &authError{redirect: true, code: code, desc: desc} }

	c := s.oauth.clients[q.Get("client_id")]
	if c == nil {
		return nil, page("Invalid client_id: no OAuth app has this id")
	}
	req := &authRequest{client: c, redirectURI: q.Get("redirect_uri"), state: q.Get("state"), nonce: q.Get("nonce")}
	if !c.allowsRedirect(req.redirectURI) {
		return nil, page(errBadRedirectURI)
	}
	for k, v := range q {
		if len(v) > 1 {
			return req, redirect("invalid_request", "parameter "+k+" is repeated")
		}
	}
	if rt := q.Get("response_type"); rt != "code" {
		return req, redirect("unsupported_response_type", "response_type must be code")
	}
	req.scopes = strings.Fields(q.Get("scope"))
	if len(req.scopes) == 0 {
		req.scopes = slices.Clone(c.scopes)
	}
	for _, sc := range req.scopes {
		if !slices.Contains(knownScopes, sc) {
			return req, redirect("invalid_scope", "unknown scope "+sc)
		}
	}
	req.scopes = slices.Compact(req.scopes)
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case challenge == "" && method != "":
		return req, redirect("invalid_request", "code_challenge_method without code_challenge")
	case challenge == "" && c.public():
		return req, redirect("invalid_request", "PKCE is required for public clients: send code_challenge with code_challenge_method=S256")
	case challenge != "" && method != "S256":
		// RFC 7636 §4.3: a missing method means "plain", which is refused.
		return req, redirect("invalid_request", "code_challenge_method must be S256 (plain is not supported)")
	case challenge != "" && !pkceChallenge.MatchString(challenge):
		return req, redirect("invalid_request", "code_challenge is not a base64url SHA-256")
	}
	req.challenge = challenge
	// UNVERIFIED whether several ids may be sent; a comma-separated list is
	// accepted.
	for _, id := range strings.Split(q.Get("orgIds"), ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		if s.ids.orgByID(id) == nil {
			return req, redirect("invalid_request", "unknown organization in orgIds")
		}
		req.orgIDs = append(req.orgIDs, id)
	}
	return req, nil
}

// errBadRedirectURI is the message huggingface.co gives (seen by a third
// party as an x-error-message header).
const errBadRedirectURI = "Invalid redirect_uri, must be one of the registered redirect_uris for this client_id"

// allowsRedirect reports whether uri exactly matches a registered redirect
// URI, except that an http URI on a loopback host may use any port (RFC
// 8252 §7.3; hub-docs oauth.md "Redirect URIs"). Loopback hosts are not
// interchangeable, and path and query must match exactly.
func (c *oauthClient) allowsRedirect(uri string) bool {
	if uri == "" {
		return false
	}
	if slices.Contains(c.redirectURIs, uri) {
		return true
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return false
	}
	for _, reg := range c.redirectURIs {
		ru, err := url.Parse(reg)
		if err == nil && ru.Scheme == "http" && ru.Port() == "" && ru.Hostname() == host &&
			ru.EscapedPath() == u.EscapedPath() && ru.RawQuery == u.RawQuery && u.ForceQuery == ru.ForceQuery {
			return true
		}
	}
	return false
}

// handleAuthorize validates the request, then approves it at once (a
// one-shot Approval for the app, a signed-in browser with auto-approval,
// or the global auto-approve) or shows the consent page (for the browser's
// signed-in user only, if any).
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	req, aerr := s.parseAuthorize(r.URL.Query())
	switch {
	case aerr != nil && aerr.redirect:
		redirectAuthError(w, r, req.redirectURI, aerr.code, aerr.desc, req.state)
		return
	case aerr != nil:
		w.Header().Set("X-Error-Message", aerr.desc)
		writeErrorPage(w, http.StatusBadRequest, aerr.desc)
		return
	}
	if a, u := s.takeApproval(req.client.id, req.state); a != nil {
		s.decide(w, r, req, u, approvalOrgs(u, a.Orgs))
		return
	}
	sess, su := s.sessionOf(r)
	switch {
	case sess != nil && sess.autoApprove:
		s.decide(w, r, req, su, memberships(su))
		return
	case sess == nil:
		if u := s.autoApproveUser(); u != nil {
			s.decide(w, r, req, u, memberships(u))
			return
		}
	}
	c := s.newConsent(req, "", su)
	s.renderConsent(w, c, req.client.name, req.scopes, req.orgIDs, "")
}

// redirectAuthError sends the browser back to the app with an error
// (RFC 6749 §4.1.2.1). uri must have been validated.
func redirectAuthError(w http.ResponseWriter, r *http.Request, uri, code, desc, state string) {
	q := url.Values{"error": {code}, "error_description": {desc}}
	if state != "" {
		q.Set("state", state)
	}
	http.Redirect(w, r, withQuery(uri, q), http.StatusFound)
}

// withQuery adds q to uri's query.
func withQuery(uri string, q url.Values) string {
	u, err := url.Parse(uri)
	if err != nil {
		return uri
	}
	old := u.Query()
	for k, v := range q {
		old[k] = v
	}
	u.RawQuery = old.Encode()
	return u.String()
}

// memberships returns the names of the orgs u belongs to.
func memberships(u *User) []string {
	var orgs []string
	for _, m := range u.Orgs {
		orgs = append(orgs, m.Org)
	}
	return orgs
}
