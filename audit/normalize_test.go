package audit_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
)

func TestNormalizeRefuses(t *testing.T) {
	ok := func() *hfgate.AuditEvent {
		return &hfgate.AuditEvent{Kind: hfgate.AuditKindEnd, RequestID: "r", Outcome: hfgate.AuditComplete}
	}
	for _, tt := range []struct {
		name string
		mod  func(*hfgate.AuditEvent)
	}{
		{"no kind", func(e *hfgate.AuditEvent) { e.Kind = "" }},
		{"bad kind", func(e *hfgate.AuditEvent) { e.Kind = "download" }},
		{"end without request id", func(e *hfgate.AuditEvent) { e.RequestID = "" }},
		{"intent without request id", func(e *hfgate.AuditEvent) { e.Kind, e.RequestID = hfgate.AuditKindIntent, "" }},
		{"end without outcome", func(e *hfgate.AuditEvent) { e.Outcome = "" }},
		{"bad outcome", func(e *hfgate.AuditEvent) { e.Outcome = "done" }},
		{"bad decision", func(e *hfgate.AuditEvent) { e.Decision = "yes" }},
		{"bad source", func(e *hfgate.AuditEvent) { e.Source = "cdn" }},
		{"negative bytes", func(e *hfgate.AuditEvent) { e.Bytes = -1 }},
		{"negative duration", func(e *hfgate.AuditEvent) { e.Duration = -time.Second }},
		{"status 99", func(e *hfgate.AuditEvent) { e.Status = 99 }},
		{"status 600", func(e *hfgate.AuditEvent) { e.Status = 600 }},
	} {
		e := ok()
		tt.mod(e)
		if _, err := audit.Normalize(e); hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("%s: Normalize = %v, want an EINVALID error", tt.name, err)
		}
	}
	if _, err := audit.Normalize(nil); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Errorf("Normalize(nil) = %v, want an EINVALID error", err)
	}
	if _, err := audit.Normalize(ok()); err != nil {
		t.Errorf("Normalize(a good end) = %v", err)
	}
}

func TestNormalizeBounds(t *testing.T) {
	in := &hfgate.AuditEvent{
		Kind:      hfgate.AuditKindDecision,
		Time:      time.Date(2030, 1, 2, 3, 4, 5, 678901234, time.FixedZone("x", 3600)),
		UserAgent: strings.Repeat("é", audit.MaxLongString), // two bytes each: cut in half, on a boundary
		Path:      "/a\x00b\xffc",
		File:      "ok\nfile\x1b[31m", // control characters stay: whoever shows them sanitizes
		Detail:    map[string]string{},
	}
	for i := range audit.MaxDetail + 5 {
		in.Detail[string(rune('A'+i))+strings.Repeat("k", 100)] = strings.Repeat("v", 2000)
	}
	n, err := audit.Normalize(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2030, 1, 2, 2, 4, 5, 678901000, time.UTC); !n.Time.Equal(want) || n.Time.Location() != time.UTC {
		t.Errorf("Time = %v, want %v (UTC, microseconds)", n.Time, want)
	}
	if len(n.UserAgent) != audit.MaxLongString || !utf8.ValidString(n.UserAgent) {
		t.Errorf("UserAgent: %d bytes, valid %v; want %d, valid", len(n.UserAgent), utf8.ValidString(n.UserAgent), audit.MaxLongString)
	}
	if want := "/a\uFFFDb\uFFFDc"; n.Path != want {
		t.Errorf("Path = %q, want %q", n.Path, want)
	}
	if n.File != in.File {
		t.Errorf("File = %q, want it kept as %q", n.File, in.File)
	}
	if len(n.Detail) != audit.MaxDetail {
		t.Errorf("Detail has %d entries, want %d", len(n.Detail), audit.MaxDetail)
	}
	for k, v := range n.Detail {
		if len(k) > 64 || len(v) > audit.MaxLongString {
			t.Errorf("Detail entry of %d+%d bytes, want at most 64+%d", len(k), len(v), audit.MaxLongString)
		}
	}
	if len(in.Detail) != audit.MaxDetail+5 || len(in.UserAgent) != 2*audit.MaxLongString {
		t.Error("Normalize changed the event it was given")
	}
}

func TestWriterIDs(t *testing.T) {
	start := time.Date(2030, 5, 6, 7, 8, 9, 123456789, time.UTC)
	id, err := audit.NewWriterID("gw-1.eu_west", start)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "gw-1.eu_west/20300506T070809.123456Z-") || audit.ReplicaOf(id) != "gw-1.eu_west" {
		t.Errorf("NewWriterID = %q (replica %q)", id, audit.ReplicaOf(id))
	}
	later, _ := audit.NewWriterID("gw-1.eu_west", start.Add(time.Second))
	if later <= id {
		t.Errorf("a later writer id %q does not sort after %q", later, id)
	}
	for _, bad := range []string{"", "a/b", "gw 1", strings.Repeat("x", 65), "ü"} {
		if _, err := audit.NewWriterID(bad, start); hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("NewWriterID(%q) = %v, want an EINVALID error", bad, err)
		}
	}
	if got := audit.ReplicaOf("no-slash"); got != "" {
		t.Errorf("ReplicaOf(no-slash) = %q, want \"\"", got)
	}
}
