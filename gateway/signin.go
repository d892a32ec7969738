package gateway

import (
	"context"
	"net/http"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/oidcauth"
	"github.com/hfgate/hfgate/webauth"
)

// huggingface is the name of the provider whose sign-in brings the
// upstream Hub credential.
const huggingface = hfgate.ProviderHuggingFace

func (s *Server) newAuth() *webauth.Auth {
	idle := or(s.cfg.IdleTimeout, DefaultIdleTimeout)
	if idle < 0 {
		idle = 0
	}
	var providers []webauth.Provider
	for i := range s.cfg.Providers {
		p := s.cfg.Providers[i]
		oauth := p.OAuth
		if oauth.HTTPClient == nil {
			oauth.HTTPClient = s.cfg.HTTPClient
		}
		providers = append(providers, webauth.Provider{Name: p.Name, OAuth: &oauth})
	}
	if len(providers) == 0 {
		// webauth needs one; without an app its authorize route says so.
		providers = []webauth.Provider{{Name: huggingface}}
	}
	return &webauth.Auth{
		BaseURL:       s.cfg.PublicURL,
		Providers:     providers,
		Sessions:      s.store,
		SessionTTL:    or(s.cfg.SessionTTL, DefaultSessionTTL),
		IdleTimeout:   idle,
		SignedIn:      s.signedIn,
		SessionFields: s.sessionFields,
		Errors:        s.errors,
		Now:           s.cfg.Now,
		Sealer:        s.cfg.Sealer,
	}
}

// signedIn records a browser sign-in: the person's account (created on a
// first sign-in, its profile refreshed on every one) and, from the
// huggingface provider in user mode, their Hub credential, sealed. A
// disabled account is refused before any session is made.
func (s *Server) signedIn(ctx context.Context, p *hfgate.Principal, res *oidcauth.Result) error {
	id := hfgate.Identity{Provider: p.Provider, Sub: res.User.ID}
	a, err := s.store.SignIn(ctx, id, &hfgate.Account{
		Username: firstNonEmpty(p.Username, p.Email), Name: p.Name, Email: p.Email, AvatarURL: p.AvatarURL,
		Orgs: p.Orgs, Groups: p.Groups, Claims: p.Claims,
	}, s.now())
	if err != nil {
		s.metrics.signIns.WithLabelValues(p.Provider, "error").Inc()
		return err
	}
	if a.Disabled {
		s.metrics.signIns.WithLabelValues(p.Provider, "disabled").Inc()
		return hfgate.Errorf(hfgate.EFORBIDDEN, "the account %s is disabled on this gateway; ask its admins", a.Username)
	}
	if a.ID != p.Subject {
		// The session's owner must be the account: an identity linked to
		// an older account signs in as that account.
		*p = *a.Principal()
	}
	if p.Provider == huggingface && s.cfg.Upstream == UpstreamUser {
		cred := res.Credential(s.cfg.Hub, a.ID)
		if err := s.store.SaveCredential(ctx, cred); err != nil {
			s.metrics.signIns.WithLabelValues(p.Provider, "error").Inc()
			return err
		}
	}
	s.metrics.signIns.WithLabelValues(p.Provider, "ok").Inc()
	s.log.InfoContext(ctx, "signed in", "subject", a.ID, "username", a.Username, "provider", p.Provider)
	return nil
}

// sessionFields adds the CSRF token to GET /auth/session, for scripts of
// the gateway's own pages.
func (s *Server) sessionFields(r *http.Request) map[string]any {
	if secret := s.auth.SessionSecret(r); secret != "" && !hfgate.PrincipalFrom(r.Context()).IsAnonymous() {
		return map[string]any{"csrf_token": csrfToken(secret)}
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
