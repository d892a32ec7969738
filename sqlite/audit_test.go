package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit/audittest"
	"github.com/hfgate/hfgate/sqlite"
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
		s := openAt(t, filepath.Join(t.TempDir(), "hfgate.db"))
		return s, s.DB()
	})
}

// TestAuditKilled kills a gateway process with SIGKILL during a download
// and checks that the next one marks the download interrupted.
func TestAuditKilled(t *testing.T) {
	audittest.Killed(t,
		func(t testing.TB) string { return filepath.Join(t.TempDir(), "hfgate.db") },
		func(t testing.TB, path string) hfgate.AuditStore { return openAt(t, path) })
}

// BenchmarkRecord: durable audit events per second on SQLite as Open sets
// it up (WAL, synchronous=NORMAL: a commit survives the process, and the
// operating system's crash once the WAL is checkpointed), group commit
// against one transaction per event (see audittest.BenchmarkRecord).
func BenchmarkRecord(b *testing.B) {
	audittest.BenchmarkRecord(b, func(b *testing.B) hfgate.AuditStore {
		return openAt(b, filepath.Join(b.TempDir(), "hfgate.db"))
	})
}

// BenchmarkRecordSyncFull is BenchmarkRecord with synchronous=FULL, where
// every commit waits for an fsync of the WAL: what group commit saves
// there is mostly fsyncs.
func BenchmarkRecordSyncFull(b *testing.B) {
	audittest.BenchmarkRecord(b, func(b *testing.B) hfgate.AuditStore {
		path := filepath.Join(b.TempDir(), "hfgate.db")
		db, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_busy_timeout=10000&_journal_mode=WAL&_synchronous=FULL")
		if err != nil {
			b.Fatal(err)
		}
		s, err := sqlstore.New(b.Context(), db, sqlite.Dialect, sqlstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	})
}

// openAt opens the database at path without a key, closing it when tb ends.
func openAt(tb testing.TB, path string) *sqlstore.Store {
	tb.Helper()
	s, err := sqlite.Open(tb.Context(), path, sqlstore.Options{})
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
