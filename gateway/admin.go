package gateway

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// roleRank orders HF org roles, least first.
var roleRank = []string{"read", "contributor", "write", "admin"}

// IsAdmin reports whether p is an admin of the gateway by admins: a user
// named (by subject, or by HF username when the Hub vouched for p: another
// provider's usernames are anyone's to pick) or holding at least the role
// in an org named. An org entry whose role is not one of the Hub's names
// nobody.
func IsAdmin(admins Admins, p *hfgate.Principal) bool {
	if p.IsAnonymous() || p.Kind != hfgate.PrincipalUser {
		return false
	}
	if hub := p.HubUsername(); slices.Contains(admins.Users, p.Subject) || hub != "" && slices.Contains(admins.Users, hub) {
		return true
	}
	for _, o := range admins.Orgs {
		need := slices.Index(roleRank, o.Role)
		if need >= 0 && slices.Index(roleRank, p.OrgRole(o.Org)) >= need {
			return true
		}
	}
	return false
}

// adminOnly lets admins through: an anonymous caller is EUNAUTHORIZED,
// anyone else EFORBIDDEN; a request that changes state must also pass the
// CSRF check. Every admin page and admin API call goes through it.
func (s *Server) adminOnly(w http.ResponseWriter, r *http.Request) error {
	p := hfgate.PrincipalFrom(r.Context())
	if p.IsAnonymous() {
		return hfgate.Errorf(hfgate.EUNAUTHORIZED, "the admin console needs a signed-in admin").WithAction(hfgate.ActionSignIn)
	}
	if !IsAdmin(s.cfg.Admins, p) {
		return hfgate.Errorf(hfgate.EFORBIDDEN, "%s is not an admin of this gateway", firstNonEmpty(p.Username, p.Subject))
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		return s.checkCSRF(r)
	}
	return nil
}

func (s *Server) adminRoutes(mux *http.ServeMux, hub func(func(http.ResponseWriter, *http.Request) error) http.Handler) {
	admin := func(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
		return hub(func(w http.ResponseWriter, r *http.Request) error {
			if err := s.adminOnly(w, r); err != nil {
				return err
			}
			return fn(w, r)
		})
	}
	mux.Handle("GET /admin/api/users", admin(s.adminUsers))
	mux.Handle("GET /admin/api/sessions", admin(s.adminSessions))
	mux.Handle("GET /admin/api/tokens", admin(s.adminTokens))
	mux.Handle("POST /admin/api/tokens", admin(s.adminCreateToken))
	mux.Handle("POST /admin/api/revoke", admin(s.adminRevoke))
	mux.Handle("POST /admin/api/users/refresh", admin(s.adminRefreshUser))
	mux.Handle("GET /admin/api/cache", admin(s.adminCache))
	mux.Handle("POST /admin/api/cache/rm", admin(s.adminCacheRemove))
	mux.Handle("POST /admin/api/cache/warm", admin(s.adminCacheWarm))
	s.consoleAPIRoutes(mux, admin)
	s.consoleRoutes(mux)
}

// adminRefreshUser reads a user's profile again from Hugging Face now
// (RefreshUser): {"user": subject or username} -> {"user": row}.
func (s *Server) adminRefreshUser(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		User string `json:"user"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	a, err := s.findAccount(r, req.User)
	if err != nil {
		return err
	}
	n, err := s.RefreshUser(r.Context(), a.ID)
	if err != nil {
		return err
	}
	if err := s.auditAdmin(r, "refresh-user", map[string]string{"user": n.ID, "orgs": orgNames(n.Orgs)}); err != nil {
		return err
	}
	webauth.WriteJSON(w, http.StatusOK, map[string]any{"user": UserRows([]*hfgate.Account{n})[0]})
	return nil
}

// auditAdmin records an admin's action in the audit log, when the gateway
// keeps one (Config.Proxy.Audit).
func (s *Server) auditAdmin(r *http.Request, action string, detail map[string]string) error {
	rec := s.cfg.Proxy.Audit
	if rec == nil {
		return nil
	}
	ev := &hfgate.AuditEvent{Kind: hfgate.AuditKindAdmin, RequestID: RequestID(r.Context()), Action: action,
		ClientIP: s.clientIP(r).String(), UserAgent: r.UserAgent(), Method: r.Method, Path: r.URL.Path, Detail: detail}
	ev.SetPrincipal(hfgate.PrincipalFrom(r.Context()))
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 15*time.Second)
	defer cancel()
	return rec.Record(ctx, ev)
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.ListAccounts(r.Context())
	if err != nil {
		return err
	}
	webauth.WriteJSON(w, http.StatusOK, map[string]any{"users": UserRows(list)})
	return nil
}

// findAccount resolves a user given by subject or username.
func (s *Server) findAccount(r *http.Request, who string) (*hfgate.Account, error) {
	return FindAccount(r.Context(), s.store, who)
}

func (s *Server) adminSessions(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var accounts []*hfgate.Account
	if who := r.URL.Query().Get("user"); who != "" {
		a, err := s.findAccount(r, who)
		if err != nil {
			return err
		}
		accounts = []*hfgate.Account{a}
	} else {
		var err error
		if accounts, err = s.store.ListAccounts(ctx); err != nil {
			return err
		}
	}
	out := []map[string]any{}
	for _, a := range accounts {
		sessions, err := s.store.ListSessions(ctx, a.ID)
		if err != nil {
			return err
		}
		for _, ss := range sessions {
			out = append(out, map[string]any{"id": ss.ID, "subject": a.ID, "username": a.Username,
				"created": ss.Created, "last_seen": ss.LastSeen, "expires": ss.ExpiresAt()})
		}
	}
	webauth.WriteJSON(w, http.StatusOK, map[string]any{"sessions": out})
	return nil
}

func (s *Server) adminTokens(w http.ResponseWriter, r *http.Request) error {
	q := hfgate.TokenQuery{Ended: r.URL.Query().Get("all") == "1"}
	if who := r.URL.Query().Get("user"); who != "" {
		a, err := s.findAccount(r, who)
		if err != nil {
			return err
		}
		q.Subject = a.ID
	}
	list, err := s.store.ListTokens(r.Context(), q)
	if err != nil {
		return err
	}
	webauth.WriteJSON(w, http.StatusOK, map[string]any{"tokens": TokenRows(list)})
	return nil
}

type adminCreateRequest struct {
	User string `json:"user"`
	Name string `json:"name"`
	TTL  string `json:"ttl"` // a Go duration or a number of days
}

func (s *Server) adminCreateToken(w http.ResponseWriter, r *http.Request) error {
	var req adminCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	a, err := s.findAccount(r, req.User)
	if err != nil {
		return err
	}
	ttl, err := parseTTL(req.TTL)
	if err != nil {
		return err
	}
	created, err := s.createPersonal(r, a.ID, req.Name, ttl)
	if err != nil {
		return err
	}
	// A token made for another person lets its holder act as them: it is
	// handed out only once the audit log holds who made it for whom.
	detail := map[string]string{"user": a.ID, "token_id": created.ID}
	if !created.Expires.IsZero() {
		detail["expires"] = created.Expires.UTC().Format(time.RFC3339)
	}
	if err := s.auditAdmin(r, "create-token", detail); err != nil {
		if _, rerr := s.store.RevokeTokens(context.WithoutCancel(r.Context()), hfgate.TokenRevocation{ID: created.ID, At: s.now(), Reason: "its creation could not be audited"}); rerr != nil {
			s.log.ErrorContext(r.Context(), "revoke an unaudited token", "token_id", created.ID, "err", rerr)
		}
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the token's creation cannot be recorded in the audit log now; try again later")
	}
	s.log.InfoContext(r.Context(), "admin created a token", "admin", hfgate.PrincipalFrom(r.Context()).Subject, "subject", a.ID, "token_id", created.ID)
	webauth.WriteJSON(w, http.StatusCreated, map[string]any{"id": created.ID, "token": created.Token, "expires": created.Expires})
	return nil
}

// RevokeRequest names what an admin revokes: one token (with its family),
// one session, or everything of a user.
type RevokeRequest struct {
	TokenID string `json:"token_id,omitempty"`
	Session string `json:"session,omitempty"`
	User    string `json:"user,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// RevokeResult says what a revocation ended.
type RevokeResult struct {
	Tokens   int `json:"tokens"`
	Sessions int `json:"sessions"`
}

func (s *Server) adminRevoke(w http.ResponseWriter, r *http.Request) error {
	var req RevokeRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	res, err := s.revokeAsAdmin(r, req)
	if err != nil {
		return err
	}
	webauth.WriteJSON(w, http.StatusOK, res)
	return nil
}
