package oidcauth

import (
	"context"
	"time"

	"github.com/hfgate/hfgate"
)

// Store keeps credentials, one per Hub endpoint. credstore implements it;
// the web app may keep its own.
type Store interface {
	// Load returns the credential for endpoint. When there is none it
	// returns an *hfgate.Error with code EUNAUTHORIZED.
	Load(ctx context.Context, endpoint string) (*hfgate.Credential, error)

	// Save stores cred under cred.Endpoint, replacing what was there.
	Save(ctx context.Context, cred *hfgate.Credential) error

	// Lock takes a lock on endpoint's credential that excludes other
	// holders, in this and in other processes, until unlock is called. It
	// waits until the lock is free or ctx ends.
	Lock(ctx context.Context, endpoint string) (unlock func(), err error)
}

// Fresh returns endpoint's credential from store with an access token that
// is good for at least Config.RefreshLeeway, refreshing it first if needed.
// Tokens that do not expire, and classic (non-OAuth) tokens, are returned
// unchanged, without a lock or a network call.
//
// A refresh happens under store.Lock: lock, load again (another process may
// have refreshed meanwhile), refresh only if still needed, save, unlock. So
// concurrent callers, in one process or several, spend a rotating refresh
// token once. If the refresh fails with EUNAVAILABLE while the current
// access token has not actually expired yet, that token is returned.
//
// client may be nil when no OAuth app is configured; a credential that then
// needs a refresh is an EUNAUTHORIZED error. Errors from store pass
// unchanged; refresh errors are as for Client.Refresh.
func Fresh(ctx context.Context, store Store, client *Client, endpoint string) (*hfgate.Credential, error) {
	cred, err := store.Load(ctx, endpoint)
	if err != nil || !needsRefresh(client, cred) {
		return cred, err
	}
	unlock, err := store.Lock(ctx, endpoint)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if cred, err = store.Load(ctx, endpoint); err != nil || !needsRefresh(client, cred) {
		return cred, err
	}
	if client == nil {
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED,
			"the access token for %s has expired and no OAuth app is configured to renew it: run hfgate login", endpoint)
	}
	next, err := client.Refresh(ctx, cred)
	if err != nil {
		if hfgate.ErrorCode(err) == hfgate.EUNAVAILABLE && !cred.Expired(client.cfg.Now(), 0) {
			return cred, nil
		}
		return nil, err
	}
	if err := store.Save(ctx, next); err != nil {
		// The old refresh token may be spent already; say what to do.
		return nil, hfgate.WrapError(hfgate.ErrorCode(err), err,
			"renewed the sign-in for %s but could not save it: fix the credential store, then run hfgate login", endpoint)
	}
	return next, nil
}

// needsRefresh reports whether cred is an OAuth credential that expires
// within the leeway.
func needsRefresh(client *Client, cred *hfgate.Credential) bool {
	if cred == nil || !cred.IsOAuth() {
		return false
	}
	now, leeway := time.Now(), DefaultRefreshLeeway
	if client != nil {
		now, leeway = client.cfg.Now(), client.cfg.RefreshLeeway
	}
	return cred.Expired(now, leeway)
}
