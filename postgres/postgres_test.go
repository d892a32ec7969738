package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/keyset"
	"github.com/hfgate/hfgate/postgres"
	"github.com/hfgate/hfgate/postgres/postgrestest"
	"github.com/hfgate/hfgate/sqlstore"
	"github.com/hfgate/hfgate/storetest"
)

func mustKeys(t testing.TB) *keyset.Set {
	t.Helper()
	line, err := keyset.Generate("test")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := keyset.Parse(line)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// mustOpen opens the database at url with the clock now, and closes it
// when the test ends.
func mustOpen(t testing.TB, url string, now func() time.Time) *sqlstore.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url, sqlstore.Options{Sealer: mustKeys(t), Now: now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func fresh(t *testing.T, now func() time.Time) *sqlstore.Store {
	return mustOpen(t, postgrestest.URL(t), now)
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
	// Two Stores on one database stand for two replicas.
	t.Run("Revocations", func(t *testing.T) {
		storetest.Revocations(t, func(t *testing.T, now func() time.Time) (a, b storetest.GatewayStore) {
			url := postgrestest.URL(t)
			return mustOpen(t, url, now), mustOpen(t, url, now)
		})
	})
}

// TestMigrateTogether: replicas starting together on an empty database
// migrate it once, and all start.
func TestMigrateTogether(t *testing.T) {
	url := postgrestest.URL(t)
	var wg sync.WaitGroup
	stores := make([]*sqlstore.Store, 4)
	for i := range stores {
		wg.Go(func() {
			s, err := postgres.Open(t.Context(), url, sqlstore.Options{})
			if err != nil {
				t.Errorf("Open #%d: %v", i, err)
				return
			}
			stores[i] = s
		})
	}
	wg.Wait()
	for _, s := range stores {
		if s == nil {
			t.FailNow()
		}
		defer s.Close()
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	}
	var applied int
	if err := stores[0].DB().QueryRowContext(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if _, want, _ := stores[0].SchemaVersion(t.Context()); applied != want {
		t.Errorf("schema_migrations has %d rows, want %d", applied, want)
	}
}

// TestLockAcrossReplicas: a credential renewal lock taken through one
// replica holds against another.
func TestLockAcrossReplicas(t *testing.T) {
	url := postgrestest.URL(t)
	a, b := mustOpen(t, url, nil), mustOpen(t, url, nil)
	unlock, err := a.LockCredential(t.Context(), "https://huggingface.co", "huggingface:1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	_, err = b.LockCredential(ctx, "https://huggingface.co", "huggingface:1")
	cancel()
	if hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
		t.Fatalf("second replica's LockCredential while held: %v, want EUNAVAILABLE (timed out)", err)
	}
	// Another schema's lock of the same name is another lock.
	other := mustOpen(t, postgrestest.URL(t), nil)
	u2, err := other.LockCredential(t.Context(), "https://huggingface.co", "huggingface:1")
	if err != nil {
		t.Fatalf("the same key in another schema: %v", err)
	}
	u2()
	unlock()
	u3, err := b.LockCredential(t.Context(), "https://huggingface.co", "huggingface:1")
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	u3()
}

func TestOpenRefuses(t *testing.T) {
	for name, url := range map[string]string{
		"garbage":      "postgres://%zz",
		"no server":    "postgres://postgres:secret-pw@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=5",
		"no such path": postgrestest.URL(t) + "x", // search_path=t_...x does not exist
	} {
		s, err := postgres.Open(t.Context(), url, sqlstore.Options{})
		if err == nil {
			s.Close()
			t.Errorf("%s: Open succeeded", name)
			continue
		}
		if c := hfgate.ErrorCode(err); c != hfgate.EINVALID && c != hfgate.EUNAVAILABLE {
			t.Errorf("%s: err = %v (code %s)", name, err, c)
		}
		if strings.Contains(err.Error(), "secret-pw") {
			t.Errorf("%s: the error quotes the password: %v", name, err)
		}
	}
}
