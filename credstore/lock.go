package credstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/hfgate/hfgate"
)

// lockPollInterval is how often a waiting Lock retries. flock has no
// blocking wait that honours a context, so Lock polls; a refresh takes a
// network round trip, so a few waits of this length go unnoticed.
const lockPollInterval = 50 * time.Millisecond

// Lock takes the cross-process lock on renewing the credential of subject
// for endpoint, waiting while another goroutine or process holds it, until
// ctx is done. It returns a function that releases the lock; calling it
// more than once is harmless.
//
// Hugging Face rotates refresh tokens: a refresh invalidates the refresh
// token it used (reference/hf-oauth.md §4). Two processes refreshing the same
// credential at once would each get a new pair while invalidating the
// other's, and one of them would save a dead refresh token. A refresher MUST
// therefore follow the protocol of hfgate.CredentialStore.LockCredential
// (oidcauth.TokenSource does):
//
//	unlock, err := store.Lock(ctx, endpoint, subject)
//	if err != nil { return err }
//	defer unlock()
//	cred, src, err := store.Load(ctx, endpoint, subject) // reload: another process may have refreshed
//	if err != nil { return err }
//	if cred.RefreshToken == "" || !cred.Expired(now, leeway) {
//		return cred // cannot be refreshed (HF_TOKEN, a pasted token), or still fresh
//	}
//	fresh := refresh(ctx, cred) // keep the old refresh token if none is returned
//	_, err = store.Save(ctx, fresh)
//
// The lock is a gofrs/flock lock on <ConfigDir>/locks/<hash>.lock, where hash
// is derived from the normalised endpoint and the subject, so that they do
// not wait for each other. The file stays behind after unlocking: removing a
// lock file while another process waits on it would let a third process lock
// a new file of the same name. The OS drops the lock if the process dies.
//
// Errors: EINVALID for a bad endpoint or an empty subject; ECANCELED or
// EUNAVAILABLE when ctx is canceled or times out while waiting (the cause
// wraps ctx.Err()).
func (s *Store) Lock(ctx context.Context, endpoint, subject string) (unlock func(), err error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	ep, err := hfgate.CredentialKey(endpoint, subject)
	if err != nil {
		return nil, err
	}
	return lockCredential(ctx, s.ConfigDir, ep, subject)
}

// lockCredential takes the renewal lock of subject's credential for the
// normalised endpoint ep, in dir/locks. The local subject's lock file is
// named after the endpoint alone, as by every earlier hfgate.
func lockCredential(ctx context.Context, dir, ep, subject string) (func(), error) {
	if dir == "" {
		return nil, hfgate.Errorf(hfgate.EINTERNAL, "credential store has no directory for its locks")
	}
	sum := sha256.Sum256([]byte(account(ep, subject)))
	return lockFile(ctx, dir, hex.EncodeToString(sum[:8])+".lock", "refresh the token for "+whose(ep, subject))
}

// lockFile takes the exclusive file lock <dir>/locks/<name>. what says, for
// error messages, what the lock protects.
func lockFile(ctx context.Context, base, name, what string) (func(), error) {
	dir := filepath.Join(base, "locks")
	if err := privateDir(base); err != nil {
		return nil, hfgate.WrapError(hfgate.EINTERNAL, err, "cannot create %s", base)
	}
	if err := privateDir(dir); err != nil {
		return nil, hfgate.WrapError(hfgate.EINTERNAL, err, "cannot create %s", dir)
	}
	fl := flock.New(filepath.Join(dir, name))
	ok, err := fl.TryLockContext(ctx, lockPollInterval)
	if ok {
		return func() { _ = fl.Unlock() }, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		code, msg := hfgate.EUNAVAILABLE, "timed out waiting for another hfgate process to %s"
		if errors.Is(ctxErr, context.Canceled) {
			code, msg = hfgate.ECANCELED, "canceled while waiting for another hfgate process to %s"
		}
		return nil, hfgate.WrapError(code, ctxErr, msg, what)
	}
	if err == nil {
		err = errors.New("lock not taken")
	}
	return nil, hfgate.WrapError(hfgate.EINTERNAL, err, "cannot lock %s", fl.Path())
}
