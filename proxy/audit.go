package proxy

import (
	"context"
	"net/http"

	"github.com/hfgate/hfgate"
)

// event returns an audit event of kind for the exchange: who, from where,
// what they asked, and the policy's decision when there was one.
func (x *exchange) event(kind hfgate.AuditKind) *hfgate.AuditEvent {
	ev := &hfgate.AuditEvent{
		Kind:      kind,
		RequestID: x.id,
		ClientIP:  x.clientIP(),
		UserAgent: x.r.Header.Get("User-Agent"),
		Method:    x.r.Method,
		Path:      x.r.URL.Path,
		Action:    string(x.action),
		RepoType:  x.rt.Type,
		Repo:      x.rt.Repo,
		Revision:  x.rt.Revision,
		File:      x.rt.Path,
		Duration:  x.since(),
	}
	ev.SetPrincipal(x.who)
	if x.decided && kind != hfgate.AuditKindEnd {
		ev.Decision, ev.Rule = hfgate.AuditDeny, x.decision.Rule
		if x.decision.Allow {
			ev.Decision = hfgate.AuditAllow
		}
	}
	return ev
}

// record appends ev to the audit log and returns once it is durable, or
// with the error that makes the proxy refuse the request. It waits with a
// context the client cannot cancel, so that an exchange's events are
// recorded even when the client has gone.
func (x *exchange) record(ev *hfgate.AuditEvent) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(x.r.Context()), x.p.cfg.AuditTimeout)
	defer cancel()
	err := x.p.cfg.Audit.Record(ctx, ev)
	if err != nil {
		x.p.m.auditFailures.Inc()
		x.p.cfg.Logger.LogAttrs(ctx, slogWarn, "proxy: audit event not recorded",
			attrRequest(x), attrError(err))
	}
	return err
}

// errAuditDown is the answer to a request the audit log cannot record: the
// gateway serves nothing it cannot record.
var errAuditDown = &hubError{status: http.StatusServiceUnavailable,
	msg: "the gateway cannot record this request in its audit log, and serves nothing it has not recorded; try again later"}

// decisionEvent is the one event of an exchange that serves no file bytes,
// answered with status.
func (x *exchange) decisionEvent(status int) *hfgate.AuditEvent {
	ev := x.event(hfgate.AuditKindDecision)
	ev.Status = status
	return ev
}
