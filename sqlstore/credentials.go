package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/hfgate/hfgate"
)

// secrets is what a credential row keeps sealed; the rest of the
// credential is in plain columns, for listing.
type secrets struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// credentialAD binds a sealed credential to its row: opened under
// another endpoint or subject, it fails.
func credentialAD(endpoint, subject string) []byte {
	return []byte("hfgate upstream credential\x00" + endpoint + "\x00" + subject)
}

func (s *Store) needSealer() error {
	if s.sealer == nil {
		return hfgate.Errorf(hfgate.EINVALID, "no encryption keys are configured, so upstream credentials cannot be stored or read")
	}
	return nil
}

// LoadCredential implements hfgate.CredentialStore.
func (s *Store) LoadCredential(ctx context.Context, endpoint, subject string) (*hfgate.Credential, error) {
	ep, err := hfgate.CredentialKey(endpoint, subject)
	if err != nil {
		return nil, err
	}
	if err := s.needSealer(); err != nil {
		return nil, err
	}
	var (
		c            = hfgate.Credential{Endpoint: ep, Subject: subject}
		scopes, seal string
	)
	err = s.db.QueryRowContext(ctx, s.q(`SELECT issuer, client_id, scopes, username, expiry, sealed
		FROM upstream_credentials WHERE endpoint = ? AND subject = ?`), ep, subject).
		Scan(&c.Issuer, &c.ClientID, &scopes, &c.Username, timeCol{&c.Expiry}, &seal)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("no credential for %s", ep)
	}
	if err != nil {
		return nil, s.fail(ctx, err, "loading a credential")
	}
	plain, err := s.sealer.Open(seal, credentialAD(ep, subject))
	if err != nil {
		return nil, err
	}
	var sec secrets
	if err := json.Unmarshal(plain, &sec); err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "a stored credential for %s is damaged", ep)
	}
	c.AccessToken, c.RefreshToken, c.Scopes = sec.AccessToken, sec.RefreshToken, fields(scopes)
	return &c, nil
}

// seal returns the sealed secrets of c, stored under endpoint ep.
func (s *Store) seal(c *hfgate.Credential, ep string) (string, error) {
	plain, err := json.Marshal(secrets{c.AccessToken, c.RefreshToken})
	if err != nil {
		return "", err
	}
	return s.sealer.Seal(plain, credentialAD(ep, c.Subject))
}

// SaveCredential implements hfgate.CredentialStore.
func (s *Store) SaveCredential(ctx context.Context, cred *hfgate.Credential) error {
	ep, err := hfgate.CheckCredential(cred)
	if err != nil {
		return err
	}
	if err := s.needSealer(); err != nil {
		return err
	}
	sealed, err := s.seal(cred, ep)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, "saving a credential", `INSERT INTO upstream_credentials
		(endpoint, subject, issuer, client_id, scopes, username, expiry, key_id, sealed, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (endpoint, subject) DO UPDATE SET issuer = excluded.issuer, client_id = excluded.client_id,
			scopes = excluded.scopes, username = excluded.username, expiry = excluded.expiry,
			key_id = excluded.key_id, sealed = excluded.sealed, updated = excluded.updated`,
		ep, cred.Subject, cred.Issuer, cred.ClientID, words(cred.Scopes), cred.Username, ts(cred.Expiry),
		s.sealer.KeyID(), sealed, micros(s.now()))
	return err
}

// DeleteCredential implements hfgate.CredentialStore.
func (s *Store) DeleteCredential(ctx context.Context, endpoint, subject string) error {
	ep, err := hfgate.CredentialKey(endpoint, subject)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, "deleting a credential", `DELETE FROM upstream_credentials WHERE endpoint = ? AND subject = ?`, ep, subject)
	return err
}

// LockCredential implements hfgate.CredentialStore: across every process
// of the database where the dialect has LockKey (PostgreSQL), else within
// this process.
func (s *Store) LockCredential(ctx context.Context, endpoint, subject string) (func(), error) {
	ep, err := hfgate.CredentialKey(endpoint, subject)
	if err != nil {
		return nil, err
	}
	return s.lockKey(ctx, "credential\x1f"+ep+"\x1f"+subject, "to renew the credential for "+ep)
}

// StoredCredential is what ListCredentials says of a stored credential:
// never its tokens.
type StoredCredential struct {
	Endpoint, Subject, Username string
	Expiry                      time.Time // zero for a token that does not expire
	KeyID                       string    // the key that sealed it
	Updated                     time.Time
}

// ListCredentials lists the stored upstream credentials, by endpoint and
// subject, without opening them.
func (s *Store) ListCredentials(ctx context.Context) ([]StoredCredential, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT endpoint, subject, username, expiry, key_id, updated
		FROM upstream_credentials ORDER BY endpoint, subject`)
	if err != nil {
		return nil, s.fail(ctx, err, "listing credentials")
	}
	defer rows.Close()
	out := []StoredCredential{}
	for rows.Next() {
		var c StoredCredential
		if err := rows.Scan(&c.Endpoint, &c.Subject, &c.Username, timeCol{&c.Expiry}, &c.KeyID, timeCol{&c.Updated}); err != nil {
			return nil, s.fail(ctx, err, "listing credentials")
		}
		out = append(out, c)
	}
	return out, s.failIf(ctx, rows.Err(), "listing credentials")
}
