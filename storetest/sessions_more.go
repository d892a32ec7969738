package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

func testDeleteSession(t *testing.T, s hfgate.SessionStore, c *clock) {
	one, two := newSession(c, alice), newSession(c, alice)
	mustCreate(t, s, one)
	mustCreate(t, s, two)
	if err := s.DeleteSession(t.Context(), one.ID); err != nil {
		t.Fatal(err)
	}
	wantGone(t, s, one.ID, "after DeleteSession")
	mustLoadSession(t, s, two.ID)
}

func testDeleteSessions(t *testing.T, s hfgate.SessionStore, c *clock) {
	ctx := t.Context()
	mine := []*hfgate.Session{newSession(c, alice), newSession(c, alice)}
	other := newSession(c, bob)
	for _, sess := range append(mine, other) {
		mustCreate(t, s, sess)
	}
	n, err := s.DeleteSessions(ctx, alice)
	if n != len(mine) || err != nil {
		t.Errorf("DeleteSessions(alice) = %d, %v; want %d", n, err, len(mine))
	}
	for _, sess := range mine {
		wantGone(t, s, sess.ID, "after DeleteSessions")
	}
	mustLoadSession(t, s, other.ID)
	if list, err := s.ListSessions(ctx, alice); err != nil || len(list) != 0 {
		t.Errorf("ListSessions after DeleteSessions = %d, %v; want none", len(list), err)
	}
}

func testSessionCopies(t *testing.T, s hfgate.SessionStore, c *clock) {
	sess := newSession(c, alice)
	want := sess.Clone()
	mustCreate(t, s, sess)
	sess.Principal.Orgs[0].Role, sess.Principal.Claims["sub"], sess.Expires = "changed", "changed", time.Time{}
	got := mustLoadSession(t, s, want.ID)
	sameSession(t, got, want)
	got.Principal.Groups[0], got.LastSeen = "changed", time.Time{}
	sameSession(t, mustLoadSession(t, s, want.ID), want)
}

// testSessionsConcurrent: creates, touches and loads at once lose nothing.
func testSessionsConcurrent(t *testing.T, s hfgate.SessionStore, c *clock) {
	const n = 8
	sessions := make([]*hfgate.Session, n)
	for i := range sessions {
		sessions[i] = newSession(c, alice)
	}
	var wg sync.WaitGroup
	for _, sess := range sessions {
		wg.Go(func() {
			ctx := t.Context()
			if err := s.CreateSession(ctx, sess); err != nil {
				t.Errorf("CreateSession: %v", err)
				return
			}
			if err := s.TouchSession(ctx, sess.ID, c.Now()); err != nil {
				t.Errorf("TouchSession: %v", err)
			}
			if _, err := s.LoadSession(ctx, sess.ID); err != nil {
				t.Errorf("LoadSession: %v", err)
			}
		})
	}
	wg.Wait()
	if list, err := s.ListSessions(t.Context(), alice); err != nil || len(list) != n {
		t.Errorf("ListSessions = %d sessions, %v; want %d", len(list), err, n)
	}
}
