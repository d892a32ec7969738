package gateway

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// userLine is one user in the console's users table.
type userLine struct {
	Subject, Username, Name, Provider string
	Link                              string // the user's page
	Orgs                              []OrgRow
	Created, Updated                  string
	Sessions, Tokens                  int
	Disabled                          bool
}

// tokenLine is one token in the console's tables.
type tokenLine struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Owner     string `json:"owner"`
	OwnerLink string `json:"-"`
	Name      string `json:"name,omitempty"`
	Resource  string `json:"resource,omitempty"`
	Created   string `json:"created"`
	Expires   string `json:"expires"`
	LastUsed  string `json:"last_used,omitempty"`
	Ended     string `json:"ended,omitempty"`
	Live      bool   `json:"live"`
}

// sessionLine is one browser session.
type sessionLine struct {
	ID, Created, LastSeen, Expires string
}

func (s *Server) consoleUsers(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	accounts, err := s.store.ListAccounts(ctx)
	if err != nil {
		return err
	}
	tokens, err := s.store.ListTokens(ctx, hfgate.TokenQuery{})
	if err != nil {
		return err
	}
	live := map[string]int{}
	for _, t := range tokens {
		if t.Bearer() {
			live[t.Subject]++
		}
	}
	lines := []userLine{}
	for _, a := range accounts {
		sessions, err := s.store.ListSessions(ctx, a.ID)
		if err != nil {
			return err
		}
		lines = append(lines, userLine{Subject: clean(a.ID, 200), Username: clean(a.Username, 100), Name: clean(a.Name, 100),
			Provider: a.Provider, Link: userLink(a.ID), Orgs: cleanOrgs(a.Orgs), Created: when(a.Created), Updated: when(a.ProfileUpdated),
			Sessions: len(sessions), Tokens: live[a.ID], Disabled: a.Disabled})
	}
	return s.renderConsole(w, r, "admin-users", "Users", lines)
}

// userView is a user's page: who they are, their sessions and tokens.
type userView struct {
	User     userLine
	Groups   []string
	Sessions []sessionLine
	Tokens   []tokenLine
	All      bool // ended tokens shown too
	Self     string
	Problem  string // what went wrong with an action on this page
}

func (s *Server) consoleUser(w http.ResponseWriter, r *http.Request) error {
	return s.consoleUserPage(w, r, r.PathValue("subject"), "")
}

// consoleUserPage renders the page of the user subject, with a problem to
// show when one is given.
func (s *Server) consoleUserPage(w http.ResponseWriter, r *http.Request, subject, problem string) error {
	ctx := r.Context()
	a, err := s.store.LoadAccount(ctx, subject)
	if err != nil {
		return err
	}
	v := userView{User: userLine{Subject: clean(a.ID, 200), Username: clean(a.Username, 100), Name: clean(a.Name, 100),
		Provider: a.Provider, Link: userLink(a.ID), Orgs: cleanOrgs(a.Orgs), Created: when(a.Created), Updated: when(a.ProfileUpdated),
		Disabled: a.Disabled}, All: r.URL.Query().Get("all") == "1", Sessions: []sessionLine{}, Problem: problem}
	for _, g := range a.Groups {
		v.Groups = append(v.Groups, clean(g, 100))
	}
	sessions, err := s.store.ListSessions(ctx, a.ID)
	if err != nil {
		return err
	}
	for _, ss := range sessions {
		v.Sessions = append(v.Sessions, sessionLine{ID: ss.ID, Created: when(ss.Created), LastSeen: when(ss.LastSeen), Expires: when(ss.ExpiresAt())})
	}
	tokens, err := s.store.ListTokens(ctx, hfgate.TokenQuery{Subject: a.ID, Ended: v.All})
	if err != nil {
		return err
	}
	v.Tokens = s.tokenLines(tokens, map[string]*hfgate.Account{a.ID: a})
	v.User.Sessions, v.User.Tokens = len(v.Sessions), len(v.Tokens)
	v.Self = v.User.Link
	if v.All {
		v.Self += "?all=1"
	}
	return s.renderConsole(w, r, "admin-user", firstNonEmpty(v.User.Username, v.User.Subject), v)
}

// consoleRefreshUser reads a user's profile (orgs and roles) again from
// Hugging Face now, as POST /admin/api/users/refresh does, and shows
// their page with what came back (or why it could not).
func (s *Server) consoleRefreshUser(w http.ResponseWriter, r *http.Request) error {
	subject := r.PathValue("subject")
	n, err := s.RefreshUser(r.Context(), subject)
	switch code := hfgate.ErrorCode(err); {
	case err == nil:
		if err := s.auditAdmin(r, "refresh-user", map[string]string{"user": n.ID, "orgs": orgNames(n.Orgs)}); err != nil {
			return err
		}
	case code == hfgate.EINVALID || code == hfgate.EUNAUTHORIZED:
		// Shown on the page: the refresh could not be made, for a reason
		// about that user (another provider, a token that is gone).
		return s.consoleUserPage(w, r, subject, hfgate.ErrorMessage(err))
	default:
		return err
	}
	http.Redirect(w, r, userLink(subject), http.StatusSeeOther)
	return nil
}

// tokensView is the tokens page: every live token (or every token) of a
// kind, whoever owns it.
type tokensView struct {
	Kind   string
	Kinds  []string
	All    bool
	Tokens []tokenLine
	Self   string
}

func (s *Server) consoleTokens(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	v := tokensView{Kind: q.Get("kind"), All: q.Get("all") == "1",
		Kinds: []string{string(hfgate.TokenPersonal), string(hfgate.TokenAccess), string(hfgate.TokenCI), string(hfgate.TokenRefresh)}}
	tq := hfgate.TokenQuery{Ended: v.All}
	switch {
	case v.Kind == "":
		tq.Kinds = []hfgate.TokenKind{hfgate.TokenPersonal, hfgate.TokenAccess, hfgate.TokenCI}
	case slices.Contains(v.Kinds, v.Kind):
		tq.Kinds = []hfgate.TokenKind{hfgate.TokenKind(v.Kind)}
	default:
		return hfgate.Errorf(hfgate.EINVALID, "there is no token kind %q", clean(v.Kind, 40))
	}
	tokens, err := s.store.ListTokens(ctx, tq)
	if err != nil {
		return err
	}
	owners, err := s.accountsByID(r)
	if err != nil {
		return err
	}
	v.Tokens = s.tokenLines(tokens, owners)
	v.Self = "/admin/tokens?" + q.Encode()
	return s.renderConsole(w, r, "admin-tokens", "Tokens", v)
}

func (s *Server) accountsByID(r *http.Request) (map[string]*hfgate.Account, error) {
	list, err := s.store.ListAccounts(r.Context())
	if err != nil {
		return nil, err
	}
	m := make(map[string]*hfgate.Account, len(list))
	for _, a := range list {
		m[a.ID] = a
	}
	return m, nil
}

// tokenLines shows tokens; owners names the accounts they may belong to
// (a CI token's owner is its job, which has no account).
func (s *Server) tokenLines(tokens []*hfgate.Token, owners map[string]*hfgate.Account) []tokenLine {
	now := s.now()
	out := []tokenLine{}
	for _, t := range tokens {
		l := tokenLine{ID: t.ID, Kind: string(t.Kind), Name: clean(firstNonEmpty(t.Name, t.ClientID), 100), Resource: clean(t.Resource, 200),
			Created: when(t.Created), Expires: when(t.Expires), Live: t.Live(now), Owner: clean(t.Subject, 200)}
		if !t.LastUsed.IsZero() {
			l.LastUsed = when(t.LastUsed)
		}
		switch {
		case !t.Revoked.IsZero():
			l.Ended = "revoked " + when(t.Revoked)
			if t.RevokeReason != "" {
				l.Ended += ": " + clean(t.RevokeReason, 200)
			}
		case !t.Spent.IsZero():
			l.Ended = "used " + when(t.Spent)
		case !l.Live:
			l.Ended = "expired"
		}
		if a := owners[t.Subject]; a != nil {
			l.Owner, l.OwnerLink = clean(firstNonEmpty(a.Username, a.ID), 100), userLink(a.ID)
		}
		out = append(out, l)
	}
	return out
}

// consoleRevoke is the console's revoke form (a token, a session, or
// everything of a user), which answers with the page it came from.
func (s *Server) consoleRevoke(w http.ResponseWriter, r *http.Request) error {
	req := RevokeRequest{TokenID: r.PostFormValue("token_id"), Session: r.PostFormValue("session"),
		User: r.PostFormValue("user"), Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	if _, err := s.revokeAsAdmin(r, req); err != nil {
		return err
	}
	back := r.PostFormValue("return_to")
	if !strings.HasPrefix(back, "/admin") || !webauth.SafePath(back) {
		back = "/admin/users"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// revokeAsAdmin revokes what req names for the admin calling, counts it,
// logs it and records it in the audit log.
func (s *Server) revokeAsAdmin(r *http.Request, req RevokeRequest) (RevokeResult, error) {
	if len(req.Reason) > 200 {
		req.Reason = req.Reason[:200]
	}
	by := hfgate.PrincipalFrom(r.Context()).Subject
	res, err := Revoke(r.Context(), s.store, req, by, s.now())
	if err != nil {
		return res, err
	}
	s.metrics.revoked.WithLabelValues("admin").Inc()
	s.log.InfoContext(r.Context(), "admin revoked", "admin", by, "token_id", req.TokenID, "session", short(req.Session), "user", req.User,
		"tokens", res.Tokens, "sessions", res.Sessions)
	detail := map[string]string{"tokens": strconv.Itoa(res.Tokens), "sessions": strconv.Itoa(res.Sessions)}
	action := "revoke-user"
	switch {
	case req.TokenID != "":
		action, detail["token_id"] = "revoke-token", req.TokenID
	case req.Session != "":
		action, detail["session"] = "end-session", short(req.Session)
	default:
		detail["user"] = req.User
	}
	if req.Reason != "" {
		detail["reason"] = req.Reason
	}
	if err := s.auditAdmin(r, action, detail); err != nil {
		// The revocation holds; only its record is missing, which the log says.
		s.log.ErrorContext(r.Context(), "record an admin revocation", "action", action, "err", err)
	}
	return res, nil
}

// userLink is the console page of the account with id.
func userLink(id string) string { return "/admin/users/" + url.PathEscape(id) }

func cleanOrgs(orgs []hfgate.Org) []OrgRow {
	out := []OrgRow{}
	for _, o := range orgs {
		out = append(out, OrgRow{Name: clean(o.Name, 100), Role: clean(o.Role, 20)})
	}
	return out
}
