package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit/audittest"
	"github.com/hfgate/hfgate/postgres"
	"github.com/hfgate/hfgate/postgres/postgrestest"
	"github.com/hfgate/hfgate/sqlstore"
	"github.com/hfgate/hfgate/storetest"
)

func TestAuditConformance(t *testing.T) {
	storetest.Audit(t, func(t *testing.T) hfgate.AuditStore { return fresh(t, nil) })
}

// TestAuditTampering edits and deletes rows of the audit log with SQL, and
// checks that audit.Verify names each change.
func TestAuditTampering(t *testing.T) {
	audittest.Tampering(t, func(t testing.TB) (hfgate.AuditStore, *sql.DB) {
		s := openURL(t, postgrestest.URL(t))
		return s, s.DB()
	})
}

// TestAuditKilled kills a gateway process with SIGKILL during a download
// and checks that the next one marks the download interrupted.
func TestAuditKilled(t *testing.T) {
	audittest.Killed(t, func(t testing.TB) string { return postgrestest.URL(t) },
		func(t testing.TB, url string) hfgate.AuditStore { return openURL(t, url) })
}

// BenchmarkRecord: durable audit events per second on PostgreSQL, group
// commit against one transaction per event (see
// audittest.BenchmarkRecord), on a server of its own with fsync on, since
// what group commit saves is mostly the WAL flush of each commit.
func BenchmarkRecord(b *testing.B) {
	srv := postgrestest.Start(b, "fsync=on", "synchronous_commit=on")
	audittest.BenchmarkRecord(b, func(b *testing.B) hfgate.AuditStore {
		return openURL(b, postgrestest.NewSchema(b, srv.URL))
	})
}

// openURL opens the database at url without a key, closing it when tb
// ends.
func openURL(tb testing.TB, url string) *sqlstore.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), url, sqlstore.Options{})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
