package webauth

import (
	"testing"
	"time"
)

func TestPendingSignInsAreCapped(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	as := attempts{now: func() time.Time { return now }}
	first := as.begin(&pending{returnTo: "/"})
	for range maxPending + 10 {
		now = now.Add(time.Millisecond)
		as.begin(&pending{returnTo: "/"})
	}
	if n := len(as.m); n != maxPending {
		t.Fatalf("%d pending sign-ins kept, want at most %d", n, maxPending)
	}
	if as.take(first) != nil {
		t.Error("the oldest pending sign-in survived the cap")
	}
}
