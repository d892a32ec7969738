package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/hfgate/hfgate"
)

// profile is the JSON column of an account: the parts of a profile that
// are lists.
type profile struct {
	Orgs   []hfgate.Org      `json:"orgs,omitempty"`
	Groups []string          `json:"groups,omitempty"`
	Claims map[string]string `json:"claims,omitempty"`
}

const accountColumns = `id, provider, username, name, email, avatar_url, profile, created, profile_updated, disabled`

func scanAccount(row interface{ Scan(...any) error }) (*hfgate.Account, error) {
	var (
		a        hfgate.Account
		p        profile
		disabled int
	)
	err := row.Scan(&a.ID, &a.Provider, &a.Username, &a.Name, &a.Email, &a.AvatarURL,
		jsonCol{&p}, timeCol{&a.Created}, timeCol{&a.ProfileUpdated}, &disabled)
	if err != nil {
		return nil, err
	}
	a.Orgs, a.Groups, a.Claims, a.Disabled = p.Orgs, p.Groups, p.Claims, disabled != 0
	return &a, nil
}

func profileText(a *hfgate.Account) (any, error) {
	return jsonText(profile{Orgs: a.Orgs, Groups: a.Groups, Claims: a.Claims})
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SignIn implements hfgate.AccountStore.
func (s *Store) SignIn(ctx context.Context, id hfgate.Identity, p *hfgate.Account, at time.Time) (*hfgate.Account, error) {
	if err := id.Validate(); err != nil {
		return nil, err
	}
	if p == nil {
		p = &hfgate.Account{}
	}
	prof, err := profileText(p)
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "the profile cannot be stored")
	}
	var out *hfgate.Account
	err = s.tx(ctx, "recording a sign-in", func(tx *sql.Tx) error {
		// A first sign-in makes the account and its identity; two at once
		// both insert nothing twice (ON CONFLICT DO NOTHING) and then both
		// find the one account.
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO accounts (id, provider, created) VALUES (?, ?, ?)
			ON CONFLICT (id) DO NOTHING`), id.Subject(), id.Provider, micros(at)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO identities (provider, sub, account_id, created) VALUES (?, ?, ?, ?)
			ON CONFLICT (provider, sub) DO NOTHING`), id.Provider, id.Sub, id.Subject(), micros(at)); err != nil {
			return err
		}
		var accountID string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT account_id FROM identities WHERE provider = ? AND sub = ?`),
			id.Provider, id.Sub).Scan(&accountID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE accounts SET username = ?, name = ?, email = ?, avatar_url = ?,
			profile = ?, profile_updated = ? WHERE id = ?`),
			p.Username, p.Name, p.Email, p.AvatarURL, prof, micros(at), accountID); err != nil {
			return err
		}
		if err := s.announce(ctx, tx, hfgate.Revocation{Subject: accountID}); err != nil {
			return err
		}
		out, err = scanAccount(tx.QueryRowContext(ctx, s.q(`SELECT `+accountColumns+` FROM accounts WHERE id = ?`), accountID))
		return err
	})
	return out, err
}

// LoadAccount implements hfgate.AccountStore.
func (s *Store) LoadAccount(ctx context.Context, id string) (*hfgate.Account, error) {
	a, err := scanAccount(s.db.QueryRowContext(ctx, s.q(`SELECT `+accountColumns+` FROM accounts WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("no such account")
	}
	if err != nil {
		return nil, s.fail(ctx, err, "loading an account")
	}
	return a, nil
}

// ListAccounts implements hfgate.AccountStore.
func (s *Store) ListAccounts(ctx context.Context) ([]*hfgate.Account, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, s.fail(ctx, err, "listing accounts")
	}
	defer rows.Close()
	out := []*hfgate.Account{}
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, s.fail(ctx, err, "listing accounts")
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, err, "listing accounts")
	}
	return out, nil
}

// UpdateAccount implements hfgate.AccountStore.
func (s *Store) UpdateAccount(ctx context.Context, a *hfgate.Account) error {
	if err := a.Validate(); err != nil {
		return err
	}
	prof, err := profileText(a)
	if err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, "the profile cannot be stored")
	}
	return s.tx(ctx, "updating an account", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE accounts SET provider = ?, username = ?, name = ?, email = ?,
			avatar_url = ?, profile = ?, profile_updated = ?, disabled = ? WHERE id = ?`),
			a.Provider, a.Username, a.Name, a.Email, a.AvatarURL, prof, ts(a.ProfileUpdated), flag(a.Disabled), a.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpErr(err, notFound("no such account"))
		}
		return s.announce(ctx, tx, hfgate.Revocation{Subject: a.ID})
	})
}

// cmpErr returns err when it is not nil, else alt.
func cmpErr(err, alt error) error {
	if err != nil {
		return err
	}
	return alt
}
