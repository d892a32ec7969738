package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/hfgate/hfgate"
)

// announce sends r to every process of the database once tx commits: by
// the dialect's Notify, or through the revocation log.
func (s *Store) announce(ctx context.Context, tx *sql.Tx, r hfgate.Revocation) error {
	payload, err := s.fan.payload(r)
	if err != nil {
		return err
	}
	s.pendingMu.Lock()
	if s.pending == nil {
		s.pending = map[*sql.Tx][]hfgate.Revocation{}
	}
	s.pending[tx] = append(s.pending[tx], r)
	s.pendingMu.Unlock()
	if s.d.Notify != nil {
		return s.d.Notify(ctx, tx, payload)
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO revocations (at, payload) VALUES (?, ?)`), micros(s.now()), payload)
	return err
}

// lastRevocation returns the seq of the newest logged revocation, where
// a new Store starts reading.
func (s *Store) lastRevocation(ctx context.Context) (int64, error) {
	var seq sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(seq) FROM revocations`).Scan(&seq); err != nil {
		return 0, s.fail(ctx, err, "reading the revocation log")
	}
	return seq.Int64, nil
}

// pollRevocations reads the revocation log every interval, and at once
// when this process commits, and delivers what is new, until ctx is done.
// A failed read is retried at the next tick; the rows stay in the log
// (Purge keeps them for an hour), so nothing is missed meanwhile.
func (s *Store) pollRevocations(ctx context.Context, last int64, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.fan.wakeup():
		}
		next, err := s.readRevocations(ctx, last)
		if err != nil {
			if !failing && ctx.Err() == nil {
				s.log.Warn("cannot read the revocation log; retrying", "err", err)
			}
			failing = true
			continue
		}
		failing, last = false, next
	}
}

// readRevocations delivers the logged revocations after seq last and
// returns the seq of the newest.
func (s *Store) readRevocations(ctx context.Context, last int64) (int64, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT seq, payload FROM revocations WHERE seq > ? ORDER BY seq`), last)
	if err != nil {
		return last, err
	}
	defer rows.Close()
	for rows.Next() {
		var payload string
		if err := rows.Scan(&last, &payload); err != nil {
			return last, err
		}
		s.fan.deliverPayload(payload)
	}
	return last, rows.Err()
}
