package audit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hfgate/hfgate"
)

// Open starts the Writer of this process on store, under a new writer id
// of cfg.Replica, and recovers the replica's earlier processes (Recover)
// before it returns, so that a gateway serves nothing until the transfers
// its killed predecessor left open are marked interrupted. Close the
// Writer when done.
//
// The error is EINVALID for a bad replica id, or the store's error when
// recovery cannot read or write the log: a gateway that cannot record
// must not start serving.
func Open(ctx context.Context, store hfgate.AuditStore, cfg Config) (*Writer, error) {
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.BatchTimeout <= 0 {
		cfg.BatchTimeout = DefaultBatchTimeout
	}
	w := &Writer{store: store, cfg: cfg, queue: make(chan *request, cfg.QueueSize),
		stop: make(chan struct{}), stopped: make(chan struct{})}
	id, err := NewWriterID(cfg.Replica, w.now())
	if err != nil {
		return nil, err
	}
	w.id, w.head.ID = id, id
	go w.run()
	if _, err := w.Recover(ctx, cfg.Replica); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// Recover closes the open intents of replica's other writers that no one
// has sealed: for each intent with no end, it records an end whose outcome
// is interrupted (in this Writer's chain, Detail "intent" naming the
// intent's writer#seq); then it records an hfgate.AuditActionSeal event
// with the writer's head, and seals the writer in the store. It returns how
// many intents it closed. Open calls it for the Writer's own replica; an
// administrator may call it for a replica that is gone for good.
//
// A writer still running under the same replica id (a rolling restart that
// started the new process before the old one ended) gets its transfers in
// flight marked interrupted too, and ends them later as well; Downloads
// prefers such a later end to the interrupted one.
func (w *Writer) Recover(ctx context.Context, replica string) (int, error) {
	writers, err := w.store.AuditWriters(ctx)
	if err != nil {
		return 0, fmt.Errorf("recover audit writers of %s: %w", replica, err)
	}
	closed := 0
	for _, prev := range writers {
		if prev.ID == w.id || prev.SealedBy != "" || ReplicaOf(prev.ID) != replica {
			continue
		}
		open, err := w.store.OpenAuditIntents(ctx, prev.ID)
		if err != nil {
			return closed, fmt.Errorf("recover audit writer %s: %w", prev.ID, err)
		}
		events := make([]*hfgate.AuditEvent, 0, len(open)+1)
		for _, intent := range open {
			events = append(events, interruptedEnd(intent))
		}
		events = append(events, &hfgate.AuditEvent{
			Kind: hfgate.AuditKindAdmin, Action: hfgate.AuditActionSeal,
			Detail: map[string]string{"writer": prev.ID, "seq": strconv.FormatInt(prev.Seq, 10), "hash": prev.Hash},
		})
		if err := w.recordAll(ctx, events); err != nil {
			return closed, fmt.Errorf("recover audit writer %s: %w", prev.ID, err)
		}
		closed += len(open)
		if err := w.store.SealAuditWriter(ctx, prev.ID, w.id); err != nil {
			return closed, fmt.Errorf("seal audit writer %s: %w", prev.ID, err)
		}
	}
	return closed, nil
}

// interruptedEnd returns the end of an intent whose process died: who,
// what and where as the intent says, nothing about bytes or time taken,
// which died with the process.
func interruptedEnd(intent *hfgate.AuditEvent) *hfgate.AuditEvent {
	e := intent.Clone()
	e.Writer, e.Seq, e.PrevHash, e.Hash, e.Time = "", 0, "", "", time.Time{}
	e.Kind, e.Outcome = hfgate.AuditKindEnd, hfgate.AuditInterrupted
	e.Decision, e.Rule, e.Bytes, e.Duration = "", "", 0, 0
	e.Detail = map[string]string{"intent": fmt.Sprintf("%s#%d", intent.Writer, intent.Seq)}
	return e
}

// recordAll records events together, so that they share transactions.
func (w *Writer) recordAll(ctx context.Context, events []*hfgate.AuditEvent) error {
	queued := make([]*request, 0, len(events))
	for _, e := range events {
		r, err := w.submit(ctx, e)
		if err != nil {
			return err
		}
		queued = append(queued, r)
	}
	for _, r := range queued {
		if err := r.wait(ctx); err != nil {
			return err
		}
	}
	return nil
}
