package oidcauth

import (
	"context"

	"github.com/hfgate/hfgate"
)

// Account is who a stored credential belongs to.
type Account struct {
	// Credential is the caller's credential, renewed if it was due.
	Credential *hfgate.Credential
	// User is the account, as the Hub's whoami-v2 or the issuer's
	// userinfo describe it.
	User *hfgate.User
	// FromUserInfo is true when User came from the issuer's userinfo,
	// because the endpoint is an OpenID Connect issuer but no Hub.
	FromUserInfo bool
}

// Account returns the account of the caller in ctx: their credential,
// renewed first if due, and who it belongs to, from hub.WhoAmI (hub must
// send this TokenSource's tokens, as a Hub client whose Token is s.Token
// does). When the endpoint answers whoami-v2 with "not found" and the
// credential came from an OAuth sign-in, the endpoint is a plain OpenID
// Connect issuer, and the account comes from its userinfo (with Open).
//
// Errors: EUNAUTHORIZED with ActionSignIn for an anonymous caller or one
// without a credential; those of Credential, hub.WhoAmI, Open and
// Client.UserInfo otherwise.
func (s *TokenSource) Account(ctx context.Context, hub hfgate.Hub) (*Account, error) {
	p := hfgate.PrincipalFrom(ctx)
	if p.IsAnonymous() {
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED, "not signed in to %s", s.Endpoint).WithAction(hfgate.ActionSignIn)
	}
	cred, err := s.Credential(ctx, s.subject(p))
	if err != nil {
		return nil, err
	}
	a := &Account{Credential: cred}
	a.User, err = hub.WhoAmI(ctx)
	if hfgate.ErrorCode(err) == hfgate.ENOTFOUND && cred.IsOAuth() && s.Open != nil {
		a.FromUserInfo = true
		a.User, err = s.userInfo(ctx, cred)
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}

// userInfo reads the profile of an OAuth credential from its issuer.
func (s *TokenSource) userInfo(ctx context.Context, cred *hfgate.Credential) (*hfgate.User, error) {
	c, err := s.Open(ctx, cred)
	if err != nil {
		return nil, err
	}
	u, err := c.UserInfo(ctx, cred.AccessToken)
	if err != nil {
		return nil, err
	}
	return &u, nil
}
