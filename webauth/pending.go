package webauth

import (
	"crypto/rand"
	"encoding/json"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/oidcauth"
)

// maxPending bounds the sign-ins in progress kept in memory.
// GET /auth/oauth/authorize is a link any site may make a browser follow, so
// without a bound a page could fill the server's memory.
const maxPending = 1000

// pending is a sign-in between the authorize route and the callback.
type pending struct {
	attempt  *oidcauth.Attempt
	provider string
	returnTo string
	expires  time.Time
}

// attempts keeps pending sign-ins in memory, keyed by the SHA-256 of their
// cookie value: a leaked record set yields no cookie.
type attempts struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*pending
}

// begin records a pending sign-in and returns its cookie value. When the
// bound is reached, the oldest pending sign-in goes.
func (as *attempts) begin(p *pending) string {
	secret := rand.Text()
	as.mu.Lock()
	defer as.mu.Unlock()
	now := as.now()
	if as.m == nil {
		as.m = map[string]*pending{}
	}
	for k, v := range as.m {
		if now.After(v.expires) {
			delete(as.m, k)
		}
	}
	if len(as.m) >= maxPending {
		var oldest string
		for k, v := range as.m {
			if oldest == "" || v.expires.Before(as.m[oldest].expires) {
				oldest = k
			}
		}
		delete(as.m, oldest)
	}
	p.expires = now.Add(AttemptTTL)
	as.m[hfgate.SessionID(secret)] = p
	return secret
}

// take returns and forgets the pending sign-in of cookie value secret, or
// nil when there is none or it is too old.
func (as *attempts) take(secret string) *pending {
	as.mu.Lock()
	defer as.mu.Unlock()
	k := hfgate.SessionID(secret)
	p := as.m[k]
	delete(as.m, k)
	if p == nil || as.now().After(p.expires) {
		return nil
	}
	return p
}

// pendingAD binds a sealed pending sign-in to its use, so that no other
// value sealed with the same keys passes for one.
var pendingAD = []byte("webauth pending sign-in")

// sealedPending is a pending sign-in as it travels in its cookie when
// Auth.Sealer is set.
type sealedPending struct {
	Attempt  *oidcauth.Attempt `json:"attempt"`
	Provider string            `json:"provider"`
	ReturnTo string            `json:"return_to"`
	Expires  time.Time         `json:"expires"`
}

// beginPending starts a pending sign-in and returns its cookie value: with
// a Sealer, the sign-in itself, sealed (any replica sharing the keys can
// complete it); else a secret naming it in this process's memory.
func (a *Auth) beginPending(p *pending) (string, error) {
	if a.Sealer == nil {
		return a.pending.begin(p), nil
	}
	b, err := json.Marshal(sealedPending{Attempt: p.attempt, Provider: p.provider, ReturnTo: p.returnTo, Expires: a.now().Add(AttemptTTL)})
	if err != nil {
		return "", err
	}
	return a.Sealer.Seal(b, pendingAD)
}

// takePending returns the pending sign-in of a cookie value, or nil when
// there is none, it is damaged or forged, or it is too old. A sealed one is
// used once in practice: the callback clears its cookie, and the provider
// takes each authorization code once.
func (a *Auth) takePending(value string) *pending {
	if a.Sealer == nil {
		return a.pending.take(value)
	}
	b, err := a.Sealer.Open(value, pendingAD)
	if err != nil {
		return nil
	}
	var sp sealedPending
	if json.Unmarshal(b, &sp) != nil || sp.Attempt == nil || a.now().After(sp.Expires) {
		return nil
	}
	return &pending{attempt: sp.Attempt, provider: sp.Provider, returnTo: sp.ReturnTo, expires: sp.Expires}
}
