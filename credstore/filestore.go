package credstore

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hfgate/hfgate"
)

// FileStore is an hfgate.CredentialStore in one JSON file, mode 0600 in a
// 0700 directory: the fallback where there is no OS keyring (servers,
// containers, CI). Path is required; a FileStore is safe for concurrent use
// by goroutines and processes.
//
// Every change rewrites the file atomically under a file lock in the
// file's directory. Beyond the contract's errors: a file that others may
// read is refused with an EINVALID error that says how to fix its mode,
// and a damaged file is EINVALID.
type FileStore struct {
	// Path is the file, normally $XDG_CONFIG_HOME/hfgate/credentials.json.
	// Its directory holds the locks too (in locks/).
	Path string
}

var _ hfgate.CredentialStore = (*FileStore)(nil)

func (f *FileStore) dir() string { return filepath.Dir(f.Path) }

// check reports a FileStore that cannot work: a bug in the caller.
func (f *FileStore) check() error {
	if f.Path == "" {
		return hfgate.Errorf(hfgate.EINTERNAL, "credential file store has no path")
	}
	return nil
}

// LoadCredential implements hfgate.CredentialStore.
func (f *FileStore) LoadCredential(_ context.Context, endpoint, subject string) (*hfgate.Credential, error) {
	ep, err := hfgate.CredentialKey(endpoint, subject)
	if err != nil {
		return nil, err
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	return f.get(ep, subject)
}

func (f *FileStore) get(ep, subject string) (*hfgate.Credential, error) {
	entries, err := readFile(f.Path, true)
	if err != nil {
		return nil, err
	}
	cred := entries[account(ep, subject)]
	if cred == nil || cred.AccessToken == "" {
		return nil, hfgate.Errorf(hfgate.ENOTFOUND, "no credential for %s in %s", whose(ep, subject), f.Path)
	}
	cred.Endpoint, cred.Subject = ep, subject
	return cred, nil
}

// SaveCredential implements hfgate.CredentialStore.
func (f *FileStore) SaveCredential(ctx context.Context, cred *hfgate.Credential) error {
	rec, _, err := encodeRecord(cred)
	if err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return err
	}
	return f.put(ctx, rec)
}

func (f *FileStore) put(ctx context.Context, rec *hfgate.Credential) error {
	return f.update(ctx, func(entries map[string]*hfgate.Credential) bool {
		entries[account(rec.Endpoint, rec.Subject)] = rec
		return true
	})
}

// DeleteCredential implements hfgate.CredentialStore.
func (f *FileStore) DeleteCredential(ctx context.Context, endpoint, subject string) error {
	ep, err := hfgate.CredentialKey(endpoint, subject)
	if err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return err
	}
	_, err = f.remove(ctx, ep, subject)
	return err
}

// remove deletes the entry, if there is one, and reports whether it did.
func (f *FileStore) remove(ctx context.Context, ep, subject string) (bool, error) {
	if _, err := os.Stat(f.Path); errors.Is(err, fs.ErrNotExist) {
		return false, nil // the common case with a keyring: touch nothing
	}
	removed := false
	err := f.update(ctx, func(entries map[string]*hfgate.Credential) bool {
		key := account(ep, subject)
		_, removed = entries[key]
		delete(entries, key)
		return removed
	})
	return removed, err
}

// LockCredential implements hfgate.CredentialStore with a file lock, which
// excludes other processes too.
func (f *FileStore) LockCredential(ctx context.Context, endpoint, subject string) (func(), error) {
	ep, err := hfgate.CredentialKey(endpoint, subject)
	if err != nil {
		return nil, err
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	return lockCredential(ctx, f.dir(), ep, subject)
}

// update applies change to the file's entries under the file lock and
// writes the result atomically; an empty result removes the file. change
// reports whether it changed anything; if not, nothing is written.
func (f *FileStore) update(ctx context.Context, change func(map[string]*hfgate.Credential) bool) error {
	// credentials.json is locked as credentials.lock, as by every earlier
	// hfgate, so that an old and a new one never write it at once.
	name := strings.TrimSuffix(filepath.Base(f.Path), filepath.Ext(f.Path)) + ".lock"
	unlock, err := lockFile(ctx, f.dir(), name, "update "+f.Path)
	if err != nil {
		return err
	}
	defer unlock()

	entries, err := readFile(f.Path, false) // rewriting fixes a too-wide mode
	if err != nil {
		return err
	}
	if !change(entries) {
		return nil
	}
	if len(entries) == 0 {
		if err := os.Remove(f.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return hfgate.WrapError(hfgate.EINTERNAL, err, "cannot remove %s", f.Path)
		}
		return nil
	}
	data, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "encode credentials")
	}
	if err := writeAtomic(f.Path, append(data, '\n')); err != nil {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "cannot write %s", f.Path)
	}
	return nil
}
