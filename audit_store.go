package hfgate

import (
	"context"
	"time"
)

// AuditStore keeps the gateway's audit log: append-only hash chains of
// AuditEvents, one per writer (one writer per gateway process). The audit
// package writes and verifies the chains; a store keeps them, checks that
// each append continues its chain, and answers queries.
//
// Stores keep every field as given, Time to the microsecond in UTC. Strings
// are valid UTF-8 without NUL bytes (audit.Writer makes them so); a store
// may refuse others.
//
// Errors are *Error values by code: EINVALID for bad arguments (a bad
// filter or cursor, an event that does not continue its chain), ENOTFOUND
// for an unknown writer, EUNAVAILABLE when the store cannot be reached,
// ECANCELED when ctx is canceled.
//
// Implementations are safe for concurrent use, also by several processes
// for stores that processes share. Values passed in and returned are
// copies: changing one afterwards changes nothing stored.
// storetest.Audit checks all of this for an implementation.
type AuditStore interface {
	// AppendAudit stores events, in order, in one transaction: all of them,
	// or none when it fails. Each event must continue its writer's chain:
	// its Seq one more than the writer's last stored Seq (1 for a new
	// writer) and its PrevHash the Hash of that event ("" for Seq 1); an
	// event that does not, such as a second one with the same Writer and
	// Seq, is an EINVALID error. The store does not recompute hashes.
	AppendAudit(ctx context.Context, events []*AuditEvent) error

	// QueryAudit returns the events f selects, one page at a time, ordered
	// by (Time, Writer, Seq): newest first, or oldest first with
	// f.Ascending. Events appended between two pages with a Time between
	// theirs are missed by a newest-first walk and found by an
	// oldest-first one, which is how to follow the log live.
	QueryAudit(ctx context.Context, f *AuditFilter) (*AuditPage, error)

	// AuditChain returns at most limit events of writer with Seq greater
	// than after, in Seq order, for reading a chain from start to end. An
	// unknown writer has no events (an empty list, not an error). limit is
	// at least 1; more than MaxAuditLimit counts as MaxAuditLimit.
	AuditChain(ctx context.Context, writer string, after int64, limit int) ([]*AuditEvent, error)

	// AuditWriters returns every writer that has appended an event, by ID.
	AuditWriters(ctx context.Context) ([]*AuditWriter, error)

	// OpenAuditIntents returns the AuditKindIntent events of writer that no
	// AuditKindEnd event (of any writer) with the same RequestID closes, in
	// Seq order.
	OpenAuditIntents(ctx context.Context, writer string) ([]*AuditEvent, error)

	// SealAuditWriter records that writer's process is over and that the
	// writer by has closed its open intents; the first seal stays. Sealing
	// a writer that never appended is an ENOTFOUND error.
	SealAuditWriter(ctx context.Context, writer, by string) error
}

// AuditWriter is one writer's chain as an AuditStore knows it.
type AuditWriter struct {
	ID string
	// Seq and Hash are those of the writer's last event: the length of its
	// chain, and what a verifier expects the chain to end with.
	Seq  int64
	Hash string
	// Last is the Time of that event.
	Last time.Time
	// SealedBy names the writer that closed this one's open intents after
	// its process ended; "" while it may still be running.
	SealedBy string
}

// Query limits: the page size when AuditFilter.Limit is zero, and the
// largest page a store returns.
const (
	DefaultAuditLimit = 100
	MaxAuditLimit     = 1000
)

// AuditFilter selects audit events. Zero fields select everything; set
// fields must all match.
type AuditFilter struct {
	// Since and Until bound Time: Since <= Time < Until.
	Since, Until time.Time

	// User is a principal's Subject (exactly) or Username (ignoring case,
	// as the Hub does).
	User string

	// RepoType and Repo name a repository; Repo ignores case, as the Hub
	// does.
	RepoType RepoType
	Repo     RepoID

	Action   string
	Decision AuditDecision
	Writer   string

	// Kinds and RequestIDs select events of any of the kinds or request
	// ids listed; at most MaxAuditLimit request ids.
	Kinds      []AuditKind
	RequestIDs []string

	// Ascending asks for the oldest events first, instead of the newest.
	Ascending bool

	// After continues a walk: the Next of the page before, with the same
	// filter. "" starts at the beginning.
	After string

	// Limit is the page size: DefaultAuditLimit when zero, MaxAuditLimit at
	// most.
	Limit int
}

// AuditPage is one page of a QueryAudit walk.
type AuditPage struct {
	Events []*AuditEvent
	// Next is the After of the next page, or "" when this one is the last.
	Next string
}

// Append checks that e continues the chain w describes, and advances w past
// it: the check every AuditStore makes on each event it appends, so that
// all refuse the same events with the same EINVALID errors. For a writer
// with no events yet, w is &AuditWriter{ID: e.Writer}.
func (w *AuditWriter) Append(e *AuditEvent) error {
	switch {
	case e == nil || e.Writer == "":
		return Errorf(EINVALID, "an audit event needs a writer")
	case e.Writer != w.ID:
		return Errorf(EINVALID, "an audit event of writer %q appended to the chain of %q", e.Writer, w.ID)
	case !e.Kind.Valid():
		return Errorf(EINVALID, "%q is not an audit event kind", e.Kind)
	case e.Time.IsZero():
		return Errorf(EINVALID, "an audit event needs a time")
	case e.Seq != w.Seq+1:
		return Errorf(EINVALID, "the audit chain of writer %q continues at seq %d, not %d", w.ID, w.Seq+1, e.Seq)
	case e.PrevHash != w.Hash:
		return Errorf(EINVALID, "audit event %d of writer %q does not link to the hash of event %d", e.Seq, w.ID, w.Seq)
	}
	w.Seq, w.Hash, w.Last = e.Seq, e.Hash, e.Time
	return nil
}
