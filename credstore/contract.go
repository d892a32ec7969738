package credstore

import (
	"context"

	"github.com/hfgate/hfgate"
)

var _ hfgate.CredentialStore = (*Store)(nil)

// LoadCredential implements hfgate.CredentialStore: Load without the
// source.
func (s *Store) LoadCredential(ctx context.Context, endpoint, subject string) (*hfgate.Credential, error) {
	cred, _, err := s.Load(ctx, endpoint, subject)
	return cred, err
}

// SaveCredential implements hfgate.CredentialStore: Save without the
// source.
func (s *Store) SaveCredential(ctx context.Context, cred *hfgate.Credential) error {
	_, err := s.Save(ctx, cred)
	return err
}

// DeleteCredential implements hfgate.CredentialStore: Delete without the
// report.
func (s *Store) DeleteCredential(ctx context.Context, endpoint, subject string) error {
	_, err := s.Delete(ctx, endpoint, subject)
	return err
}

// LockCredential implements hfgate.CredentialStore: Lock.
func (s *Store) LockCredential(ctx context.Context, endpoint, subject string) (func(), error) {
	return s.Lock(ctx, endpoint, subject)
}
