package hubsim

import (
	"net/http"
	"time"
)

// pendingDevice returns the device code value and record for a user code,
// if it is live and waiting for a decision.
func (s *Server) pendingDevice(userCode string) (string, *deviceCode) {
	now := s.Now()
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	value := s.oauth.userCodes[normalizeUserCode(userCode)]
	dc := s.oauth.devices[value]
	if dc == nil || dc.status != devicePending || !now.Before(dc.expires) {
		return "", nil
	}
	return value, dc
}

// handleDevicePage is GET /oauth/device, the verification URI: a form to
// enter the user code, then the consent page for that code.
func (s *Server) handleDevicePage(w http.ResponseWriter, r *http.Request) {
	userCode := r.URL.Query().Get("user_code")
	if userCode == "" {
		writePage(w, http.StatusOK, "device", map[string]string{"Title": "Connect a device"})
		return
	}
	value, dc := s.pendingDevice(userCode)
	if dc == nil {
		writePage(w, http.StatusNotFound, "device", map[string]string{"Title": "Connect a device",
			"Message": "This code is unknown, expired or already used: check the code on your device, or start again there."})
		return
	}
	sess, su := s.sessionOf(r)
	switch {
	case sess != nil && sess.autoApprove:
		s.decideDevice(w, value, su, memberships(su), true)
		return
	case sess == nil:
		if u := s.autoApproveUser(); u != nil {
			s.decideDevice(w, value, u, memberships(u), true)
			return
		}
	}
	c := s.newConsent(nil, value, su)
	s.renderConsent(w, c, s.oauth.clients[dc.clientID].name, dc.scopes, nil, dc.userCode)
}

// handleDeviceConsent takes the device consent form's answer.
func (s *Server) handleDeviceConsent(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeErrorPage(w, http.StatusBadRequest, "The form could not be read.")
		return
	}
	c := s.takeConsent(r.PostForm.Get("consent"))
	if c == nil || c.device == "" {
		writeErrorPage(w, http.StatusBadRequest, errConsentGone)
		return
	}
	switch r.PostForm.Get("decision") {
	case "deny":
		s.decideDevice(w, c.device, nil, nil, false)
	case "approve":
		u := c.approver(s, r.PostForm.Get("user"))
		if u == nil {
			writeErrorPage(w, http.StatusBadRequest, "No such user: choose one of the listed users. Enter the code again.")
			return
		}
		s.decideDevice(w, c.device, u, r.PostForm["org"], true)
	default:
		writeErrorPage(w, http.StatusBadRequest, "Choose Approve or Deny. Enter the code again.")
	}
}

// decideDevice records the user's decision on a device code and shows the
// result.
func (s *Server) decideDevice(w http.ResponseWriter, value string, u *User, ticked []string, approve bool) {
	var ok bool
	if approve {
		orgs, _ := s.grantOrgs(u, ticked, nil)
		ok = s.approveDevice(value, u, orgs)
	} else {
		ok = s.answerDevice(value, func(dc *deviceCode, _ time.Time) { dc.status = deviceDenied })
	}
	switch {
	case !ok:
		writeErrorPage(w, http.StatusBadRequest, errConsentGone)
	case approve:
		writePage(w, http.StatusOK, "done", map[string]string{"Title": "Device connected",
			"Message": "Your device is connected as " + u.Name + ". You can close this page."})
	default:
		writePage(w, http.StatusOK, "done", map[string]string{"Title": "Access denied",
			"Message": "The device was not connected. You can close this page."})
	}
}

// approveDevice approves the pending device code value as u with orgs. It
// reports false if the code is no longer pending.
func (s *Server) approveDevice(value string, u *User, orgs []string) bool {
	return s.answerDevice(value, func(dc *deviceCode, now time.Time) { dc.approve(u, orgs, now) })
}

// answerDevice applies decide to the device code value if it is still
// pending, and reports whether it was.
func (s *Server) answerDevice(value string, decide func(*deviceCode, time.Time)) bool {
	now := s.Now()
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	dc := s.oauth.devices[value]
	if dc == nil || dc.status != devicePending || !now.Before(dc.expires) {
		return false
	}
	decide(dc, now)
	return true
}
