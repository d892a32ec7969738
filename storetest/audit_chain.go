package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// testAuditChainRules: an append that does not continue its chains stores
// nothing, not even the events of the batch that came before the bad one.
func testAuditChainRules(t *testing.T, s hfgate.AuditStore) {
	w := &chain{writer: "gw-1/a"}
	mustAppend(t, s, w.events(3)...) // gw-1/a has seq 1..3
	head := *w

	for _, tt := range []struct {
		name string
		bad  func(*hfgate.AuditEvent)
	}{
		{"gap", func(e *hfgate.AuditEvent) { e.Seq++ }},
		{"seq taken", func(e *hfgate.AuditEvent) { e.Seq = 3 }},
		{"seq zero", func(e *hfgate.AuditEvent) { e.Seq = 0 }},
		{"wrong link", func(e *hfgate.AuditEvent) { e.PrevHash = "00" + e.PrevHash[2:] }},
		{"no link", func(e *hfgate.AuditEvent) { e.PrevHash = "" }},
		{"no writer", func(e *hfgate.AuditEvent) { e.Writer = "" }},
		{"bad kind", func(e *hfgate.AuditEvent) { e.Kind = "download" }},
		{"no time", func(e *hfgate.AuditEvent) { e.Time = time.Time{} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			other := &chain{writer: "gw-2/" + tt.name}
			c := head
			good := c.next()
			bad := c.next(tt.bad)
			err := s.AppendAudit(t.Context(), []*hfgate.AuditEvent{other.next(), good, bad})
			wantCode(t, "AppendAudit", err, hfgate.EINVALID)
			if got := mustChain(t, s, w.writer); len(got) != 3 {
				t.Errorf("chain of %s has %d events after a refused append, want 3", w.writer, len(got))
			}
			if got := mustChain(t, s, other.writer); len(got) != 0 {
				t.Errorf("chain of %s has %d events after a refused append, want 0", other.writer, len(got))
			}
		})
	}
	// A new writer starts at seq 1 with no link; one that starts at 2 is refused.
	late := &chain{writer: "gw-3/late", seq: 1, hash: "ab"}
	wantCode(t, "AppendAudit(start at 2)", s.AppendAudit(t.Context(), []*hfgate.AuditEvent{late.next()}), hfgate.EINVALID)
	// A batch may continue its own events and several chains.
	x := &chain{writer: "gw-4/x"}
	mustAppend(t, s, x.next(), w.next(), x.next(), w.next())
	if got := len(mustChain(t, s, w.writer)); got != 5 {
		t.Errorf("chain of %s has %d events, want 5", w.writer, got)
	}
	wantCode(t, "AppendAudit(nil event)", s.AppendAudit(t.Context(), []*hfgate.AuditEvent{nil}), hfgate.EINVALID)
	if err := s.AppendAudit(t.Context(), nil); err != nil {
		t.Errorf("AppendAudit(nothing) = %v, want nil", err)
	}
}

// testAuditChainRead: AuditChain reads a chain in seq order, page by page,
// whatever the events' times; other writers' events never mix in.
func testAuditChainRead(t *testing.T, s hfgate.AuditStore) {
	a, b := &chain{writer: "gw-1/a"}, &chain{writer: "gw-1/b"}
	for i := range 10 {
		// Times go backwards in a, so a store that reads by time fails.
		mustAppend(t, s, a.next(func(e *hfgate.AuditEvent) { e.Time = auditT0.Add(-time.Duration(i) * time.Minute) }), b.next())
	}
	got := mustChain(t, s, a.writer)
	if len(got) != 10 {
		t.Fatalf("chain has %d events, want 10", len(got))
	}
	for i, e := range got {
		if e.Writer != a.writer || e.Seq != int64(i+1) {
			t.Fatalf("chain[%d] = %s#%d, want %s#%d", i, e.Writer, e.Seq, a.writer, i+1)
		}
	}
	tail, err := s.AuditChain(t.Context(), a.writer, 8, 100)
	if err != nil || len(tail) != 2 || tail[0].Seq != 9 {
		t.Errorf("AuditChain(after 8) = %v, %v; want seq 9 and 10", seqs(tail), err)
	}
	none, err := s.AuditChain(t.Context(), "nobody", 0, 10)
	if err != nil || len(none) != 0 {
		t.Errorf("AuditChain(unknown writer) = %v, %v; want no events and no error", none, err)
	}
	_, err = s.AuditChain(t.Context(), a.writer, 0, 0)
	wantCode(t, "AuditChain(limit 0)", err, hfgate.EINVALID)
}

// testAuditWriters: each writer's head is its last event.
func testAuditWriters(t *testing.T, s hfgate.AuditStore) {
	ws, err := s.AuditWriters(t.Context())
	if err != nil || len(ws) != 0 {
		t.Fatalf("AuditWriters(empty store) = %v, %v; want none", ws, err)
	}
	b, a := &chain{writer: "gw-2/b"}, &chain{writer: "gw-1/a"}
	mustAppend(t, s, b.events(2)...)
	mustAppend(t, s, a.events(3)...)
	last := b.next(func(e *hfgate.AuditEvent) { e.Time = auditT0.Add(time.Hour) })
	mustAppend(t, s, last)
	ws, err = s.AuditWriters(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []hfgate.AuditWriter{
		{ID: a.writer, Seq: 3, Hash: a.hash, Last: auditT0.Add(3 * time.Second)},
		{ID: b.writer, Seq: 3, Hash: b.hash, Last: last.Time},
	}
	if len(ws) != len(want) {
		t.Fatalf("AuditWriters = %d writers, want %d", len(ws), len(want))
	}
	for i, w := range ws {
		if w.ID != want[i].ID || w.Seq != want[i].Seq || w.Hash != want[i].Hash || !w.Last.Equal(want[i].Last) || w.SealedBy != "" {
			t.Errorf("AuditWriters[%d] = %+v, want %+v", i, *w, want[i])
		}
	}
}

// testAuditSeal: the first seal stays; only known writers can be sealed.
func testAuditSeal(t *testing.T, s hfgate.AuditStore) {
	old := &chain{writer: "gw-1/old"}
	mustAppend(t, s, old.next())
	wantCode(t, "SealAuditWriter(unknown)", s.SealAuditWriter(t.Context(), "gw-1/never", "gw-1/new"), hfgate.ENOTFOUND)
	wantCode(t, "SealAuditWriter(by nobody)", s.SealAuditWriter(t.Context(), old.writer, ""), hfgate.EINVALID)
	for _, by := range []string{"gw-1/new", "gw-1/newer"} {
		if err := s.SealAuditWriter(t.Context(), old.writer, by); err != nil {
			t.Fatalf("SealAuditWriter(by %s): %v", by, err)
		}
	}
	ws, err := s.AuditWriters(t.Context())
	if err != nil || len(ws) != 1 || ws[0].SealedBy != "gw-1/new" {
		t.Fatalf("AuditWriters = %v, %v; want %s sealed by gw-1/new", ws, err, old.writer)
	}
	// A sealed writer still appends: a seal records what a successor did,
	// it does not stop a process that is, in fact, still running.
	mustAppend(t, s, old.next())
}

// testAuditOpenIntents: an intent is open until an end of the same request
// id, by any writer, closes it.
func testAuditOpenIntents(t *testing.T, s hfgate.AuditStore) {
	intent := func(req string) func(*hfgate.AuditEvent) {
		return func(e *hfgate.AuditEvent) { e.Kind, e.RequestID = hfgate.AuditKindIntent, req }
	}
	end := func(req string) func(*hfgate.AuditEvent) {
		return func(e *hfgate.AuditEvent) { e.Kind, e.RequestID = hfgate.AuditKindEnd, req }
	}
	old, next, other := &chain{writer: "gw-1/old"}, &chain{writer: "gw-1/next"}, &chain{writer: "gw-2/x"}
	mustAppend(t, s, old.next(intent("r1")), old.next(intent("r2")), old.next(intent("r3")), old.next(end("r2")),
		old.next(intent("r4")), old.next(func(e *hfgate.AuditEvent) { e.RequestID = "r4" }), // a decision closes nothing
		other.next(intent("r9")))
	mustAppend(t, s, next.next(end("r3")))
	got, err := s.OpenAuditIntents(t.Context(), old.writer)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"gw-1/old#1", "gw-1/old#5"}; !slices.Equal(seqs(got), want) {
		t.Errorf("OpenAuditIntents = %v, want %v", seqs(got), want)
	}
	if got, err := s.OpenAuditIntents(t.Context(), "nobody"); err != nil || len(got) != 0 {
		t.Errorf("OpenAuditIntents(unknown) = %v, %v; want none", seqs(got), err)
	}
}

// testAuditCopies: events passed in and handed out are copies.
func testAuditCopies(t *testing.T, s hfgate.AuditStore) {
	c := &chain{writer: "gw-1/a"}
	e := c.next(fullEvent)
	want := e.Clone()
	mustAppend(t, s, e)
	e.Username, e.Detail["ref"] = "mallory", "changed"
	got := mustChain(t, s, c.writer)
	got[0].Detail["ref"], got[0].Repo = "changed", "x/y"
	sameEvent(t, mustChain(t, s, c.writer)[0], want)
}

// testAuditCanceled: a canceled context is ECANCELED, for every method.
func testAuditCanceled(t *testing.T, s hfgate.AuditStore) {
	c := &chain{writer: "gw-1/a"}
	mustAppend(t, s, c.next())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	wantCode(t, "AppendAudit", s.AppendAudit(ctx, []*hfgate.AuditEvent{c.next()}), hfgate.ECANCELED)
	_, err := s.QueryAudit(ctx, nil)
	wantCode(t, "QueryAudit", err, hfgate.ECANCELED)
	_, err = s.AuditChain(ctx, c.writer, 0, 10)
	wantCode(t, "AuditChain", err, hfgate.ECANCELED)
	_, err = s.AuditWriters(ctx)
	wantCode(t, "AuditWriters", err, hfgate.ECANCELED)
	_, err = s.OpenAuditIntents(ctx, c.writer)
	wantCode(t, "OpenAuditIntents", err, hfgate.ECANCELED)
	wantCode(t, "SealAuditWriter", s.SealAuditWriter(ctx, c.writer, "gw-1/b"), hfgate.ECANCELED)
	if got := len(mustChain(t, s, c.writer)); got != 1 {
		t.Errorf("chain has %d events after a canceled append, want 1", got)
	}
}

// testAuditConcurrentWriters: writers appending at once keep whole chains.
func testAuditConcurrentWriters(t *testing.T, s hfgate.AuditStore) {
	const writers, batches, per = 6, 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches)
	for w := range writers {
		wg.Go(func() {
			c := &chain{writer: fmt.Sprintf("gw-%d/x", w)}
			for range batches {
				if err := s.AppendAudit(t.Context(), c.events(per)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("AppendAudit: %v", err)
	}
	for w := range writers {
		if got := len(mustChain(t, s, fmt.Sprintf("gw-%d/x", w))); got != batches*per {
			t.Errorf("writer %d has %d events, want %d", w, got, batches*per)
		}
	}
}

// testAuditOneSeqOneEvent: of appends racing for the same place in a chain
// (two processes that took the same writer id), exactly one is stored.
func testAuditOneSeqOneEvent(t *testing.T, s hfgate.AuditStore) {
	const racers = 8
	base := &chain{writer: "gw-1/a"}
	mustAppend(t, s, base.next())
	var wg sync.WaitGroup
	results := make(chan error, racers)
	for i := range racers {
		wg.Go(func() {
			c := *base
			results <- s.AppendAudit(t.Context(), []*hfgate.AuditEvent{c.next(func(e *hfgate.AuditEvent) { e.RequestID = fmt.Sprint(i) })})
		})
	}
	wg.Wait()
	close(results)
	ok := 0
	for err := range results {
		if err == nil {
			ok++
		} else {
			wantCode(t, "losing AppendAudit", err, hfgate.EINVALID)
		}
	}
	if got := len(mustChain(t, s, base.writer)); ok != 1 || got != 2 {
		t.Errorf("%d racing appends succeeded and the chain has %d events, want 1 and 2", ok, got)
	}
}
