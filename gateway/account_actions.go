package gateway

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// ownAction checks a state-changing request to one's own account: signed
// in as a person (a CI job has no account: its short-lived token must not
// mint long-lived ones, nor end its siblings'), with a token not narrowed to
// one repo, and with the session's CSRF token when made with the cookie.
func (s *Server) ownAction(w http.ResponseWriter, r *http.Request) (*hfgate.Principal, error) {
	p, err := signedIn(r)
	if err != nil {
		return nil, err
	}
	if p.Kind != hfgate.PrincipalUser || p.Resource != "" {
		return nil, hfgate.Errorf(hfgate.EFORBIDDEN, "this token may not manage tokens or sessions: sign in as a person")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := s.checkCSRF(r); err != nil {
		return nil, err
	}
	return p, nil
}

// revokeOwnToken revokes token id if the caller owns it.
func (s *Server) revokeOwnToken(r *http.Request, p *hfgate.Principal, id string) error {
	tok, err := s.store.LoadToken(r.Context(), id)
	if err != nil || tok.Subject != p.Subject {
		return hfgate.Errorf(hfgate.ENOTFOUND, "you have no such token")
	}
	by := p.Subject
	rev := hfgate.TokenRevocation{ID: id, At: s.now(), By: by, Reason: "revoked by its owner"}
	if tok.FamilyID != "" {
		rev = hfgate.TokenRevocation{FamilyID: tok.FamilyID, At: s.now(), By: by, Reason: "signed out by its owner"}
	}
	if _, err := s.store.RevokeTokens(r.Context(), rev); err != nil {
		return err
	}
	s.metrics.revoked.WithLabelValues("token").Inc()
	return nil
}

// endOwnSession ends session id if the caller owns it.
func (s *Server) endOwnSession(r *http.Request, p *hfgate.Principal, id string) error {
	sess, err := s.store.LoadSession(r.Context(), id)
	if err != nil || sess.Subject() != p.Subject {
		return hfgate.Errorf(hfgate.ENOTFOUND, "you have no such session")
	}
	if err := s.store.DeleteSession(r.Context(), id); err != nil {
		return err
	}
	s.metrics.revoked.WithLabelValues("session").Inc()
	return nil
}

// The account page's forms: each answers with the page (303 to it).

func (s *Server) formCreateToken(w http.ResponseWriter, r *http.Request) error {
	p, err := s.ownAction(w, r)
	if err != nil {
		return err
	}
	var created *newTokenView
	ttl, err := parseTTL(r.PostFormValue("days"))
	if err == nil {
		created, err = s.createPersonal(r, p.Subject, r.PostFormValue("name"), ttl)
	}
	if err != nil && hfgate.ErrorCode(err) != hfgate.EINVALID {
		return err
	}
	v, verr := s.account(r)
	if verr != nil {
		return verr
	}
	status := http.StatusOK
	if err != nil {
		v.Problem, status = hfgate.ErrorMessage(err), http.StatusBadRequest
	}
	v.NewToken = created // shown this once
	return s.render(w, status, "account", s.pageData(r, "Your account", v))
}

func (s *Server) formRevokeToken(w http.ResponseWriter, r *http.Request) error {
	p, err := s.ownAction(w, r)
	if err != nil {
		return err
	}
	if err := s.revokeOwnToken(r, p, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

func (s *Server) formEndSession(w http.ResponseWriter, r *http.Request) error {
	p, err := s.ownAction(w, r)
	if err != nil {
		return err
	}
	if err := s.endOwnSession(r, p, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

// The same as JSON, for scripts (X-CSRF-Token with a session cookie, or
// a bearer token).

type createTokenRequest struct {
	Name string `json:"name"`
	Days int    `json:"days"`
}

func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) error {
	p, err := s.ownAction(w, r)
	if err != nil {
		return err
	}
	var req createTokenRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	created, err := s.createPersonal(r, p.Subject, req.Name, time.Duration(req.Days)*24*time.Hour)
	if err != nil {
		return err
	}
	webauth.WriteJSON(w, http.StatusCreated, map[string]any{"id": created.ID, "token": created.Token, "expires": created.Expires})
	return nil
}

func (s *Server) apiRevokeOwnToken(w http.ResponseWriter, r *http.Request) error {
	p, err := s.ownAction(w, r)
	if err != nil {
		return err
	}
	if err := s.revokeOwnToken(r, p, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiEndOwnSession(w http.ResponseWriter, r *http.Request) error {
	p, err := s.ownAction(w, r)
	if err != nil {
		return err
	}
	if err := s.endOwnSession(r, p, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// decodeJSON reads r's body, at most maxForm bytes, into v; an unknown
// field is EINVALID.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, "the request body is not the JSON object this endpoint takes")
	}
	return nil
}
