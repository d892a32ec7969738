package sqlstore

import (
	"context"
	"time"

	"github.com/hfgate/hfgate"
)

// maxJTI bounds the issuer and jti a row keeps; the gateway refuses longer
// ones before it gets here.
const maxJTI = 512

// UseJTI implements hfgate.JTIStore: one statement, so that of two replicas
// spending one jti at once the database lets exactly one insert (or take
// over an expired row) and the other changes nothing.
func (s *Store) UseJTI(ctx context.Context, issuer, jti string, expires, now time.Time) error {
	if issuer == "" || jti == "" || len(issuer) > maxJTI || len(jti) > maxJTI {
		return hfgate.Errorf(hfgate.EINVALID, "an ID token's issuer and jti must be 1 to %d bytes", maxJTI)
	}
	n, err := s.exec(ctx, "recording an exchanged ID token", `INSERT INTO ci_jti (issuer, jti, used, expires) VALUES (?, ?, ?, ?)
		ON CONFLICT (issuer, jti) DO UPDATE SET used = excluded.used, expires = excluded.expires
		WHERE ci_jti.expires <= excluded.used`, issuer, jti, micros(now), micros(expires))
	if err != nil {
		return err
	}
	if n == 0 {
		return hfgate.ErrJTIUsed
	}
	return nil
}
