package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/hfgate/hfgate"
)

// TimeFormat is how the canonical form writes an event's Time: UTC, to the
// microsecond, fixed width.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// canonicalEvent is the canonical form of an event: every field but Hash,
// in this order, the zero ones left out (so that a field added later leaves
// the hashes of older events as they were).
type canonicalEvent struct {
	Writer        string            `json:"writer"`
	Seq           int64             `json:"seq"`
	Time          string            `json:"time"`
	Kind          string            `json:"kind"`
	RequestID     string            `json:"request_id,omitempty"`
	PrincipalKind string            `json:"principal_kind,omitempty"`
	Subject       string            `json:"subject,omitempty"`
	Username      string            `json:"username,omitempty"`
	SessionID     string            `json:"session_id,omitempty"`
	TokenID       string            `json:"token_id,omitempty"`
	ClientIP      string            `json:"client_ip,omitempty"`
	UserAgent     string            `json:"user_agent,omitempty"`
	Method        string            `json:"method,omitempty"`
	Path          string            `json:"path,omitempty"`
	Action        string            `json:"action,omitempty"`
	RepoType      string            `json:"repo_type,omitempty"`
	Repo          string            `json:"repo,omitempty"`
	Revision      string            `json:"revision,omitempty"`
	Commit        string            `json:"commit,omitempty"`
	File          string            `json:"file,omitempty"`
	SHA256        string            `json:"sha256,omitempty"`
	Bytes         int64             `json:"bytes,omitempty"`
	Status        int               `json:"status,omitempty"`
	Decision      string            `json:"decision,omitempty"`
	Rule          string            `json:"rule,omitempty"`
	DurationNS    int64             `json:"duration_ns,omitempty"`
	Source        string            `json:"source,omitempty"`
	Outcome       string            `json:"outcome,omitempty"`
	Detail        map[string]string `json:"detail,omitempty"`
	PrevHash      string            `json:"prev_hash,omitempty"`
}

// Canonical returns the canonical form of e that its hash covers: a JSON
// object of every field but Hash, in a fixed order (writer, seq, time,
// kind, then the fields in the order AuditEvent declares them, prev_hash
// last), zero fields left out, Time in TimeFormat, Duration in nanoseconds
// (duration_ns), Detail's keys sorted, strings escaped as encoding/json
// escapes them. A test pins the bytes, so the form cannot drift.
func Canonical(e *hfgate.AuditEvent) []byte {
	b, err := json.Marshal(canonicalEvent{
		Writer: e.Writer, Seq: e.Seq, Time: e.Time.UTC().Format(TimeFormat), Kind: string(e.Kind),
		RequestID: e.RequestID, PrincipalKind: string(e.PrincipalKind), Subject: e.Subject, Username: e.Username,
		SessionID: e.SessionID, TokenID: e.TokenID, ClientIP: e.ClientIP, UserAgent: e.UserAgent,
		Method: e.Method, Path: e.Path, Action: e.Action, RepoType: string(e.RepoType), Repo: string(e.Repo),
		Revision: e.Revision, Commit: e.Commit, File: e.File, SHA256: e.SHA256, Bytes: e.Bytes,
		Status: e.Status, Decision: string(e.Decision), Rule: e.Rule, DurationNS: int64(e.Duration),
		Source: string(e.Source), Outcome: string(e.Outcome), Detail: e.Detail, PrevHash: e.PrevHash,
	})
	if err != nil {
		// Only strings, integers and a map of strings: Marshal cannot fail.
		panic("audit: canonical form: " + err.Error())
	}
	return b
}

// Hash returns the hash e must carry: the SHA-256 of its PrevHash (as the
// hex text it is) followed by its canonical form, in lowercase hex.
func Hash(e *hfgate.AuditEvent) string {
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write(Canonical(e))
	return hex.EncodeToString(h.Sum(nil))
}

// truncTime returns t in UTC to the microsecond, as stores keep it.
func truncTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
