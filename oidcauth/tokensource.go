package oidcauth

import (
	"context"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
)

// reuseLeeway is how long a cached credential must still be good for to be
// handed out again without a look at the store. The renewal itself happens
// RefreshLeeway ahead, so this only waits out a provider that was briefly
// down.
const reuseLeeway = time.Minute

// TokenSource hands out fresh access tokens from the credentials in a
// store, for whoever is calling: the command line's own sign-in, a user of
// the local web app, a gateway user's upstream Hugging Face credential.
//
// A credential due for renewal (inside RefreshLeeway of its expiry) is
// renewed under the store's lock: lock, load again (another process or
// replica may have renewed it meanwhile), renew only if still needed, save,
// unlock. So callers in one process or several spend a rotating refresh
// token once. Tokens that do not expire, and classic (non-OAuth) tokens,
// are handed out as they are, without a lock or a network call.
//
// Store and Endpoint are required; every other zero value is documented.
// Set the fields before first use. A TokenSource is safe for concurrent use
// and must not be copied after first use.
type TokenSource struct {
	// Store keeps the credentials. Required.
	Store hfgate.CredentialStore

	// Endpoint is the Hub the credentials are for. Required.
	Endpoint string

	// Open opens the provider that issued cred, to renew it or to read its
	// userinfo; it is called only then, so a fresh token costs no
	// discovery request. If nil, nothing is renewed: a credential that
	// needs renewing is an EUNAUTHORIZED error with ActionSignIn.
	Open func(ctx context.Context, cred *hfgate.Credential) (*Client, error)

	// Subject returns the subject whose credential a caller uses. If nil,
	// the caller's own Principal.Subject.
	Subject func(p *hfgate.Principal) string

	// CacheFor is how long a credential read from Store is handed out
	// again without reading Store (while it stays good for another
	// minute). Zero reads Store on every call, so that a credential deleted
	// elsewhere (a sign-out, a revocation) stops being used at once.
	CacheFor time.Duration

	// RefreshLeeway is how long before expiry a credential is renewed.
	// Zero means DefaultRefreshLeeway.
	RefreshLeeway time.Duration

	// Now is the clock for expiry decisions. If nil, time.Now is used.
	Now func() time.Time

	mu    sync.Mutex
	cache map[string]*cached // by subject
}

// cached is the credential of one subject last handed out, with the lock
// that makes the callers of one process renew it once.
type cached struct {
	mu   sync.Mutex
	cred *hfgate.Credential
	at   time.Time
}

// Token returns the access token for the caller in ctx (hfgate.PrincipalFrom),
// renewed first when it expires soon, for hfhub.Client.Token. It returns ""
// for an anonymous caller and for a caller with no stored credential, so
// that public repos work without signing in and the Hub's own answer says
// what is missing. A credential that can no longer be renewed is an error,
// as for Credential: going anonymous would turn it into confusing gated or
// not-found errors.
func (s *TokenSource) Token(ctx context.Context) (string, error) {
	p := hfgate.PrincipalFrom(ctx)
	if p.IsAnonymous() {
		return "", nil
	}
	cred, missing, err := s.fresh(ctx, s.subject(p))
	switch {
	case missing:
		return "", nil
	case err != nil:
		return "", err
	}
	return cred.AccessToken, nil
}

// Credential returns the credential of subject, with an access token good
// for at least RefreshLeeway, renewed first if needed. If the renewal fails
// with EUNAVAILABLE while the current access token has not actually expired
// yet, that token is returned.
//
// Errors are *hfgate.Error: EUNAUTHORIZED with ActionSignIn when there is
// no credential ("not signed in", as the store says it), when the provider
// no longer accepts the refresh token ("signed out"), or when a credential
// needs renewing and Open is nil; EUNAVAILABLE when the provider cannot be
// reached and the token has expired; the store's errors otherwise. The
// returned Credential is the caller's own.
func (s *TokenSource) Credential(ctx context.Context, subject string) (*hfgate.Credential, error) {
	cred, _, err := s.fresh(ctx, subject)
	return cred, err
}

func (s *TokenSource) subject(p *hfgate.Principal) string {
	if s.Subject != nil {
		return s.Subject(p)
	}
	return p.Subject
}

func (s *TokenSource) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *TokenSource) leeway() time.Duration {
	if s.RefreshLeeway > 0 {
		return s.RefreshLeeway
	}
	return DefaultRefreshLeeway
}

func (s *TokenSource) entry(subject string) *cached {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cache == nil {
		s.cache = map[string]*cached{}
	}
	e := s.cache[subject]
	if e == nil {
		e = &cached{}
		s.cache[subject] = e
	}
	return e
}

// fresh returns the fresh credential of subject, from the cache when it
// may be reused. missing is true when the store holds none.
func (s *TokenSource) fresh(ctx context.Context, subject string) (cred *hfgate.Credential, missing bool, err error) {
	e := s.entry(subject)
	e.mu.Lock() // one renewal per process; the others wait for its result
	defer e.mu.Unlock()
	now := s.now()
	if c := e.cred; c != nil && now.Sub(e.at) < s.CacheFor && !c.Expired(now, reuseLeeway) {
		return c.Clone(), false, nil
	}
	e.cred = nil
	cred, missing, err = s.renew(ctx, subject)
	if err != nil {
		return nil, missing, err
	}
	if s.CacheFor > 0 {
		e.cred, e.at = cred.Clone(), now
	}
	return cred, false, nil
}
