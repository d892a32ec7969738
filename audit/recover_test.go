package audit_test

import (
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
	"github.com/hfgate/hfgate/memstore"
)

// outcomes returns the outcome of each transfer by request id ("open" for
// none).
func outcomes(t *testing.T, s hfgate.AuditStore) map[string]string {
	t.Helper()
	ds, next, err := audit.Downloads(t.Context(), s, hfgate.AuditFilter{Limit: hfgate.MaxAuditLimit})
	if err != nil || next != "" {
		t.Fatalf("Downloads = next %q, %v", next, err)
	}
	out := map[string]string{}
	for _, d := range ds {
		out[d.Intent.RequestID] = string(d.Outcome())
		if d.Outcome() == "" {
			out[d.Intent.RequestID] = "open"
		}
	}
	return out
}

func sameOutcomes(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("transfers = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("transfers = %v, want %v", got, want)
			return
		}
	}
}

// TestRecoverInterrupted: the next process of a replica ends the intents
// its predecessor left open as interrupted, seals it, and leaves other
// replicas alone.
func TestRecoverInterrupted(t *testing.T) {
	s := &memstore.Store{}
	old := mustOpen(t, s, audit.Config{Replica: "gw-1"})
	mustRecord(t, old, intent("r1"))
	mustRecord(t, old, intent("r2"))
	mustRecord(t, old, end("r2", hfgate.AuditComplete))
	other := mustOpen(t, s, audit.Config{Replica: "gw-2"})
	mustRecord(t, other, intent("r9"))
	old.Close() // the process is gone; r1 never got its end

	next := mustOpen(t, s, audit.Config{Replica: "gw-1"})
	sameOutcomes(t, outcomes(t, s), map[string]string{"r1": "interrupted", "r2": "complete", "r9": "open"})

	chain, err := s.AuditChain(t.Context(), next.ID(), 0, 10)
	if err != nil || len(chain) != 2 {
		t.Fatalf("the new writer's chain = %d events, %v; want an end and a seal", len(chain), err)
	}
	if e := chain[0]; e.Kind != hfgate.AuditKindEnd || e.RequestID != "r1" || e.Outcome != hfgate.AuditInterrupted ||
		e.Username != "alice" || e.File != "model.gguf" || e.Detail["intent"] != old.ID()+"#1" || e.Decision != "" {
		t.Errorf("interrupted end = %+v, want r1's who and what, Detail intent %s#1, no decision", e, old.ID())
	}
	if e := chain[1]; e.Kind != hfgate.AuditKindAdmin || e.Action != hfgate.AuditActionSeal ||
		e.Detail["writer"] != old.ID() || e.Detail["seq"] != "3" || e.Detail["hash"] == "" {
		t.Errorf("seal = %+v, want a seal of %s at seq 3", e, old.ID())
	}
	sealed := map[string]string{}
	ws, _ := s.AuditWriters(t.Context())
	for _, w := range ws {
		sealed[w.ID] = w.SealedBy
	}
	if sealed[old.ID()] != next.ID() || sealed[other.ID()] != "" {
		t.Errorf("seals = %v, want %s sealed by %s and %s unsealed", sealed, old.ID(), next.ID(), other.ID())
	}

	// The process after next finds nothing open, and seals next.
	next.Close()
	third := mustOpen(t, s, audit.Config{Replica: "gw-1"})
	if n, err := third.Recover(t.Context(), "gw-1"); err != nil || n != 0 {
		t.Errorf("Recover again = %d, %v; want 0 and no error", n, err)
	}
	sameOutcomes(t, outcomes(t, s), map[string]string{"r1": "interrupted", "r2": "complete", "r9": "open"})
	mustVerify(t, s)
}

// TestRecoverRollingRestart: a new process that starts while the old one
// still serves marks the old one's transfer interrupted; when the old one
// ends it after all, that end wins.
func TestRecoverRollingRestart(t *testing.T) {
	s := &memstore.Store{}
	old := mustOpen(t, s, audit.Config{Replica: "gw-1"})
	mustRecord(t, old, intent("r1"))
	mustOpen(t, s, audit.Config{Replica: "gw-1"})
	sameOutcomes(t, outcomes(t, s), map[string]string{"r1": "interrupted"})
	mustRecord(t, old, end("r1", hfgate.AuditComplete))
	sameOutcomes(t, outcomes(t, s), map[string]string{"r1": "complete"})
	mustVerify(t, s)
}

// TestRecoverReplicaGone: an administrator recovers a replica that will
// never start again.
func TestRecoverReplicaGone(t *testing.T) {
	s := &memstore.Store{}
	gone := mustOpen(t, s, audit.Config{Replica: "gw-2"})
	mustRecord(t, gone, intent("r1"))
	gone.Close()
	w := mustOpen(t, s, audit.Config{Replica: "gw-1"})
	sameOutcomes(t, outcomes(t, s), map[string]string{"r1": "open"})
	if n, err := w.Recover(t.Context(), "gw-2"); err != nil || n != 1 {
		t.Fatalf("Recover(gw-2) = %d, %v; want 1", n, err)
	}
	sameOutcomes(t, outcomes(t, s), map[string]string{"r1": "interrupted"})
	mustVerify(t, s)
}
