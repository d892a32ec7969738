package oidcauth

import (
	"context"
	"errors"
	"time"

	"golang.org/x/oauth2"

	"github.com/hfgate/hfgate"
)

// DeviceCode is a device sign-in in progress (RFC 8628): show the user
// VerificationURI and UserCode (or VerificationURIComplete), then call
// DeviceWait. It also holds the device code, which is secret and not
// exported.
type DeviceCode struct {
	UserCode                string        // e.g. "ABCD-EFGH"; the user types it in
	VerificationURI         string        // where to type it, e.g. https://huggingface.co/oauth/device
	VerificationURIComplete string        // VerificationURI with the code filled in; may be empty
	Expiry                  time.Time     // wall-clock time the code expires
	Interval                time.Duration // minimum time between polls

	resp *oauth2.DeviceAuthResponse
}

// DeviceStart asks the provider for a device code, for the scopes in
// Config. The request carries client_id only (as x/oauth2 sends it), so use
// a public client for the device flow, as the hf CLI does. When the
// response has no expires_in, DefaultDeviceCodeTTL is assumed; with no
// interval, 5 seconds (RFC 8628 §3.2).
//
// Errors are *hfgate.Error: EINVALID when the provider has no device
// endpoint or rejects the client; EUNAVAILABLE for network and server
// failures; ECANCELED when ctx is canceled.
func (c *Client) DeviceStart(ctx context.Context) (*DeviceCode, error) {
	if c.endpoint.DeviceAuthURL == "" {
		return nil, hfgate.Errorf(hfgate.EINVALID, "%s does not offer device sign-in: sign in with a browser instead", c.name())
	}
	resp, err := c.oauth2Config("").DeviceAuth(c.tokenContext(ctx))
	if err != nil {
		return nil, userError(c.name(), reduceTokenError(err, c.cfg.ClientSecret), "device sign-in was refused")
	}
	if resp.DeviceCode == "" || resp.UserCode == "" || resp.VerificationURI == "" {
		return nil, hfgate.Errorf(hfgate.EUNAVAILABLE, "%s returned an incomplete device code response: try again later", c.name()).WithAction(hfgate.ActionRetry)
	}
	// A hostile or broken issuer must not make hfgate open a file: URL or a
	// custom scheme in the browser, or print terminal escape sequences.
	for _, u := range []string{resp.VerificationURI, resp.VerificationURIComplete} {
		if u == "" {
			continue
		}
		if err := checkEndpointURL(u); err != nil {
			return nil, hfgate.WrapError(hfgate.EINVALID, err,
				"%s returned a device verification address hfgate will not open (%q): check the endpoint", c.name(), sanitize(u, 200))
		}
	}
	if sanitize(resp.UserCode, 64) != resp.UserCode {
		return nil, hfgate.Errorf(hfgate.EINVALID, "%s returned a device user code that is not printable text: check the endpoint", c.name())
	}
	if resp.Expiry.IsZero() {
		// x/oauth2 stops polling at Expiry; without one it would poll forever.
		resp.Expiry = time.Now().Add(DefaultDeviceCodeTTL)
	}
	interval := time.Duration(resp.Interval) * time.Second
	if interval <= 0 {
		interval = 5 * time.Second
	}
	return &DeviceCode{
		UserCode:                resp.UserCode,
		VerificationURI:         resp.VerificationURI,
		VerificationURIComplete: resp.VerificationURIComplete,
		Expiry:                  resp.Expiry,
		Interval:                interval,
		resp:                    resp,
	}, nil
}

// DeviceWait polls the token endpoint until the user approves or denies the
// sign-in, the code expires, or ctx ends. x/oauth2 handles
// authorization_pending and slow_down (+5 s to the interval). The ID token,
// if the response has one, is verified like in Exchange except for the
// nonce: the device flow has no authorization request to carry one, and the
// token comes straight from the token endpoint. The user comes from
// userinfo.
//
// Errors are *hfgate.Error: EUNAUTHORIZED when the user denied access
// (access_denied), the code expired (expired_token, or Expiry passed), or
// the ID token fails verification; EUNAVAILABLE for network and server
// failures; ECANCELED when ctx is canceled.
func (c *Client) DeviceWait(ctx context.Context, dc *DeviceCode) (*Result, error) {
	if dc == nil || dc.resp == nil {
		return nil, hfgate.Errorf(hfgate.EINVALID, "no device sign-in to wait for: call DeviceStart first")
	}
	const expired = "the device code expired before sign-in was approved"
	tok, err := c.oauth2Config("").DeviceAccessToken(c.tokenContext(ctx), dc.resp)
	switch {
	case err == nil:
		// UNVERIFIED whether Hugging Face's device grant returns an ID
		// token; one is verified when present, and not required.
		return c.finish(ctx, tok, "", false)
	case ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
		// The deadline x/oauth2 set at dc.Expiry passed.
		return nil, hfgate.WrapError(hfgate.EUNAUTHORIZED, err, expired).WithAction(hfgate.ActionSignIn)
	case errors.Is(err, context.DeadlineExceeded):
		return nil, hfgate.WrapError(hfgate.EUNAUTHORIZED, err, "no sign-in was approved in time").WithAction(hfgate.ActionSignIn)
	default:
		return nil, userError(c.name(), reduceTokenError(err, dc.resp.DeviceCode, c.cfg.ClientSecret), expired)
	}
}
