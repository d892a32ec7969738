// Package sqlite opens the gateway's state in a SQLite file, with
// modernc.org/sqlite (pure Go, no cgo), and returns it as a sqlstore.Store.
//
// It is the default store of hfgate serve: one file, no server. The
// database runs in WAL mode (readers never wait for the writer), waits up
// to BusyTimeout for another writer instead of failing, begins every
// transaction IMMEDIATE (so that a transaction that reads and then writes
// never fails half-way on a lock), and enforces foreign keys. The file and
// the directory made for it are private to the user (0600, 0700): it
// holds token hashes and sealed Hub tokens.
//
// Several processes may open one file (hfgate serve, and hfgate admin
// beside it): a revocation made by one reaches the others through the
// revocation log within sqlstore.DefaultPollInterval. Credential renewal
// locks (LockCredential) hold within one process, which is right for the
// one gateway process that renews credentials; run several gateway
// replicas on PostgreSQL instead.
package sqlite
