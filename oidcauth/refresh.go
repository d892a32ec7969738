package oidcauth

import (
	"context"

	"golang.org/x/oauth2"

	"github.com/hfgate/hfgate"
)

// Refresh exchanges cred's refresh token for a new access token and returns
// the updated credential; cred is not modified. Providers that rotate
// refresh tokens (Hugging Face does: the old one stops working) return a
// new one, which replaces the old; when the response has none, the old one
// is kept. An ID token in the response is ignored: the user was verified at
// sign-in, and the credential keeps no ID token.
//
// Refresh does not coordinate with other processes: use a TokenSource, which
// holds the store's lock, so that two processes never spend one refresh
// token.
//
// Errors are *hfgate.Error: EUNAUTHORIZED when there is no refresh token,
// cred belongs to another OAuth app, or the provider answers invalid_grant
// (expired or revoked: the user must sign in again); EUNAVAILABLE for
// network and server failures, after which cred is unchanged and may be
// retried; ECANCELED when ctx is canceled.
func (c *Client) Refresh(ctx context.Context, cred *hfgate.Credential) (*hfgate.Credential, error) {
	switch {
	case cred == nil || cred.RefreshToken == "":
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED, "your %s session cannot be renewed", c.name()).WithAction(hfgate.ActionSignIn)
	case cred.ClientID != "" && cred.ClientID != c.cfg.ClientID:
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED,
			"you signed in to %s with another OAuth app (client id %s)", c.name(), cred.ClientID).WithAction(hfgate.ActionSignIn)
	}
	src := c.oauth2Config("").TokenSource(c.tokenContext(ctx), &oauth2.Token{RefreshToken: cred.RefreshToken})
	tok, err := src.Token()
	if err != nil {
		return nil, userError(c.name(), reduceTokenError(err, cred.RefreshToken, cred.AccessToken, c.cfg.ClientSecret),
			"your "+c.name()+" session expired or was revoked")
	}
	c.setExpiry(tok)
	next := *cred
	next.Issuer = c.cfg.Issuer
	next.ClientID = c.cfg.ClientID
	next.AccessToken = tok.AccessToken
	next.Expiry = tok.Expiry
	next.Scopes = grantedScopes(tok, cred.Scopes)
	if tok.RefreshToken != "" {
		next.RefreshToken = tok.RefreshToken
	}
	return &next, nil
}
