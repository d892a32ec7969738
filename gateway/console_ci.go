package gateway

import (
	"net/http"
	"slices"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/ciauth"
)

// ciView is the CI page: who is trusted, what was exchanged, what lives.
type ciView struct {
	Audience  string
	Issuers   []ciauth.Issuer
	Rules     []trustLine
	Exchanges []auditRow
	Tokens    []tokenLine
	MoreLink  string
	Self      string // where the revoke forms come back to
}

// trustLine is a trust rule in words.
type trustLine struct {
	Name   string `json:"name"`
	Issuer string `json:"issuer"`
	Claims string `json:"claims"`
	TTL    string `json:"ttl"`
}

func (s *Server) ciState(r *http.Request) (*ciView, error) {
	v := &ciView{Audience: s.cfg.PublicURL, Issuers: s.cfg.CI.Issuers, Rules: []trustLine{},
		MoreLink: "/admin/audit?kind=" + string(hfgate.AuditKindExchange), Self: "/admin/ci"}
	for _, rl := range s.cfg.CI.Rules {
		ttl := rl.TTL
		if ttl == 0 {
			ttl = ciauth.DefaultTTL
		}
		var kv []string
		for k, val := range rl.Claims {
			kv = append(kv, k+" = "+val)
		}
		slices.Sort(kv)
		v.Rules = append(v.Rules, trustLine{Name: rl.Name, Issuer: rl.Issuer, Claims: strings.Join(kv, ", "), TTL: ttl.String()})
	}
	page, err := s.store.QueryAudit(r.Context(), &hfgate.AuditFilter{Kinds: []hfgate.AuditKind{hfgate.AuditKindExchange}, Limit: 50})
	if err != nil {
		return nil, err
	}
	v.Exchanges = auditRows(page.Events)
	tokens, err := s.store.ListTokens(r.Context(), hfgate.TokenQuery{Kinds: []hfgate.TokenKind{hfgate.TokenCI}})
	if err != nil {
		return nil, err
	}
	v.Tokens = s.tokenLines(tokens, nil)
	return v, nil
}

func (s *Server) consoleCI(w http.ResponseWriter, r *http.Request) error {
	v, err := s.ciState(r)
	if err != nil {
		return err
	}
	return s.renderConsole(w, r, "admin-ci", "CI", v)
}

func (s *Server) apiCI(w http.ResponseWriter, r *http.Request) error {
	v, err := s.ciState(r)
	if err != nil {
		return err
	}
	issuers := []map[string]string{}
	for _, is := range v.Issuers {
		issuers = append(issuers, map[string]string{"name": is.Name, "url": is.URL, "jwks_url": is.JWKSURL})
	}
	return writeJSON(w, map[string]any{"audience": v.Audience, "issuers": issuers, "rules": v.Rules,
		"exchanges": v.Exchanges, "tokens": v.Tokens})
}
