package hfgate_test

import (
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

func TestAuditCursor(t *testing.T) {
	for _, p := range []hfgate.AuditPosition{
		{Time: time.Date(2030, 1, 2, 3, 4, 5, 678901000, time.UTC), Writer: "gw-1/20300102T030405.000000Z", Seq: 1},
		{Time: time.Unix(0, 0).UTC(), Writer: "a/b/c", Seq: 1 << 62},
		{Time: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), Writer: "ü", Seq: 7},
	} {
		got, err := hfgate.ParseAuditCursor(p.Cursor())
		if err != nil || got.Compare(p) != 0 || !got.Time.Equal(p.Time) || got.Writer != p.Writer {
			t.Errorf("ParseAuditCursor(Cursor(%+v)) = %+v, %v", p, got, err)
		}
	}
	for _, bad := range []string{"", "!!", "MTIz", "MTIzLzAvdw", "eC8xL3c", "MTIzLzEv"} { // "123", "123/0/w", "x/1/w", "123/1/"
		if _, err := hfgate.ParseAuditCursor(bad); hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("ParseAuditCursor(%q) = %v, want an EINVALID error", bad, err)
		}
	}
}

func TestAuditPositionOrder(t *testing.T) {
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	ordered := []hfgate.AuditPosition{
		{Time: t0, Writer: "b", Seq: 9},
		{Time: t0.Add(time.Microsecond), Writer: "a", Seq: 1},
		{Time: t0.Add(time.Microsecond + 999), Writer: "a", Seq: 2}, // nanoseconds do not count
		{Time: t0.Add(time.Microsecond), Writer: "b", Seq: 1},
	}
	for i := 1; i < len(ordered); i++ {
		if c := ordered[i-1].Compare(ordered[i]); c != -1 {
			t.Errorf("Compare(%v, %v) = %d, want -1", ordered[i-1], ordered[i], c)
		}
		if c := ordered[i].Compare(ordered[i-1]); c != 1 {
			t.Errorf("Compare(%v, %v) = %d, want 1", ordered[i], ordered[i-1], c)
		}
	}
}
