package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// TokenRequest is a request to the token endpoint, for a GrantHandler.
type TokenRequest struct {
	Form      url.Values // the parameters, from a form or a JSON body
	ClientIP  netip.Addr
	UserAgent string
	Now       time.Time
}

// TokenResponse is a successful answer of the token endpoint
// (RFC 6749 section 5.1; RFC 8693 section 2.2.1 adds IssuedTokenType).
type TokenResponse struct {
	AccessToken     string `json:"access_token"`
	IssuedTokenType string `json:"issued_token_type,omitempty"`
	TokenType       string `json:"token_type"`
	ExpiresIn       int    `json:"expires_in"`
	RefreshToken    string `json:"refresh_token,omitempty"`
	Scope           string `json:"scope,omitempty"`
}

// GrantHandler answers one grant type at the token endpoint. Its error is
// written as an OAuth error: an *OAuthError as it is, EUNAVAILABLE as
// temporarily_unavailable, anything else as server_error.
type GrantHandler func(ctx context.Context, req *TokenRequest) (*TokenResponse, error)

// token is the token endpoint.
func (s *Server) token(w http.ResponseWriter, r *http.Request) error {
	form, err := readForm(w, r)
	if err != nil {
		return err
	}
	req := &TokenRequest{Form: form, ClientIP: s.clientIP(r), UserAgent: r.UserAgent(), Now: s.now()}
	gt := form.Get("grant_type")
	var resp *TokenResponse
	switch gt {
	case grantDeviceCode:
		resp, err = s.deviceCodeGrant(r.Context(), req)
	case grantRefresh:
		resp, err = s.refreshGrant(r.Context(), req)
	case "":
		return oauthErr("invalid_request", "grant_type is missing")
	default:
		h := s.cfg.Grants[gt]
		if gt == grantTokenExchange && s.ci != nil {
			h = s.exchangeGrant
		}
		if h == nil {
			return oauthErr("unsupported_grant_type", "grant type %q is not supported here", gt)
		}
		resp, err = h(r.Context(), req)
	}
	if err != nil {
		s.metrics.grants.WithLabelValues(grantLabel(gt), "refused").Inc()
		return err
	}
	s.metrics.grants.WithLabelValues(grantLabel(gt), "ok").Inc()
	w.Header().Set("Cache-Control", "no-store")
	webauth.WriteJSON(w, http.StatusOK, resp)
	return nil
}

func grantLabel(gt string) string {
	switch gt {
	case grantDeviceCode:
		return "device_code"
	case grantRefresh:
		return "refresh_token"
	}
	if i := strings.LastIndexByte(gt, ':'); i >= 0 {
		return gt[i+1:]
	}
	return gt
}

// knownClient returns the built-in public client the request names.
func knownClient(form url.Values) (client, error) {
	c, ok := clients[form.Get("client_id")]
	if !ok {
		return client{}, &OAuthError{Code: "invalid_client", Description: "unknown client_id"}
	}
	return c, nil
}

// deviceCodeGrant redeems an approved device code (RFC 8628 section 3.4).
func (s *Server) deviceCodeGrant(ctx context.Context, req *TokenRequest) (*TokenResponse, error) {
	c, err := knownClient(req.Form)
	if err != nil {
		return nil, err
	}
	code := req.Form.Get("device_code")
	if code == "" {
		return nil, oauthErr("invalid_request", "device_code is missing")
	}
	var resp *TokenResponse
	poll, err := s.store.PollDeviceAuth(ctx, hfgate.TokenHash(code), req.Now, func(d *hfgate.DeviceAuth) ([]*hfgate.Token, error) {
		if d.ClientID != c.id {
			return nil, oauthErr("invalid_grant", "this device code was issued to another client")
		}
		var toks []*hfgate.Token
		resp, toks = s.newFamily(d.Subject, c.id, d.Scopes, hfgate.NewTokenID(), req.Now)
		return toks, nil
	})
	switch {
	case hfgate.ErrorCode(err) == hfgate.ENOTFOUND:
		return nil, oauthErr("invalid_grant", "unknown device code")
	case hfgate.ErrorCode(err) == hfgate.EINVALID:
		return nil, oauthErr("invalid_grant", "this device code was used already")
	case err != nil:
		return nil, err
	case poll.ClientID != c.id:
		return nil, oauthErr("invalid_grant", "this device code was issued to another client")
	case poll.SlowDown:
		return nil, oauthErr("slow_down", "polling too fast: wait %d seconds between polls", int(poll.Interval.Seconds()))
	}
	switch poll.State {
	case hfgate.DeviceApproved:
		return resp, nil
	case hfgate.DeviceDenied:
		return nil, oauthErr("access_denied", "the sign-in was denied in the browser")
	case hfgate.DeviceExpired:
		return nil, oauthErr("expired_token", "the device code expired; start the sign-in again")
	default:
		return nil, oauthErr("authorization_pending", "waiting for the code to be approved in a browser")
	}
}

// refreshGrant renews an access token with a refresh token, rotating it
// (RFC 6749 section 6; OAuth 2.1 section 4.3.1).
func (s *Server) refreshGrant(ctx context.Context, req *TokenRequest) (*TokenResponse, error) {
	c, err := knownClient(req.Form)
	if err != nil {
		return nil, err
	}
	secret := req.Form.Get("refresh_token")
	if !hfgate.IsTokenSecret(secret) {
		return nil, oauthErr("invalid_grant", "this is not a refresh token of this gateway")
	}
	hash := hfgate.TokenHash(secret)
	if old, err := s.store.TokenByHash(ctx, hash); err == nil {
		if a, err := s.store.LoadAccount(ctx, old.Subject); err == nil && a.Disabled {
			return nil, oauthErr("invalid_grant", "the account is disabled on this gateway")
		}
	}
	var resp *TokenResponse
	err = s.store.RotateRefreshToken(ctx, hash, req.Now, func(old *hfgate.Token) ([]*hfgate.Token, error) {
		if old.ClientID != c.id {
			return nil, oauthErr("invalid_grant", "this refresh token was issued to another client")
		}
		var toks []*hfgate.Token
		resp, toks = s.newFamily(old.Subject, c.id, old.Scopes, old.FamilyID, req.Now)
		return toks, nil
	})
	var oe *OAuthError
	switch {
	case errors.As(err, &oe):
		return nil, err
	case errors.Is(err, hfgate.ErrRefreshReused):
		s.metrics.reuses.Inc()
		s.log.WarnContext(ctx, "a spent refresh token was presented again; its sign-in is revoked", "client_ip", req.ClientIP.String())
		return nil, oauthErr("invalid_grant", "%s", hfgate.ErrorMessage(err))
	case hfgate.ErrorCode(err) == hfgate.ENOTFOUND || hfgate.ErrorCode(err) == hfgate.EUNAUTHORIZED:
		return nil, oauthErr("invalid_grant", "%s", hfgate.ErrorMessage(err))
	case err != nil:
		return nil, err
	}
	return resp, nil
}

// newFamily makes an access token and a refresh token of family for
// subject, and the response that hands them out.
func (s *Server) newFamily(subject, clientID string, scopes []string, family string, now time.Time) (*TokenResponse, []*hfgate.Token) {
	accessTTL, refreshTTL := or(s.cfg.AccessTTL, DefaultAccessTTL), or(s.cfg.RefreshTTL, DefaultRefreshTTL)
	mk := func(kind hfgate.TokenKind, ttl time.Duration) (string, *hfgate.Token) {
		secret, id, hash := hfgate.NewTokenSecret()
		return secret, &hfgate.Token{ID: id, Hash: hash, Kind: kind, Subject: subject, FamilyID: family,
			ClientID: clientID, Scopes: scopes, Created: now, Expires: now.Add(ttl)}
	}
	access, a := mk(hfgate.TokenAccess, accessTTL)
	refresh, rt := mk(hfgate.TokenRefresh, refreshTTL)
	s.metrics.issued.WithLabelValues(string(hfgate.TokenAccess)).Inc()
	return &TokenResponse{AccessToken: access, TokenType: "bearer", ExpiresIn: int(accessTTL.Seconds()),
		RefreshToken: refresh, Scope: strings.Join(scopes, " ")}, []*hfgate.Token{a, rt}
}

// readJSONForm reads a JSON object's strings, numbers and booleans as
// form values.
func readJSONForm(r *http.Request) (url.Values, error) {
	var obj map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&obj); err != nil {
		return nil, oauthErr("invalid_request", "the request body is not a JSON object")
	}
	form := url.Values{}
	for k, raw := range obj {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			continue
		}
		switch v := v.(type) {
		case string:
			form.Set(k, v)
		case float64:
			form.Set(k, strconv.FormatFloat(v, 'f', -1, 64))
		case bool:
			form.Set(k, strconv.FormatBool(v))
		}
	}
	return form, nil
}
