package credstore

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/hfgate/hfgate"
)

// KeyringStore is an hfgate.CredentialStore in an OS keyring: one entry per
// endpoint and subject, named as KeyringService documents, holding the JSON
// of the Credential (at most MaxRecordSize bytes). The zero value of every
// field but LockDir has a documented default; a KeyringStore is safe for
// concurrent use.
//
// Beyond the contract's errors: a keyring that cannot be reached is
// EUNAVAILABLE whose cause is an *UnavailableError (its Reason says why),
// and a damaged entry is EUNAUTHORIZED with ActionSignIn, since signing in
// again replaces it.
type KeyringStore struct {
	// Keyring holds the entries. If nil, SystemKeyring{} is used.
	Keyring Keyring

	// Service is the keyring service name. If empty, KeyringService.
	Service string

	// LockDir holds the lock files of LockCredential (in LockDir/locks),
	// normally $XDG_CONFIG_HOME/hfgate. Required by LockCredential only:
	// a keyring has no locks of its own.
	LockDir string
}

var _ hfgate.CredentialStore = (*KeyringStore)(nil)

func (k *KeyringStore) keyring() Keyring {
	if k.Keyring != nil {
		return k.Keyring
	}
	return SystemKeyring{}
}

func (k *KeyringStore) service() string {
	if k.Service != "" {
		return k.Service
	}
	return KeyringService
}

// LoadCredential implements hfgate.CredentialStore.
func (k *KeyringStore) LoadCredential(ctx context.Context, endpoint, subject string) (*hfgate.Credential, error) {
	ep, err := hfgate.CredentialKey(endpoint, subject)
	if err != nil {
		return nil, err
	}
	return k.get(ctx, ep, subject)
}

func (k *KeyringStore) get(ctx context.Context, ep, subject string) (*hfgate.Credential, error) {
	secret, err := k.keyring().Get(ctx, k.service(), account(ep, subject))
	if err := canceled(ctx); err != nil {
		return nil, err
	}
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, hfgate.Errorf(hfgate.ENOTFOUND, "no credential for %s in the OS keyring", whose(ep, subject))
	case err != nil:
		return nil, unavailable("get", err)
	}
	var cred hfgate.Credential
	if err := json.Unmarshal([]byte(secret), &cred); err != nil || cred.AccessToken == "" {
		if err == nil {
			err = errors.New("no access token")
		} else {
			err = safeJSONError(err)
		}
		return nil, hfgate.WrapError(hfgate.EUNAUTHORIZED, err,
			"the credential for %s in the OS keyring is damaged", whose(ep, subject)).WithAction(hfgate.ActionSignIn)
	}
	cred.Endpoint, cred.Subject = ep, subject
	return &cred, nil
}

// SaveCredential implements hfgate.CredentialStore.
func (k *KeyringStore) SaveCredential(ctx context.Context, cred *hfgate.Credential) error {
	rec, data, err := encodeRecord(cred)
	if err != nil {
		return err
	}
	return k.put(ctx, rec, data)
}

// encodeRecord checks cred and returns the record to store, with the
// endpoint normalised, and its JSON.
func encodeRecord(cred *hfgate.Credential) (*hfgate.Credential, []byte, error) {
	ep, err := hfgate.CheckCredential(cred)
	if err != nil {
		return nil, nil, err
	}
	rec := *cred
	rec.Endpoint = ep
	data, err := json.Marshal(&rec)
	if err != nil {
		return nil, nil, hfgate.WrapError(hfgate.EINTERNAL, err, "encode credential")
	}
	if len(data) > MaxRecordSize {
		return nil, nil, hfgate.Errorf(hfgate.EINVALID,
			"cannot save the credential for %s: it is %d bytes, over the %d-byte limit of OS keyrings (Windows); please report this",
			whose(ep, rec.Subject), len(data), MaxRecordSize)
	}
	return &rec, data, nil
}

func (k *KeyringStore) put(ctx context.Context, rec *hfgate.Credential, data []byte) error {
	err := k.keyring().Set(ctx, k.service(), account(rec.Endpoint, rec.Subject), string(data))
	if err == nil {
		return nil
	}
	if err := canceled(ctx); err != nil {
		return err
	}
	return unavailable("set", err)
}

// DeleteCredential implements hfgate.CredentialStore.
func (k *KeyringStore) DeleteCredential(ctx context.Context, endpoint, subject string) error {
	ep, err := hfgate.CredentialKey(endpoint, subject)
	if err != nil {
		return err
	}
	_, err = k.remove(ctx, ep, subject)
	return err
}

// remove deletes the entry and reports whether there was one.
func (k *KeyringStore) remove(ctx context.Context, ep, subject string) (bool, error) {
	err := k.keyring().Delete(ctx, k.service(), account(ep, subject))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	}
	if err := canceled(ctx); err != nil {
		return false, err
	}
	return false, unavailable("delete", err)
}

// LockCredential implements hfgate.CredentialStore with a file lock in
// LockDir, which excludes other processes too.
func (k *KeyringStore) LockCredential(ctx context.Context, endpoint, subject string) (func(), error) {
	ep, err := hfgate.CredentialKey(endpoint, subject)
	if err != nil {
		return nil, err
	}
	return lockCredential(ctx, k.LockDir, ep, subject)
}

// unavailable is the EUNAVAILABLE error of a keyring that failed; its
// cause is a safe *UnavailableError.
func unavailable(op string, err error) error {
	ue := safeKeyringError(op, err)
	return hfgate.WrapError(hfgate.EUNAVAILABLE, ue, "OS keyring unavailable: %s", ue.Reason)
}
