package sqlstore

import (
	"context"
	"database/sql"
)

// Dialect is what differs between the databases a Store runs on. The
// adapter packages (sqlite, postgres) fill it in; every field but Name is
// optional where its comment says so.
type Dialect struct {
	// Name selects the migrations (migrations/<Name>/) and is "sqlite" or
	// "postgres".
	Name string

	// Placeholder returns the n-th (from 1) query parameter: "?" for
	// SQLite, "$n" for PostgreSQL. Queries here are written with "?".
	Placeholder func(n int) string

	// ForUpdate is appended to a SELECT that a transaction will change the
	// rows of: " FOR UPDATE" where rows lock, "" where a write transaction
	// locks everything anyway (SQLite).
	ForUpdate string

	// LockMigrations makes conn the only connection migrating the
	// database until unlock is called. If nil, each migration's
	// transaction must exclude the others by itself (SQLite's immediate
	// transactions do).
	LockMigrations func(ctx context.Context, conn *sql.Conn) (unlock func(), err error)

	// LockKey waits until the lock named key is held, across every process
	// of the database, and returns its release. If nil, locks exclude
	// holders in this process only.
	LockKey func(ctx context.Context, db *sql.DB, key string) (unlock func(), err error)

	// Notify announces payload (a JSON hfgate.Revocation and the announcing
	// Store's origin, which skips its own announcements) to every process
	// of the database when tx commits. If nil, revocations go to a log
	// table that every Store reads (Options.PollInterval).
	Notify func(ctx context.Context, tx *sql.Tx, payload string) error

	// Listen delivers the payload of every announcement made by Notify, in
	// any process, until ctx is done; it calls lost whenever
	// announcements may have been missed (the connection it listens on
	// dropped, and again once it listens anew). Required with Notify.
	Listen func(ctx context.Context, deliver func(payload string), lost func())

	// Unavailable reports whether err means that the database cannot be
	// reached (rather than that a statement failed), and Duplicate
	// whether it is a unique-constraint violation.
	Unavailable func(err error) bool
	Duplicate   func(err error) bool
}
