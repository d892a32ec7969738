package storetest

import (
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// GatewayStore is everything the gateway keeps in one shared store.
type GatewayStore interface {
	hfgate.AccountStore
	hfgate.SessionStore
	hfgate.TokenStore
	hfgate.RevocationNotifier
}

// Revocations checks that every write that revokes or changes what a
// replica may have cached is announced, to a second handle on the same
// shared state as well as to the first. open must return two handles on
// one fresh, empty store (two processes' connections to one database; for
// a store of one process, the same store twice) that read the time from
// now.
func Revocations(t *testing.T, open func(t *testing.T, now func() time.Time) (a, b GatewayStore)) {
	c := &clock{now: time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)}
	a, b := open(t, c.Now)
	ctx := t.Context()
	events := make(chan hfgate.Revocation, 100)
	stop := b.OnRevocation(func(r hfgate.Revocation) { events <- r })
	defer stop()

	fam := hfgate.NewTokenID()
	access, refresh := newToken(c, hfgate.TokenAccess, alice, fam), newToken(c, hfgate.TokenRefresh, alice, fam)
	personal := newToken(c, hfgate.TokenPersonal, alice, "")
	mustCreateTokens(t, a, access, refresh, personal)
	sess, other := newSession(c, alice), newSession(c, alice)
	mustCreate(t, a, sess)
	mustCreate(t, a, other)
	account := mustSignIn(t, a, hfAlice, profile("alice"), c.Now())

	for _, tt := range []struct {
		name string
		do   func() error
		want hfgate.Revocation // what the announcement must match
	}{
		{"RevokeTokens by ID", func() error {
			_, err := a.RevokeTokens(ctx, hfgate.TokenRevocation{ID: personal.ID, At: c.Now()})
			return err
		}, hfgate.Revocation{TokenID: personal.ID}},
		{"DeleteSession", func() error { return a.DeleteSession(ctx, sess.ID) }, hfgate.Revocation{SessionID: sess.ID}},
		{"DeleteSessions", func() error { _, err := a.DeleteSessions(ctx, alice); return err }, hfgate.Revocation{SessionID: other.ID, Subject: alice}},
		{"UpdateAccount", func() error { account.Disabled = true; return a.UpdateAccount(ctx, account) }, hfgate.Revocation{Subject: account.ID}},
		{"reused refresh token", func() error {
			issue := func(*hfgate.Token) ([]*hfgate.Token, error) { return nil, nil }
			if err := a.RotateRefreshToken(ctx, refresh.Hash, c.Now(), issue); err != nil {
				return err
			}
			if err := a.RotateRefreshToken(ctx, refresh.Hash, c.Now(), issue); err != hfgate.ErrRefreshReused {
				t.Errorf("reuse: %v", err)
			}
			return nil
		}, hfgate.Revocation{TokenID: access.ID, FamilyID: fam}},
	} {
		if err := tt.do(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		waitFor(t, tt.name, events, tt.want)
	}

	// The first handle hears its own revocations too ...
	own := make(chan hfgate.Revocation, 100)
	defer a.OnRevocation(func(r hfgate.Revocation) { own <- r })()
	p2 := newToken(c, hfgate.TokenPersonal, bob, "")
	mustCreateTokens(t, a, p2)
	if _, err := a.RevokeTokens(ctx, hfgate.TokenRevocation{Subject: bob, At: c.Now()}); err != nil {
		t.Fatal(err)
	}
	// ... before the write returns, so that this process never trusts
	// what it just revoked.
	heard := false
	for len(own) > 0 {
		if r := <-own; !r.All && r.Matches(p2.ID, "", "", bob) {
			heard = true
		}
	}
	if !heard {
		t.Error("RevokeTokens returned before its own handle's subscribers heard of it")
	}
	// ... and only then: not a second time when the announcement comes back
	// over the channel or log that other processes read (each echo would
	// drop a replica's fresh cache entries again). A revocation made
	// through the other handle travels the same ordered path, so once it
	// arrives any echo of the first would have arrived before it.
	s2 := newSession(c, bob)
	mustCreate(t, b, s2)
	if err := b.DeleteSession(ctx, s2.ID); err != nil {
		t.Fatal(err)
	}
	echoes := 0
	deadline := time.After(longWait)
	for done := false; !done; {
		select {
		case r := <-own:
			if !r.All && r.SessionID == s2.ID {
				done = true
			} else if !r.All && r.TokenID == "" && r.Subject == bob {
				echoes++
			}
		case <-deadline:
			t.Fatal("the other handle's DeleteSession never reached the first handle")
		}
	}
	if echoes > 0 {
		t.Errorf("the first handle heard its own RevokeTokens %d more time(s) after the write returned", echoes)
	}

	// After stop, nothing more arrives.
	stop()
	for len(events) > 0 {
		<-events
	}
	if _, err := a.DeleteSessions(ctx, bob); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, a, newSession(c, bob))
	if _, err := a.DeleteSessions(ctx, bob); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a revocation after the first subscriber stopped", own, hfgate.Revocation{Subject: bob})
	select {
	case r := <-events:
		t.Errorf("a stopped subscriber got %+v", r)
	default:
	}
}

// waitFor fails unless an event on ch matches a cached entry named like
// want, within longWait. Events that match nothing are skipped, and so are
// events with All (a store may send them, but not instead of the others).
func waitFor(t *testing.T, what string, ch <-chan hfgate.Revocation, want hfgate.Revocation) {
	t.Helper()
	deadline := time.After(longWait)
	for {
		select {
		case r := <-ch:
			if !r.All && r.Matches(want.TokenID, want.FamilyID, want.SessionID, want.Subject) {
				return
			}
		case <-deadline:
			t.Fatalf("%s: no announcement matching %+v", what, want)
		}
	}
}
