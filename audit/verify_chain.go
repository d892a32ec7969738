package audit

import (
	"context"
	"fmt"

	"github.com/hfgate/hfgate"
)

// verifyChain checks the chain of w up to the head w records, adds what is
// wrong to r, and returns the seal events the chain holds.
func verifyChain(ctx context.Context, store hfgate.AuditStore, w *hfgate.AuditWriter, r *Report) ([]*hfgate.AuditEvent, error) {
	var (
		seals  []*hfgate.AuditEvent
		prev   *hfgate.AuditEvent // the event read before, as stored
		prevOK bool               // whether its hash matched its content
	)
	problem := func(seq int64, kind ProblemKind, format string, args ...any) {
		r.add(Problem{Writer: w.ID, Seq: seq, Kind: kind, Detail: fmt.Sprintf(format, args...)})
	}
read:
	for after := int64(0); after < w.Seq; {
		page, err := store.AuditChain(ctx, w.ID, after, hfgate.MaxAuditLimit)
		if err != nil {
			return nil, fmt.Errorf("verify audit chain %s: %w", w.ID, err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if e.Seq > w.Seq {
				break read // appended after AuditWriters was read
			}
			expect := after + 1
			gap := e.Seq != expect
			switch {
			case !gap:
			case e.Seq == expect+1:
				problem(expect, Missing, "event %d is missing (deleted)", expect)
			default:
				problem(expect, Missing, "events %d to %d are missing (deleted)", expect, e.Seq-1)
			}
			ok := Hash(e) == e.Hash
			if !ok {
				if seq, moved := r.movedFrom(e); moved {
					problem(e.Seq, Reordered, "this event was written as seq %d", seq)
				} else {
					problem(e.Seq, Edited, "its content does not match its hash")
				}
			}
			if ok && !gap {
				switch {
				case prev == nil && e.PrevHash != "":
					problem(e.Seq, Forged, "the first event of the chain links to an earlier one")
				case prev != nil && prevOK && e.PrevHash != prev.Hash:
					problem(prev.Seq, Forged, "event %d was linked to another hash: this one was rewritten and its hash recomputed", e.Seq)
				}
			}
			if ok && e.Kind == hfgate.AuditKindAdmin && e.Action == hfgate.AuditActionSeal {
				seals = append(seals, e)
			}
			prev, prevOK, after = e, ok, e.Seq
		}
	}
	c := Chain{Writer: w.ID, SealedBy: w.SealedBy}
	if prev != nil {
		c.Seq, c.Hash = prev.Seq, prev.Hash
	}
	switch {
	case c.Seq < w.Seq:
		problem(c.Seq+1, Truncated, "the chain ends at seq %d, but the store recorded %d events", c.Seq, w.Seq)
	case c.Hash != w.Hash && prevOK:
		problem(c.Seq, Forged, "its hash is not the one the store recorded as the chain's head: it was rewritten and its hash recomputed")
	}
	r.Chains = append(r.Chains, c)
	return seals, nil
}

// movedFrom returns the seq, at most ReorderWindow away, at which e's
// content has e's hash. It gives up once the report is full, which bounds
// the work a log edited throughout costs.
func (r *Report) movedFrom(e *hfgate.AuditEvent) (int64, bool) {
	if len(r.Problems) >= MaxProblems {
		return 0, false
	}
	c := *e
	for d := int64(1); d <= ReorderWindow; d++ {
		for _, seq := range []int64{e.Seq - d, e.Seq + d} {
			if c.Seq = seq; seq >= 1 && Hash(&c) == e.Hash {
				return seq, true
			}
		}
	}
	return 0, false
}
