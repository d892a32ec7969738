package hubsim

import (
	"net/http"
	"slices"
	"time"
)

// SessionCookie is the name of the cookie that keeps a browser signed in to
// hubsim, as huggingface.co's session cookie does: the consent pages then
// act for that user only. It is set by SignIn and POST /_hubsim/login.
const SessionCookie = "hubsim_session"

// sessionTTL is how long a hubsim sign-in lasts.
const sessionTTL = 24 * time.Hour

// session is a browser signed in to hubsim.
type session struct {
	user        string
	autoApprove bool // approve the consent pages at once
	expires     time.Time
}

// SignIn signs a browser in as user and returns the cookie to give it
// (for example with a Playwright context's addCookies, or an
// http.Client's cookie jar). From then on, the authorization and device
// pages that browser opens act for user only: they show user alone, or,
// with autoApprove, approve at once with every org of the user granted.
// Two browser contexts signed in as two users each approve as their own
// user, with no global Options.AutoApprove. It fails for an unknown or
// disabled user.
func (s *Server) SignIn(user string, autoApprove bool) (*http.Cookie, error) {
	if s.ids.active(user) == nil {
		return nil, errUnknownUser(user)
	}
	now := s.Now()
	value := randomSecret("")
	ids := s.ids
	ids.mu.Lock()
	for v, old := range ids.sessions {
		if !now.Before(old.expires) {
			delete(ids.sessions, v)
		}
	}
	ids.sessions[value] = &session{user: user, autoApprove: autoApprove, expires: now.Add(sessionTTL)}
	ids.mu.Unlock()
	return &http.Cookie{Name: SessionCookie, Value: value, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Expires: now.Add(sessionTTL)}, nil
}

// sessionOf returns the live session of the browser that sent r, with its
// user's current record, or nils.
func (s *Server) sessionOf(r *http.Request) (*session, *User) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil, nil
	}
	ids := s.ids
	ids.mu.Lock()
	defer ids.mu.Unlock()
	sess := ids.sessions[c.Value]
	if sess == nil || !s.Now().Before(sess.expires) || ids.disabled[sess.user] {
		return nil, nil
	}
	return sess, ids.users[sess.user]
}

// signOut ends the session of the browser that sent r.
func (s *Server) signOut(r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		s.ids.mu.Lock()
		delete(s.ids.sessions, c.Value)
		s.ids.mu.Unlock()
	}
}

// Approval approves one sign-in at once as User, without a consent page:
// for scripted tests that do not drive a browser, and for tests where
// several users sign in one after the other.
type Approval struct {
	User string `json:"user"`
	// ClientID names the app whose next authorization request (or device
	// authorization) is approved. Approvals for one app are used in the
	// order they were made, each once.
	ClientID string `json:"client_id,omitempty"`
	// State, if set, limits the approval to the authorization request with
	// this state.
	State string `json:"state,omitempty"`
	// UserCode approves this pending device code now, instead of a future
	// request; ClientID and State are then ignored.
	UserCode string `json:"user_code,omitempty"`
	// Orgs are the orgs granted to the app; nil means every org of the
	// user, as auto-approval does.
	Orgs []string `json:"orgs,omitempty"`
}

// Approve records a (or, with a.UserCode, applies it at once). It fails for
// an unknown or disabled user, with neither ClientID nor UserCode, or for
// a device code that is not pending.
func (s *Server) Approve(a Approval) error {
	u := s.ids.active(a.User)
	switch {
	case u == nil:
		return errUnknownUser(a.User)
	case a.UserCode != "":
		value, dc := s.pendingDevice(a.UserCode)
		if dc == nil {
			return errApproval("no pending device code " + a.UserCode)
		}
		orgs, _ := s.grantOrgs(u, approvalOrgs(u, a.Orgs), nil)
		if !s.approveDevice(value, u, orgs) {
			return errApproval("device code " + a.UserCode + " was answered meanwhile")
		}
		return nil
	case a.ClientID == "":
		return errApproval("an approval needs client_id or user_code")
	case s.oauth.clients[a.ClientID] == nil:
		return errApproval("no OAuth app " + a.ClientID)
	}
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	s.oauth.approvals = append(s.oauth.approvals, a)
	return nil
}

type errApproval string

func (e errApproval) Error() string { return "hubsim: " + string(e) }

// approvalOrgs is the orgs an approval grants: those named, or every
// membership.
func approvalOrgs(u *User, named []string) []string {
	if named == nil {
		return memberships(u)
	}
	return named
}

// takeApproval removes and returns the first recorded approval for
// clientID that matches state ("" for a device authorization, which has
// none), with its user's current record; nils if there is none or its user
// was disabled meanwhile.
func (s *Server) takeApproval(clientID, state string) (*Approval, *User) {
	s.oauth.mu.Lock()
	i := slices.IndexFunc(s.oauth.approvals, func(a Approval) bool {
		return a.ClientID == clientID && (a.State == "" || a.State == state)
	})
	if i < 0 {
		s.oauth.mu.Unlock()
		return nil, nil
	}
	a := s.oauth.approvals[i]
	s.oauth.approvals = slices.Delete(s.oauth.approvals, i, i+1)
	s.oauth.mu.Unlock()
	u := s.ids.active(a.User)
	if u == nil {
		return nil, nil
	}
	return &a, u
}
