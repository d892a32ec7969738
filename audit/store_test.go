package audit_test

import (
	"context"
	"sync"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
	"github.com/hfgate/hfgate/memstore"
)

// faultStore is a real store (memstore) that fails, stalls or lies about
// its appends on demand, as a database under a network fault does.
type faultStore struct {
	hfgate.AuditStore

	mu sync.Mutex
	// before runs before each append; an error fails the append, which
	// stores nothing.
	before func(ctx context.Context, events int) error
	// after runs after an append committed; an error is returned as if the
	// commit had failed (the connection lost during COMMIT).
	after func() error
}

func newFaultStore() *faultStore { return &faultStore{AuditStore: &memstore.Store{}} }

func (s *faultStore) set(before func(context.Context, int) error, after func() error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.before, s.after = before, after
}

func (s *faultStore) AppendAudit(ctx context.Context, events []*hfgate.AuditEvent) error {
	s.mu.Lock()
	before, after := s.before, s.after
	s.mu.Unlock()
	if before != nil {
		if err := before(ctx, len(events)); err != nil {
			return err
		}
	}
	if err := s.AuditStore.AppendAudit(ctx, events); err != nil {
		return err
	}
	if after != nil {
		return after()
	}
	return nil
}

// gate makes s hold its first append until release is closed, and close
// entered when that append has begun.
func gate(s *faultStore) (entered, release chan struct{}) {
	entered, release = make(chan struct{}), make(chan struct{})
	var first sync.Once
	s.set(func(context.Context, int) error {
		first.Do(func() { close(entered); <-release })
		return nil
	}, nil)
	return entered, release
}

// once returns a hook that returns err the first time only.
func once(err error) func() error {
	var o sync.Once
	return func() (got error) {
		o.Do(func() { got = err })
		return got
	}
}

func mustOpen(t *testing.T, s hfgate.AuditStore, cfg audit.Config) *audit.Writer {
	t.Helper()
	if cfg.Replica == "" {
		cfg.Replica = "gw-1"
	}
	w, err := audit.Open(t.Context(), s, cfg)
	if err != nil {
		t.Fatalf("audit.Open: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func mustRecord(t *testing.T, w *audit.Writer, e *hfgate.AuditEvent) *hfgate.AuditEvent {
	t.Helper()
	if err := w.Record(t.Context(), e); err != nil {
		t.Fatalf("Record(%s %s): %v", e.Kind, e.RequestID, err)
	}
	return e
}

// mustVerify fails unless every chain of s verifies.
func mustVerify(t *testing.T, s hfgate.AuditStore) *audit.Report {
	t.Helper()
	r, err := audit.Verify(t.Context(), s)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !r.OK() {
		t.Errorf("Verify found problems in an untouched log: %v", r.Problems)
	}
	return r
}

func decision(req string) *hfgate.AuditEvent {
	return &hfgate.AuditEvent{Kind: hfgate.AuditKindDecision, RequestID: req, Action: "read", Repo: "Qwen/X", Decision: hfgate.AuditAllow, Status: 200}
}

func intent(req string) *hfgate.AuditEvent {
	return &hfgate.AuditEvent{
		Kind: hfgate.AuditKindIntent, RequestID: req, Action: "download", Repo: "Qwen/X",
		File: "model.gguf", Subject: "huggingface:1", Username: "alice", Decision: hfgate.AuditAllow, Rule: "acme",
	}
}

func end(req string, outcome hfgate.AuditOutcome) *hfgate.AuditEvent {
	return &hfgate.AuditEvent{Kind: hfgate.AuditKindEnd, RequestID: req, Action: "download", Repo: "Qwen/X", Outcome: outcome, Bytes: 42, Status: 200}
}
