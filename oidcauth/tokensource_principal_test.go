package oidcauth

import (
	"context"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// TestTokenSourcePerPrincipal: each caller gets their own credential, an
// anonymous caller or one with nothing stored gets none, and Subject maps
// callers to the credentials they use.
func TestTokenSourcePerPrincipal(t *testing.T) {
	const endpoint = "https://hub.example"
	alice := &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "huggingface:1"}
	bob := &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "huggingface:2"}
	carol := &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "huggingface:3"}
	store := newStoreWith(t,
		&hfgate.Credential{Endpoint: endpoint, Subject: alice.Subject, AccessToken: "hf_alice"},
		&hfgate.Credential{Endpoint: endpoint, Subject: bob.Subject, AccessToken: "hf_bob"},
		&hfgate.Credential{Endpoint: endpoint, Subject: hfgate.LocalSubject, AccessToken: "hf_local"},
	)
	s := &TokenSource{Store: store, Endpoint: endpoint}
	for _, tt := range []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"no principal", context.Background(), ""},
		{"anonymous", hfgate.WithPrincipal(context.Background(), hfgate.Anonymous), ""},
		{"alice", hfgate.WithPrincipal(context.Background(), alice), "hf_alice"},
		{"bob", hfgate.WithPrincipal(context.Background(), bob), "hf_bob"},
		{"carol, with nothing stored", hfgate.WithPrincipal(context.Background(), carol), ""},
		{"local", local, "hf_local"},
	} {
		if got, err := s.Token(tt.ctx); err != nil || got != tt.want {
			t.Errorf("%s: Token = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if loads, _, _ := store.counts(); loads != 4 {
		t.Errorf("%d loads, want 4: anonymous callers must not reach the store", loads)
	}

	s.Subject = func(*hfgate.Principal) string { return hfgate.LocalSubject }
	if got, _ := s.Token(hfgate.WithPrincipal(context.Background(), carol)); got != "hf_local" {
		t.Errorf("with Subject mapping every user to the local credential: Token = %q, want hf_local", got)
	}
	if got, _ := s.Token(context.Background()); got != "" {
		t.Errorf("with a Subject mapping, an anonymous caller got %q", got)
	}
}

// TestTokenSourceCacheFor: with CacheFor a credential is read once and
// reused; without it every call reads the store, so a deleted credential
// stops being used at once.
func TestTokenSourceCacheFor(t *testing.T) {
	const endpoint = "https://hub.example"
	cred := &hfgate.Credential{Endpoint: endpoint, Subject: hfgate.LocalSubject, AccessToken: "hf_local",
		Expiry: time.Now().Add(time.Hour)}
	for _, tt := range []struct {
		name      string
		cacheFor  time.Duration
		wantLoads int
		afterGone string
	}{
		{"no cache", 0, 3, ""},
		{"cached", time.Hour, 1, "hf_local"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store := newStoreWith(t, cred)
			s := &TokenSource{Store: store, Endpoint: endpoint, CacheFor: tt.cacheFor}
			for range 3 {
				if got, err := s.Token(local); err != nil || got != "hf_local" {
					t.Fatalf("Token = %q, %v", got, err)
				}
			}
			if loads, _, _ := store.counts(); loads != tt.wantLoads {
				t.Errorf("%d loads for 3 calls, want %d", loads, tt.wantLoads)
			}
			if err := store.DeleteCredential(context.Background(), endpoint, hfgate.LocalSubject); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Token(local); got != tt.afterGone {
				t.Errorf("after the credential was deleted: Token = %q, want %q", got, tt.afterGone)
			}
		})
	}
}
