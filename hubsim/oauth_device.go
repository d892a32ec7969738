package hubsim

import (
	"crypto/rand"
	"net/http"
	"slices"
	"strings"
	"time"
)

type deviceStatus int

const (
	devicePending deviceStatus = iota
	deviceApproved
	deviceDenied
)

// deviceCode is a device authorization (RFC 8628) waiting for the user.
// Its grant has no user until it is approved.
type deviceCode struct {
	grant
	userCode string
	expires  time.Time
	interval time.Duration
	lastPoll time.Time
	status   deviceStatus
}

// userCodeAlphabet has no vowels (RFC 8628 §6.1: no accidental words) and
// no look-alike characters.
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

// newUserCode returns a code like "BCDF-GHJK", as huggingface.co shows.
func newUserCode() string {
	b := make([]byte, 8)
	rand.Read(b)
	for i := range b {
		b[i] = userCodeAlphabet[int(b[i])%len(userCodeAlphabet)]
	}
	return string(b[:4]) + "-" + string(b[4:])
}

// normalizeUserCode accepts what a user types: any case, with or without
// the dash, with spaces.
func normalizeUserCode(s string) string {
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(s))
	if len(s) != 8 {
		return s
	}
	return s[:4] + "-" + s[4:]
}

// handleDeviceAuthorization is POST /oauth/device (RFC 8628 §3.1): form
// client_id (and a secret for a confidential app) and optional scope.
func (s *Server) handleDeviceAuthorization(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		badGrant("invalid_request", "the body must be application/x-www-form-urlencoded").write(w)
		return
	}
	c, terr := s.authenticateClient(r)
	if terr != nil || c == nil {
		errInvalidClient.write(w)
		return
	}
	scopes := strings.Fields(r.PostForm.Get("scope"))
	if len(scopes) == 0 {
		scopes = slices.Clone(c.scopes)
	}
	for _, sc := range scopes {
		if !slices.Contains(knownScopes, sc) {
			badGrant("invalid_scope", "unknown scope "+sc).write(w)
			return
		}
	}
	now := s.Now()
	dc := &deviceCode{
		grant:    grant{clientID: c.id, scopes: slices.Compact(scopes)},
		userCode: newUserCode(), expires: now.Add(s.opts.DeviceCodeTTL), interval: s.opts.DeviceInterval,
	}
	if a, u := s.takeApproval(c.id, ""); a != nil {
		orgs, _ := s.grantOrgs(u, approvalOrgs(u, a.Orgs), nil)
		dc.approve(u, orgs, now)
	} else if u := s.autoApproveUser(); u != nil {
		dc.approve(u, memberships(u), now)
	}
	code := randomSecret("")
	s.oauth.mu.Lock()
	s.oauth.pruneLocked(now)
	s.oauth.devices[code] = dc
	s.oauth.userCodes[dc.userCode] = code
	s.oauth.mu.Unlock()
	verify := s.issuer(r) + "/oauth/device"
	noStore(w)
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code":               code,
		"user_code":                 dc.userCode,
		"verification_uri":          verify,
		"verification_uri_complete": verify + "?user_code=" + dc.userCode,
		"expires_in":                int64(s.opts.DeviceCodeTTL / time.Second),
		"interval":                  int64(s.opts.DeviceInterval / time.Second),
	})
}

func (dc *deviceCode) approve(u *User, orgs []string, now time.Time) {
	dc.user, dc.orgs, dc.authTime, dc.status = u, orgs, now, deviceApproved
}

// grantDevice polls a device code (RFC 8628 §3.4, §3.5).
func (s *Server) grantDevice(r *http.Request, c *oauthClient) (map[string]any, *tokenError) {
	value := r.PostForm.Get("device_code")
	if value == "" {
		return nil, badGrant("invalid_request", "device_code is missing")
	}
	now := s.Now()
	s.oauth.mu.Lock()
	dc := s.oauth.devices[value]
	if dc == nil {
		s.oauth.mu.Unlock()
		return nil, badGrant("invalid_grant", "the device code is invalid")
	}
	if terr := s.checkGrantClient(c, &dc.grant); terr != nil {
		s.oauth.mu.Unlock()
		return nil, terr
	}
	forget := func() {
		delete(s.oauth.devices, value)
		delete(s.oauth.userCodes, dc.userCode)
	}
	switch {
	case !now.Before(dc.expires):
		forget()
		s.oauth.mu.Unlock()
		return nil, badGrant("expired_token", "the device code expired: start again")
	case dc.status == deviceDenied:
		forget()
		s.oauth.mu.Unlock()
		return nil, badGrant("access_denied", "the user denied access")
	case dc.status == devicePending:
		last := dc.lastPoll
		dc.lastPoll = now
		if !last.IsZero() && now.Sub(last) < dc.interval {
			dc.interval += 5 * time.Second
			s.oauth.mu.Unlock()
			return nil, badGrant("slow_down", "polling too fast: wait the interval, plus 5 seconds")
		}
		s.oauth.mu.Unlock()
		return nil, badGrant("authorization_pending", "the user has not approved yet")
	}
	forget()
	g := dc.grant
	s.oauth.mu.Unlock()
	resp, _, terr := s.issueTokens(r, g, now)
	return resp, terr
}
