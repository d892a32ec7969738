package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// Audit runs the hfgate.AuditStore conformance tests. open must return a
// fresh, empty store for each call; it may register cleanups on the t it
// gets.
func Audit(t *testing.T, open func(t *testing.T) hfgate.AuditStore) {
	for _, tt := range []struct {
		name string
		fn   func(*testing.T, hfgate.AuditStore)
	}{
		{"RoundTrip", testAuditRoundTrip},
		{"ChainRules", testAuditChainRules},
		{"ChainRead", testAuditChainRead},
		{"Writers", testAuditWriters},
		{"Seal", testAuditSeal},
		{"OpenIntents", testAuditOpenIntents},
		{"Filters", testAuditFilters},
		{"Pages", testAuditPages},
		{"PageLimits", testAuditPageLimits},
		{"BadFilters", testAuditBadFilters},
		{"Copies", testAuditCopies},
		{"Canceled", testAuditCanceled},
		{"ConcurrentWriters", testAuditConcurrentWriters},
		{"OneSeqOneEvent", testAuditOneSeqOneEvent},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// auditT0 is the time of the first test event: microseconds set, so that a
// store that keeps milliseconds fails.
var auditT0 = time.Date(2030, 5, 6, 7, 8, 9, 123456000, time.UTC)

// chain makes the events of one writer's chain. The hashes are made up:
// stores link chains by them but never recompute them.
type chain struct {
	writer string
	seq    int64
	hash   string
}

// next returns the chain's next event, a decision at auditT0 plus seq
// seconds, changed by each of mods.
func (c *chain) next(mods ...func(*hfgate.AuditEvent)) *hfgate.AuditEvent {
	c.seq++
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d", c.writer, c.seq))
	e := &hfgate.AuditEvent{
		Writer: c.writer, Seq: c.seq, PrevHash: c.hash, Hash: hex.EncodeToString(sum[:]),
		Time: auditT0.Add(time.Duration(c.seq) * time.Second), Kind: hfgate.AuditKindDecision,
		RequestID: fmt.Sprintf("req-%s-%d", c.writer, c.seq),
	}
	for _, mod := range mods {
		mod(e)
	}
	c.hash = e.Hash
	return e
}

// events returns the next n events of c.
func (c *chain) events(n int, mods ...func(*hfgate.AuditEvent)) []*hfgate.AuditEvent {
	out := make([]*hfgate.AuditEvent, n)
	for i := range out {
		out[i] = c.next(mods...)
	}
	return out
}

func mustAppend(t *testing.T, s hfgate.AuditStore, events ...*hfgate.AuditEvent) {
	t.Helper()
	if err := s.AppendAudit(t.Context(), events); err != nil {
		t.Fatalf("AppendAudit(%d events): %v", len(events), err)
	}
}

func mustChain(t *testing.T, s hfgate.AuditStore, writer string) []*hfgate.AuditEvent {
	t.Helper()
	var all []*hfgate.AuditEvent
	for {
		got, err := s.AuditChain(t.Context(), writer, int64(len(all)), 7)
		if err != nil {
			t.Fatalf("AuditChain(%s): %v", writer, err)
		}
		if len(got) == 0 {
			return all
		}
		all = append(all, got...)
	}
}

// fullEvent returns an event with every field set, with peer-sent oddities
// (non-ASCII, quotes, a newline) and a duration in nanoseconds.
func fullEvent(e *hfgate.AuditEvent) {
	e.Kind = hfgate.AuditKindEnd
	e.PrincipalKind = hfgate.PrincipalUser
	e.Subject, e.Username = alice, "Alice"
	e.SessionID, e.TokenID = "5e55", "tok_AbC123"
	e.ClientIP, e.UserAgent = "2001:db8::1", "huggingface_hub/0.36.0; python/3.11 \"ü\"\n"
	e.Method, e.Path = "GET", "/Qwen/Qwen2.5-0.5B/resolve/main/model.gguf"
	e.Action = string(hfgate.RepoDownload)
	e.RepoType, e.Repo = hfgate.RepoTypeModel, "Qwen/Qwen2.5-0.5B"
	e.Revision, e.Commit = "main", "0123456789abcdef0123456789abcdef01234567"
	e.File, e.SHA256 = "model.gguf", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	e.Bytes, e.Status = 1<<40+3, 206
	e.Decision, e.Rule = hfgate.AuditAllow, "acme-members-download"
	e.Duration = 1234567891 * time.Nanosecond
	e.Source, e.Outcome = hfgate.AuditFromCache, hfgate.AuditComplete
	e.Detail = map[string]string{"repository_id": "42", "ref": "refs/heads/main", "note": "ä\tb"}
}

// sameEvent fails unless got equals want, Time compared with Equal and in
// UTC.
func sameEvent(t *testing.T, got, want *hfgate.AuditEvent) {
	t.Helper()
	if !got.Time.Equal(want.Time) || got.Time.Location() != time.UTC {
		t.Errorf("Time = %v, want %v in UTC", got.Time, want.Time)
	}
	g, w := *got, *want
	g.Time, w.Time = time.Time{}, time.Time{}
	if len(g.Detail) == 0 && len(w.Detail) == 0 {
		g.Detail, w.Detail = nil, nil
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("event = %+v\nwant    %+v", g, w)
	}
}

// seqs returns the "writer#seq" of each event.
func seqs(events []*hfgate.AuditEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = fmt.Sprintf("%s#%d", e.Writer, e.Seq)
	}
	return out
}

func testAuditRoundTrip(t *testing.T, s hfgate.AuditStore) {
	c := &chain{writer: "gw-1/20300506T070809.000000Z"}
	first, full := c.next(), c.next(fullEvent)
	mustAppend(t, s, first, full)
	got := mustChain(t, s, c.writer)
	if len(got) != 2 {
		t.Fatalf("chain has %d events, want 2", len(got))
	}
	sameEvent(t, got[0], first)
	sameEvent(t, got[1], full)
	page, err := s.QueryAudit(t.Context(), &hfgate.AuditFilter{Kinds: []hfgate.AuditKind{hfgate.AuditKindEnd}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 || page.Next != "" {
		t.Fatalf("QueryAudit(end) = %v, next %q; want the one end event", seqs(page.Events), page.Next)
	}
	sameEvent(t, page.Events[0], full)
}
