package web

import (
	"testing"
	"time"
)

func TestPendingSignInsAreCapped(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	ss := newSessions(func() time.Time { return now })
	first := ss.begin(nil, "/")
	for range maxPending + 10 {
		now = now.Add(time.Millisecond)
		ss.begin(nil, "/")
	}
	if n := len(ss.pending); n != maxPending {
		t.Fatalf("%d pending sign-ins kept, want at most %d", n, maxPending)
	}
	if ss.take(first) != nil {
		t.Error("the oldest pending sign-in survived the cap")
	}
}
