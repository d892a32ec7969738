// Package audittest runs the audit package against a real database: the
// tests and benchmarks that the database packages (sqlite, postgres) run
// on their own store, where rows can be edited with SQL behind the
// store's back and a gateway process can be killed for real.
//
// It is for tests only (it imports testing).
package audittest
