package gateway

import (
	"net/http"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// accountView is the account page's and GET /api/account's content.
type accountView struct {
	User     *accountUser   `json:"user"`
	Sessions []sessionView  `json:"sessions"`
	Tokens   []tokenView    `json:"tokens"`
	CSRF     string         `json:"csrf_token,omitempty"`
	NewToken *newTokenView  `json:"-"`
	Problem  string         `json:"-"`
	Upstream *upstreamState `json:"upstream,omitempty"`
}

type accountUser struct {
	Subject  string   `json:"subject"`
	Username string   `json:"username"`
	Name     string   `json:"name,omitempty"`
	Provider string   `json:"provider"`
	Orgs     []OrgRow `json:"orgs"`
}

type sessionView struct {
	ID       string    `json:"id"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	Expires  time.Time `json:"expires"`
	Current  bool      `json:"current"`
}

type tokenView struct {
	ID       string           `json:"id"`
	Kind     hfgate.TokenKind `json:"kind"`
	Name     string           `json:"name,omitempty"`
	ClientID string           `json:"client_id,omitempty"`
	Created  time.Time        `json:"created"`
	Expires  time.Time        `json:"expires"`
	LastUsed time.Time        `json:"last_used,omitzero"`
	Current  bool             `json:"current"`
}

type newTokenView struct {
	ID, Token, Name string
	Expires         time.Time
}

type upstreamState struct {
	Mode      UpstreamMode `json:"mode"`
	Connected bool         `json:"connected"`
}

// account returns the caller's account view: their own sessions and
// tokens only.
func (s *Server) account(r *http.Request) (*accountView, error) {
	p, err := signedIn(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	v := &accountView{User: &accountUser{Subject: p.Subject, Username: p.Username, Name: p.Name, Provider: p.Provider, Orgs: orgRows(p.Orgs)},
		Sessions: []sessionView{}, Tokens: []tokenView{}}
	sessions, err := s.store.ListSessions(ctx, p.Subject)
	if err != nil {
		return nil, err
	}
	for _, ss := range sessions {
		v.Sessions = append(v.Sessions, sessionView{ID: ss.ID, Created: ss.Created, LastSeen: ss.LastSeen,
			Expires: ss.ExpiresAt(), Current: ss.ID == p.SessionID})
	}
	tokens, err := s.store.ListTokens(ctx, hfgate.TokenQuery{Subject: p.Subject,
		Kinds: []hfgate.TokenKind{hfgate.TokenAccess, hfgate.TokenPersonal}})
	if err != nil {
		return nil, err
	}
	for _, t := range tokens {
		v.Tokens = append(v.Tokens, tokenView{ID: t.ID, Kind: t.Kind, Name: t.Name, ClientID: t.ClientID,
			Created: t.Created, Expires: t.Expires, LastUsed: t.LastUsed, Current: t.ID == p.TokenID})
	}
	if secret := s.auth.SessionSecret(r); secret != "" && p.SessionID != "" {
		v.CSRF = csrfToken(secret)
	}
	if s.cfg.Upstream == UpstreamUser {
		_, err := s.store.LoadCredential(ctx, s.cfg.Hub, p.Subject)
		v.Upstream = &upstreamState{Mode: UpstreamUser, Connected: err == nil}
	}
	return v, nil
}

func (s *Server) pageAccount(w http.ResponseWriter, r *http.Request) error {
	v, err := s.account(r)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "account", s.pageData(r, "Your account", v))
}

func (s *Server) apiAccount(w http.ResponseWriter, r *http.Request) error {
	v, err := s.account(r)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	webauth.WriteJSON(w, http.StatusOK, v)
	return nil
}

// maxNameLen bounds a personal token's name.
const maxNameLen = 100

// createPersonal makes a personal token for subject. ttl zero means
// DefaultPersonalTTL; more than MaxPersonalTTL is EINVALID.
func (s *Server) createPersonal(r *http.Request, subject, name string, ttl time.Duration) (*newTokenView, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "" || len(name) > maxNameLen:
		return nil, hfgate.Errorf(hfgate.EINVALID, "a token needs a name of at most %d characters", maxNameLen)
	case ttl < 0 || ttl > MaxPersonalTTL:
		return nil, hfgate.Errorf(hfgate.EINVALID, "a token lasts at most %d days", int(MaxPersonalTTL.Hours()/24))
	case ttl == 0:
		ttl = DefaultPersonalTTL
	}
	secret, id, hash := hfgate.NewTokenSecret()
	now := s.now()
	tok := &hfgate.Token{ID: id, Hash: hash, Kind: hfgate.TokenPersonal, Subject: subject, Name: name,
		Created: now, Expires: now.Add(ttl)}
	if err := s.store.CreateTokens(r.Context(), tok); err != nil {
		return nil, err
	}
	s.metrics.issued.WithLabelValues(string(hfgate.TokenPersonal)).Inc()
	return &newTokenView{ID: id, Token: secret, Name: name, Expires: tok.Expires}, nil
}

// parseTTL reads a lifetime in days ("30") or as a Go duration ("720h").
func parseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	var days int
	for _, c := range s {
		if c < '0' || c > '9' || days > 100000 {
			return 0, hfgate.Errorf(hfgate.EINVALID, "a lifetime is a number of days, or a duration such as 720h")
		}
		days = days*10 + int(c-'0')
	}
	return time.Duration(days) * 24 * time.Hour, nil
}
