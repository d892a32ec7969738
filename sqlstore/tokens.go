package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
)

const tokenColumns = `id, hash, kind, subject, family_id, client_id, name, scopes, resource, principal,
	created, expires, last_used, spent, revoked, revoked_by, revoke_reason`

func scanToken(row interface{ Scan(...any) error }) (*hfgate.Token, error) {
	var (
		t      hfgate.Token
		scopes string
	)
	err := row.Scan(&t.ID, &t.Hash, &t.Kind, &t.Subject, &t.FamilyID, &t.ClientID, &t.Name, &scopes, &t.Resource,
		jsonCol{&t.Principal}, timeCol{&t.Created}, timeCol{&t.Expires}, timeCol{&t.LastUsed}, timeCol{&t.Spent},
		timeCol{&t.Revoked}, &t.RevokedBy, &t.RevokeReason)
	if err != nil {
		return nil, err
	}
	t.Scopes = fields(scopes)
	return &t, nil
}

// insertTokens stores tokens in tx.
func (s *Store) insertTokens(ctx context.Context, tx *sql.Tx, tokens []*hfgate.Token) error {
	for _, t := range tokens {
		if err := t.Validate(); err != nil {
			return err
		}
		p, err := jsonText(t.Principal)
		if err != nil {
			return hfgate.WrapError(hfgate.EINVALID, err, "the token cannot be stored")
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO tokens (`+tokenColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			t.ID, t.Hash, string(t.Kind), t.Subject, t.FamilyID, t.ClientID, t.Name, words(t.Scopes), t.Resource, p,
			ts(t.Created), micros(t.Expires), ts(t.LastUsed), ts(t.Spent), ts(t.Revoked), t.RevokedBy, t.RevokeReason)
		if err != nil {
			return err
		}
	}
	return nil
}

// CreateTokens implements hfgate.TokenStore.
func (s *Store) CreateTokens(ctx context.Context, tokens ...*hfgate.Token) error {
	return s.tx(ctx, "creating tokens", func(tx *sql.Tx) error { return s.insertTokens(ctx, tx, tokens) })
}

// TokenByHash implements hfgate.TokenStore.
func (s *Store) TokenByHash(ctx context.Context, hash string) (*hfgate.Token, error) {
	return s.loadToken(ctx, "hash", hash)
}

// LoadToken implements hfgate.TokenStore.
func (s *Store) LoadToken(ctx context.Context, id string) (*hfgate.Token, error) {
	return s.loadToken(ctx, "id", id)
}

func (s *Store) loadToken(ctx context.Context, column, value string) (*hfgate.Token, error) {
	t, err := scanToken(s.db.QueryRowContext(ctx, s.q(`SELECT `+tokenColumns+` FROM tokens WHERE `+column+` = ?`), value))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("no such token")
	}
	if err != nil {
		return nil, s.fail(ctx, err, "loading a token")
	}
	return t, nil
}

// ListTokens implements hfgate.TokenStore.
func (s *Store) ListTokens(ctx context.Context, q hfgate.TokenQuery) ([]*hfgate.Token, error) {
	var (
		where []string
		args  []any
	)
	if q.Subject != "" {
		where, args = append(where, "subject = ?"), append(args, q.Subject)
	}
	if len(q.Kinds) > 0 {
		marks := make([]string, len(q.Kinds))
		for i, k := range q.Kinds {
			marks[i], args = "?", append(args, string(k))
		}
		where = append(where, "kind IN ("+strings.Join(marks, ", ")+")")
	}
	if !q.Ended {
		where = append(where, "revoked IS NULL AND spent IS NULL AND expires > ?")
		args = append(args, micros(s.now()))
	}
	query := `SELECT ` + tokenColumns + ` FROM tokens`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.db.QueryContext(ctx, s.q(query+" ORDER BY created DESC, id"), args...)
	if err != nil {
		return nil, s.fail(ctx, err, "listing tokens")
	}
	defer rows.Close()
	out := []*hfgate.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, s.fail(ctx, err, "listing tokens")
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, err, "listing tokens")
	}
	return out, nil
}

// TouchToken implements hfgate.TokenStore.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	var found int
	err := s.db.QueryRowContext(ctx, s.q(`UPDATE tokens SET last_used = CASE
			WHEN last_used IS NULL OR last_used < ? THEN ? ELSE last_used END
		WHERE id = ? RETURNING 1`), micros(at), micros(at), id).Scan(&found)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("no such token")
	}
	if err != nil {
		return s.fail(ctx, err, "recording a token's use")
	}
	return nil
}

// RevokeTokens implements hfgate.TokenStore, and announces the revocation
// to every process.
func (s *Store) RevokeTokens(ctx context.Context, r hfgate.TokenRevocation) (int, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	var n int64
	err := s.tx(ctx, "revoking tokens", func(tx *sql.Tx) error {
		var err error
		n, err = s.revoke(ctx, tx, r)
		return err
	})
	return int(n), err
}

// revoke revokes in tx the live tokens r names and announces it.
func (s *Store) revoke(ctx context.Context, tx *sql.Tx, r hfgate.TokenRevocation) (int64, error) {
	column, value := "id", r.ID
	ann := hfgate.Revocation{TokenID: r.ID}
	switch {
	case r.FamilyID != "":
		column, value, ann = "family_id", r.FamilyID, hfgate.Revocation{FamilyID: r.FamilyID}
	case r.Subject != "":
		column, value, ann = "subject", r.Subject, hfgate.Revocation{Subject: r.Subject}
	}
	res, err := tx.ExecContext(ctx, s.q(`UPDATE tokens SET revoked = ?, revoked_by = ?, revoke_reason = ?
		WHERE `+column+` = ? AND revoked IS NULL AND expires > ?`),
		micros(r.At), r.By, r.Reason, value, micros(s.now()))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return 0, err
	}
	return n, s.announce(ctx, tx, ann)
}
