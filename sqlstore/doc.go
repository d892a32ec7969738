// Package sqlstore keeps the gateway's shared state in a SQL database
// through database/sql: accounts and identities (hfgate.AccountStore),
// browser sessions (hfgate.SessionStore), gateway tokens
// (hfgate.TokenStore), device authorizations (hfgate.DeviceStore) and the
// users' upstream Hub credentials, sealed at rest (hfgate.CredentialStore),
// with revocations announced to every process that shares the database
// (hfgate.RevocationNotifier).
//
// There is one code path for every database; a Dialect says the little
// that differs (placeholders, locking, how revocations travel, which errors
// are which). The adapter packages sqlite and postgres open a database with
// its driver and hand it to New with their Dialect; nothing here imports a
// driver.
//
// # Schema
//
// New brings the schema up to date before it returns: the SQL files under
// migrations/<dialect>/ are applied in order, each in its own transaction,
// and recorded in schema_migrations. Processes starting together take
// turns (Dialect.LockMigrations: an advisory lock on PostgreSQL, SQLite's
// write lock), so a migration runs once. A database migrated by a newer
// hfgate (a version this one does not know) is refused, not changed.
// A new migration is a new file with the next number, for both dialects.
//
// # Time
//
// Times are stored as microseconds since 1970 and compared with the
// store's own clock (Options.Now), never the database's, so that liveness
// follows one clock in tests and on replicas alike.
//
// # Errors
//
// Errors are *hfgate.Error values with the codes of the root interfaces:
// EUNAVAILABLE when the database cannot be reached (a restart, a network
// failure), EINVALID for a duplicate key, ECANCELED when the context is
// canceled; anything else is EINTERNAL. Messages name the operation, never
// a token or a query.
//
// # Concurrency
//
// A Store is safe for concurrent use, and several processes may share one
// database: every write that must not interleave runs in one transaction
// that locks the row it changes (FOR UPDATE on PostgreSQL; on SQLite every
// write transaction is immediate, one at a time).
package sqlstore
