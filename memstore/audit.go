package memstore

import (
	"context"
	"slices"
	"strings"

	"github.com/hfgate/hfgate"
)

// auditLog is the audit part of a Store; the Store's mu guards it.
type auditLog struct {
	events  []*hfgate.AuditEvent // in append order
	writers map[string]*hfgate.AuditWriter
}

var _ hfgate.AuditStore = (*Store)(nil)

// AppendAudit implements hfgate.AuditStore.
func (s *Store) AppendAudit(ctx context.Context, events []*hfgate.AuditEvent) error {
	if err := hfgate.ContextError(ctx, "appending to the audit log"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	heads := map[string]*hfgate.AuditWriter{} // the writers this batch moves, as copies
	added := make([]*hfgate.AuditEvent, 0, len(events))
	for _, e := range events {
		if e == nil {
			return hfgate.Errorf(hfgate.EINVALID, "a nil audit event")
		}
		w := heads[e.Writer]
		if w == nil {
			w = &hfgate.AuditWriter{ID: e.Writer}
			if old := s.audit.writers[e.Writer]; old != nil {
				*w = *old
			}
			heads[e.Writer] = w
		}
		if err := w.Append(e); err != nil {
			return err
		}
		added = append(added, e.Clone())
	}
	if s.audit.writers == nil {
		s.audit.writers = map[string]*hfgate.AuditWriter{}
	}
	for id, w := range heads {
		s.audit.writers[id] = w
	}
	s.audit.events = append(s.audit.events, added...)
	return nil
}

// QueryAudit implements hfgate.AuditStore.
func (s *Store) QueryAudit(ctx context.Context, f *hfgate.AuditFilter) (*hfgate.AuditPage, error) {
	limit, after, err := f.Check()
	if err != nil {
		return nil, err
	}
	if err := hfgate.ContextError(ctx, "querying the audit log"); err != nil {
		return nil, err
	}
	asc := f != nil && f.Ascending
	s.mu.Lock()
	var found []*hfgate.AuditEvent
	for _, e := range s.audit.events {
		if !f.Match(e) {
			continue
		}
		if after != nil {
			if c := hfgate.PositionOf(e).Compare(*after); asc && c <= 0 || !asc && c >= 0 {
				continue
			}
		}
		found = append(found, e)
	}
	s.mu.Unlock()
	slices.SortFunc(found, func(a, b *hfgate.AuditEvent) int {
		c := hfgate.PositionOf(a).Compare(hfgate.PositionOf(b))
		if asc {
			return c
		}
		return -c
	})
	page := &hfgate.AuditPage{Events: []*hfgate.AuditEvent{}}
	for i, e := range found {
		if i == limit {
			page.Next = hfgate.PositionOf(page.Events[limit-1]).Cursor()
			break
		}
		page.Events = append(page.Events, e.Clone())
	}
	return page, nil
}

// AuditChain implements hfgate.AuditStore.
func (s *Store) AuditChain(ctx context.Context, writer string, after int64, limit int) ([]*hfgate.AuditEvent, error) {
	limit, err := hfgate.AuditChainLimit(limit)
	if err != nil {
		return nil, err
	}
	if err := hfgate.ContextError(ctx, "reading an audit chain"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*hfgate.AuditEvent{}
	// Appends keep each writer's events in Seq order, so the first limit
	// events found past after are the ones asked for.
	for _, e := range s.audit.events {
		if len(out) == limit {
			break
		}
		if e.Writer == writer && e.Seq > after {
			out = append(out, e.Clone())
		}
	}
	return out, nil
}

// AuditWriters implements hfgate.AuditStore.
func (s *Store) AuditWriters(ctx context.Context) ([]*hfgate.AuditWriter, error) {
	if err := hfgate.ContextError(ctx, "listing audit writers"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*hfgate.AuditWriter, 0, len(s.audit.writers))
	for _, w := range s.audit.writers {
		c := *w
		out = append(out, &c)
	}
	slices.SortFunc(out, func(a, b *hfgate.AuditWriter) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// OpenAuditIntents implements hfgate.AuditStore.
func (s *Store) OpenAuditIntents(ctx context.Context, writer string) ([]*hfgate.AuditEvent, error) {
	if err := hfgate.ContextError(ctx, "finding open audit intents"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ended := map[string]bool{}
	for _, e := range s.audit.events {
		if e.Kind == hfgate.AuditKindEnd {
			ended[e.RequestID] = true
		}
	}
	out := []*hfgate.AuditEvent{}
	for _, e := range s.audit.events {
		if e.Writer == writer && e.Kind == hfgate.AuditKindIntent && !ended[e.RequestID] {
			out = append(out, e.Clone())
		}
	}
	return out, nil
}

// SealAuditWriter implements hfgate.AuditStore.
func (s *Store) SealAuditWriter(ctx context.Context, writer, by string) error {
	if err := hfgate.ContextError(ctx, "sealing an audit writer"); err != nil {
		return err
	}
	if by == "" {
		return hfgate.Errorf(hfgate.EINVALID, "a seal needs the writer that sets it")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.audit.writers[writer]
	if w == nil {
		return hfgate.Errorf(hfgate.ENOTFOUND, "no audit writer %q", writer)
	}
	if w.SealedBy == "" {
		w.SealedBy = by
	}
	return nil
}
