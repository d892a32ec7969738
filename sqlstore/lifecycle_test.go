package sqlstore_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/sqlstore"
)

// TestReopenKeeps: what one process stored, the next one finds, with the
// schema migrated once.
func TestReopenKeeps(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := t.Context()
		now := time.Now().Truncate(time.Second)
		first := b.open(t, sqlstore.Options{})
		acct, err := first.SignIn(ctx, hfgate.Identity{Provider: "huggingface", Sub: "1"}, &hfgate.Account{Username: "alice"}, now)
		if err != nil {
			t.Fatal(err)
		}
		secret, id := hfgate.NewSessionSecret()
		sess := &hfgate.Session{ID: id, Principal: acct.Principal(), Created: now, IdleTimeout: time.Hour, Expires: now.Add(24 * time.Hour)}
		tokSecret, tokID, hash := hfgate.NewTokenSecret()
		tok := &hfgate.Token{ID: tokID, Hash: hash, Kind: hfgate.TokenPersonal, Subject: acct.ID, Name: "script", Created: now, Expires: now.Add(24 * time.Hour)}
		if err := first.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		if err := first.CreateTokens(ctx, tok); err != nil {
			t.Fatal(err)
		}
		first.Close()

		second := b.open(t, sqlstore.Options{})
		if got, err := second.LoadSession(ctx, hfgate.SessionID(secret)); err != nil || got.Subject() != acct.ID {
			t.Errorf("session after reopening: %+v, %v", got, err)
		}
		if got, err := second.TokenByHash(ctx, hfgate.TokenHash(tokSecret)); err != nil || got.ID != tokID || !got.Live(time.Now()) {
			t.Errorf("token after reopening: %+v, %v", got, err)
		}
		if got, err := second.LoadAccount(ctx, acct.ID); err != nil || got.Username != "alice" {
			t.Errorf("account after reopening: %+v, %v", got, err)
		}
		if err := second.Ping(ctx); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
}

// TestNewerSchema: a database migrated by a newer hfgate is refused, not
// changed.
func TestNewerSchema(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s := b.open(t, sqlstore.Options{})
		if _, err := s.DB().ExecContext(t.Context(), `INSERT INTO schema_migrations (version, name, applied) VALUES (999, '0999_future.sql', 0)`); err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(t.Context()); hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
			t.Errorf("Ping of a newer schema: %v, want EUNAVAILABLE", err)
		}
		s.Close()
		again, err := b.try(sqlstore.Options{})
		if err == nil {
			again.Close()
		}
		if hfgate.ErrorCode(err) != hfgate.EINVALID || !strings.Contains(err.Error(), "newer") {
			t.Errorf("opening a newer schema: %v, want EINVALID saying it is newer", err)
		}
	})
}

// TestPurge: what ended goes; what lives stays.
func TestPurge(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := t.Context()
		now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		s := b.open(t, sqlstore.Options{Now: clock})
		p := &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "local:a"}
		_, live := hfgate.NewSessionSecret()
		_, ended := hfgate.NewSessionSecret()
		for id, exp := range map[string]time.Time{live: now.Add(time.Hour), ended: now.Add(time.Minute)} {
			if err := s.CreateSession(ctx, &hfgate.Session{ID: id, Principal: p, Created: now, Expires: exp}); err != nil {
				t.Fatal(err)
			}
		}
		mk := func(id string, exp time.Duration) *hfgate.Token {
			return &hfgate.Token{ID: id, Hash: id, Kind: hfgate.TokenPersonal, Subject: "local:a", Created: now, Expires: now.Add(exp)}
		}
		if err := s.CreateTokens(ctx, mk("tok_old", time.Minute), mk("tok_live", 90*24*time.Hour), mk("tok_revoked", 90*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RevokeTokens(ctx, hfgate.TokenRevocation{ID: "tok_revoked", At: now}); err != nil {
			t.Fatal(err)
		}
		farOff := now.Add(sqlstore.KeepEndedTokens + 2*time.Hour)
		for jti, exp := range map[string]time.Time{"spent": now.Add(5 * time.Minute), "kept": farOff} {
			if err := s.UseJTI(ctx, "https://ci.example", jti, exp, now); err != nil {
				t.Fatal(err)
			}
		}
		now = now.Add(sqlstore.KeepEndedTokens + time.Hour)
		n, err := s.Purge(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n < 5 { // a session, two tokens, a live session now ended too, a jti, and the log
			t.Errorf("Purge removed %d rows, want at least 5", n)
		}
		if err := s.UseJTI(ctx, "https://ci.example", "kept", farOff, now); !errors.Is(err, hfgate.ErrJTIUsed) {
			t.Errorf("after Purge, a jti of a token not yet expired: %v, want ErrJTIUsed", err)
		}
		for id, want := range map[string]bool{"tok_old": false, "tok_revoked": false, "tok_live": true} {
			_, err := s.LoadToken(ctx, id)
			if (err == nil) != want {
				t.Errorf("after Purge, %s: %v (want kept %v)", id, err, want)
			}
		}
	})
}
