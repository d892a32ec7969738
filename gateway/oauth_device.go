package gateway

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// maxForm bounds the body of the OAuth endpoints.
const maxForm = 64 << 10

// deviceAuthorization is the device authorization endpoint (RFC 8628
// section 3.1): a new device code and user code for a built-in client.
func (s *Server) deviceAuthorization(w http.ResponseWriter, r *http.Request) error {
	form, err := readForm(w, r)
	if err != nil {
		return err
	}
	c, ok := clients[form.Get("client_id")]
	if !ok {
		return &OAuthError{Code: "invalid_client", Description: "unknown client_id: this gateway knows hfgate and the Hugging Face CLI"}
	}
	scopes := strings.Fields(form.Get("scope"))
	for _, sc := range scopes {
		if !slices.Contains(scopesSupported, sc) {
			return oauthErr("invalid_scope", "scope %q is not offered here", sc)
		}
	}
	if len(scopes) == 0 {
		scopes = []string{"openid", "profile"}
	}
	deviceCode := "hfgd_" + rand.Text() + rand.Text()
	now := s.now()
	ttl := or(s.cfg.DeviceTTL, DefaultDeviceTTL)
	interval := max(or(s.cfg.DeviceInterval, DefaultInterval).Truncate(time.Second), time.Second)
	d := &hfgate.DeviceAuth{
		Hash: hfgate.TokenHash(deviceCode), ClientID: c.id, Scopes: scopes,
		Created: now, Expires: now.Add(ttl), Interval: interval, State: hfgate.DevicePending,
	}
	for attempt := 0; ; attempt++ {
		d.UserCode = hfgate.NewUserCode()
		err = s.store.CreateDeviceAuth(r.Context(), d)
		if err == nil || hfgate.ErrorCode(err) != hfgate.EINVALID || attempt == 4 {
			break
		}
	}
	if err != nil {
		return err
	}
	verify := s.cfg.PublicURL + "/oauth/device"
	w.Header().Set("Cache-Control", "no-store")
	webauth.WriteJSON(w, http.StatusOK, map[string]any{
		"device_code":               deviceCode,
		"user_code":                 d.UserCode,
		"verification_uri":          verify,
		"verification_uri_complete": verify + "?user_code=" + url.QueryEscape(d.UserCode),
		"expires_in":                int(ttl.Seconds()),
		"interval":                  int(interval.Seconds()),
	})
	return nil
}

// readForm reads an OAuth request's parameters: a form body, or a JSON
// object of strings (huggingface_hub sends token exchange as JSON).
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/json") {
		return readJSONForm(r)
	}
	if err := r.ParseForm(); err != nil {
		return nil, oauthErr("invalid_request", "the request body is not a form")
	}
	return r.PostForm, nil
}
