package hubsim

import (
	"net/http"
	"net/url"
	"slices"
	"time"
)

// consentTTL is how long a consent page can be answered.
const consentTTL = 10 * time.Minute

// consent is an authorization request or a device code waiting for the
// user's decision on an HTML page. Its random id, in a hidden form field, is
// the page's anti-CSRF token: a cross-site form cannot know it. It can be
// answered once.
type consent struct {
	id      string
	req     *authRequest // an authorization request, or
	device  string       // a device code
	user    string       // the signed-in browser's user, who alone may answer; "" for any
	expires time.Time
}

// newConsent records a pending decision. signedIn, if not nil, is the
// browser's signed-in user, the only one the page offers.
func (s *Server) newConsent(req *authRequest, deviceCode string, signedIn *User) *consent {
	now := s.Now()
	c := &consent{id: randomSecret(""), req: req, device: deviceCode, expires: now.Add(consentTTL)}
	if signedIn != nil {
		c.user = signedIn.Name
	}
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	for id, old := range s.oauth.consents {
		if !now.Before(old.expires) {
			delete(s.oauth.consents, id)
		}
	}
	s.oauth.consents[c.id] = c
	return c
}

// takeConsent removes and returns the live consent with this id, or nil.
func (s *Server) takeConsent(id string) *consent {
	now := s.Now()
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	c := s.oauth.consents[id]
	delete(s.oauth.consents, id)
	if c == nil || !now.Before(c.expires) {
		return nil
	}
	return c
}

const errConsentGone = "This sign-in request expired or was already answered: go back to the app and sign in again."

// handleConsent takes the consent form's answer (POST /oauth/authorize):
// consent, decision=approve|deny, user, org (repeated).
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeErrorPage(w, http.StatusBadRequest, "The form could not be read.")
		return
	}
	c := s.takeConsent(r.PostForm.Get("consent"))
	if c == nil || c.req == nil {
		writeErrorPage(w, http.StatusBadRequest, errConsentGone)
		return
	}
	switch r.PostForm.Get("decision") {
	case "deny":
		redirectAuthError(w, r, c.req.redirectURI, "access_denied", "The user denied access to the app", c.req.state)
	case "approve":
		u := c.approver(s, r.PostForm.Get("user"))
		if u == nil {
			writeErrorPage(w, http.StatusBadRequest, "No such user: choose one of the listed users. Sign in again from the app.")
			return
		}
		s.decide(w, r, c.req, u, r.PostForm["org"])
	default:
		writeErrorPage(w, http.StatusBadRequest, "Choose Approve or Deny. Sign in again from the app.")
	}
}

// approver returns the user who approves c: the signed-in user it was
// shown to, else the one chosen on the page; nil if that user is unknown,
// disabled, or not the signed-in one.
func (c *consent) approver(s *Server, chosen string) *User {
	if c.user != "" && chosen != "" && chosen != c.user {
		return nil
	}
	return s.ids.active(cmpOr(c.user, chosen))
}

// decide approves req as u with the orgs ticked on the consent page, and
// redirects back to the app with a code.
func (s *Server) decide(w http.ResponseWriter, r *http.Request, req *authRequest, u *User, ticked []string) {
	orgs, ok := s.grantOrgs(u, ticked, req.orgIDs)
	if !ok {
		redirectAuthError(w, r, req.redirectURI, "access_denied",
			"The user is not a member of an organization this app requires", req.state)
		return
	}
	now := s.Now()
	code := randomSecret("")
	ac := &authCode{
		grant: grant{user: u, clientID: req.client.id, scopes: req.scopes, orgs: orgs,
			nonce: req.nonce, authTime: now},
		redirectURI: req.redirectURI,
		challenge:   req.challenge,
		expires:     now.Add(s.opts.AuthCodeTTL),
	}
	s.oauth.mu.Lock()
	s.oauth.pruneLocked(now)
	s.oauth.codes[code] = ac
	s.oauth.mu.Unlock()
	q := url.Values{"code": {code}}
	if req.state != "" {
		q.Set("state", req.state)
	}
	http.Redirect(w, r, withQuery(req.redirectURI, q), http.StatusFound)
}

// grantOrgs returns the orgs to grant: the ticked ones and the required
// ones (by id), among u's memberships. ok is false if u is not a member of
// a required org.
func (s *Server) grantOrgs(u *User, ticked, requiredIDs []string) (orgs []string, ok bool) {
	member := memberships(u)
	for _, id := range requiredIDs {
		o := s.ids.orgByID(id)
		if o == nil || !slices.Contains(member, o.Name) {
			return nil, false
		}
		orgs = append(orgs, o.Name)
	}
	for _, name := range ticked {
		if slices.Contains(member, name) && !slices.Contains(orgs, name) {
			orgs = append(orgs, name)
		}
	}
	return orgs, true
}
