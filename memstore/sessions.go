package memstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/hfgate/hfgate"
)

// CreateSession implements hfgate.SessionStore. Sessions that have ended
// are dropped on the way.
func (s *Store) CreateSession(_ context.Context, sess *hfgate.Session) error {
	if err := sess.Validate(); err != nil {
		return err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, old := range s.sessions {
		if !old.Live(now) {
			delete(s.sessions, id)
		}
	}
	if _, taken := s.sessions[sess.ID]; taken {
		return hfgate.Errorf(hfgate.EINVALID, "a session with this ID exists already")
	}
	if s.sessions == nil {
		s.sessions = map[string]*hfgate.Session{}
	}
	s.sessions[sess.ID] = sess.Clone()
	return nil
}

// LoadSession implements hfgate.SessionStore.
func (s *Store) LoadSession(_ context.Context, id string) (*hfgate.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, err := s.live(id)
	if err != nil {
		return nil, err
	}
	return sess.Clone(), nil
}

// TouchSession implements hfgate.SessionStore.
func (s *Store) TouchSession(_ context.Context, id string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, err := s.live(id)
	if err != nil {
		return err
	}
	if at.After(sess.LastSeen) {
		sess.LastSeen = at
	}
	return nil
}

// live returns the live session id; the caller holds mu.
func (s *Store) live(id string) (*hfgate.Session, error) {
	sess := s.sessions[id]
	if sess == nil || !sess.Live(s.now()) {
		return nil, hfgate.Errorf(hfgate.ENOTFOUND, "no such session (it ended, or never was)")
	}
	return sess, nil
}

// ListSessions implements hfgate.SessionStore.
func (s *Store) ListSessions(_ context.Context, subject string) ([]*hfgate.Session, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*hfgate.Session{}
	for _, sess := range s.sessions {
		if sess.Subject() == subject && sess.Live(now) {
			out = append(out, sess.Clone())
		}
	}
	slices.SortFunc(out, func(a, b *hfgate.Session) int {
		return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// DeleteSession implements hfgate.SessionStore.
func (s *Store) DeleteSession(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, id)
	return nil
}

// DeleteSessions implements hfgate.SessionStore.
func (s *Store) DeleteSessions(_ context.Context, subject string) (int, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, sess := range s.sessions {
		if sess.Subject() == subject {
			if sess.Live(now) {
				n++
			}
			delete(s.sessions, id)
		}
	}
	return n, nil
}
