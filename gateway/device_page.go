package gateway

import (
	"net/http"
	"net/url"

	"github.com/hfgate/hfgate"
)

// deviceView is what the device page shows.
type deviceView struct {
	Code     string // the user code, as typed or normalized
	Client   string // the client's title
	Scopes   []string
	Problem  string // why the code was not accepted
	Done     string // "approved" or "denied" after a decision
	SignedIn bool
}

// pageDevice is the device page (RFC 8628 section 3.3): sign in if
// needed, enter or confirm the user code, approve or deny.
func (s *Server) pageDevice(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query().Get("user_code")
	v := &deviceView{Code: raw}
	p := hfgate.PrincipalFrom(r.Context())
	v.SignedIn = !p.IsAnonymous()
	if !v.SignedIn || raw == "" {
		return s.render(w, http.StatusOK, "device", s.pageData(r, "Sign in a device", v))
	}
	d, status, err := s.lookUpUserCode(r, raw)
	if err != nil {
		return err
	}
	if d == nil {
		v.Problem = status
		return s.render(w, http.StatusNotFound, "device", s.pageData(r, "Sign in a device", v))
	}
	v.Code, v.Client, v.Scopes = d.UserCode, clients[d.ClientID].title, d.Scopes
	if d.State != hfgate.DevicePending {
		v.Problem = "this code was " + string(d.State) + " already"
		return s.render(w, http.StatusConflict, "device", s.pageData(r, "Sign in a device", v))
	}
	return s.render(w, http.StatusOK, "device", s.pageData(r, "Sign in a device", v))
}

// lookUpUserCode finds the live authorization of a typed user code, under
// the user-code rate limit (guessing codes is the attack it stops). A
// code that is malformed or unknown gives a nil authorization and why.
func (s *Server) lookUpUserCode(r *http.Request, raw string) (*hfgate.DeviceAuth, string, error) {
	if ok, _ := s.limits.allow("user_code", s.clientIP(r)); !ok {
		return nil, "", hfgate.Errorf(hfgate.EUNAVAILABLE, "too many codes tried from this address; wait a minute and try again").WithAction(hfgate.ActionRetry)
	}
	code := hfgate.NormalizeUserCode(raw)
	if code == "" {
		return nil, "that is not a code of this gateway: it has eight letters, like BCDF-GHJK", nil
	}
	d, err := s.store.DeviceAuthByUserCode(r.Context(), code, s.now())
	if hfgate.ErrorCode(err) == hfgate.ENOTFOUND {
		return nil, "no sign-in is waiting for this code: it may have expired; start the sign-in on the device again", nil
	}
	if err != nil {
		return nil, "", err
	}
	return d, "", nil
}

// deviceDecision approves or denies a device code for the signed-in user.
func (s *Server) deviceDecision(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := s.checkCSRF(r); err != nil {
		return err
	}
	raw := r.PostFormValue("user_code")
	d, problem, err := s.lookUpUserCode(r, raw)
	if err != nil {
		return err
	}
	v := &deviceView{Code: raw, SignedIn: true, Problem: problem}
	if d == nil {
		return s.render(w, http.StatusNotFound, "device", s.pageData(r, "Sign in a device", v))
	}
	approve := r.PostFormValue("decision") == "approve"
	err = s.store.DecideDeviceAuth(r.Context(), d.UserCode, p.Subject, approve, s.now())
	switch {
	case hfgate.ErrorCode(err) == hfgate.EINVALID || hfgate.ErrorCode(err) == hfgate.ENOTFOUND:
		v.Problem = hfgate.ErrorMessage(err)
		return s.render(w, http.StatusConflict, "device", s.pageData(r, "Sign in a device", v))
	case err != nil:
		return err
	}
	v.Code, v.Client, v.Done = d.UserCode, clients[d.ClientID].title, "denied"
	if approve {
		v.Done = "approved"
	}
	s.log.InfoContext(r.Context(), "device code decided", "subject", p.Subject, "client_id", d.ClientID, "decision", v.Done)
	return s.render(w, http.StatusOK, "device", s.pageData(r, "Sign in a device", v))
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
