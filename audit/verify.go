package audit

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hfgate/hfgate"
)

// ProblemKind says what is wrong with a chain.
type ProblemKind string

// Problems Verify finds.
const (
	// Missing: events are absent from the middle or start of a chain
	// (seq gap): deleted.
	Missing ProblemKind = "missing"
	// Edited: an event's content does not match its hash.
	Edited ProblemKind = "edited"
	// Reordered: an event sits at another seq than the one it was written
	// at (found when it moved by at most ReorderWindow places).
	Reordered ProblemKind = "reordered"
	// Forged: an event was rewritten and its hash recomputed, so the next
	// event (or the store's head, or a later process's seal) links to a
	// hash it no longer has.
	Forged ProblemKind = "forged"
	// Truncated: the chain ends before the head the store recorded for it,
	// or before the seq a seal saw: its last events were deleted.
	Truncated ProblemKind = "truncated"
)

// ReorderWindow is how far Verify looks for the seq a moved event was
// written at.
const ReorderWindow = 64

// MaxProblems bounds the problems a Report lists; Omitted counts the rest.
const MaxProblems = 1000

// Problem is one thing wrong with one chain.
type Problem struct {
	Writer string
	Seq    int64
	Kind   ProblemKind
	Detail string
}

// String returns the problem as one line: "WRITER#SEQ: KIND: DETAIL".
func (p Problem) String() string {
	return fmt.Sprintf("%s#%d: %s: %s", p.Writer, p.Seq, p.Kind, p.Detail)
}

// Chain is one writer's chain as Verify read it: its length, its last hash
// (an anchor to keep outside the database, and compare on the next run)
// and its seal.
type Chain struct {
	Writer   string
	Seq      int64
	Hash     string
	SealedBy string
	OK       bool
}

// Report is the outcome of Verify.
type Report struct {
	Chains   []Chain
	Problems []Problem
	Omitted  int // problems found beyond MaxProblems

	seen map[problemKey]bool
}

// problemKey is what makes two problems the same: one event, one kind.
type problemKey struct {
	writer string
	seq    int64
	kind   ProblemKind
}

// OK reports whether every chain verified.
func (r *Report) OK() bool { return len(r.Problems) == 0 && r.Omitted == 0 }

// add lists p, once.
func (r *Report) add(p Problem) {
	k := problemKey{p.Writer, p.Seq, p.Kind}
	if r.seen[k] {
		return
	}
	if len(r.Problems) < MaxProblems {
		if r.seen == nil {
			r.seen = map[problemKey]bool{}
		}
		r.seen[k] = true
		r.Problems = append(r.Problems, p)
	} else {
		r.Omitted++
	}
}

// Verify reads every chain of store from its first event to the head the
// store recorded for it, and reports every event that was edited, deleted,
// moved or rewritten with a new hash, and every chain whose end was cut.
// It also checks the seals a later process wrote of an earlier one's head
// (hfgate.AuditActionSeal), so a chain vouches for its predecessors.
//
// What no check inside the database can see: a whole chain deleted with
// its head record and every seal of it, or the last events of a chain
// deleted with its head record rewound. Keep the heads of a Report
// (Chain.Hash) somewhere else to catch those.
//
// Verify reads each chain once, in pages, holding one page in memory. It
// returns an error only when the store fails; problems are in the Report.
func Verify(ctx context.Context, store hfgate.AuditStore) (*Report, error) {
	return verify(ctx, store, "")
}

// VerifyWriter is Verify for one writer's chain (and the seals it holds).
func VerifyWriter(ctx context.Context, store hfgate.AuditStore, writer string) (*Report, error) {
	return verify(ctx, store, writer)
}

func verify(ctx context.Context, store hfgate.AuditStore, only string) (*Report, error) {
	writers, err := store.AuditWriters(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify audit log: %w", err)
	}
	r := &Report{}
	var seals []*hfgate.AuditEvent
	found := false
	for _, w := range writers {
		if only != "" && w.ID != only {
			continue
		}
		found = true
		s, err := verifyChain(ctx, store, w, r)
		if err != nil {
			return nil, err
		}
		seals = append(seals, s...)
	}
	if only != "" && !found {
		return nil, hfgate.Errorf(hfgate.ENOTFOUND, "no audit writer %q", only)
	}
	for _, s := range seals {
		if err := checkSeal(ctx, store, s, r); err != nil {
			return nil, err
		}
	}
	for i := range r.Chains {
		r.Chains[i].OK = true
		for _, p := range r.Problems {
			if p.Writer == r.Chains[i].Writer {
				r.Chains[i].OK = false
			}
		}
	}
	return r, nil
}

// checkSeal checks that the chain a seal names has the hash it saw at the
// seq it saw.
func checkSeal(ctx context.Context, store hfgate.AuditStore, seal *hfgate.AuditEvent, r *Report) error {
	writer, hash := seal.Detail["writer"], seal.Detail["hash"]
	seq, err := strconv.ParseInt(seal.Detail["seq"], 10, 64)
	if err != nil || seq < 1 {
		return nil // a seal of an empty chain vouches for nothing
	}
	got, err := store.AuditChain(ctx, writer, seq-1, 1)
	if err != nil {
		return fmt.Errorf("verify audit seal %s#%d: %w", seal.Writer, seal.Seq, err)
	}
	switch {
	case len(got) == 0 || got[0].Seq != seq:
		r.add(Problem{writer, seq, Truncated, fmt.Sprintf("%s#%d sealed this chain at seq %d, which is gone", seal.Writer, seal.Seq, seq)})
	case got[0].Hash != hash:
		r.add(Problem{writer, seq, Forged, fmt.Sprintf("%s#%d sealed this chain with another hash at this seq", seal.Writer, seal.Seq)})
	}
	return nil
}
