package oidcauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"net/url"
	"slices"
	"time"

	"golang.org/x/oauth2"

	"github.com/hfgate/hfgate"
)

// Attempt is one sign-in in progress: what Begin generated and Exchange
// needs to check the callback. It is JSON-serialisable so that a web server
// can keep it between the two redirects.
//
// Security: an Attempt holds the PKCE verifier. It MUST stay on the server
// (in memory, or in a server-side session record) and MUST NEVER reach the
// browser: not in a cookie, not in a page, not in a URL. An Attempt is for
// one use; delete it once Exchange has been called.
type Attempt struct {
	State       string    `json:"state"`        // sent to the provider; comes back on the redirect
	Nonce       string    `json:"nonce"`        // must come back inside the ID token
	Verifier    string    `json:"verifier"`     // PKCE code_verifier (RFC 7636); secret
	RedirectURL string    `json:"redirect_url"` // must be sent again at the token endpoint
	Created     time.Time `json:"created"`
}

// AuthOption adds a parameter to one authorization URL.
type AuthOption struct{ key, value string }

// WithParam adds key=value to the authorization URL. Parameters that Begin
// sets itself (state, nonce, the PKCE challenge, client_id, redirect_uri,
// response_type, scope) cannot be overridden: Begin reports EINVALID.
func WithParam(key, value string) AuthOption { return AuthOption{key, value} }

// WithOrgID asks Hugging Face to require access to the organization whose
// id ("sub" in userinfo orgs[]) is orgID, with the orgIds parameter.
func WithOrgID(orgID string) AuthOption { return WithParam("orgIds", orgID) }

// reservedParams are set by Begin and must not be replaced by an option: a
// replaced code_challenge_method could downgrade PKCE to "plain".
var reservedParams = []string{
	"response_type", "client_id", "redirect_uri", "scope", "state", "nonce",
	"code_challenge", "code_challenge_method",
}

// Begin starts an authorization code sign-in that will return to
// redirectURL. It returns the URL to send the browser to and the Attempt to
// keep server-side until the callback. Every call generates a fresh state,
// nonce and PKCE verifier; the challenge is always S256.
//
// When the scopes include offline_access, prompt=consent is sent unless an
// option sets prompt: without it, OpenID Connect Core §11 lets the provider
// ignore the scope (and so issue no refresh token).
//
// redirectURL must be https, or http on a loopback address (RFC 8252 §7.3),
// and registered with the provider. Errors are EINVALID. Begin makes no
// network calls.
func (c *Client) Begin(redirectURL string, opts ...AuthOption) (authURL string, a *Attempt, err error) {
	if err := checkEndpointURL(redirectURL); err != nil {
		return "", nil, hfgate.WrapError(hfgate.EINVALID, err, "redirect URL %q is not usable", redirectURL)
	}
	a = &Attempt{
		State:       rand.Text(),
		Nonce:       rand.Text(),
		Verifier:    oauth2.GenerateVerifier(),
		RedirectURL: redirectURL,
		Created:     c.cfg.Now(),
	}
	params := []oauth2.AuthCodeOption{
		oauth2.S256ChallengeOption(a.Verifier),
		oauth2.SetAuthURLParam("nonce", a.Nonce),
	}
	if slices.Contains(c.cfg.Scopes, "offline_access") &&
		!slices.ContainsFunc(opts, func(o AuthOption) bool { return o.key == "prompt" }) {
		// OpenID Connect Core §11: offline_access is ignored unless the
		// prompt includes consent.
		params = append(params, oauth2.SetAuthURLParam("prompt", "consent"))
	}
	for _, o := range opts {
		if slices.Contains(reservedParams, o.key) || o.key == "" {
			return "", nil, hfgate.Errorf(hfgate.EINVALID, "authorization parameter %q cannot be set by an option", o.key)
		}
		params = append(params, oauth2.SetAuthURLParam(o.key, o.value))
	}
	return c.oauth2Config(redirectURL).AuthCodeURL(a.State, params...), a, nil
}

// Exchange completes the sign-in started by Begin, given the query of the
// request the provider redirected to. In this order it checks that the
// state matches a (constant-time, before anything else), that a is not
// older than Config.AttemptTTL, that an "iss" parameter (RFC 9207), if any,
// names this issuer, and reports the provider's error if there is one. Then
// it exchanges the code with the PKCE verifier, verifies the ID token
// (signature against the JWKS, issuer, audience = client id, expiry with
// Config.ClockSkew, algorithm allow-list, nonce == a.Nonce; a missing nonce
// is an error) and fetches userinfo, whose "sub" must match the ID token's.
//
// Errors are *hfgate.Error: EUNAUTHORIZED for a response that does not
// belong to a, a denied consent, a rejected code or an ID token that fails
// verification; EINVALID for a rejected client; EUNAVAILABLE for network
// and server failures; ECANCELED when ctx is canceled. Call Exchange at most
// once per Attempt.
func (c *Client) Exchange(ctx context.Context, a *Attempt, callback url.Values) (*Result, error) {
	if a == nil {
		return nil, hfgate.Errorf(hfgate.EINVALID, "no sign-in attempt to complete")
	}
	if !stateMatches(callback.Get("state"), a.State) {
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED,
			"this sign-in response does not belong to the sign-in that was started (state mismatch)").WithAction(hfgate.ActionSignIn)
	}
	if age := c.cfg.Now().Sub(a.Created); age > c.cfg.AttemptTTL {
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED,
			"the sign-in was not completed within %v", c.cfg.AttemptTTL).WithAction(hfgate.ActionSignIn)
	}
	if callback.Has("iss") && callback.Get("iss") != c.cfg.Issuer {
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED,
			"this sign-in response comes from another provider than %s", c.cfg.Issuer).WithAction(hfgate.ActionSignIn)
	}
	code := callback.Get("code")
	if pe := callbackError(callback, code, a.Verifier); pe != nil {
		return nil, userError(c.name(), pe, "sign-in failed")
	}
	if code == "" {
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED,
			"the sign-in provider redirected back without a code").WithAction(hfgate.ActionSignIn)
	}
	tok, err := c.oauth2Config(a.RedirectURL).Exchange(c.tokenContext(ctx), code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		return nil, userError(c.name(), reduceTokenError(err, code, a.Verifier, c.cfg.ClientSecret),
			"the sign-in code was rejected (expired, already used, or issued to another app)")
	}
	return c.finish(ctx, tok, a.Nonce, true)
}

// stateMatches compares in constant time; an empty expected state never
// matches.
func stateMatches(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
