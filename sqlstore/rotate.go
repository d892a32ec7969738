package sqlstore

import (
	"context"
	"database/sql"

	"github.com/hfgate/hfgate"
)

// RotateKeys seals again, with the Sealer's current key, every stored
// credential sealed with another key, and returns how many it changed.
// Each row changes in its own transaction, only if it is still the value
// that was read (a renewal saved meanwhile is newer and sealed with the
// current key already), so RotateKeys is safe while the gateway runs, and
// may be run again after an interruption. A value that does not open
// (its key is missing from the Sealer) stops it with that error: keep the
// old key in the key set until RotateKeys succeeds.
func (s *Store) RotateKeys(ctx context.Context) (int, error) {
	if err := s.needSealer(); err != nil {
		return 0, err
	}
	type row struct{ endpoint, subject, sealed string }
	var stale []row
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT endpoint, subject, sealed FROM upstream_credentials WHERE key_id <> ?`), s.sealer.KeyID())
	if err != nil {
		return 0, s.fail(ctx, err, "listing credentials to seal again")
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.endpoint, &r.subject, &r.sealed); err != nil {
			rows.Close()
			return 0, s.fail(ctx, err, "listing credentials to seal again")
		}
		stale = append(stale, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, s.fail(ctx, err, "listing credentials to seal again")
	}
	n := 0
	for _, r := range stale {
		ad := credentialAD(r.endpoint, r.subject)
		plain, err := s.sealer.Open(r.sealed, ad)
		if err != nil {
			return n, hfgate.WrapError(hfgate.EINVALID, err, "the credential of %s for %s does not open", r.subject, r.endpoint)
		}
		resealed, err := s.sealer.Seal(plain, ad)
		if err != nil {
			return n, err
		}
		var changed int64
		err = s.tx(ctx, "sealing a credential again", func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, s.q(`UPDATE upstream_credentials SET key_id = ?, sealed = ?
				WHERE endpoint = ? AND subject = ? AND sealed = ?`), s.sealer.KeyID(), resealed, r.endpoint, r.subject, r.sealed)
			if err != nil {
				return err
			}
			changed, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return n, err
		}
		n += int(changed)
	}
	return n, nil
}

// KeyUse returns how many stored credentials each key sealed, by key ID.
func (s *Store) KeyUse(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key_id, COUNT(*) FROM upstream_credentials GROUP BY key_id`)
	if err != nil {
		return nil, s.fail(ctx, err, "counting sealed credentials")
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			id string
			n  int
		)
		if err := rows.Scan(&id, &n); err != nil {
			return nil, s.fail(ctx, err, "counting sealed credentials")
		}
		out[id] = n
	}
	return out, s.failIf(ctx, rows.Err(), "counting sealed credentials")
}

// failIf is fail for an error that may be nil.
func (s *Store) failIf(ctx context.Context, err error, what string) error {
	if err == nil {
		return nil
	}
	return s.fail(ctx, err, what)
}
