package hfgate

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Session is a signed-in browser, as a SessionStore keeps it.
type Session struct {
	// ID names the session in the store and in audit: SessionID of the
	// secret in the browser's cookie, never the secret itself.
	ID string

	// Principal is who signed in, as the identity provider described them
	// at sign-in. Its Subject is the session's owner; it is required.
	Principal *Principal

	// Created is when the session began; LastSeen when it was last used
	// (TouchSession). A zero LastSeen counts as Created.
	Created  time.Time
	LastSeen time.Time

	// IdleTimeout ends the session that long after LastSeen; zero means no
	// idle limit. Expires ends it whatever its use; it is required.
	IdleTimeout time.Duration
	Expires     time.Time
}

// ExpiresAt returns when s ends if it is not used again: Expires, or
// IdleTimeout after its last use when that comes first.
func (s *Session) ExpiresAt() time.Time {
	if s.IdleTimeout <= 0 {
		return s.Expires
	}
	last := s.LastSeen
	if last.IsZero() {
		last = s.Created
	}
	if idle := last.Add(s.IdleTimeout); idle.Before(s.Expires) {
		return idle
	}
	return s.Expires
}

// Live reports whether s has not ended at now.
func (s *Session) Live(now time.Time) bool { return now.Before(s.ExpiresAt()) }

// Subject returns the owner of s: its Principal's Subject, or "".
func (s *Session) Subject() string {
	if s.Principal == nil {
		return ""
	}
	return s.Principal.Subject
}

// Clone returns a deep copy of s.
func (s *Session) Clone() *Session {
	if s == nil {
		return nil
	}
	c := *s
	c.Principal = s.Principal.Clone()
	return &c
}

// NewSessionSecret returns a new session secret, 128 bits of randomness as
// text for a cookie, and the ID a SessionStore keeps the session under.
func NewSessionSecret() (secret, id string) {
	secret = rand.Text()
	return secret, SessionID(secret)
}

// SessionID returns the ID of the session whose cookie holds secret: its
// SHA-256 in hex. A fast hash is enough, since the secret is random and
// long; it makes the stored IDs useless to whoever reads them.
func SessionID(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Validate reports what makes s unfit for SessionStore.CreateSession, as an
// EINVALID error: no ID, no owner subject, or no expiry.
func (s *Session) Validate() error {
	switch {
	case s == nil || s.ID == "":
		return Errorf(EINVALID, "a session needs an ID")
	case s.Subject() == "":
		return Errorf(EINVALID, "a session needs an owner subject")
	case s.Expires.IsZero():
		return Errorf(EINVALID, "a session needs an expiry")
	}
	return nil
}
