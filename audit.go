package hfgate

import (
	"maps"
	"time"
)

// AuditKind says what an AuditEvent records.
type AuditKind string

// Audit event kinds.
const (
	// AuditKindIntent is written before the first byte of a file is served: who
	// asked for which file, and the decision that let them. Its RequestID
	// pairs it with the AuditKindEnd written when the response is over.
	AuditKindIntent AuditKind = "intent"
	// AuditKindEnd closes the AuditKindIntent of the same RequestID: bytes sent,
	// status, source and outcome.
	AuditKindEnd AuditKind = "end"
	// AuditKindDecision is a request that serves no file bytes (search, metadata,
	// a HEAD, a denied download): the decision and the answer, in one event.
	AuditKindDecision AuditKind = "decision"
	// AuditKindExchange is a CI token exchange, granted or refused; Detail holds
	// the claims that matched (or why none did).
	AuditKindExchange AuditKind = "exchange"
	// AuditKindAdmin is an administrator's action (a revocation, a user refresh,
	// a token created for someone); Detail says what it touched.
	AuditKindAdmin AuditKind = "admin"
)

// Valid reports whether k is one of the kinds above.
func (k AuditKind) Valid() bool {
	switch k {
	case AuditKindIntent, AuditKindEnd, AuditKindDecision, AuditKindExchange, AuditKindAdmin:
		return true
	}
	return false
}

// AuditDecision is what the policy decided for a request.
type AuditDecision string

// Decisions. An event that records no policy decision (an admin action, an
// AuditKindEnd) has none ("").
const (
	AuditAllow AuditDecision = "allow"
	AuditDeny  AuditDecision = "deny"
)

// AuditSource says where the bytes of a served file came from.
type AuditSource string

// Sources.
const (
	AuditFromCache AuditSource = "cache" // the gateway's own verified copy
	AuditFromHub   AuditSource = "hub"   // the upstream Hub, during this request
)

// AuditOutcome says how a request that served bytes ended.
type AuditOutcome string

// Outcomes.
const (
	AuditComplete AuditOutcome = "complete" // every byte asked for was sent
	AuditError    AuditOutcome = "error"    // the gateway or upstream failed
	AuditCanceled AuditOutcome = "canceled" // the client went away
	// AuditInterrupted is written by a restarted process for each intent its
	// killed predecessor left open: the bytes sent are not known.
	AuditInterrupted AuditOutcome = "interrupted"
)

// Audit action words of the events that are not about a repository (the
// others use the RepoAction words: search, read, download).
const (
	AuditActionTokenExchange = "token-exchange"
	// AuditActionSeal is the admin event a gateway process writes when it
	// closes the open intents of an earlier process of its replica; Detail
	// names that writer ("writer") and the seq and hash its chain had then
	// ("seq", "hash"), so that the newer chain vouches for the older one.
	AuditActionSeal = "seal-writer"
)

// AuditEvent is one row of the gateway's append-only audit log: who did
// what with which repository or file, when, from where, what the policy
// decided and what was served.
//
// Each process appends through its own writer, whose events form a hash
// chain: Seq counts from 1 without gaps, PrevHash is the Hash of the
// writer's previous event ("" for Seq 1), and Hash is computed by the audit
// package over every other field. Changing any field of a stored event,
// deleting one or reordering them breaks the chain (audit.Verify says
// where). Fields that do not apply stay zero.
//
// Strings come from peers (user agents, paths): stores keep them as given,
// and whatever shows them sanitizes them first. Stores keep Time to the
// microsecond, in UTC; the audit package truncates it so before hashing.
type AuditEvent struct {
	// Writer names the process that wrote the event: its replica's stable id
	// and its start ("gw-1/20300506T070809.123456Z-3fa9"). Seq is the event's
	// place in the writer's chain, from 1.
	Writer string
	Seq    int64
	Time   time.Time
	Kind   AuditKind

	// RequestID names the HTTP request; it pairs an AuditKindIntent with its
	// AuditKindEnd, so it is unique per request that serves a file.
	RequestID string

	// Who: the Principal's Kind, Subject and Username, and the SessionID or
	// TokenID that authenticated the request (ids, never secrets).
	PrincipalKind PrincipalKind
	Subject       string
	Username      string
	SessionID     string
	TokenID       string

	// From where, and how: the client's address (after trusted proxies), its
	// User-Agent, the request's method and URL path (never its query).
	ClientIP  string
	UserAgent string
	Method    string
	Path      string

	// What: a RepoAction word, AuditActionTokenExchange, or an admin verb
	// ("revoke-token", "refresh-user", ...).
	Action string

	// Which repository, at which revision (as asked) and commit (as
	// resolved), which file with which sha256 (the LFS oid, when known).
	RepoType RepoType
	Repo     RepoID
	Revision string
	Commit   string
	File     string
	SHA256   string

	// The answer: body bytes sent, HTTP status, the policy's decision and
	// the rule that made it, time taken, where the bytes came from, and how
	// a file transfer ended.
	Bytes    int64
	Status   int
	Decision AuditDecision
	Rule     string
	Duration time.Duration
	Source   AuditSource
	Outcome  AuditOutcome

	// Detail holds what has no field of its own: the CI claims an exchange
	// matched, what an admin action touched, why something failed.
	Detail map[string]string

	// PrevHash and Hash link the chain, in lowercase hex (see above).
	PrevHash string
	Hash     string
}

// Clone returns a deep copy of e.
func (e *AuditEvent) Clone() *AuditEvent {
	if e == nil {
		return nil
	}
	c := *e
	c.Detail = maps.Clone(e.Detail)
	return &c
}

// SetPrincipal copies who p is into e: kind, subject, username, and the
// session or token that authenticated the request. A nil p is anonymous.
func (e *AuditEvent) SetPrincipal(p *Principal) {
	if p == nil {
		p = Anonymous
	}
	e.PrincipalKind = p.Kind
	e.Subject = p.Subject
	e.Username = p.Username
	e.SessionID = p.SessionID
	e.TokenID = p.TokenID
}
