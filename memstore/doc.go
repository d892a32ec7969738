// Package memstore keeps credentials, sessions, an audit log and spent CI
// token ids in memory: an hfgate.CredentialStore, an hfgate.SessionStore,
// an hfgate.AuditStore and an hfgate.JTIStore for one process, such as the
// demo (whose simulated tokens must never reach the OS keyring), the local
// web app's sessions, and tests.
//
// Nothing survives the process, and nothing is shared with another one:
// LockCredential excludes holders in this process only. Use credstore for
// the command line's credentials, and a database store where several
// processes share state or an audit log must outlive its writer.
package memstore
