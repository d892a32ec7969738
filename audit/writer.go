package audit

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hfgate/hfgate"
)

// Defaults of Config's zero fields.
const (
	DefaultQueueSize    = 4096
	DefaultMaxBatch     = 512
	DefaultBatchTimeout = 10 * time.Second
)

// Config configures a Writer. Replica is required; zero values of the
// other fields mean the documented defaults.
type Config struct {
	// Replica is the stable id of this gateway replica (see NewWriterID).
	Replica string

	// QueueSize bounds the events waiting for the store
	// (DefaultQueueSize). A Record that finds the queue full waits for room
	// until its context ends.
	QueueSize int

	// MaxBatch bounds the events appended in one transaction
	// (DefaultMaxBatch).
	MaxBatch int

	// BatchTimeout bounds one append (DefaultBatchTimeout): a store that
	// hangs fails the batch, and its callers get an error instead of
	// waiting for as long as the store does.
	BatchTimeout time.Duration

	// Now is the clock of events recorded without a Time, and of the start
	// in the writer id. If nil, time.Now is used.
	Now func() time.Time

	// OnBatch, if set, is called after each append with its size, how long
	// it took and its error (nil when it committed), for metrics. It runs
	// on the writer's goroutine: it must be quick and must not call Record.
	OnBatch func(events int, took time.Duration, err error)
}

// Writer appends a process's audit events to an hfgate.AuditStore as one
// hash chain, by group commit: one goroutine takes every event queued
// while the previous transaction ran, links them into the chain and
// appends them in one transaction, then wakes each caller. A Writer is
// safe for concurrent use; a process has one.
type Writer struct {
	store hfgate.AuditStore
	cfg   Config
	id    string
	queue chan *request

	mu      sync.RWMutex // Record holds it for reading while it queues; Close for writing
	closed  bool
	stop    chan struct{} // closed by Close: drain the queue and return
	stopped chan struct{} // closed when the goroutine has returned

	events, batches, failures atomic.Uint64

	// Owned by the goroutine (and by Open before it starts).
	head  hfgate.AuditWriter // the chain as this writer believes it stored
	stale bool               // an append failed: read the head back before the next
}

// request is one event waiting for its batch.
type request struct {
	ev   *hfgate.AuditEvent
	done chan error
}

// Stats counts what a Writer did since it opened.
type Stats struct {
	Events   uint64 // events stored
	Batches  uint64 // transactions that stored them
	Failures uint64 // events not stored because the store failed (each caller got an error)
	Queued   int    // events waiting now
}

// Stats returns the Writer's counters; Failures is the gateway's
// hfgate_audit_failures_total.
func (w *Writer) Stats() Stats {
	return Stats{Events: w.events.Load(), Batches: w.batches.Load(), Failures: w.failures.Load(), Queued: len(w.queue)}
}

// ID returns the Writer's id, the Writer of every event it records.
func (w *Writer) ID() string { return w.id }

// Record appends ev to the log and returns once it is durable: stored in
// the store's transaction with the events queued beside it. On success ev
// holds the event as stored (Writer, Seq, hashes, Time, normalized
// strings; see Normalize). A zero Time is the time of the call.
//
// The error is an EINVALID *hfgate.Error for an event Normalize refuses,
// EUNAVAILABLE when the store failed or the Writer is closed, and
// ECANCELED or EUNAVAILABLE when ctx ends first; then the event may or may
// not be stored. A gateway answers 503 when Record fails: a request that
// cannot be audited is not served. A caller whose intent failed still
// records its end, so that the log never shows a transfer that never
// ended.
func (w *Writer) Record(ctx context.Context, ev *hfgate.AuditEvent) error {
	r, err := w.submit(ctx, ev)
	if err != nil {
		return err
	}
	if err := r.wait(ctx); err != nil {
		return err
	}
	*ev = *r.ev
	return nil
}

// submit queues a normalized copy of ev.
func (w *Writer) submit(ctx context.Context, ev *hfgate.AuditEvent) (*request, error) {
	n, err := Normalize(ev)
	if err != nil {
		return nil, err
	}
	if n.Time.IsZero() {
		n.Time = truncTime(w.now())
	}
	r := &request{ev: n, done: make(chan error, 1)}
	if err := w.enqueue(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// wait returns the outcome of r's batch, or ctx's error if it ends first.
func (r *request) wait(ctx context.Context) error {
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return hfgate.ContextError(ctx, "waiting for the audit log")
	}
}

func (w *Writer) enqueue(ctx context.Context, r *request) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return hfgate.Errorf(hfgate.EUNAVAILABLE, "the audit log is closed")
	}
	select {
	case w.queue <- r:
		return nil
	case <-ctx.Done():
		return hfgate.ContextError(ctx, "waiting for room in the audit queue")
	}
}

// Close records what is queued, stops the Writer and returns once its
// goroutine has. Record fails after Close. Close is idempotent.
func (w *Writer) Close() error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.stop)
	}
	w.mu.Unlock()
	<-w.stopped
	return nil
}

func (w *Writer) now() time.Time {
	if w.cfg.Now != nil {
		return w.cfg.Now()
	}
	return time.Now()
}
