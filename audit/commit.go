package audit

import (
	"context"
	"time"

	"github.com/hfgate/hfgate"
)

// run is the Writer's goroutine: it commits one batch at a time, each of
// every event queued while the one before was committing (up to MaxBatch),
// so that the more callers wait, the more each transaction carries.
func (w *Writer) run() {
	defer close(w.stopped)
	for {
		select {
		case r := <-w.queue:
			w.commit(w.collect(r))
		case <-w.stop:
			// Close took the lock after every enqueue had finished, so what
			// is queued now is all there will be.
			for {
				select {
				case r := <-w.queue:
					w.commit(w.collect(r))
				default:
					return
				}
			}
		}
	}
}

// collect returns first and the events queued behind it, up to MaxBatch.
func (w *Writer) collect(first *request) []*request {
	batch := []*request{first}
	for len(batch) < w.cfg.MaxBatch {
		select {
		case r := <-w.queue:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// commit appends batch in one transaction and wakes its callers.
func (w *Writer) commit(batch []*request) {
	ctx, cancel := context.WithTimeout(context.Background(), w.cfg.BatchTimeout)
	defer cancel()
	start := time.Now()
	err := w.append(ctx, batch)
	if w.cfg.OnBatch != nil {
		w.cfg.OnBatch(len(batch), time.Since(start), err)
	}
	n := uint64(len(batch))
	if err != nil {
		w.failures.Add(n)
		err = hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the audit log cannot record the request")
	} else {
		w.events.Add(n)
		w.batches.Add(1)
	}
	for _, r := range batch {
		r.done <- err
	}
}

// append links batch into the chain and stores it. After a failure the
// writer cannot know whether the transaction committed (a connection lost
// during COMMIT), so before the next append it reads its chain back from
// the last head it knows: a stored batch is adopted, and the chain goes on
// after it instead of forking.
func (w *Writer) append(ctx context.Context, batch []*request) error {
	if w.stale {
		if err := w.resync(ctx); err != nil {
			return err
		}
	}
	head := w.head
	events := make([]*hfgate.AuditEvent, len(batch))
	for i, r := range batch {
		e := r.ev
		e.Writer, e.Seq, e.PrevHash = w.id, head.Seq+1, head.Hash
		e.Hash = Hash(e)
		head.Seq, head.Hash, head.Last = e.Seq, e.Hash, e.Time
		events[i] = e
	}
	if err := w.store.AppendAudit(ctx, events); err != nil {
		w.stale = true
		return err
	}
	w.head = head
	return nil
}

// resync moves the head past whatever the store holds of this writer's
// chain beyond it.
func (w *Writer) resync(ctx context.Context) error {
	for {
		tail, err := w.store.AuditChain(ctx, w.id, w.head.Seq, hfgate.MaxAuditLimit)
		if err != nil {
			return err
		}
		if len(tail) == 0 {
			w.stale = false
			return nil
		}
		last := tail[len(tail)-1]
		w.head.Seq, w.head.Hash, w.head.Last = last.Seq, last.Hash, last.Time
	}
}
