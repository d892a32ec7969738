package oidcauth

import (
	"context"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// memStore is an in-memory Store whose lock is a one-slot channel, as
// exclusive as credstore's file lock.
type memStore struct {
	lock chan struct{}

	mu     sync.Mutex
	creds  map[string]hfgate.Credential
	saves  int
	locked int
}

func newMemStore(creds ...*hfgate.Credential) *memStore {
	s := &memStore{lock: make(chan struct{}, 1), creds: map[string]hfgate.Credential{}}
	for _, c := range creds {
		s.creds[c.Endpoint] = *c
	}
	return s
}

func (s *memStore) Load(_ context.Context, endpoint string) (*hfgate.Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.creds[endpoint]
	if !ok {
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED, "not signed in to %s", endpoint)
	}
	return &c, nil
}

func (s *memStore) Save(_ context.Context, c *hfgate.Credential) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creds[c.Endpoint] = *c
	s.saves++
	return nil
}

func (s *memStore) Lock(ctx context.Context, _ string) (func(), error) {
	select {
	case s.lock <- struct{}{}:
		s.mu.Lock()
		s.locked++
		s.mu.Unlock()
		return func() { <-s.lock }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *memStore) counts() (saves, locked int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saves, s.locked
}

// TestFreshRefreshesOnceConcurrently runs many callers at once on a token
// inside the refresh leeway: the token endpoint must see one refresh, and
// every caller must get the new token.
func TestFreshRefreshesOnceConcurrently(t *testing.T) {
	p := newProvider(t)
	c, cred := signedIn(t, p)
	store := newMemStore(cred)
	p.clock.Advance(time.Hour - DefaultRefreshLeeway + time.Second) // ahead of expiry, inside the leeway

	const callers = 20
	got := make([]*hfgate.Credential, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { got[i], errs[i] = Fresh(context.Background(), store, c, cred.Endpoint) })
	}
	wg.Wait()

	if n := p.Hits("refresh_token"); n != 1 {
		t.Fatalf("token endpoint saw %d refreshes, want 1", n)
	}
	stored, _ := store.Load(context.Background(), cred.Endpoint)
	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if got[i].AccessToken != stored.AccessToken {
			t.Errorf("caller %d got a token other than the stored one", i)
		}
	}
	if stored.AccessToken == cred.AccessToken || stored.RefreshToken == cred.RefreshToken {
		t.Error("the store still holds the old tokens")
	}
	if saves, _ := store.counts(); saves != 1 {
		t.Errorf("saves = %d, want 1", saves)
	}
}

func TestFreshPassesThrough(t *testing.T) {
	p := newProvider(t)
	c, oauthCred := signedIn(t, p)
	classic := &hfgate.Credential{Endpoint: "https://classic.example", AccessToken: "hf_classic"}
	for _, tt := range []struct {
		name   string
		client Refresher
		cred   *hfgate.Credential
	}{
		{"OAuth token outside the leeway", c, oauthCred},
		{"classic token", c, classic},
		{"classic token without a client", nil, classic},
		{"classic token with a nil *Client", (*Client)(nil), classic},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store := newMemStore(tt.cred)
			got, err := Fresh(context.Background(), store, tt.client, tt.cred.Endpoint)
			if err != nil {
				t.Fatalf("Fresh: %v", err)
			}
			if !reflect.DeepEqual(got, tt.cred) {
				t.Errorf("Fresh = %+v, want %+v unchanged", got, tt.cred)
			}
			if saves, locked := store.counts(); saves != 0 || locked != 0 {
				t.Errorf("saves = %d, locks = %d, want 0 and 0", saves, locked)
			}
		})
	}
	if n := p.Hits("refresh_token"); n != 0 {
		t.Errorf("token endpoint saw %d refreshes, want 0", n)
	}
}

// TestFreshLazy checks that Lazy opens the client (one discovery request)
// only once a refresh is due, and then reuses it.
func TestFreshLazy(t *testing.T) {
	p := newProvider(t)
	_, cred := signedIn(t, p)
	store := newMemStore(cred)
	r := Lazy(p.config())
	before := p.Hits("discovery")
	if _, err := Fresh(context.Background(), store, r, cred.Endpoint); err != nil {
		t.Fatal(err)
	}
	if n := p.Hits("discovery") - before; n != 0 {
		t.Errorf("fresh token: %d discovery requests, want 0", n)
	}
	for range 2 {
		p.clock.Advance(time.Hour)
		got, err := Fresh(context.Background(), store, r, cred.Endpoint)
		if err != nil {
			t.Fatal(err)
		}
		if got.AccessToken == cred.AccessToken {
			t.Error("token not refreshed")
		}
	}
	if n, m := p.Hits("discovery")-before, p.Hits("refresh_token"); n != 1 || m != 2 {
		t.Errorf("two refreshes: %d discovery requests and %d refreshes, want 1 and 2", n, m)
	}
}

func TestFreshErrors(t *testing.T) {
	t.Run("not signed in", func(t *testing.T) {
		p := newProvider(t)
		c := mustOpen(t, p, nil)
		_, err := Fresh(context.Background(), newMemStore(), c, "https://nobody.example")
		wantError(t, p, err, hfgate.EUNAUTHORIZED, "not signed in")
	})
	t.Run("expired without a client", func(t *testing.T) {
		p := newProvider(t)
		_, cred := signedIn(t, p)
		cred.Expiry = time.Now().Add(-time.Minute)
		_, err := Fresh(context.Background(), newMemStore(cred), nil, cred.Endpoint)
		wantError(t, p, err, hfgate.EUNAUTHORIZED, "no OAuth app is configured")
	})
	t.Run("revoked", func(t *testing.T) {
		p := newProvider(t)
		c, cred := signedIn(t, p)
		cred.RefreshToken = "rt_revoked"
		p.clock.Advance(time.Hour)
		_, err := Fresh(context.Background(), newMemStore(cred), c, cred.Endpoint)
		wantError(t, p, err, hfgate.EUNAUTHORIZED, "session expired or was revoked")
	})
	t.Run("provider down, token still valid", func(t *testing.T) {
		p := newProvider(t)
		c, cred := signedIn(t, p)
		p.refreshStatus = http.StatusBadGateway
		p.clock.Advance(time.Hour - time.Minute)
		got, err := Fresh(context.Background(), newMemStore(cred), c, cred.Endpoint)
		if err != nil || got.AccessToken != cred.AccessToken {
			t.Errorf("Fresh = %v, %v; want the current token", got, err)
		}
	})
	t.Run("provider down, token expired", func(t *testing.T) {
		p := newProvider(t)
		c, cred := signedIn(t, p)
		p.refreshStatus = http.StatusBadGateway
		p.clock.Advance(time.Hour)
		_, err := Fresh(context.Background(), newMemStore(cred), c, cred.Endpoint)
		wantError(t, p, err, hfgate.EUNAVAILABLE, "unavailable")
	})
}
