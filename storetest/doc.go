// Package storetest is the conformance suite of hfgate.CredentialStore and
// hfgate.SessionStore: one set of tests that every implementation runs
// (memstore, credstore's keyring, file and layered stores, and the database
// stores), so that they agree on keys, copies, errors, expiry and locking.
//
// Call it from the implementation's own tests with a function that opens a
// fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Credentials(t, func(t *testing.T) hfgate.CredentialStore { return &memstore.Store{} })
//		storetest.Sessions(t, func(t *testing.T, now func() time.Time) hfgate.SessionStore {
//			return &memstore.Store{Now: now}
//		})
//	}
//
// JTIs checks an hfgate.JTIStore: each CI ID token spent once, also under
// concurrent use.
//
// Audit checks an hfgate.AuditStore the same way: chains appended all or
// nothing and never forked, queries by every filter, pages walked either
// way, open intents, seals. Its times have microseconds, which every audit
// store keeps.
//
// It is for tests only (it imports testing) and makes no assumption about
// the machine: no network, no fixed paths, and times in whole seconds, so
// that a store that keeps timestamps to the microsecond passes.
package storetest
