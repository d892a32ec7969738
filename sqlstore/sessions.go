package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/hfgate/hfgate"
)

const sessionColumns = `id, principal, created, last_seen, idle_timeout, expires`

func scanSession(row interface{ Scan(...any) error }) (*hfgate.Session, error) {
	var sess hfgate.Session
	err := row.Scan(&sess.ID, jsonCol{&sess.Principal}, timeCol{&sess.Created}, timeCol{&sess.LastSeen},
		durCol{&sess.IdleTimeout}, timeCol{&sess.Expires})
	if err != nil {
		return nil, err
	}
	if sess.Principal == nil {
		sess.Principal = &hfgate.Principal{}
	}
	return &sess, nil
}

// CreateSession implements hfgate.SessionStore. A session that has ended
// gives up its ID; a live one keeps it.
func (s *Store) CreateSession(ctx context.Context, sess *hfgate.Session) error {
	if err := sess.Validate(); err != nil {
		return err
	}
	p, err := jsonText(sess.Principal)
	if err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, "the session cannot be stored")
	}
	n, err := s.exec(ctx, "creating a session", `INSERT INTO sessions (id, subject, principal, created, last_seen, idle_timeout, expires, ends)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET subject = excluded.subject, principal = excluded.principal,
			created = excluded.created, last_seen = excluded.last_seen, idle_timeout = excluded.idle_timeout,
			expires = excluded.expires, ends = excluded.ends
		WHERE sessions.ends <= ?`,
		sess.ID, sess.Subject(), p, ts(sess.Created), ts(sess.LastSeen), sess.IdleTimeout.Microseconds(),
		micros(sess.Expires), micros(sess.ExpiresAt()), micros(s.now()))
	if err != nil {
		return err
	}
	if n == 0 {
		return hfgate.Errorf(hfgate.EINVALID, "a session with this ID exists already")
	}
	return nil
}

// LoadSession implements hfgate.SessionStore.
func (s *Store) LoadSession(ctx context.Context, id string) (*hfgate.Session, error) {
	sess, err := scanSession(s.db.QueryRowContext(ctx, s.q(`SELECT `+sessionColumns+` FROM sessions WHERE id = ? AND ends > ?`),
		id, micros(s.now())))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("no such session (it ended, or never was)")
	}
	if err != nil {
		return nil, s.fail(ctx, err, "loading a session")
	}
	return sess, nil
}

// TouchSession implements hfgate.SessionStore.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	// ends moves with last_seen: the idle limit from at, capped by expires.
	n, err := s.exec(ctx, "renewing a session", `UPDATE sessions SET
			last_seen = CASE WHEN last_seen IS NULL OR last_seen < ? THEN ? ELSE last_seen END,
			ends = CASE WHEN idle_timeout = 0 THEN expires
				WHEN COALESCE(last_seen, created, 0) >= ? THEN ends
				WHEN ? + idle_timeout < expires THEN ? + idle_timeout ELSE expires END
		WHERE id = ? AND ends > ?`,
		micros(at), micros(at), micros(at), micros(at), micros(at), id, micros(s.now()))
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound("no such session (it ended, or never was)")
	}
	return nil
}

// ListSessions implements hfgate.SessionStore.
func (s *Store) ListSessions(ctx context.Context, subject string) ([]*hfgate.Session, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+sessionColumns+` FROM sessions WHERE subject = ? AND ends > ?
		ORDER BY created DESC, id`), subject, micros(s.now()))
	if err != nil {
		return nil, s.fail(ctx, err, "listing sessions")
	}
	defer rows.Close()
	out := []*hfgate.Session{}
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, s.fail(ctx, err, "listing sessions")
		}
		out = append(out, sess)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, err, "listing sessions")
	}
	return out, nil
}

// DeleteSession implements hfgate.SessionStore, and announces the end of
// the session to every process.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.tx(ctx, "ending a session", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return s.announce(ctx, tx, hfgate.Revocation{SessionID: id})
	})
}

// DeleteSessions implements hfgate.SessionStore, and announces the end of
// the sessions to every process.
func (s *Store) DeleteSessions(ctx context.Context, subject string) (int, error) {
	var n int64
	err := s.tx(ctx, "ending sessions", func(tx *sql.Tx) error {
		// Count the live ones first: ended ones go too, but do not count.
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM sessions WHERE subject = ? AND ends > ?`),
			subject, micros(s.now())).Scan(&n); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE subject = ?`), subject)
		if err != nil {
			return err
		}
		if all, err := res.RowsAffected(); err != nil || all == 0 {
			return err
		}
		return s.announce(ctx, tx, hfgate.Revocation{Subject: subject})
	})
	return int(n), err
}
