package sqlstore

import (
	"context"
	"strings"

	"github.com/hfgate/hfgate"
)

// QueryAudit implements hfgate.AuditStore: the filter becomes a WHERE
// clause, the cursor a row comparison on (at, writer, seq), which the
// index audit_events_at serves in either direction.
func (s *Store) QueryAudit(ctx context.Context, f *hfgate.AuditFilter) (*hfgate.AuditPage, error) {
	limit, after, err := f.Check()
	if err != nil {
		return nil, err
	}
	if f == nil {
		f = &hfgate.AuditFilter{}
	}
	// The query is built with the dialect's placeholders at once, not
	// through s.q: its many shapes would crowd that cache.
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		for _, v := range a {
			args = append(args, v)
			cond = strings.Replace(cond, "?", s.d.Placeholder(len(args)), 1)
		}
		where = append(where, cond)
	}
	if !f.Since.IsZero() {
		add(`at >= ?`, micros(f.Since))
	}
	if !f.Until.IsZero() {
		add(`at < ?`, micros(f.Until))
	}
	if f.User != "" {
		add(`(subject = ? OR lower(username) = lower(?))`, f.User, f.User)
	}
	if f.RepoType != "" {
		add(`repo_type = ?`, string(f.RepoType))
	}
	if f.Repo != "" {
		add(`lower(repo) = lower(?)`, string(f.Repo))
	}
	for _, c := range []struct{ col, v string }{{"action", f.Action}, {"decision", string(f.Decision)}, {"writer", f.Writer}} {
		if c.v != "" {
			add(c.col+` = ?`, c.v)
		}
	}
	if len(f.Kinds) > 0 {
		kinds := make([]any, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		add(`kind IN (`+marks(len(kinds))+`)`, kinds...)
	}
	if len(f.RequestIDs) > 0 {
		ids := make([]any, len(f.RequestIDs))
		for i, id := range f.RequestIDs {
			ids[i] = id
		}
		add(`request_id IN (`+marks(len(ids))+`)`, ids...)
	}
	order, cmp := ` ORDER BY at DESC, writer DESC, seq DESC`, `<`
	if f.Ascending {
		order, cmp = ` ORDER BY at, writer, seq`, `>`
	}
	if after != nil {
		add(`(at, writer, seq) `+cmp+` (?, ?, ?)`, micros(after.Time), after.Writer, after.Seq)
	}
	q := `SELECT ` + auditColumns + ` FROM audit_events`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	args = append(args, limit+1)
	q += order + ` LIMIT ` + s.d.Placeholder(len(args))
	events, err := s.queryAudit(ctx, "querying the audit log", q, args...)
	if err != nil {
		return nil, err
	}
	page := &hfgate.AuditPage{Events: events}
	if len(events) > limit {
		page.Events = events[:limit]
		page.Next = hfgate.PositionOf(events[limit-1]).Cursor()
	}
	return page, nil
}

// marks returns n comma-separated "?".
func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }
