package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// Retention of what has ended, for Purge.
const (
	// KeepEndedTokens is how long a revoked, spent or expired token stays
	// listed (ListTokens with Ended) before Purge removes it.
	KeepEndedTokens = 30 * 24 * time.Hour
	// keepRevocationLog is how long a logged revocation stays readable:
	// far longer than any Store waits between two reads.
	keepRevocationLog = time.Hour
)

// Purge removes what ended before now: sessions, expired device codes,
// tokens that ended more than KeepEndedTokens ago, the jti of expired CI
// ID tokens, and old entries of the revocation log. It returns how many
// rows went. The gateway calls it now and then; nothing depends on it for
// correctness.
func (s *Store) Purge(ctx context.Context) (int, error) {
	now := s.now()
	type stmt struct {
		query string
		arg   int64
	}
	stmts := []stmt{
		{`DELETE FROM sessions WHERE ends <= ?`, micros(now)},
		{`DELETE FROM device_auths WHERE expires <= ?`, micros(now)},
		// A token ended when it was revoked or spent, else when it expired.
		{`DELETE FROM tokens WHERE COALESCE(revoked, spent, expires) <= ?`, micros(now.Add(-KeepEndedTokens))},
		// An ID token past its expiry can no longer be exchanged at all.
		{`DELETE FROM ci_jti WHERE expires <= ?`, micros(now)},
	}
	if s.d.Notify == nil {
		stmts = append(stmts, stmt{`DELETE FROM revocations WHERE at <= ?`, micros(now.Add(-keepRevocationLog))})
	}
	total := 0
	err := s.tx(ctx, "purging what ended", func(tx *sql.Tx) error {
		for _, st := range stmts {
			res, err := tx.ExecContext(ctx, s.q(st.query), st.arg)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			total += int(n)
		}
		return nil
	})
	return total, err
}
