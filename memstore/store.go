package memstore

import (
	"context"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
)

// Store is an hfgate.CredentialStore, an hfgate.SessionStore, an
// hfgate.AuditStore and an hfgate.JTIStore in memory.
// The zero value is empty and ready to use; a Store is safe for concurrent
// use and must not be copied after first use.
type Store struct {
	// Now is the clock that decides whether a session is live. If nil,
	// time.Now is used.
	Now func() time.Time

	mu       sync.Mutex
	creds    map[credKey]hfgate.Credential
	locks    map[credKey]chan struct{}
	sessions map[string]*hfgate.Session
	audit    auditLog
	jtis     map[jtiKey]time.Time // spent CI token ids, until they expire
}

var (
	_ hfgate.CredentialStore = (*Store)(nil)
	_ hfgate.SessionStore    = (*Store)(nil)
)

type credKey struct{ endpoint, subject string }

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// LoadCredential implements hfgate.CredentialStore.
func (s *Store) LoadCredential(_ context.Context, endpoint, subject string) (*hfgate.Credential, error) {
	ep, err := hfgate.CredentialKey(endpoint, subject)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.creds[credKey{ep, subject}]
	if !ok {
		return nil, hfgate.Errorf(hfgate.ENOTFOUND, "no credential for %s", ep)
	}
	return c.Clone(), nil
}

// SaveCredential implements hfgate.CredentialStore.
func (s *Store) SaveCredential(_ context.Context, cred *hfgate.Credential) error {
	ep, err := hfgate.CheckCredential(cred)
	if err != nil {
		return err
	}
	c := cred.Clone()
	c.Endpoint = ep
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.creds == nil {
		s.creds = map[credKey]hfgate.Credential{}
	}
	s.creds[credKey{ep, c.Subject}] = *c
	return nil
}

// DeleteCredential implements hfgate.CredentialStore.
func (s *Store) DeleteCredential(_ context.Context, endpoint, subject string) error {
	ep, err := hfgate.CredentialKey(endpoint, subject)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.creds, credKey{ep, subject})
	return nil
}

// LockCredential implements hfgate.CredentialStore. The lock excludes
// holders in this process only.
func (s *Store) LockCredential(ctx context.Context, endpoint, subject string) (func(), error) {
	ep, err := hfgate.CredentialKey(endpoint, subject)
	if err != nil {
		return nil, err
	}
	k := credKey{ep, subject}
	s.mu.Lock()
	if s.locks == nil {
		s.locks = map[credKey]chan struct{}{}
	}
	held := s.locks[k]
	if held == nil {
		held = make(chan struct{}, 1) // a slot: full while the lock is held
		s.locks[k] = held
	}
	s.mu.Unlock()
	select {
	case held <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-held }) }, nil
	case <-ctx.Done():
		if err := ctx.Err(); err == context.Canceled {
			return nil, hfgate.WrapError(hfgate.ECANCELED, err, "canceled while waiting to renew the credential for %s", ep)
		}
		return nil, hfgate.WrapError(hfgate.EUNAVAILABLE, ctx.Err(), "timed out waiting to renew the credential for %s", ep)
	}
}
