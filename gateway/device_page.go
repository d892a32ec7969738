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
	v := &deviceView{Code: raw, SignedIn: !hfgate.PrincipalFrom(r.Context()).IsAnonymous()}
	if !v.SignedIn || raw == "" {
		return s.renderDevice(w, r, http.StatusOK, v)
	}
	d, status, err := s.lookUpUserCode(r, v)
	if err != nil {
		return err
	}
	if d == nil {
		return s.renderDevice(w, r, status, v)
	}
	v.Code, v.Client, v.Scopes = d.UserCode, clients[d.ClientID].title, d.Scopes
	if d.State != hfgate.DevicePending {
		v.Problem = "this code was " + string(d.State) + " already"
		return s.renderDevice(w, r, http.StatusConflict, v)
	}
	return s.renderDevice(w, r, http.StatusOK, v)
}

func (s *Server) renderDevice(w http.ResponseWriter, r *http.Request, status int, v *deviceView) error {
	return s.render(w, status, "device", s.pageData(r, "Sign in a device", v))
}

// lookUpUserCode finds the live authorization of the user code in v,
// under the user-code rate limit (guessing codes is what it stops). When
// there is none, it says why in v.Problem and returns the status to
// answer with.
func (s *Server) lookUpUserCode(r *http.Request, v *deviceView) (*hfgate.DeviceAuth, int, error) {
	if ok, _ := s.limits.allow("user_code", s.clientIP(r)); !ok {
		v.Problem = "too many codes were tried from this address: wait a minute, then try again"
		return nil, http.StatusTooManyRequests, nil
	}
	code := hfgate.NormalizeUserCode(v.Code)
	if code == "" {
		v.Problem = "that is not a code of this gateway: it has eight letters, like BCDF-GHJK"
		return nil, http.StatusNotFound, nil
	}
	d, err := s.store.DeviceAuthByUserCode(r.Context(), code, s.now())
	if hfgate.ErrorCode(err) == hfgate.ENOTFOUND {
		v.Problem = "no sign-in is waiting for this code: it may have expired; start the sign-in on the device again"
		return nil, http.StatusNotFound, nil
	}
	return d, http.StatusOK, err
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
	v := &deviceView{Code: r.PostFormValue("user_code"), SignedIn: true}
	d, status, err := s.lookUpUserCode(r, v)
	if err != nil {
		return err
	}
	if d == nil {
		return s.renderDevice(w, r, status, v)
	}
	approve := r.PostFormValue("decision") == "approve"
	err = s.store.DecideDeviceAuth(r.Context(), d.UserCode, p.Subject, approve, s.now())
	switch {
	case hfgate.ErrorCode(err) == hfgate.EINVALID || hfgate.ErrorCode(err) == hfgate.ENOTFOUND:
		v.Problem = hfgate.ErrorMessage(err)
		return s.renderDevice(w, r, http.StatusConflict, v)
	case err != nil:
		return err
	}
	v.Code, v.Client, v.Done = d.UserCode, clients[d.ClientID].title, "denied"
	if approve {
		v.Done = "approved"
	}
	s.log.InfoContext(r.Context(), "device code decided", "subject", p.Subject, "client_id", d.ClientID, "decision", v.Done)
	return s.renderDevice(w, r, http.StatusOK, v)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
