package audit_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
	"github.com/hfgate/hfgate/memstore"
)

// TestRecordDurable: Record returns the event as stored, and it is in the
// store when Record returns.
func TestRecordDurable(t *testing.T) {
	s := &memstore.Store{}
	var batches []int
	w := mustOpen(t, s, audit.Config{OnBatch: func(n int, _ time.Duration, err error) {
		if err == nil {
			batches = append(batches, n)
		}
	}})
	e := mustRecord(t, w, decision("r1"))
	if e.Writer != w.ID() || e.Seq != 1 || e.PrevHash != "" || e.Hash != audit.Hash(e) || e.Time.IsZero() {
		t.Errorf("recorded event = %+v, want writer %s, seq 1, its hash, a time", e, w.ID())
	}
	got, err := s.AuditChain(t.Context(), w.ID(), 0, 10)
	if err != nil || len(got) != 1 || got[0].Hash != e.Hash {
		t.Fatalf("chain after Record = %v, %v; want the event", got, err)
	}
	e2 := mustRecord(t, w, decision("r2"))
	if e2.Seq != 2 || e2.PrevHash != e.Hash {
		t.Errorf("second event: seq %d prev %s, want 2 and %s", e2.Seq, e2.PrevHash, e.Hash)
	}
	w.Close()
	if st := w.Stats(); st.Events != 2 || st.Batches != 2 || st.Failures != 0 || len(batches) != 2 {
		t.Errorf("Stats = %+v, OnBatch saw %v; want 2 events in 2 batches", st, batches)
	}
	mustVerify(t, s)
}

// TestGroupCommit: the events queued while a transaction runs go into the
// next one together, and each caller returns once its own batch is stored.
func TestGroupCommit(t *testing.T) {
	s := newFaultStore()
	entered, release := gate(s)
	w := mustOpen(t, s, audit.Config{})
	const waiting = 10
	var wg sync.WaitGroup
	wg.Go(func() { mustRecord(t, w, decision("first")) })
	<-entered // the first transaction is running, and stays so until release
	for i := range waiting {
		wg.Go(func() { mustRecord(t, w, decision(fmt.Sprint(i))) })
	}
	for w.Stats().Queued < waiting {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if st := w.Stats(); st.Events != waiting+1 || st.Batches != 2 {
		t.Errorf("Stats = %+v, want %d events in 2 batches", st, waiting+1)
	}
	mustVerify(t, s)
}

// TestRecordConcurrent: many recorders at once make one whole chain.
func TestRecordConcurrent(t *testing.T) {
	s := &memstore.Store{}
	w := mustOpen(t, s, audit.Config{MaxBatch: 16})
	const recorders, each = 64, 20
	var wg sync.WaitGroup
	seen := make(chan int64, recorders*each)
	for r := range recorders {
		wg.Go(func() {
			for i := range each {
				seen <- mustRecord(t, w, decision(fmt.Sprintf("%d-%d", r, i))).Seq
			}
		})
	}
	wg.Wait()
	close(seen)
	got := map[int64]bool{}
	for seq := range seen {
		if got[seq] {
			t.Fatalf("seq %d recorded twice", seq)
		}
		got[seq] = true
	}
	if len(got) != recorders*each {
		t.Errorf("%d distinct seqs, want %d", len(got), recorders*each)
	}
	r := mustVerify(t, s)
	if len(r.Chains) != 1 || r.Chains[0].Seq != recorders*each {
		t.Errorf("Verify chains = %+v, want one of %d events", r.Chains, recorders*each)
	}
}

// TestStoreFails: when an append fails, its callers get EUNAVAILABLE and
// the failure counter says so; the chain goes on without a gap afterwards.
func TestStoreFails(t *testing.T) {
	s := newFaultStore()
	w := mustOpen(t, s, audit.Config{})
	mustRecord(t, w, decision("before"))
	s.set(func(context.Context, int) error { return errors.New("connection refused") }, nil)
	err := w.Record(t.Context(), decision("lost"))
	if hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
		t.Fatalf("Record with the store down = %v, want an EUNAVAILABLE error", err)
	}
	if st := w.Stats(); st.Failures != 1 {
		t.Errorf("Stats.Failures = %d, want 1", st.Failures)
	}
	s.set(nil, nil)
	if e := mustRecord(t, w, decision("after")); e.Seq != 2 {
		t.Errorf("seq after the failure = %d, want 2", e.Seq)
	}
	mustVerify(t, s)
}

// TestCommitLost: an append that committed but reported an error (the
// connection lost during COMMIT) is adopted: the chain continues after it
// instead of forking or failing for ever.
func TestCommitLost(t *testing.T) {
	s := newFaultStore()
	w := mustOpen(t, s, audit.Config{})
	s.set(nil, once(errors.New("connection reset during commit")))
	if err := w.Record(t.Context(), decision("ambiguous")); hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
		t.Fatalf("Record = %v, want an EUNAVAILABLE error", err)
	}
	if e := mustRecord(t, w, decision("next")); e.Seq != 2 {
		t.Errorf("seq after a lost commit = %d, want 2 (the lost commit is seq 1)", e.Seq)
	}
	r := mustVerify(t, s)
	if r.Chains[0].Seq != 2 {
		t.Errorf("chain = %+v, want 2 events", r.Chains[0])
	}
}

// TestStoreHangs: a store that does not answer fails the batch after
// BatchTimeout instead of holding its callers for as long as it hangs.
func TestStoreHangs(t *testing.T) {
	s := newFaultStore()
	w := mustOpen(t, s, audit.Config{BatchTimeout: 20 * time.Millisecond})
	s.set(func(ctx context.Context, _ int) error { <-ctx.Done(); return ctx.Err() }, nil)
	if err := w.Record(t.Context(), decision("stuck")); hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
		t.Fatalf("Record with a hung store = %v, want an EUNAVAILABLE error", err)
	}
}

// TestQueueFull: a Record that finds the queue full waits only as long as
// its context allows, and its event is not stored.
func TestQueueFull(t *testing.T) {
	s := newFaultStore()
	entered, release := gate(s)
	w := mustOpen(t, s, audit.Config{QueueSize: 1})
	var wg sync.WaitGroup
	wg.Go(func() { mustRecord(t, w, decision("in the store")) })
	<-entered
	wg.Go(func() { mustRecord(t, w, decision("in the queue")) })
	for w.Stats().Queued < 1 {
		runtime.Gosched()
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := w.Record(ctx, decision("no room")); hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
		t.Errorf("Record with a full queue = %v, want an EUNAVAILABLE error (deadline)", err)
	}
	canceled, cancelNow := context.WithCancel(t.Context())
	cancelNow()
	if err := w.Record(canceled, decision("no room")); hfgate.ErrorCode(err) != hfgate.ECANCELED {
		t.Errorf("Record with a canceled context = %v, want an ECANCELED error", err)
	}
	close(release)
	wg.Wait()
	if r := mustVerify(t, s); r.Chains[0].Seq != 2 {
		t.Errorf("chain has %d events, want 2", r.Chains[0].Seq)
	}
}

// TestClose: Close stores what is queued; Record fails afterwards.
func TestClose(t *testing.T) {
	s := newFaultStore()
	entered, release := gate(s)
	w := mustOpen(t, s, audit.Config{})
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() { mustRecord(t, w, decision(fmt.Sprint(i))) })
		if i == 0 {
			<-entered
		}
	}
	for w.Stats().Queued < 5 {
		runtime.Gosched()
	}
	closed := make(chan error)
	go func() { closed <- w.Close() }()
	close(release)
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	if st := w.Stats(); st.Events != 6 {
		t.Errorf("Stats after Close = %+v, want the 6 queued events stored", st)
	}
	if err := w.Record(t.Context(), decision("late")); hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
		t.Errorf("Record after Close = %v, want an EUNAVAILABLE error", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// TestRecordRefuses: an event Normalize refuses never reaches the store.
func TestRecordRefuses(t *testing.T) {
	s := &memstore.Store{}
	w := mustOpen(t, s, audit.Config{})
	if err := w.Record(t.Context(), &hfgate.AuditEvent{Kind: hfgate.AuditKindEnd}); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Errorf("Record(end without request id) = %v, want an EINVALID error", err)
	}
	if ws, _ := s.AuditWriters(t.Context()); len(ws) != 0 {
		t.Errorf("store has writers %v, want none", ws)
	}
	if _, err := audit.Open(t.Context(), s, audit.Config{Replica: "no/slash"}); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Errorf("Open(bad replica) = %v, want an EINVALID error", err)
	}
}
