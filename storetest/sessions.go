package storetest

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// Clock is the settable clock the session tests give a store.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sessions runs the hfgate.SessionStore conformance tests. open must return
// a fresh, empty store that reads the time from now.
func Sessions(t *testing.T, open func(t *testing.T, now func() time.Time) hfgate.SessionStore) {
	for _, tt := range []struct {
		name string
		fn   func(*testing.T, hfgate.SessionStore, *clock)
	}{
		{"RoundTrip", testSessionRoundTrip},
		{"Missing", testSessionMissing},
		{"Invalid", testSessionInvalid},
		{"AbsoluteExpiry", testAbsoluteExpiry},
		{"IdleExpiry", testIdleExpiry},
		{"ListPerSubject", testListSessions},
		{"Delete", testDeleteSession},
		{"DeletePerSubject", testDeleteSessions},
		{"Copies", testSessionCopies},
		{"Concurrent", testSessionsConcurrent},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{now: time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)}
			tt.fn(t, open(t, c.Now), c)
		})
	}
}

// principal returns a user with every field set, so a store that loses one
// fails the round trip.
func principal(subject string) *hfgate.Principal {
	return &hfgate.Principal{
		Kind:      hfgate.PrincipalUser,
		Subject:   subject,
		Provider:  "huggingface",
		Username:  "user-" + subject,
		Name:      "Name " + subject,
		Email:     subject + "@example.com",
		AvatarURL: "https://example.com/a.png",
		Orgs:      []hfgate.Org{{ID: "o1", Name: "acme", FullName: "Acme", AvatarURL: "https://example.com/o.png", Role: "write"}},
		Groups:    []string{"engineers"},
		Claims:    map[string]string{"sub": subject, "email_verified": "true"},
		SessionID: "",
	}
}

// newSession returns a session of subject created now, ending in a day,
// with a one-hour idle timeout.
func newSession(c *clock, subject string) *hfgate.Session {
	_, id := hfgate.NewSessionSecret()
	now := c.Now()
	return &hfgate.Session{
		ID: id, Principal: principal(subject),
		Created: now, LastSeen: now,
		IdleTimeout: time.Hour, Expires: now.Add(24 * time.Hour),
	}
}

func mustCreate(t *testing.T, s hfgate.SessionStore, sess *hfgate.Session) {
	t.Helper()
	if err := s.CreateSession(t.Context(), sess); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
}

func mustLoadSession(t *testing.T, s hfgate.SessionStore, id string) *hfgate.Session {
	t.Helper()
	sess, err := s.LoadSession(t.Context(), id)
	if err != nil {
		t.Fatalf("LoadSession: %v", err)
	}
	return sess
}

// sameSession fails unless got equals want, times compared with Equal.
func sameSession(t *testing.T, got, want *hfgate.Session) {
	t.Helper()
	for _, tt := range []struct {
		name      string
		got, want time.Time
	}{{"Created", got.Created, want.Created}, {"LastSeen", got.LastSeen, want.LastSeen}, {"Expires", got.Expires, want.Expires}} {
		if !tt.got.Equal(tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	g, w := *got, *want
	g.Created, g.LastSeen, g.Expires = time.Time{}, time.Time{}, time.Time{}
	w.Created, w.LastSeen, w.Expires = time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("session = %+v (principal %+v)\nwant %+v (principal %+v)", g, g.Principal, w, w.Principal)
	}
}

// wantGone fails unless session id is neither loadable nor touchable.
func wantGone(t *testing.T, s hfgate.SessionStore, id, why string) {
	t.Helper()
	_, err := s.LoadSession(t.Context(), id)
	wantCode(t, "LoadSession "+why, err, hfgate.ENOTFOUND)
	wantCode(t, "TouchSession "+why, s.TouchSession(t.Context(), id, time.Now()), hfgate.ENOTFOUND)
}

func testSessionRoundTrip(t *testing.T, s hfgate.SessionStore, c *clock) {
	want := newSession(c, alice)
	mustCreate(t, s, want)
	sameSession(t, mustLoadSession(t, s, want.ID), want)

	noIdle := newSession(c, hfgate.LocalSubject)
	noIdle.IdleTimeout = 0
	mustCreate(t, s, noIdle)
	sameSession(t, mustLoadSession(t, s, noIdle.ID), noIdle)
}

func testSessionMissing(t *testing.T, s hfgate.SessionStore, c *clock) {
	_, id := hfgate.NewSessionSecret()
	wantGone(t, s, id, "of nothing")
	wantGone(t, s, "", "of an empty ID")
	if err := s.DeleteSession(t.Context(), id); err != nil {
		t.Errorf("DeleteSession of nothing: %v", err)
	}
	if n, err := s.DeleteSessions(t.Context(), alice); n != 0 || err != nil {
		t.Errorf("DeleteSessions of nobody = %d, %v; want 0, nil", n, err)
	}
}

func testSessionInvalid(t *testing.T, s hfgate.SessionStore, c *clock) {
	for name, change := range map[string]func(*hfgate.Session){
		"no ID":        func(x *hfgate.Session) { x.ID = "" },
		"no principal": func(x *hfgate.Session) { x.Principal = nil },
		"no subject":   func(x *hfgate.Session) { x.Principal.Subject = "" },
		"no expiry":    func(x *hfgate.Session) { x.Expires = time.Time{} },
	} {
		sess := newSession(c, alice)
		change(sess)
		wantCode(t, "CreateSession with "+name, s.CreateSession(t.Context(), sess), hfgate.EINVALID)
	}
	sess := newSession(c, alice)
	mustCreate(t, s, sess)
	again := newSession(c, bob)
	again.ID = sess.ID
	wantCode(t, "CreateSession with a taken ID", s.CreateSession(t.Context(), again), hfgate.EINVALID)
	if got := mustLoadSession(t, s, sess.ID); got.Subject() != alice {
		t.Errorf("a refused CreateSession replaced the session: owner %q", got.Subject())
	}
	if list, err := s.ListSessions(t.Context(), bob); err != nil || len(list) != 0 {
		t.Errorf("ListSessions(bob) = %d sessions, %v; want none", len(list), err)
	}
}

func testAbsoluteExpiry(t *testing.T, s hfgate.SessionStore, c *clock) {
	sess := newSession(c, alice)
	sess.IdleTimeout = 0
	mustCreate(t, s, sess)
	c.advance(24*time.Hour - time.Second)
	mustLoadSession(t, s, sess.ID)
	c.advance(time.Second)
	wantGone(t, s, sess.ID, "at Expires")
	if list, _ := s.ListSessions(t.Context(), alice); len(list) != 0 {
		t.Errorf("ListSessions lists %d expired sessions", len(list))
	}
}

func testIdleExpiry(t *testing.T, s hfgate.SessionStore, c *clock) {
	ctx := t.Context()
	sess := newSession(c, alice)
	mustCreate(t, s, sess)
	for range 3 { // each use renews the idle timeout
		c.advance(50 * time.Minute)
		if err := s.TouchSession(ctx, sess.ID, c.Now()); err != nil {
			t.Fatalf("TouchSession: %v", err)
		}
	}
	got := mustLoadSession(t, s, sess.ID)
	if want := c.Now(); !got.LastSeen.Equal(want) {
		t.Errorf("LastSeen = %v, want %v", got.LastSeen, want)
	}
	// An older time does not move LastSeen back.
	if err := s.TouchSession(ctx, sess.ID, c.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := mustLoadSession(t, s, sess.ID); !got.LastSeen.Equal(c.Now()) {
		t.Errorf("TouchSession with an older time moved LastSeen to %v", got.LastSeen)
	}
	c.advance(time.Hour)
	wantGone(t, s, sess.ID, "an idle timeout after its last use")
}

func testListSessions(t *testing.T, s hfgate.SessionStore, c *clock) {
	var mine []*hfgate.Session
	for i := range 3 {
		sess := newSession(c, alice)
		sess.Principal.Name = fmt.Sprint("browser ", i)
		mustCreate(t, s, sess)
		mine = append([]*hfgate.Session{sess}, mine...) // newest first
		mustCreate(t, s, newSession(c, bob))
		c.advance(time.Minute)
	}
	list, err := s.ListSessions(t.Context(), alice)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(mine) {
		t.Fatalf("ListSessions(alice) = %d sessions, want %d", len(list), len(mine))
	}
	for i := range list {
		sameSession(t, list[i], mine[i])
	}
}
