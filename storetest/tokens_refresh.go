package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

func testRevokeTokens(t *testing.T, s hfgate.TokenStore, c *clock) {
	ctx := t.Context()
	fam, other := hfgate.NewTokenID(), hfgate.NewTokenID()
	a1, r1 := newToken(c, hfgate.TokenAccess, alice, fam), newToken(c, hfgate.TokenRefresh, alice, fam)
	a2 := newToken(c, hfgate.TokenAccess, alice, other)
	p1 := newToken(c, hfgate.TokenPersonal, alice, "")
	b1 := newToken(c, hfgate.TokenPersonal, bob, "")
	expired := newToken(c, hfgate.TokenPersonal, alice, "")
	expired.Expires = c.Now().Add(time.Second)
	mustCreateTokens(t, s, a1, r1, a2, p1, b1, expired)
	c.advance(time.Minute)

	revoke := func(r hfgate.TokenRevocation, want int) {
		t.Helper()
		r.At, r.By, r.Reason = c.Now(), "huggingface:admin", "lost laptop"
		if n, err := s.RevokeTokens(ctx, r); n != want || err != nil {
			t.Fatalf("RevokeTokens(%+v) = %d, %v; want %d", r, n, err, want)
		}
	}
	isRevoked := func(tok *hfgate.Token, want bool) {
		t.Helper()
		got := mustToken(t, s, tok.ID)
		if got.Live(c.Now()) == want || !got.Revoked.IsZero() != want {
			t.Errorf("token %s (%s of %s): revoked %v, live %v; want revoked %v", tok.ID, tok.Kind, tok.Subject, got.Revoked, got.Live(c.Now()), want)
		}
		if want && (got.RevokedBy != "huggingface:admin" || got.RevokeReason != "lost laptop" || !got.Revoked.Equal(c.Now())) {
			t.Errorf("token %s: revoked %v by %q for %q", tok.ID, got.Revoked, got.RevokedBy, got.RevokeReason)
		}
	}

	revoke(hfgate.TokenRevocation{ID: p1.ID}, 1)
	isRevoked(p1, true)
	isRevoked(a1, false)
	revoke(hfgate.TokenRevocation{ID: p1.ID}, 0) // again: nothing more

	revoke(hfgate.TokenRevocation{FamilyID: fam}, 2)
	isRevoked(a1, true)
	isRevoked(r1, true)
	isRevoked(a2, false)

	revoke(hfgate.TokenRevocation{Subject: alice}, 1) // a2; the expired one does not count
	isRevoked(a2, true)
	isRevoked(b1, false)
	if got := mustToken(t, s, expired.ID); !got.Revoked.IsZero() {
		t.Error("an expired token was revoked")
	}
}

func testRotate(t *testing.T, s hfgate.TokenStore, c *clock) {
	fam := hfgate.NewTokenID()
	old := newToken(c, hfgate.TokenRefresh, alice, fam)
	mustCreateTokens(t, s, newToken(c, hfgate.TokenAccess, alice, fam), old)
	c.advance(10 * time.Minute)
	var next []*hfgate.Token
	err := s.RotateRefreshToken(t.Context(), old.Hash, c.Now(), func(spent *hfgate.Token) ([]*hfgate.Token, error) {
		if spent.ID != old.ID || spent.FamilyID != fam || spent.Subject != alice || !spent.Spent.IsZero() {
			t.Errorf("issue got %+v, want the unspent token %s", spent, old.ID)
		}
		next = []*hfgate.Token{newToken(c, hfgate.TokenAccess, alice, fam), newToken(c, hfgate.TokenRefresh, alice, fam)}
		return next, nil
	})
	if err != nil {
		t.Fatalf("RotateRefreshToken: %v", err)
	}
	spent := mustToken(t, s, old.ID)
	if !spent.Spent.Equal(c.Now()) || spent.Live(c.Now()) || !spent.Revoked.IsZero() {
		t.Errorf("old refresh token: spent %v, live %v, revoked %v; want spent now, not revoked", spent.Spent, spent.Live(c.Now()), spent.Revoked)
	}
	for _, tok := range next {
		sameToken(t, mustToken(t, s, tok.ID), tok)
	}
	// The new refresh token rotates in turn.
	c.advance(time.Minute)
	if err := s.RotateRefreshToken(t.Context(), next[1].Hash, c.Now(), func(*hfgate.Token) ([]*hfgate.Token, error) {
		return []*hfgate.Token{newToken(c, hfgate.TokenRefresh, alice, fam)}, nil
	}); err != nil {
		t.Fatalf("second rotation: %v", err)
	}
}

// testRotateReused: presenting a spent refresh token revokes its whole
// family, the tokens issued after it too, and nothing else.
func testRotateReused(t *testing.T, s hfgate.TokenStore, c *clock) {
	ctx := t.Context()
	fam, other := hfgate.NewTokenID(), hfgate.NewTokenID()
	old := newToken(c, hfgate.TokenRefresh, alice, fam)
	otherRefresh := newToken(c, hfgate.TokenRefresh, alice, other)
	mustCreateTokens(t, s, old, otherRefresh)
	var issued []*hfgate.Token
	issue := func(*hfgate.Token) ([]*hfgate.Token, error) {
		issued = []*hfgate.Token{newToken(c, hfgate.TokenAccess, alice, fam), newToken(c, hfgate.TokenRefresh, alice, fam)}
		return issued, nil
	}
	if err := s.RotateRefreshToken(ctx, old.Hash, c.Now(), issue); err != nil {
		t.Fatal(err)
	}
	thief := issued
	c.advance(time.Minute)
	err := s.RotateRefreshToken(ctx, old.Hash, c.Now(), func(*hfgate.Token) ([]*hfgate.Token, error) {
		t.Error("issue called for a spent refresh token")
		return nil, nil
	})
	if !errors.Is(err, hfgate.ErrRefreshReused) {
		t.Fatalf("reuse: err = %v, want ErrRefreshReused", err)
	}
	wantCode(t, "reuse", err, hfgate.EUNAUTHORIZED)
	for _, tok := range append(thief, old) {
		if got := mustToken(t, s, tok.ID); got.Revoked.IsZero() && tok != old {
			t.Errorf("token %s (%s) of the reused family is not revoked", tok.ID, tok.Kind)
		}
	}
	if got := mustToken(t, s, otherRefresh.ID); !got.Live(c.Now()) {
		t.Error("a refresh token of another family was revoked")
	}
	// The family's newest refresh token is refused now.
	err = s.RotateRefreshToken(ctx, thief[1].Hash, c.Now(), issue)
	wantCode(t, "rotation of a revoked refresh token", err, hfgate.EUNAUTHORIZED)
}

func testRotateRefused(t *testing.T, s hfgate.TokenStore, c *clock) {
	ctx := t.Context()
	fam := hfgate.NewTokenID()
	access := newToken(c, hfgate.TokenAccess, alice, fam)
	expired := newToken(c, hfgate.TokenRefresh, alice, fam)
	expired.Expires = c.Now().Add(time.Minute)
	revoked := newToken(c, hfgate.TokenRefresh, alice, hfgate.NewTokenID())
	mustCreateTokens(t, s, access, expired, revoked)
	if _, err := s.RevokeTokens(ctx, hfgate.TokenRevocation{ID: revoked.ID, At: c.Now()}); err != nil {
		t.Fatal(err)
	}
	c.advance(time.Minute)
	never := func(*hfgate.Token) ([]*hfgate.Token, error) {
		t.Error("issue called for a refused rotation")
		return nil, nil
	}
	_, _, unknown := hfgate.NewTokenSecret()
	for _, tt := range []struct {
		name, hash, code string
	}{
		{"unknown", unknown, hfgate.ENOTFOUND},
		{"an access token", access.Hash, hfgate.ENOTFOUND},
		{"expired", expired.Hash, hfgate.EUNAUTHORIZED},
		{"revoked", revoked.Hash, hfgate.EUNAUTHORIZED},
	} {
		err := s.RotateRefreshToken(ctx, tt.hash, c.Now(), never)
		wantCode(t, "RotateRefreshToken of "+tt.name, err, tt.code)
		if errors.Is(err, hfgate.ErrRefreshReused) {
			t.Errorf("RotateRefreshToken of %s: a reuse", tt.name)
		}
	}
	if got := mustToken(t, s, access.ID); !got.Live(c.Now().Add(-time.Minute)) || !got.Revoked.IsZero() {
		t.Error("a refused rotation revoked the family")
	}
}

// testRotateIssueFails: an error from issue undoes the rotation.
func testRotateIssueFails(t *testing.T, s hfgate.TokenStore, c *clock) {
	fam := hfgate.NewTokenID()
	old := newToken(c, hfgate.TokenRefresh, alice, fam)
	mustCreateTokens(t, s, old)
	boom := errors.New("no signing key")
	err := s.RotateRefreshToken(t.Context(), old.Hash, c.Now(), func(*hfgate.Token) ([]*hfgate.Token, error) { return nil, boom })
	if err != boom {
		t.Errorf("err = %v, want issue's error as it is", err)
	}
	// A token issue returns that cannot be stored undoes it too.
	err = s.RotateRefreshToken(t.Context(), old.Hash, c.Now(), func(*hfgate.Token) ([]*hfgate.Token, error) {
		return []*hfgate.Token{{ID: "tok_bad"}}, nil
	})
	wantCode(t, "a rotation issuing an invalid token", err, hfgate.EINVALID)
	if got := mustToken(t, s, old.ID); !got.Live(c.Now()) {
		t.Errorf("after failed rotations the refresh token is not live: %+v", got)
	}
	if err := s.RotateRefreshToken(t.Context(), old.Hash, c.Now(), func(*hfgate.Token) ([]*hfgate.Token, error) { return nil, nil }); err != nil {
		t.Errorf("a rotation after failed ones: %v", err)
	}
}

// testRotateConcurrent: of several rotations of one token at once, one
// succeeds; the others are reuses, which revoke the family.
func testRotateConcurrent(t *testing.T, s hfgate.TokenStore, c *clock) {
	fam := hfgate.NewTokenID()
	old := newToken(c, hfgate.TokenRefresh, alice, fam)
	mustCreateTokens(t, s, old)
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.RotateRefreshToken(t.Context(), old.Hash, c.Now(), func(*hfgate.Token) ([]*hfgate.Token, error) {
				return []*hfgate.Token{newToken(c, hfgate.TokenRefresh, alice, fam)}, nil
			})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, hfgate.ErrRefreshReused):
			t.Errorf("a concurrent rotation: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent rotations succeeded, want 1", ok, n)
	}
	list, err := s.ListTokens(t.Context(), hfgate.TokenQuery{Subject: alice})
	if err != nil || len(list) != 0 {
		t.Errorf("after a reuse, alice has %d live tokens (%v), want none", len(list), err)
	}
}

func testTokenCopies(t *testing.T, s hfgate.TokenStore, c *clock) {
	tok := newToken(c, hfgate.TokenCI, ci, "")
	want := tok.Clone()
	mustCreateTokens(t, s, tok)
	tok.Scopes[0], tok.Principal.Claims["ref"] = "changed", "changed"
	got := mustToken(t, s, want.ID)
	sameToken(t, got, want)
	got.Scopes[0], got.Principal.Subject = "changed", "changed"
	sameToken(t, mustToken(t, s, want.ID), want)
}
