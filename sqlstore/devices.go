package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/hfgate/hfgate"
)

const deviceColumns = `hash, user_code, client_id, scopes, created, expires, poll_interval, last_poll, state, subject, decided`

func scanDevice(row interface{ Scan(...any) error }) (*hfgate.DeviceAuth, error) {
	var (
		d      hfgate.DeviceAuth
		scopes string
	)
	err := row.Scan(&d.Hash, &d.UserCode, &d.ClientID, &scopes, timeCol{&d.Created}, timeCol{&d.Expires},
		durCol{&d.Interval}, timeCol{&d.LastPoll}, &d.State, &d.Subject, timeCol{&d.Decided})
	if err != nil {
		return nil, err
	}
	d.Scopes = fields(scopes)
	return &d, nil
}

// CreateDeviceAuth implements hfgate.DeviceStore. An expired
// authorization gives up its user code.
func (s *Store) CreateDeviceAuth(ctx context.Context, d *hfgate.DeviceAuth) error {
	if err := d.Validate(); err != nil {
		return err
	}
	return s.tx(ctx, "creating a device code", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM device_auths WHERE user_code = ? AND expires <= ?`),
			d.UserCode, micros(s.now())); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO device_auths (`+deviceColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			d.Hash, d.UserCode, d.ClientID, words(d.Scopes), ts(d.Created), micros(d.Expires),
			d.Interval.Microseconds(), ts(d.LastPoll), string(d.State), d.Subject, ts(d.Decided))
		if err != nil && s.d.Duplicate != nil && s.d.Duplicate(err) {
			return hfgate.Errorf(hfgate.EINVALID, "this device or user code is taken; make another")
		}
		return err
	})
}

// DeviceAuthByUserCode implements hfgate.DeviceStore.
func (s *Store) DeviceAuthByUserCode(ctx context.Context, userCode string, at time.Time) (*hfgate.DeviceAuth, error) {
	d, err := scanDevice(s.db.QueryRowContext(ctx, s.q(`SELECT `+deviceColumns+` FROM device_auths
		WHERE user_code = ? AND expires > ?`), userCode, micros(at)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("no such code, or it expired")
	}
	if err != nil {
		return nil, s.fail(ctx, err, "loading a device code")
	}
	return d, nil
}

// DecideDeviceAuth implements hfgate.DeviceStore.
func (s *Store) DecideDeviceAuth(ctx context.Context, userCode, subject string, approve bool, at time.Time) error {
	if subject == "" {
		return hfgate.Errorf(hfgate.EINVALID, "only a signed-in user decides a device code")
	}
	state := hfgate.DeviceDenied
	if approve {
		state = hfgate.DeviceApproved
	}
	return s.tx(ctx, "deciding a device code", func(tx *sql.Tx) error {
		var current string
		err := tx.QueryRowContext(ctx, s.q(`SELECT state FROM device_auths WHERE user_code = ? AND expires > ?`+s.d.ForUpdate),
			userCode, micros(at)).Scan(&current)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("no such code, or it expired")
		}
		if err != nil {
			return err
		}
		if hfgate.DeviceState(current) != hfgate.DevicePending {
			return hfgate.Errorf(hfgate.EINVALID, "this code was %s already", current)
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE device_auths SET state = ?, subject = ?, decided = ? WHERE user_code = ?`),
			string(state), subject, micros(at), userCode)
		return err
	})
}

// slowDownStep is what RFC 8628 section 3.5 adds to the interval of a
// device that polls too fast.
const slowDownStep = 5 * time.Second

// PollDeviceAuth implements hfgate.DeviceStore.
func (s *Store) PollDeviceAuth(ctx context.Context, hash string, at time.Time, issue func(*hfgate.DeviceAuth) ([]*hfgate.Token, error)) (hfgate.DevicePoll, error) {
	var (
		poll     hfgate.DevicePoll
		issueErr error
	)
	err := s.tx(ctx, "polling a device code", func(tx *sql.Tx) error {
		d, err := scanDevice(tx.QueryRowContext(ctx, s.q(`SELECT `+deviceColumns+` FROM device_auths WHERE hash = ?`+s.d.ForUpdate), hash))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("no such device code")
		}
		if err != nil {
			return err
		}
		poll = hfgate.DevicePoll{State: d.State, Interval: d.Interval, ClientID: d.ClientID}
		switch {
		case d.State == hfgate.DeviceRedeemed:
			return hfgate.Errorf(hfgate.EINVALID, "this device code was used already")
		case !at.Before(d.Expires):
			poll.State = hfgate.DeviceExpired
			return nil
		case !d.LastPoll.IsZero() && at.Sub(d.LastPoll) < d.Interval:
			poll.SlowDown, poll.Interval = true, d.Interval+slowDownStep
		}
		state := d.State
		if d.State == hfgate.DeviceApproved && !poll.SlowDown {
			next, err := issue(d)
			if err != nil {
				issueErr = err
				return err
			}
			if err := s.insertTokens(ctx, tx, next); err != nil {
				return err
			}
			state = hfgate.DeviceRedeemed
		} else if d.State == hfgate.DeviceApproved {
			poll.State = hfgate.DevicePending // tokens come with the next poll, after the wait
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE device_auths SET last_poll = ?, poll_interval = ?, state = ? WHERE hash = ?`),
			micros(at), poll.Interval.Microseconds(), string(state), hash)
		return err
	})
	if issueErr != nil {
		return hfgate.DevicePoll{}, issueErr
	}
	return poll, err
}
