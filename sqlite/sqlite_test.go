package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/keyset"
	"github.com/hfgate/hfgate/sqlite"
	"github.com/hfgate/hfgate/sqlstore"
	"github.com/hfgate/hfgate/storetest"
)

// mustOpen opens the database at path with the clock now and a new key,
// and closes it when the test ends.
func mustOpen(t *testing.T, path string, now func() time.Time) *sqlstore.Store {
	t.Helper()
	line, err := keyset.Generate("test")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := keyset.Parse(line)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(t.Context(), path, sqlstore.Options{Sealer: keys, Now: now, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func fresh(t *testing.T, now func() time.Time) *sqlstore.Store {
	return mustOpen(t, filepath.Join(t.TempDir(), "hfgate.db"), now)
}

func TestConformance(t *testing.T) {
	t.Run("Credentials", func(t *testing.T) {
		storetest.Credentials(t, func(t *testing.T) hfgate.CredentialStore { return fresh(t, nil) })
	})
	t.Run("Sessions", func(t *testing.T) {
		storetest.Sessions(t, func(t *testing.T, now func() time.Time) hfgate.SessionStore { return fresh(t, now) })
	})
	t.Run("Accounts", func(t *testing.T) {
		storetest.Accounts(t, func(t *testing.T, now func() time.Time) hfgate.AccountStore { return fresh(t, now) })
	})
	t.Run("Tokens", func(t *testing.T) {
		storetest.Tokens(t, func(t *testing.T, now func() time.Time) hfgate.TokenStore { return fresh(t, now) })
	})
	t.Run("Devices", func(t *testing.T) {
		storetest.Devices(t, func(t *testing.T, now func() time.Time) storetest.DeviceTokenStore { return fresh(t, now) })
	})
	t.Run("JTIs", func(t *testing.T) {
		storetest.JTIs(t, func(t *testing.T) hfgate.JTIStore { return fresh(t, nil) })
	})
	// Two Stores on one file stand for two processes: the gateway, and
	// hfgate admin revoking beside it.
	t.Run("Revocations", func(t *testing.T) {
		storetest.Revocations(t, func(t *testing.T, now func() time.Time) (a, b storetest.GatewayStore) {
			path := filepath.Join(t.TempDir(), "hfgate.db")
			return mustOpen(t, path, now), mustOpen(t, path, now)
		})
	})
}

// TestFile: the database and its directory are private, a path with odd
// characters works, and what was stored is there after reopening.
func TestFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new dir #1?x=y")
	path := filepath.Join(dir, "state ü.db")
	s := mustOpen(t, path, nil)
	tok := &hfgate.Token{ID: "tok_1", Hash: "h", Kind: hfgate.TokenPersonal, Subject: "local:bot", Expires: time.Now().Add(time.Hour)}
	if err := s.CreateTokens(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", p, got, want)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(dir)); len(entries) != 1 {
		t.Errorf("the odd path made %d entries beside it, want 1 (its own directory)", len(entries))
	}
	again := mustOpen(t, path, nil)
	if _, err := again.LoadToken(t.Context(), "tok_1"); err != nil {
		t.Errorf("after reopening: %v", err)
	}
	if have, want, err := again.SchemaVersion(t.Context()); err != nil || have != want || have < 1 {
		t.Errorf("SchemaVersion = %d, %d, %v", have, want, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	os.WriteFile(notDir, nil, 0o600)
	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, []byte("this is not a database, but it is long enough to look like a header of one....."), 0o600)
	for name, path := range map[string]string{
		"below a file": filepath.Join(notDir, "x.db"),
		"a directory":  dir,
		"not SQLite":   garbage,
	} {
		if s, err := sqlite.Open(t.Context(), path, sqlstore.Options{}); err == nil {
			s.Close()
			t.Errorf("%s: Open succeeded", name)
		} else if code := hfgate.ErrorCode(err); code == hfgate.EINTERNAL && name != "not SQLite" {
			t.Errorf("%s: err = %v (code %s)", name, err, code)
		}
	}
}
