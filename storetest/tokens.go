package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// Tokens runs the hfgate.TokenStore conformance tests. open must return a
// fresh, empty store that reads the time from now.
func Tokens(t *testing.T, open func(t *testing.T, now func() time.Time) hfgate.TokenStore) {
	for _, tt := range []struct {
		name string
		fn   func(*testing.T, hfgate.TokenStore, *clock)
	}{
		{"RoundTrip", testTokenRoundTrip},
		{"Missing", testTokenMissing},
		{"Invalid", testTokenInvalid},
		{"AllOrNone", testTokensAllOrNone},
		{"List", testListTokens},
		{"Touch", testTouchToken},
		{"Revoke", testRevokeTokens},
		{"Rotate", testRotate},
		{"RotateReused", testRotateReused},
		{"RotateRefused", testRotateRefused},
		{"RotateIssueFails", testRotateIssueFails},
		{"RotateConcurrent", testRotateConcurrent},
		{"Copies", testTokenCopies},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{now: time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)}
			tt.fn(t, open(t, c.Now), c)
		})
	}
}

// newToken returns a token of kind for subject, created now and valid for
// an hour, with every field its kind allows set.
func newToken(c *clock, kind hfgate.TokenKind, subject, family string) *hfgate.Token {
	_, id, hash := hfgate.NewTokenSecret()
	now := c.Now()
	t := &hfgate.Token{
		ID: id, Hash: hash, Kind: kind, Subject: subject, FamilyID: family,
		ClientID: "hfgate", Scopes: []string{"openid", "profile", "read-repos"},
		Created: now, Expires: now.Add(time.Hour),
	}
	switch kind {
	case hfgate.TokenPersonal:
		t.FamilyID, t.ClientID, t.Name = "", "", "laptop script ü"
	case hfgate.TokenCI:
		t.FamilyID, t.ClientID, t.Resource = "", "", "acme/model"
		t.Principal = &hfgate.Principal{Kind: hfgate.PrincipalCI, Subject: subject, Provider: "github",
			Claims: map[string]string{"repository_id": "42", "ref": "refs/heads/main"}}
	}
	return t
}

func mustCreateTokens(t *testing.T, s hfgate.TokenStore, tokens ...*hfgate.Token) {
	t.Helper()
	if err := s.CreateTokens(t.Context(), tokens...); err != nil {
		t.Fatalf("CreateTokens: %v", err)
	}
}

func mustToken(t *testing.T, s hfgate.TokenStore, id string) *hfgate.Token {
	t.Helper()
	tok, err := s.LoadToken(t.Context(), id)
	if err != nil {
		t.Fatalf("LoadToken(%s): %v", id, err)
	}
	return tok
}

// sameToken fails unless got equals want, times compared with Equal.
func sameToken(t *testing.T, got, want *hfgate.Token) {
	t.Helper()
	g, w := got.Clone(), want.Clone()
	for _, p := range []struct {
		name string
		g, w *time.Time
	}{
		{"Created", &g.Created, &w.Created}, {"Expires", &g.Expires, &w.Expires}, {"LastUsed", &g.LastUsed, &w.LastUsed},
		{"Spent", &g.Spent, &w.Spent}, {"Revoked", &g.Revoked, &w.Revoked},
	} {
		if !p.g.Equal(*p.w) {
			t.Errorf("token %s: %s = %v, want %v", want.ID, p.name, *p.g, *p.w)
		}
		*p.g, *p.w = time.Time{}, time.Time{}
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("token = %+v\nwant %+v", g, w)
	}
}

func testTokenRoundTrip(t *testing.T, s hfgate.TokenStore, c *clock) {
	family := hfgate.NewTokenID()
	for _, want := range []*hfgate.Token{
		newToken(c, hfgate.TokenAccess, alice, family),
		newToken(c, hfgate.TokenRefresh, alice, family),
		newToken(c, hfgate.TokenPersonal, alice, ""),
		newToken(c, hfgate.TokenCI, ci, ""),
	} {
		mustCreateTokens(t, s, want)
		sameToken(t, mustToken(t, s, want.ID), want)
		got, err := s.TokenByHash(t.Context(), want.Hash)
		if err != nil {
			t.Fatalf("TokenByHash: %v", err)
		}
		sameToken(t, got, want)
	}
	// The least a token has.
	_, id, hash := hfgate.NewTokenSecret()
	bare := &hfgate.Token{ID: id, Hash: hash, Kind: hfgate.TokenPersonal, Subject: odd, Expires: c.Now().Add(time.Minute)}
	mustCreateTokens(t, s, bare)
	sameToken(t, mustToken(t, s, id), bare)
}

func testTokenMissing(t *testing.T, s hfgate.TokenStore, c *clock) {
	ctx := t.Context()
	_, id, hash := hfgate.NewTokenSecret()
	_, err := s.LoadToken(ctx, id)
	wantCode(t, "LoadToken of nothing", err, hfgate.ENOTFOUND)
	_, err = s.TokenByHash(ctx, hash)
	wantCode(t, "TokenByHash of nothing", err, hfgate.ENOTFOUND)
	wantCode(t, "TouchToken of nothing", s.TouchToken(ctx, id, c.Now()), hfgate.ENOTFOUND)
	if n, err := s.RevokeTokens(ctx, hfgate.TokenRevocation{ID: id, At: c.Now()}); n != 0 || err != nil {
		t.Errorf("RevokeTokens of nothing = %d, %v; want 0, nil", n, err)
	}
	if list, err := s.ListTokens(ctx, hfgate.TokenQuery{Ended: true}); err != nil || len(list) != 0 {
		t.Errorf("ListTokens of an empty store = %d, %v", len(list), err)
	}
}

func testTokenInvalid(t *testing.T, s hfgate.TokenStore, c *clock) {
	ctx := t.Context()
	taken := newToken(c, hfgate.TokenPersonal, alice, "")
	mustCreateTokens(t, s, taken)
	for name, change := range map[string]func(*hfgate.Token){
		"no hash":          func(x *hfgate.Token) { x.Hash = "" },
		"no subject":       func(x *hfgate.Token) { x.Subject = "" },
		"unknown kind":     func(x *hfgate.Token) { x.Kind = "root" },
		"access, no fam":   func(x *hfgate.Token) { x.Kind = hfgate.TokenAccess },
		"a taken ID":       func(x *hfgate.Token) { x.ID = taken.ID },
		"a taken hash":     func(x *hfgate.Token) { x.Hash = taken.Hash },
		"ci, no principal": func(x *hfgate.Token) { x.Kind = hfgate.TokenCI },
	} {
		tok := newToken(c, hfgate.TokenPersonal, bob, "")
		change(tok)
		wantCode(t, "CreateTokens with "+name, s.CreateTokens(ctx, tok), hfgate.EINVALID)
	}
	sameToken(t, mustToken(t, s, taken.ID), taken)
	wantCode(t, "RevokeTokens naming nothing", func() error {
		_, err := s.RevokeTokens(ctx, hfgate.TokenRevocation{At: c.Now()})
		return err
	}(), hfgate.EINVALID)
}

// testTokensAllOrNone: one bad token among several stores none of them.
func testTokensAllOrNone(t *testing.T, s hfgate.TokenStore, c *clock) {
	fam := hfgate.NewTokenID()
	good := newToken(c, hfgate.TokenAccess, alice, fam)
	bad := newToken(c, hfgate.TokenRefresh, alice, fam)
	bad.Hash = good.Hash
	wantCode(t, "CreateTokens with a duplicate hash", s.CreateTokens(t.Context(), good, bad), hfgate.EINVALID)
	_, err := s.LoadToken(t.Context(), good.ID)
	wantCode(t, "LoadToken of the good half of a refused pair", err, hfgate.ENOTFOUND)
}

func ids(list []*hfgate.Token) []string {
	out := []string{}
	for _, t := range list {
		out = append(out, t.ID)
	}
	return out
}

func testListTokens(t *testing.T, s hfgate.TokenStore, c *clock) {
	ctx := t.Context()
	fam := hfgate.NewTokenID()
	access := newToken(c, hfgate.TokenAccess, alice, fam)
	refresh := newToken(c, hfgate.TokenRefresh, alice, fam)
	refresh.Created = refresh.Created.Add(-time.Second) // no ties: the order is known
	mustCreateTokens(t, s, access, refresh)
	c.advance(time.Minute)
	personal := newToken(c, hfgate.TokenPersonal, alice, "")
	personal.Expires = c.Now().Add(30 * 24 * time.Hour)
	mustCreateTokens(t, s, personal)
	c.advance(time.Second)
	bobs := newToken(c, hfgate.TokenPersonal, bob, "")
	mustCreateTokens(t, s, bobs)
	c.advance(time.Minute)
	revoked := newToken(c, hfgate.TokenPersonal, alice, "")
	mustCreateTokens(t, s, revoked)
	if _, err := s.RevokeTokens(ctx, hfgate.TokenRevocation{ID: revoked.ID, At: c.Now()}); err != nil {
		t.Fatal(err)
	}

	personalKinds := []hfgate.TokenKind{hfgate.TokenPersonal}
	for _, tt := range []struct {
		name string
		q    hfgate.TokenQuery
		want []*hfgate.Token
	}{
		{"alice's live", hfgate.TokenQuery{Subject: alice}, []*hfgate.Token{personal, access, refresh}},
		{"alice's personal", hfgate.TokenQuery{Subject: alice, Kinds: personalKinds}, []*hfgate.Token{personal}},
		{"alice's, ended too", hfgate.TokenQuery{Subject: alice, Kinds: personalKinds, Ended: true}, []*hfgate.Token{revoked, personal}},
		{"everyone's", hfgate.TokenQuery{Kinds: []hfgate.TokenKind{hfgate.TokenPersonal, hfgate.TokenCI}}, []*hfgate.Token{bobs, personal}},
		{"nobody's", hfgate.TokenQuery{Subject: odd, Ended: true}, nil},
	} {
		list, err := s.ListTokens(ctx, tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ids(list), ids(tt.want); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: ListTokens = %v, want %v (newest first)", tt.name, got, want)
		}
	}
	c.advance(time.Hour) // access and refresh expire
	if list, _ := s.ListTokens(ctx, hfgate.TokenQuery{Subject: alice}); !reflect.DeepEqual(ids(list), []string{personal.ID}) {
		t.Errorf("after an hour, alice's live tokens = %v, want only %s", ids(list), personal.ID)
	}
}

func testTouchToken(t *testing.T, s hfgate.TokenStore, c *clock) {
	tok := newToken(c, hfgate.TokenPersonal, alice, "")
	mustCreateTokens(t, s, tok)
	c.advance(time.Minute)
	if err := s.TouchToken(t.Context(), tok.ID, c.Now()); err != nil {
		t.Fatal(err)
	}
	if got := mustToken(t, s, tok.ID).LastUsed; !got.Equal(c.Now()) {
		t.Errorf("LastUsed = %v, want %v", got, c.Now())
	}
	if err := s.TouchToken(t.Context(), tok.ID, c.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := mustToken(t, s, tok.ID).LastUsed; !got.Equal(c.Now()) {
		t.Errorf("an older TouchToken moved LastUsed back to %v", got)
	}
}
