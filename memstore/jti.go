package memstore

import (
	"context"
	"time"

	"github.com/hfgate/hfgate"
)

var _ hfgate.JTIStore = (*Store)(nil)

type jtiKey struct{ issuer, jti string }

// UseJTI implements hfgate.JTIStore, for this process only. Each call
// first forgets the spent ids whose tokens have expired.
func (s *Store) UseJTI(ctx context.Context, issuer, jti string, expires, now time.Time) error {
	if issuer == "" || jti == "" || len(issuer) > 512 || len(jti) > 512 {
		return hfgate.Errorf(hfgate.EINVALID, "an ID token's issuer and jti must be 1 to 512 bytes")
	}
	if err := hfgate.ContextError(ctx, "recording an exchanged ID token"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, exp := range s.jtis {
		if !now.Before(exp) {
			delete(s.jtis, k)
		}
	}
	k := jtiKey{issuer, jti}
	if _, used := s.jtis[k]; used {
		return hfgate.ErrJTIUsed
	}
	if s.jtis == nil {
		s.jtis = map[jtiKey]time.Time{}
	}
	s.jtis[k] = expires
	return nil
}
