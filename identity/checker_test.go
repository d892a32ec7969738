package identity_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/identity"
	"github.com/hfgate/hfgate/sqlite"
	"github.com/hfgate/hfgate/sqlstore"
)

// env is a store with one account (alice) and a Checker watching it.
type env struct {
	store   *sqlstore.Store
	checker *identity.Checker
	alice   *hfgate.Account
}

func newEnv(t *testing.T, ttl time.Duration) *env {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "hfgate.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	alice, err := s.SignIn(t.Context(), hfgate.Identity{Provider: "huggingface", Sub: "1"},
		&hfgate.Account{Username: "alice", Orgs: []hfgate.Org{{Name: "acme", Role: "read"}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c := &identity.Checker{Tokens: s, Sessions: s, Accounts: s, TTL: ttl}
	t.Cleanup(c.Close)
	t.Cleanup(c.Watch(s))
	return &env{store: s, checker: c, alice: alice}
}

// token stores a new token of kind for subject and returns its secret.
func (e *env) token(t *testing.T, kind hfgate.TokenKind, subject string, ttl time.Duration) (string, *hfgate.Token) {
	t.Helper()
	secret, id, hash := hfgate.NewTokenSecret()
	tok := &hfgate.Token{ID: id, Hash: hash, Kind: kind, Subject: subject, Created: time.Now(), Expires: time.Now().Add(ttl)}
	if kind == hfgate.TokenAccess || kind == hfgate.TokenRefresh {
		tok.FamilyID = "fam-" + id
	}
	if kind == hfgate.TokenCI {
		tok.Principal = &hfgate.Principal{Kind: hfgate.PrincipalCI, Subject: subject, Claims: map[string]string{"repository_id": "42"}}
		tok.Resource = "datasets/acme/eval"
	}
	if err := e.store.CreateTokens(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	return secret, tok
}

// refusedSoon fails unless check fails with EUNAUTHORIZED within a minute.
// The Checker's TTL is an hour, so only a revocation can make it fail.
func refusedSoon(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		err := check()
		if err != nil {
			if hfgate.ErrorCode(err) != hfgate.EUNAUTHORIZED || hfgate.ErrorAction(err) != hfgate.ActionSignIn {
				t.Fatalf("%s: %v (code %s), want EUNAUTHORIZED with sign_in", what, err, hfgate.ErrorCode(err))
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still accepted a minute later", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestToken(t *testing.T) {
	e := newEnv(t, time.Hour)
	ctx := t.Context()
	secret, tok := e.token(t, hfgate.TokenPersonal, e.alice.ID, time.Hour)
	for range 3 {
		p, err := e.checker.Token(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		if p.Subject != e.alice.ID || p.Username != "alice" || p.OrgRole("acme") != "read" || p.TokenID != tok.ID || p.Kind != hfgate.PrincipalUser {
			t.Fatalf("principal = %+v", p)
		}
	}
	if hits, misses := e.checker.Stats(); hits != 2 || misses != 1 {
		t.Errorf("Stats = %d hits, %d misses; want 2, 1", hits, misses)
	}
	// A use is recorded, in the background.
	deadline := time.Now().Add(time.Minute)
	for {
		got, err := e.store.LoadToken(ctx, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.LastUsed.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("LastUsed was never recorded")
		}
		time.Sleep(5 * time.Millisecond)
	}

	// Revoked through the store: refused long before the TTL.
	if _, err := e.store.RevokeTokens(ctx, hfgate.TokenRevocation{ID: tok.ID, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	refusedSoon(t, "a revoked token", func() error { _, err := e.checker.Token(ctx, secret); return err })
}

func TestTokenRefused(t *testing.T) {
	e := newEnv(t, time.Hour)
	ctx := t.Context()
	refresh, _ := e.token(t, hfgate.TokenRefresh, e.alice.ID, time.Hour)
	expired, _ := e.token(t, hfgate.TokenPersonal, e.alice.ID, time.Millisecond)
	orphan, _ := e.token(t, hfgate.TokenPersonal, "huggingface:gone", time.Hour)
	unknown, _, _ := hfgate.NewTokenSecret()
	time.Sleep(2 * time.Millisecond)
	for name, secret := range map[string]string{
		"a refresh token":      refresh,
		"an expired token":     expired,
		"an unknown token":     unknown,
		"a Hugging Face token": "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH",
		"garbage":              "Bearer x",
		"empty":                "",
		"an account gone":      orphan,
	} {
		p, err := e.checker.Token(ctx, secret)
		if hfgate.ErrorCode(err) != hfgate.EUNAUTHORIZED || hfgate.ErrorAction(err) != hfgate.ActionSignIn {
			t.Errorf("%s: %+v, %v; want EUNAUTHORIZED with sign_in", name, p, err)
		}
		if secret != "" && err != nil && len(secret) > 10 && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error quotes the secret", name)
		}
	}
}

// TestAccountChanges: a disabled account and a new role reach cached
// tokens and sessions at once.
func TestAccountChanges(t *testing.T) {
	e := newEnv(t, time.Hour)
	ctx := t.Context()
	secret, _ := e.token(t, hfgate.TokenAccess, e.alice.ID, time.Hour)
	if _, err := e.checker.Token(ctx, secret); err != nil {
		t.Fatal(err)
	}
	// A new sign-in brings a new role.
	if _, err := e.store.SignIn(ctx, hfgate.Identity{Provider: "huggingface", Sub: "1"},
		&hfgate.Account{Username: "alice", Orgs: []hfgate.Org{{Name: "acme", Role: "admin"}}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		p, err := e.checker.Token(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		if p.OrgRole("acme") == "admin" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the new role never reached the cached token")
		}
		time.Sleep(5 * time.Millisecond)
	}
	a, _ := e.store.LoadAccount(ctx, e.alice.ID)
	a.Disabled = true
	if err := e.store.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	refusedSoon(t, "a token of a disabled account", func() error { _, err := e.checker.Token(ctx, secret); return err })
}

func TestCIToken(t *testing.T) {
	e := newEnv(t, time.Hour)
	secret, tok := e.token(t, hfgate.TokenCI, "repo:acme/app:ref:refs/heads/main", 15*time.Minute)
	for _, when := range []string{"from the store", "from the cache"} {
		p, err := e.checker.Token(t.Context(), secret)
		if err != nil {
			t.Fatal(err)
		}
		if p.Kind != hfgate.PrincipalCI || p.Claims["repository_id"] != "42" || p.TokenID != tok.ID || p.Resource != "datasets/acme/eval" {
			t.Errorf("CI principal %s = %+v", when, p)
		}
	}
}

func TestSession(t *testing.T) {
	e := newEnv(t, time.Hour)
	ctx := t.Context()
	secret, id := hfgate.NewSessionSecret()
	now := time.Now()
	snapshot := e.alice.Principal() // what sign-in saw
	if err := e.store.CreateSession(ctx, &hfgate.Session{ID: id, Principal: snapshot, Created: now, LastSeen: now,
		IdleTimeout: time.Hour, Expires: now.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	p, err := e.checker.Session(ctx, secret)
	if err != nil || p.Subject != e.alice.ID || p.SessionID != id || p.Username != "alice" {
		t.Fatalf("Session = %+v, %v", p, err)
	}
	// Forged and unknown cookies are refused.
	for _, bad := range []string{"", secret + "x", "x" + secret[1:]} {
		if _, err := e.checker.Session(ctx, bad); hfgate.ErrorCode(err) != hfgate.EUNAUTHORIZED {
			t.Errorf("Session(%q) = %v, want EUNAUTHORIZED", bad, err)
		}
	}
	if err := e.store.DeleteSession(ctx, id); err != nil {
		t.Fatal(err)
	}
	refusedSoon(t, "an ended session", func() error { _, err := e.checker.Session(ctx, secret); return err })

	// A session whose owner has no account keeps its own principal.
	local, lid := hfgate.NewSessionSecret()
	lp := &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "local", Username: "me"}
	if err := e.store.CreateSession(ctx, &hfgate.Session{ID: lid, Principal: lp, Created: now, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if p, err := e.checker.Session(ctx, local); err != nil || p.Username != "me" || p.SessionID != lid {
		t.Errorf("a session without an account: %+v, %v", p, err)
	}
}

// racing is a TokenStore whose lookups a revocation overtakes: the token
// is revoked while TokenByHash runs, after it read the row.
type racing struct {
	*sqlstore.Store
	during func()
}

func (r *racing) TokenByHash(ctx context.Context, hash string) (*hfgate.Token, error) {
	tok, err := r.Store.TokenByHash(ctx, hash)
	if r.during != nil {
		r.during()
	}
	return tok, err
}

// TestRevokedDuringLookup: an answer read before a revocation that
// arrived during the lookup is not cached.
func TestRevokedDuringLookup(t *testing.T) {
	e := newEnv(t, time.Hour)
	ctx := t.Context()
	secret, tok := e.token(t, hfgate.TokenPersonal, e.alice.ID, time.Hour)
	r := &racing{Store: e.store}
	c := &identity.Checker{Tokens: r, Sessions: e.store, Accounts: e.store, TTL: time.Hour}
	defer c.Close()
	r.during = func() {
		if _, err := e.store.RevokeTokens(ctx, hfgate.TokenRevocation{ID: tok.ID, At: time.Now()}); err != nil {
			t.Error(err)
		}
		c.Forget(hfgate.Revocation{TokenID: tok.ID}) // as Watch would deliver it
	}
	if _, err := c.Token(ctx, secret); err != nil {
		t.Fatalf("the lookup that raced: %v (it read the token before the revocation)", err)
	}
	r.during = nil
	if _, err := c.Token(ctx, secret); hfgate.ErrorCode(err) != hfgate.EUNAUTHORIZED {
		t.Errorf("after the race: %v, want EUNAUTHORIZED (the stale answer was cached)", err)
	}
}
