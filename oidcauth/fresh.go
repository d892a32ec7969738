package oidcauth

import (
	"context"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
)

// Store keeps credentials, one per Hub endpoint. credstore implements the
// same operations; the web app may keep its own.
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

// Refresher renews an OAuth credential. *Client is one; Lazy returns one
// that opens its Client only when a refresh is due.
type Refresher interface {
	Refresh(ctx context.Context, cred *hfgate.Credential) (*hfgate.Credential, error)
}

// Fresh returns endpoint's credential from store with an access token that
// is good for at least the refresh leeway (Config.RefreshLeeway when r is a
// *Client or from Lazy, else DefaultRefreshLeeway), refreshing it first if
// needed. Tokens that do not expire, and classic (non-OAuth) tokens, are
// returned unchanged, without a lock or a network call.
//
// A refresh happens under store.Lock: lock, load again (another process may
// have refreshed meanwhile), refresh only if still needed, save, unlock. So
// concurrent callers, in one process or several, spend a rotating refresh
// token once. If the refresh fails with EUNAVAILABLE while the current
// access token has not actually expired yet, that token is returned.
//
// r may be nil when no OAuth app is configured; a credential that then
// needs a refresh is an EUNAUTHORIZED error. Errors from store pass
// unchanged; refresh errors are as for Client.Refresh.
func Fresh(ctx context.Context, store Store, r Refresher, endpoint string) (*hfgate.Credential, error) {
	if c, ok := r.(*Client); ok && c == nil {
		r = nil // a nil *Client is no Refresher
	}
	now, leeway := time.Now, DefaultRefreshLeeway
	if p, ok := r.(refreshPolicy); ok {
		now, leeway = p.policy()
	}
	due := func(c *hfgate.Credential) bool { return c.IsOAuth() && c.Expired(now(), leeway) }

	cred, err := store.Load(ctx, endpoint)
	if err != nil || !due(cred) {
		return cred, err
	}
	unlock, err := store.Lock(ctx, endpoint)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if cred, err = store.Load(ctx, endpoint); err != nil || !due(cred) {
		return cred, err
	}
	if r == nil {
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED,
			"the access token for %s has expired and no OAuth app is configured to renew it: run hfgate login", endpoint)
	}
	next, err := r.Refresh(ctx, cred)
	if err != nil {
		if hfgate.ErrorCode(err) == hfgate.EUNAVAILABLE && !cred.Expired(now(), 0) {
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

// refreshPolicy is implemented by the Refreshers that know a Config.
type refreshPolicy interface {
	policy() (now func() time.Time, leeway time.Duration)
}

func (c *Client) policy() (func() time.Time, time.Duration) { return c.cfg.Now, c.cfg.RefreshLeeway }

// Lazy returns a Refresher that opens a Client with cfg on its first
// Refresh and reuses it; a failed Open is retried on the next Refresh. A
// command whose token is still fresh thus makes no discovery request. cfg
// is not validated until then. It is safe for concurrent use.
func Lazy(cfg Config) Refresher { return &lazy{cfg: cfg} }

type lazy struct {
	cfg    Config
	mu     sync.Mutex
	client *Client
}

func (l *lazy) Refresh(ctx context.Context, cred *hfgate.Credential) (*hfgate.Credential, error) {
	l.mu.Lock()
	if l.client == nil {
		c, err := Open(ctx, l.cfg)
		if err != nil {
			l.mu.Unlock()
			return nil, err
		}
		l.client = c
	}
	c := l.client
	l.mu.Unlock()
	return c.Refresh(ctx, cred)
}

func (l *lazy) policy() (func() time.Time, time.Duration) {
	now, leeway := l.cfg.Now, l.cfg.RefreshLeeway
	if now == nil {
		now = time.Now
	}
	if leeway == 0 {
		leeway = DefaultRefreshLeeway
	}
	return now, leeway
}
