package oidcauth

import (
	"context"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/memstore"
)

// countingStore is a memstore that counts loads, saves and locks.
type countingStore struct {
	memstore.Store
	mu                   sync.Mutex
	loads, saves, locked int
}

func (s *countingStore) LoadCredential(ctx context.Context, endpoint, subject string) (*hfgate.Credential, error) {
	s.mu.Lock()
	s.loads++
	s.mu.Unlock()
	return s.Store.LoadCredential(ctx, endpoint, subject)
}

func (s *countingStore) SaveCredential(ctx context.Context, c *hfgate.Credential) error {
	s.mu.Lock()
	s.saves++
	s.mu.Unlock()
	return s.Store.SaveCredential(ctx, c)
}

func (s *countingStore) LockCredential(ctx context.Context, endpoint, subject string) (func(), error) {
	s.mu.Lock()
	s.locked++
	s.mu.Unlock()
	return s.Store.LockCredential(ctx, endpoint, subject)
}

func (s *countingStore) counts() (loads, saves, locked int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loads, s.saves, s.locked
}

// newStoreWith returns a store holding creds.
func newStoreWith(tb testing.TB, creds ...*hfgate.Credential) *countingStore {
	tb.Helper()
	s := &countingStore{}
	for _, c := range creds {
		if err := s.Store.SaveCredential(context.Background(), c); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

// source returns a TokenSource over store that opens p's provider, counting
// the opens, on p's clock.
func source(p *fakeProvider, store hfgate.CredentialStore, endpoint string, opens *int) *TokenSource {
	var mu sync.Mutex
	return &TokenSource{
		Store:    store,
		Endpoint: endpoint,
		Now:      p.clock.Now,
		Open: func(ctx context.Context, _ *hfgate.Credential) (*Client, error) {
			mu.Lock()
			*opens++
			mu.Unlock()
			return Open(ctx, p.config())
		},
	}
}

var local = hfgate.WithPrincipal(context.Background(), hfgate.Local)

// TestTokenSourceRenewsOnce runs many callers, in two sources sharing one
// store (as two processes share a keyring), on a token inside the refresh
// leeway: the provider must see one refresh, and every caller must get the
// new token.
func TestTokenSourceRenewsOnce(t *testing.T) {
	p := newProvider(t)
	_, cred := signedIn(t, p)
	store := newStoreWith(t, cred)
	var opens int
	sources := []*TokenSource{source(p, store, cred.Endpoint, &opens), source(p, store, cred.Endpoint, &opens)}
	p.clock.Advance(time.Hour - DefaultRefreshLeeway + time.Second) // ahead of expiry, inside the leeway

	const callers = 20
	got := make([]string, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { got[i], errs[i] = sources[i%2].Token(local) })
	}
	wg.Wait()

	if n := p.Hits("refresh_token"); n != 1 {
		t.Fatalf("token endpoint saw %d refreshes, want 1", n)
	}
	stored, err := store.Store.LoadCredential(context.Background(), cred.Endpoint, hfgate.LocalSubject)
	if err != nil {
		t.Fatal(err)
	}
	for i := range callers {
		if errs[i] != nil || got[i] != stored.AccessToken {
			t.Errorf("caller %d: err %v, or a token other than the stored one", i, errs[i])
		}
	}
	if stored.AccessToken == cred.AccessToken || stored.RefreshToken == cred.RefreshToken {
		t.Error("the store still holds the old tokens")
	}
	if _, saves, _ := store.counts(); saves != 1 || opens != 1 {
		t.Errorf("saves = %d, opens = %d; want 1 and 1", saves, opens)
	}
}

func TestTokenSourcePassesThrough(t *testing.T) {
	p := newProvider(t)
	_, oauthCred := signedIn(t, p)
	classic := &hfgate.Credential{Endpoint: "https://classic.example", Subject: hfgate.LocalSubject, AccessToken: "hf_classic"}
	for _, tt := range []struct {
		name string
		cred *hfgate.Credential
		open bool
	}{
		{"OAuth token outside the leeway", oauthCred, true},
		{"classic token", classic, true},
		{"classic token without Open", classic, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store := newStoreWith(t, tt.cred)
			var opens int
			s := source(p, store, tt.cred.Endpoint, &opens)
			if !tt.open {
				s.Open = nil
			}
			got, err := s.Credential(context.Background(), hfgate.LocalSubject)
			if err != nil {
				t.Fatalf("Credential: %v", err)
			}
			if !reflect.DeepEqual(got, tt.cred) {
				t.Errorf("Credential = %+v, want %+v unchanged", got, tt.cred)
			}
			if _, saves, locked := store.counts(); saves != 0 || locked != 0 || opens != 0 {
				t.Errorf("saves = %d, locks = %d, opens = %d; want none", saves, locked, opens)
			}
		})
	}
	if n := p.Hits("refresh_token"); n != 0 {
		t.Errorf("token endpoint saw %d refreshes, want 0", n)
	}
}

func TestTokenSourceErrors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		setup  func(p *fakeProvider, s *TokenSource, cred *hfgate.Credential)
		code   string
		action string
		parts  []string
	}{
		{"not signed in", func(_ *fakeProvider, s *TokenSource, _ *hfgate.Credential) { s.Endpoint = "https://nobody.example" },
			hfgate.EUNAUTHORIZED, hfgate.ActionSignIn, []string{"no credential for https://nobody.example"}},
		{"expired without Open", func(p *fakeProvider, s *TokenSource, _ *hfgate.Credential) { s.Open = nil; p.clock.Advance(time.Hour) },
			hfgate.EUNAUTHORIZED, hfgate.ActionSignIn, []string{"no OAuth app is configured"}},
		{"revoked", func(p *fakeProvider, s *TokenSource, cred *hfgate.Credential) {
			cred.RefreshToken = "rt_revoked"
			s.Store.SaveCredential(context.Background(), cred)
			p.clock.Advance(time.Hour)
		}, hfgate.EUNAUTHORIZED, hfgate.ActionSignIn, []string{"signed out of", "session expired or was revoked"}},
		{"provider down, token expired", func(p *fakeProvider, _ *TokenSource, _ *hfgate.Credential) {
			p.refreshStatus = http.StatusBadGateway
			p.clock.Advance(time.Hour)
		}, hfgate.EUNAVAILABLE, hfgate.ActionRetry, []string{"unavailable"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t)
			_, cred := signedIn(t, p)
			var opens int
			s := source(p, newStoreWith(t, cred), cred.Endpoint, &opens)
			tt.setup(p, s, cred)
			_, err := s.Credential(context.Background(), hfgate.LocalSubject)
			wantError(t, p, err, tt.code, tt.parts...)
			if got := hfgate.ErrorAction(err); got != tt.action {
				t.Errorf("action = %q, want %q", got, tt.action)
			}
			if _, err := s.Token(local); hfgate.ErrorCode(err) != tt.code && tt.name != "not signed in" {
				t.Errorf("Token: err = %v, want code %s", err, tt.code)
			}
		})
	}

	t.Run("provider down, token still valid", func(t *testing.T) {
		p := newProvider(t)
		_, cred := signedIn(t, p)
		var opens int
		s := source(p, newStoreWith(t, cred), cred.Endpoint, &opens)
		p.refreshStatus = http.StatusBadGateway
		p.clock.Advance(time.Hour - time.Minute)
		got, err := s.Credential(context.Background(), hfgate.LocalSubject)
		if err != nil || got.AccessToken != cred.AccessToken {
			t.Errorf("Credential = %v, %v; want the current token", got, err)
		}
	})
}
