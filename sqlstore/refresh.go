package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/hfgate/hfgate"
)

// RotateRefreshToken implements hfgate.TokenStore.
func (s *Store) RotateRefreshToken(ctx context.Context, hash string, at time.Time, issue func(spent *hfgate.Token) ([]*hfgate.Token, error)) error {
	var (
		reused   bool // the family was revoked: commit, then say so
		issueErr error
	)
	err := s.tx(ctx, "renewing a token", func(tx *sql.Tx) error {
		old, err := scanToken(tx.QueryRowContext(ctx, s.q(`SELECT `+tokenColumns+` FROM tokens WHERE hash = ? AND kind = ?`+s.d.ForUpdate),
			hash, string(hfgate.TokenRefresh)))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("no such refresh token")
		}
		if err != nil {
			return err
		}
		switch {
		case !old.Spent.IsZero():
			// A second use: the owner and a thief both hold it. Revoke
			// every token of the sign-in, and keep that when returning.
			reused = true
			_, err := s.revoke(ctx, tx, hfgate.TokenRevocation{
				FamilyID: old.FamilyID, At: at, Reason: "a refresh token of this sign-in was used twice",
			})
			return err
		case !old.Revoked.IsZero():
			return hfgate.Errorf(hfgate.EUNAUTHORIZED, "this refresh token was revoked")
		case !at.Before(old.Expires):
			return hfgate.Errorf(hfgate.EUNAUTHORIZED, "this refresh token has expired")
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE tokens SET spent = ?, last_used = ? WHERE id = ?`),
			micros(at), micros(at), old.ID); err != nil {
			return err
		}
		next, err := issue(old)
		if err != nil {
			issueErr = err
			return err
		}
		return s.insertTokens(ctx, tx, next)
	})
	switch {
	case issueErr != nil:
		return issueErr
	case err == nil && reused:
		return hfgate.ErrRefreshReused
	}
	return err
}
