package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/oidcauth"
)

// Cookie names. The session cookie is the only one a signed-in browser
// keeps; the attempt cookie lives from "Connect" until the callback.
const (
	SessionCookie = "hfgate_session"
	AttemptCookie = "hfgate_signin"
)

// Lifetimes of server-side records.
const (
	SessionTTL = 7 * 24 * time.Hour
	AttemptTTL = oidcauth.DefaultAttemptTTL
)

// session is a signed-in browser.
type session struct {
	user    hfgate.User
	expires time.Time
}

// pending is a sign-in between "Connect" and the callback.
type pending struct {
	attempt  *oidcauth.Attempt
	returnTo string
	expires  time.Time
}

// sessions keeps sessions and pending sign-ins in memory, keyed by the
// SHA-256 of the cookie value: a leaked record set yields no cookie.
type sessions struct {
	now     func() time.Time
	mu      sync.Mutex
	signed  map[string]*session
	pending map[string]*pending
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{now: now, signed: map[string]*session{}, pending: map[string]*pending{}}
}

func key(cookie string) string {
	sum := sha256.Sum256([]byte(cookie))
	return hex.EncodeToString(sum[:])
}

// sweep drops expired records; callers hold mu.
func (ss *sessions) sweep() {
	now := ss.now()
	for k, v := range ss.signed {
		if now.After(v.expires) {
			delete(ss.signed, k)
		}
	}
	for k, v := range ss.pending {
		if now.After(v.expires) {
			delete(ss.pending, k)
		}
	}
}

// begin records a pending sign-in and returns its cookie value.
func (ss *sessions) begin(a *oidcauth.Attempt, returnTo string) string {
	id := rand.Text()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweep()
	if len(ss.pending) >= maxPending {
		// GET /auth/oauth/authorize is a link any site may make a browser
		// follow, so pending sign-ins are capped: the oldest one goes.
		var oldest string
		for k, v := range ss.pending {
			if oldest == "" || v.expires.Before(ss.pending[oldest].expires) {
				oldest = k
			}
		}
		delete(ss.pending, oldest)
	}
	ss.pending[key(id)] = &pending{attempt: a, returnTo: returnTo, expires: ss.now().Add(AttemptTTL)}
	return id
}

// maxPending bounds the sign-ins in progress kept in memory.
const maxPending = 1000

// take returns and forgets the pending sign-in of cookie value id.
func (ss *sessions) take(id string) *pending {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	k := key(id)
	p := ss.pending[k]
	delete(ss.pending, k)
	if p == nil || ss.now().After(p.expires) {
		return nil
	}
	return p
}

// create starts a session for u and returns its cookie value. A fresh id
// on every sign-in prevents session fixation.
func (ss *sessions) create(u hfgate.User) string {
	id := rand.Text()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweep()
	ss.signed[key(id)] = &session{user: u, expires: ss.now().Add(SessionTTL)}
	return id
}

// get returns the session of cookie value id, or nil.
func (ss *sessions) get(id string) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.signed[key(id)]
	if s == nil || ss.now().After(s.expires) {
		return nil
	}
	return s
}

// end forgets the session of cookie value id.
func (ss *sessions) end(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.signed, key(id))
}

// setCookie sets (maxAge > 0) or clears (maxAge < 0) a cookie.
func (s *Server) setCookie(w http.ResponseWriter, name, value, path string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     path,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.secureCookies(),
		SameSite: http.SameSiteLaxMode,
	})
}
