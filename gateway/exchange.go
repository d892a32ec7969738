package gateway

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/ciauth"
	"github.com/hfgate/hfgate/policy"
)

const grantTokenExchange = ciauth.GrantTokenExchange

// validateCI checks the CI part of c; providers are the sign-in
// providers' names, which CI issuers may not take (their subjects would
// look alike).
func (c *Config) validateCI(providers map[string]bool) error {
	if len(c.CI.Issuers) == 0 && len(c.CI.Rules) == 0 {
		return nil
	}
	if c.Proxy.Audit == nil {
		return hfgate.Errorf(hfgate.EINVALID, "CI token exchange needs an audit log: every exchange is recorded")
	}
	for _, is := range c.CI.Issuers {
		if providers[is.Name] || is.Name == "local" {
			return hfgate.Errorf(hfgate.EINVALID, "CI issuer %s has the name of a sign-in provider; give it another", is.Name)
		}
	}
	ci := c.ciConfig()
	return ci.Validate()
}

// ciConfig is the ciauth configuration of c: the audience is the public
// URL, spent ids are kept in the store, and the gateway's clock and HTTP
// client are used.
func (c *Config) ciConfig() ciauth.Config {
	return ciauth.Config{Issuers: c.CI.Issuers, Rules: c.CI.Rules, Audience: strings.TrimRight(c.PublicURL, "/"),
		JTIs: c.Store, HTTPClient: c.HTTPClient, Now: c.Now}
}

// exchangeGrant is RFC 8693 token exchange for CI jobs: their provider's
// ID token for a short-lived gateway token with no refresh token. Every
// exchange is audited, a refused one with why.
func (s *Server) exchangeGrant(ctx context.Context, req *TokenRequest) (*TokenResponse, error) {
	ev := &hfgate.AuditEvent{Time: req.Now, Kind: hfgate.AuditKindExchange, Action: hfgate.AuditActionTokenExchange,
		RequestID: RequestID(ctx), PrincipalKind: hfgate.PrincipalAnonymous, ClientIP: addrString(req.ClientIP),
		UserAgent: req.UserAgent, Method: http.MethodPost, Path: "/oauth/token", Detail: map[string]string{}}
	resp, tok, err := s.exchange(ctx, req, ev)
	ev.Duration = s.now().Sub(req.Now)
	if err != nil {
		s.refused(ctx, ev, err)
		return nil, err
	}
	ev.Decision, ev.Status = hfgate.AuditAllow, http.StatusOK
	if rerr := s.record(ctx, ev); rerr != nil {
		// Fail closed: a token no one can find in the log is not handed out.
		if _, err := s.store.RevokeTokens(context.WithoutCancel(ctx), hfgate.TokenRevocation{ID: tok.ID, At: s.now(), Reason: "its exchange could not be audited"}); err != nil {
			s.log.ErrorContext(ctx, "revoke an unaudited CI token", "token_id", tok.ID, "err", err)
		}
		return nil, hfgate.WrapError(hfgate.EUNAVAILABLE, rerr, "the exchange cannot be recorded in the audit log now")
	}
	s.metrics.exchanges.WithLabelValues("granted", "").Inc()
	return resp, nil
}

// exchange checks the request and the ID token, and stores the new token.
func (s *Server) exchange(ctx context.Context, req *TokenRequest, ev *hfgate.AuditEvent) (*TokenResponse, *hfgate.Token, error) {
	f := req.Form
	res, err := s.exchangeRequest(f)
	if res.ID != "" {
		ev.RepoType, ev.Repo, ev.Detail["resource"] = res.Type, res.ID, res.String()
	}
	if err != nil {
		return nil, nil, err
	}
	job, err := s.ci.Verify(ctx, f.Get("subject_token"))
	var refusal *ciauth.Refusal
	switch {
	case errors.As(err, &refusal):
		code := "invalid_request"
		if refusal.Reason == ciauth.ReasonClaims {
			code = "invalid_grant" // as the Hub answers a claim mismatch
		}
		return nil, nil, &OAuthError{Code: code, Description: hfgate.ErrorMessage(err), Err: err}
	case err != nil:
		return nil, nil, err
	}
	p := job.Principal()
	ev.SetPrincipal(p)
	ev.Rule, ev.Detail["issuer"], ev.Detail["jti"] = job.Rule.Name, job.Issuer.Name, job.JTI
	for k, v := range job.Matched() {
		ev.Detail["claim."+k] = v
	}
	if res.ID != "" {
		if !s.reachable(p, res) {
			return nil, nil, &OAuthError{Code: "invalid_target", Description: "the policy lets this job neither read nor download " + res.String()}
		}
		p.Resource = res.String()
	}
	secret, id, hash := hfgate.NewTokenSecret()
	ttl := job.TTL()
	tok := &hfgate.Token{ID: id, Hash: hash, Kind: hfgate.TokenCI, Subject: p.Subject, Name: job.Rule.Name,
		Resource: p.Resource, Principal: p, Created: req.Now, Expires: req.Now.Add(ttl)}
	if err := s.store.CreateTokens(ctx, tok); err != nil {
		return nil, nil, err
	}
	s.metrics.issued.WithLabelValues(string(hfgate.TokenCI)).Inc()
	ev.TokenID, ev.Detail["expires"] = id, tok.Expires.UTC().Format(time.RFC3339)
	return &TokenResponse{AccessToken: secret, IssuedTokenType: ciauth.TokenTypeAccess, TokenType: "bearer",
		ExpiresIn: int(ttl.Seconds())}, tok, nil
}

// exchangeRequest checks the parameters of an exchange (RFC 8693 section
// 2.1) and returns the repository it narrows the token to, if any.
func (s *Server) exchangeRequest(f map[string][]string) (policy.Resource, error) {
	get := func(k string) string {
		if v := f[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	var res policy.Resource
	if r := f["resource"]; len(r) > 1 {
		return res, oauthErr("invalid_target", "name one resource at most")
	} else if len(r) == 1 && r[0] != "" {
		var err error
		if res, err = policy.ParseResource(r[0]); err != nil || res.ID.Owner() == "" {
			return policy.Resource{}, oauthErr("invalid_target", "the resource must be one repository: owner/name, datasets/owner/name or spaces/owner/name")
		}
	}
	switch tt := get("subject_token_type"); {
	case get("subject_token") == "":
		return res, oauthErr("invalid_request", "subject_token is missing: send the CI provider's ID token")
	case tt != ciauth.TokenTypeIDToken && tt != ciauth.TokenTypeJWT:
		return res, oauthErr("invalid_request", "subject_token_type must be %s or %s", ciauth.TokenTypeIDToken, ciauth.TokenTypeJWT)
	case get("actor_token") != "":
		return res, oauthErr("invalid_request", "delegation (actor_token) is not supported")
	case get("requested_token_type") != "" && get("requested_token_type") != ciauth.TokenTypeAccess:
		return res, oauthErr("invalid_request", "only an access token (%s) can be issued", ciauth.TokenTypeAccess)
	case get("audience") != "" && get("audience") != s.cfg.PublicURL:
		return res, oauthErr("invalid_target", "the audience must be this gateway, %s", s.cfg.PublicURL)
	}
	return res, nil
}

// reachable reports whether the policy lets p read or download res as a
// repository of any attributes (gated or not, private or not: they are
// not known here). Without a policy the gateway serves no Hub request.
func (s *Server) reachable(p *hfgate.Principal, res policy.Resource) bool {
	pol := s.cfg.Proxy.Policy
	if pol == nil {
		return true
	}
	for _, a := range []hfgate.RepoAction{hfgate.RepoRead, hfgate.RepoDownload} {
		for _, attrs := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			res.Gated, res.Private = attrs[0], attrs[1]
			if pol.Decide(p, a, res).Allow {
				return true
			}
		}
	}
	return false
}

// identifying are the claims a refused exchange records, when its
// signature held, so that the log says which job it was.
var identifying = []string{"sub", "repository", "repository_id", "repository_owner", "repository_owner_id", "ref",
	"environment", "workflow", "job_workflow_ref", "event_name", "actor", "project_path", "project_id",
	"namespace_path", "namespace_id", "pipeline_source", "ci_config_ref_uri"}

// refused records a refused exchange: why, and who the job was when its
// token's signature held. A failure to record is logged: a refusal
// serves nothing.
func (s *Server) refused(ctx context.Context, ev *hfgate.AuditEvent, err error) {
	ev.Decision, ev.Status = hfgate.AuditDeny, http.StatusBadRequest
	reason := "unavailable" // the store or the issuer could not be reached
	var (
		oe      *OAuthError
		refusal *ciauth.Refusal
	)
	switch {
	case errors.As(err, &oe):
		ev.Detail["error"], reason = oe.Code, oe.Code
		if errors.As(err, &refusal) {
			reason = refusal.Reason
			if refusal.Issuer != "" {
				ev.Detail["issuer"] = refusal.Issuer
			}
			if refusal.Claims != nil {
				ev.PrincipalKind, ev.Subject = hfgate.PrincipalCI, refusal.Issuer+":"+refusal.Subject
				for _, k := range identifying {
					if v, ok := refusal.Claims[k]; ok {
						ev.Detail["claim."+k] = v
					}
				}
			}
		}
	default:
		ev.Status = http.StatusServiceUnavailable
		ev.Detail["error"] = "temporarily_unavailable"
	}
	ev.Detail["reason"] = reason
	s.metrics.exchanges.WithLabelValues("refused", reason).Inc()
	if rerr := s.record(ctx, ev); rerr != nil {
		s.log.ErrorContext(ctx, "record a refused CI token exchange", "reason", reason, "err", rerr)
	}
}

// record records ev with a context that outlives the request: a job that
// hangs up does not take its exchange out of the log.
func (s *Server) record(ctx context.Context, ev *hfgate.AuditEvent) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	return s.auditLog().Record(ctx, ev)
}

// addrString is a's text, or "" for no address.
func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}
