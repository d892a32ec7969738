// Package audit keeps the gateway's audit trail: who loaded which model,
// when, from where, what the policy decided and what was served. It writes
// hfgate.AuditEvents to an hfgate.AuditStore as tamper-evident hash chains,
// recovers the transfers a killed process left open, verifies the chains,
// and exports them.
//
// # Chains
//
// Each gateway process appends through one Writer, whose id names the
// replica and the process's start (NewWriterID). Its events form a chain:
// Seq counts from 1 without gaps, PrevHash is the previous event's Hash,
// and
//
//	Hash = hex(SHA-256(PrevHash || Canonical(event)))
//
// where Canonical is a fixed JSON form of every other field. Editing,
// deleting or reordering stored events breaks the chain, and Verify names
// the writer, the seq and what is wrong.
//
// # Group commit
//
// Record returns only once its event is durable, and a gateway serves
// nothing it could not record (it answers 503). To make that cheap, the
// Writer's goroutine appends everything queued while the previous
// transaction ran in one transaction, then wakes each caller: under load
// one commit carries many events (BenchmarkRecord in the database
// packages measures it). The queue is bounded; when the store fails,
// callers get EUNAVAILABLE errors and Stats().Failures counts the events.
//
// # Transfers and restarts
//
// A request that serves a file records an intent (AuditKindIntent) before
// its first byte and an end (AuditKindEnd: bytes, status, outcome) after
// its last; Downloads joins the two. When a process dies between them, the
// next process of the same replica (Open, Recover) records an end with
// outcome interrupted for each intent left open, so a killed download shows
// as interrupted, never as nothing.
//
// # Export
//
// Export streams a query to an Encoder: NewJSONEncoder writes JSON lines
// with OCSF-style field names, NewCSVEncoder RFC 4180 CSV that a
// spreadsheet opens without running formulas.
//
// The package imports only the standard library and the root package; the
// databases are the store's business, metrics and the HTTP answer the
// gateway's.
package audit
