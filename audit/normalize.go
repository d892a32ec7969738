package audit

import (
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hfgate/hfgate"
)

// Bounds on what an event keeps: peers choose user agents, paths and file
// names, and no peer chooses how much the audit log stores. Longer strings
// are cut (at a character boundary); Detail keeps its first MaxDetail keys
// in sorted order.
const (
	MaxString     = 256  // most strings
	MaxLongString = 1024 // UserAgent, File, Detail values
	MaxPath       = 2048 // Path
	MaxDetail     = 32   // Detail entries
	maxDetailKey  = 64
)

// Normalize returns a copy of e as a Writer stores it, or an EINVALID error
// for an event no caller should make: a bad kind, decision, source or
// outcome, an intent or end without a RequestID, an end without an outcome,
// a negative size or duration, an HTTP status out of range.
//
// The copy has Time in UTC to the microsecond, and strings that are valid
// UTF-8 without NUL bytes (replaced by U+FFFD), cut to the bounds above.
// Control characters stay: the log keeps what the peer sent, and whatever
// shows it sanitizes it.
func Normalize(e *hfgate.AuditEvent) (*hfgate.AuditEvent, error) {
	if err := check(e); err != nil {
		return nil, err
	}
	n := e.Clone()
	n.Time = truncTime(e.Time)
	for _, f := range []struct {
		s   *string
		max int
	}{
		{&n.RequestID, MaxString}, {&n.Subject, MaxString}, {&n.Username, MaxString},
		{&n.SessionID, MaxString}, {&n.TokenID, MaxString}, {&n.ClientIP, MaxString},
		{&n.UserAgent, MaxLongString}, {&n.Method, MaxString}, {&n.Path, MaxPath},
		{&n.Action, MaxString}, {&n.Revision, MaxString}, {&n.Commit, MaxString},
		{&n.File, MaxLongString}, {&n.SHA256, MaxString}, {&n.Rule, MaxString},
	} {
		*f.s = clip(*f.s, f.max)
	}
	n.Repo = hfgate.RepoID(clip(string(n.Repo), MaxString))
	n.RepoType = hfgate.RepoType(clip(string(n.RepoType), MaxString))
	n.PrincipalKind = hfgate.PrincipalKind(clip(string(n.PrincipalKind), MaxString))
	if len(e.Detail) > 0 {
		n.Detail = make(map[string]string, min(len(e.Detail), MaxDetail))
		for _, k := range slices.Sorted(maps.Keys(e.Detail)) {
			if len(n.Detail) == MaxDetail {
				break
			}
			n.Detail[clip(k, maxDetailKey)] = clip(e.Detail[k], MaxLongString)
		}
	} else {
		n.Detail = nil
	}
	return n, nil
}

// check reports what makes e unfit to record.
func check(e *hfgate.AuditEvent) error {
	bad := func(format string, args ...any) error {
		return hfgate.Errorf(hfgate.EINVALID, "audit event: "+format, args...)
	}
	switch {
	case e == nil:
		return bad("nil")
	case !e.Kind.Valid():
		return bad("%q is not a kind", e.Kind)
	case (e.Kind == hfgate.AuditKindIntent || e.Kind == hfgate.AuditKindEnd) && e.RequestID == "":
		return bad("an %s needs a request id", e.Kind)
	case e.Kind == hfgate.AuditKindEnd && e.Outcome == "":
		return bad("an end needs an outcome")
	case e.Decision != "" && e.Decision != hfgate.AuditAllow && e.Decision != hfgate.AuditDeny:
		return bad("%q is not a decision", e.Decision)
	case e.Source != "" && e.Source != hfgate.AuditFromCache && e.Source != hfgate.AuditFromHub:
		return bad("%q is not a source", e.Source)
	case e.Outcome != "" && !slices.Contains([]hfgate.AuditOutcome{hfgate.AuditComplete, hfgate.AuditError, hfgate.AuditCanceled, hfgate.AuditInterrupted}, e.Outcome):
		return bad("%q is not an outcome", e.Outcome)
	case e.Bytes < 0 || e.Duration < 0:
		return bad("a negative size or duration")
	case e.Status != 0 && (e.Status < 100 || e.Status > 599):
		return bad("%d is not an HTTP status", e.Status)
	}
	return nil
}

// clip returns s as valid UTF-8 without NUL bytes, cut to at most max bytes
// at a character boundary.
func clip(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
