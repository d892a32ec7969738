package gateway

import (
	"net/http"
	"strconv"
	"time"

	"github.com/hfgate/hfgate"
)

// overview is the console's first page: the gateway at a glance.
type overview struct {
	PublicURL, Hub, Upstream string
	Users, Sessions          int
	Tokens                   map[string]int // live, by kind
	Exchanges, Refused       string         // in the last day
	Rules, TrustRules        int
	Writers                  int
	LastEvent                string
	HasPolicy, HasAudit      bool
}

func (s *Server) consoleOverview(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	v := overview{PublicURL: s.cfg.PublicURL, Hub: s.cfg.Hub, Upstream: string(s.cfg.Upstream), Tokens: map[string]int{},
		Rules: len(s.policy().Config().Rules), TrustRules: len(s.cfg.CI.Rules), HasPolicy: s.policy() != nil, HasAudit: s.auditLog() != nil}
	accounts, err := s.store.ListAccounts(ctx)
	if err != nil {
		return err
	}
	v.Users = len(accounts)
	for _, a := range accounts {
		sessions, err := s.store.ListSessions(ctx, a.ID)
		if err != nil {
			return err
		}
		v.Sessions += len(sessions)
	}
	tokens, err := s.store.ListTokens(ctx, hfgate.TokenQuery{})
	if err != nil {
		return err
	}
	for _, t := range tokens {
		if t.Bearer() {
			v.Tokens[string(t.Kind)]++
		}
	}
	day := hfgate.AuditFilter{Since: s.now().Add(-24 * time.Hour), Kinds: []hfgate.AuditKind{hfgate.AuditKindExchange}, Limit: hfgate.MaxAuditLimit}
	if v.Exchanges, err = s.countAudit(r, day); err != nil {
		return err
	}
	day.Decision = hfgate.AuditDeny
	if v.Refused, err = s.countAudit(r, day); err != nil {
		return err
	}
	writers, err := s.store.AuditWriters(ctx)
	if err != nil {
		return err
	}
	v.Writers = len(writers)
	var last time.Time
	for _, w := range writers {
		if w.Last.After(last) {
			last = w.Last
		}
	}
	v.LastEvent = when(last)
	return s.renderConsole(w, r, "admin-overview", "Overview", v)
}

// countAudit counts the events f selects, up to one page ("1000+" beyond).
func (s *Server) countAudit(r *http.Request, f hfgate.AuditFilter) (string, error) {
	page, err := s.store.QueryAudit(r.Context(), &f)
	if err != nil {
		return "", err
	}
	n := strconv.Itoa(len(page.Events))
	if page.Next != "" {
		n += "+"
	}
	return n, nil
}
