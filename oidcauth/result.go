package oidcauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/hfgate/hfgate"
)

// Result is a completed sign-in.
//
// Security: Token holds the access and refresh tokens (and the raw ID token
// in its extra fields). Keep it in memory or in the credential store only;
// never log it, put it in a URL or send it to a browser.
type Result struct {
	// Token is the token response. Its Expiry was computed from expires_in
	// with Config.Now; it is zero when the token does not expire.
	Token *oauth2.Token

	// Scopes are the granted scopes: the response's "scope" field, or the
	// requested scopes when the provider omitted it (RFC 6749 §5.1).
	Scopes []string

	// IDToken is the verified ID token. It is nil only after a device sign-in
	// whose token response had no ID token.
	IDToken *oidc.IDToken

	// Claims are the raw userinfo claims (the ID token's claims when the
	// provider has no userinfo endpoint) that User was parsed from.
	Claims json.RawMessage

	// User is the signed-in account.
	User hfgate.User

	issuer, clientID string
}

// Credential returns what to keep for the Hub at endpoint as subject's
// credential (hfgate.LocalSubject for the command line's own sign-in, else
// the owner's Principal.Subject): tokens, expiry, scopes and username,
// without the ID token.
func (r *Result) Credential(endpoint, subject string) *hfgate.Credential {
	return &hfgate.Credential{
		Endpoint:     endpoint,
		Subject:      subject,
		Issuer:       r.issuer,
		ClientID:     r.clientID,
		AccessToken:  r.Token.AccessToken,
		RefreshToken: r.Token.RefreshToken,
		Expiry:       r.Token.Expiry,
		Scopes:       slices.Clone(r.Scopes),
		Username:     r.User.Username,
	}
}

// finish verifies the ID token of a fresh token response and fetches the
// user. nonce is the Attempt's nonce; "" in the device flow, which has no
// nonce (RFC 8628 has no redirect to bind). Without requireIDToken a
// response without an ID token is accepted and the user comes from userinfo
// alone, authenticated by the access token that the token endpoint just
// returned over TLS.
func (c *Client) finish(ctx context.Context, tok *oauth2.Token, nonce string, requireIDToken bool) (*Result, error) {
	c.setExpiry(tok)
	r := &Result{Token: tok, Scopes: grantedScopes(tok, c.cfg.Scopes), issuer: c.cfg.Issuer, clientID: c.cfg.ClientID}
	raw, _ := tok.Extra("id_token").(string)
	switch {
	case raw != "":
		idt, err := c.verifyIDToken(ctx, raw, tok.AccessToken, nonce)
		if err != nil {
			return nil, hfgate.WrapError(hfgate.EUNAUTHORIZED, err,
				"the ID token from %s was rejected: %s (if it keeps failing, check the issuer and client id)",
				c.cfg.Issuer, idTokenReason(err)).WithAction(hfgate.ActionSignIn)
		}
		r.IDToken = idt
	case requireIDToken:
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED,
			"%s returned no ID token: check that the scopes include openid", c.cfg.Issuer).WithAction(hfgate.ActionSignIn)
	}

	var err error
	switch {
	case c.userinfo != "":
		r.Claims, err = c.fetchUserInfo(ctx, tok)
		if err != nil {
			return nil, err
		}
	case r.IDToken != nil:
		if err := r.IDToken.Claims(&r.Claims); err != nil {
			return nil, hfgate.WrapError(hfgate.EINTERNAL, err, "read ID token claims")
		}
	default:
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED, "%s returned neither an ID token nor a userinfo endpoint: cannot tell who signed in", c.cfg.Issuer)
	}
	var sub struct {
		Subject string `json:"sub"`
	}
	if err := json.Unmarshal(r.Claims, &sub); err != nil || sub.Subject == "" {
		return nil, hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the user profile from %s has no subject (sub)", c.cfg.Issuer)
	}
	if r.IDToken != nil && sub.Subject != r.IDToken.Subject {
		// OpenID Connect Core §5.3.2: userinfo for another subject MUST NOT be used.
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED, "%s returned userinfo for another user than the ID token", c.cfg.Issuer).WithAction(hfgate.ActionSignIn)
	}
	if r.User, err = c.cfg.ParseUser(r.Claims); err != nil {
		return nil, hfgate.WrapError(hfgate.EUNAVAILABLE, err, "cannot read the user profile from %s", c.cfg.Issuer)
	}
	return r, nil
}

// fetchUserInfo calls the userinfo endpoint with the access token.
func (c *Client) fetchUserInfo(ctx context.Context, tok *oauth2.Token) (json.RawMessage, error) {
	ui, err := c.provider.UserInfo(oidc.ClientContext(ctx, c.oidcHTTP), oauth2.StaticTokenSource(tok))
	if err != nil {
		var se *statusError
		switch {
		case errors.Is(err, context.Canceled):
			return nil, hfgate.WrapError(hfgate.ECANCELED, err, "sign-in canceled")
		case errors.As(err, &se) && (se.StatusCode == http.StatusUnauthorized || se.StatusCode == http.StatusForbidden):
			return nil, hfgate.WrapError(hfgate.EUNAUTHORIZED, err, "%s rejected the access token at userinfo", c.cfg.Issuer).WithAction(hfgate.ActionSignIn)
		default:
			return nil, hfgate.WrapError(hfgate.EUNAVAILABLE, err, "cannot fetch the user profile from %s: try again", c.cfg.Issuer).WithAction(hfgate.ActionRetry)
		}
	}
	var claims json.RawMessage
	if err := ui.Claims(&claims); err != nil {
		return nil, hfgate.WrapError(hfgate.EUNAVAILABLE, err, "cannot read the user profile from %s", c.cfg.Issuer)
	}
	return claims, nil
}

// setExpiry recomputes tok.Expiry from expires_in with the configured
// clock; x/oauth2 uses time.Now.
func (c *Client) setExpiry(tok *oauth2.Token) {
	if tok.ExpiresIn > 0 {
		tok.Expiry = c.cfg.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
}

// grantedScopes reads the space-separated "scope" field of a token response.
func grantedScopes(tok *oauth2.Token, requested []string) []string {
	if s, ok := tok.Extra("scope").(string); ok && strings.TrimSpace(s) != "" {
		return strings.Fields(s)
	}
	return slices.Clone(requested)
}
