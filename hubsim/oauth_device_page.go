package hubsim

import "net/http"

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
	if u := s.autoApproveUser(); u != nil {
		s.decideDevice(w, value, u, memberships(u), true)
		return
	}
	c := s.newConsent(nil, value)
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
		u := s.ids.user(r.PostForm.Get("user"))
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
	now := s.Now()
	var orgs []string
	if approve {
		orgs, _ = s.grantOrgs(u, ticked, nil)
	}
	s.oauth.mu.Lock()
	dc := s.oauth.devices[value]
	ok := dc != nil && dc.status == devicePending && now.Before(dc.expires)
	switch {
	case ok && approve:
		dc.approve(u, orgs, now)
	case ok:
		dc.status = deviceDenied
	}
	s.oauth.mu.Unlock()
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
