package hfgate

import (
	"cmp"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AuditPosition is an event's place in the order QueryAudit walks:
// (Time, Writer, Seq), with Time to the microsecond. (Writer, Seq) is
// unique, so no two events share a position.
type AuditPosition struct {
	Time   time.Time
	Writer string
	Seq    int64
}

// PositionOf returns the position of e.
func PositionOf(e *AuditEvent) AuditPosition {
	return AuditPosition{Time: e.Time, Writer: e.Writer, Seq: e.Seq}
}

// Compare returns -1, 0 or +1 as p comes before, at or after q.
func (p AuditPosition) Compare(q AuditPosition) int {
	return cmp.Or(
		cmp.Compare(p.Time.UnixMicro(), q.Time.UnixMicro()),
		strings.Compare(p.Writer, q.Writer),
		cmp.Compare(p.Seq, q.Seq),
	)
}

// Cursor returns p as an AuditFilter.After: an opaque, URL-safe string.
func (p AuditPosition) Cursor() string {
	s := strconv.FormatInt(p.Time.UnixMicro(), 10) + "/" + strconv.FormatInt(p.Seq, 10) + "/" + p.Writer
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// ParseAuditCursor returns the position a Cursor names, or an EINVALID
// error for anything a Cursor did not make.
func ParseAuditCursor(cursor string) (AuditPosition, error) {
	bad := AuditPosition{}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return bad, Errorf(EINVALID, "the audit cursor is not one a query returned")
	}
	parts := strings.SplitN(string(raw), "/", 3)
	if len(parts) != 3 || parts[2] == "" {
		return bad, Errorf(EINVALID, "the audit cursor is not one a query returned")
	}
	us, err1 := strconv.ParseInt(parts[0], 10, 64)
	seq, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || seq < 1 {
		return bad, Errorf(EINVALID, "the audit cursor is not one a query returned")
	}
	return AuditPosition{Time: time.UnixMicro(us).UTC(), Writer: parts[2], Seq: seq}, nil
}

// Check validates f for a store and returns the page size to use and the
// position to continue after (nil for the first page). Every AuditStore
// calls it first, so that all refuse the same filters with the same
// EINVALID errors.
func (f *AuditFilter) Check() (limit int, after *AuditPosition, err error) {
	if f == nil {
		return DefaultAuditLimit, nil, nil
	}
	switch {
	case f.Limit < 0:
		return 0, nil, Errorf(EINVALID, "the audit page size must not be negative")
	case f.Limit == 0:
		limit = DefaultAuditLimit
	default:
		limit = min(f.Limit, MaxAuditLimit)
	}
	for _, k := range f.Kinds {
		if !k.Valid() {
			return 0, nil, Errorf(EINVALID, "%q is not an audit event kind", k)
		}
	}
	if len(f.RequestIDs) > MaxAuditLimit {
		return 0, nil, Errorf(EINVALID, "at most %d request ids per audit query", MaxAuditLimit)
	}
	if f.Decision != "" && f.Decision != AuditAllow && f.Decision != AuditDeny {
		return 0, nil, Errorf(EINVALID, "%q is not a decision (allow or deny)", f.Decision)
	}
	if f.After != "" {
		p, err := ParseAuditCursor(f.After)
		if err != nil {
			return 0, nil, err
		}
		after = &p
	}
	return limit, after, nil
}

// Match reports whether f selects e, cursor and order aside: the meaning
// of every filter field, for stores that filter in Go.
func (f *AuditFilter) Match(e *AuditEvent) bool {
	if f == nil {
		return true
	}
	us := e.Time.UnixMicro()
	switch {
	case !f.Since.IsZero() && us < f.Since.UnixMicro(),
		!f.Until.IsZero() && us >= f.Until.UnixMicro(),
		f.User != "" && e.Subject != f.User && !strings.EqualFold(e.Username, f.User),
		f.RepoType != "" && e.RepoType != f.RepoType,
		f.Repo != "" && !strings.EqualFold(string(e.Repo), string(f.Repo)),
		f.Action != "" && e.Action != f.Action,
		f.Decision != "" && e.Decision != f.Decision,
		f.Writer != "" && e.Writer != f.Writer,
		len(f.Kinds) > 0 && !slices.Contains(f.Kinds, e.Kind),
		len(f.RequestIDs) > 0 && !slices.Contains(f.RequestIDs, e.RequestID):
		return false
	}
	return true
}

// AuditChainLimit checks the limit of an AuditStore.AuditChain call and
// returns the one to use.
func AuditChainLimit(limit int) (int, error) {
	if limit < 1 {
		return 0, Errorf(EINVALID, "an audit chain read needs a limit of at least 1")
	}
	return min(limit, MaxAuditLimit), nil
}
