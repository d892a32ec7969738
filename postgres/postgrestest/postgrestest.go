// Package postgrestest gives tests a PostgreSQL database of their own: a
// fresh schema on the server scripts/test starts (URL), or a whole server
// of their own that they may stop and restart (Start).
//
// Tests that need PostgreSQL skip when HFGATE_TEST_POSTGRES is not set,
// and fail instead when HFGATE_TEST_POSTGRES_REQUIRED=1 (scripts/test and
// scripts/with-postgres set both).
package postgrestest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// need skips or fails t, as the environment says, when there is no
// PostgreSQL for tests; why says what is missing.
func need(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("HFGATE_TEST_POSTGRES_REQUIRED") == "1" {
		t.Fatalf("PostgreSQL is required (HFGATE_TEST_POSTGRES_REQUIRED=1) but %s", why)
	}
	t.Skipf("no PostgreSQL for tests: %s (run under scripts/with-postgres)", why)
}

// URL returns the URL of a new, empty schema on the test server, dropped
// when the test ends. It skips or fails t when there is no server.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("HFGATE_TEST_POSTGRES")
	if base == "" {
		need(t, "HFGATE_TEST_POSTGRES is not set")
	}
	return NewSchema(t, base)
}

// NewSchema creates a new, empty schema in the database at base and
// returns base with search_path set to it; the schema is dropped when the
// test ends.
func NewSchema(t testing.TB, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres URL: %v", err)
	}
	schema := "t_" + strings.ToLower(rand.Text()[:16])
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		db.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`)
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
