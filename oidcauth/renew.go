package oidcauth

import (
	"context"

	"github.com/hfgate/hfgate"
)

// renew loads subject's credential and renews it under the store's lock
// when it is due. missing is true when the store holds none.
func (s *TokenSource) renew(ctx context.Context, subject string) (cred *hfgate.Credential, missing bool, err error) {
	due := func(c *hfgate.Credential) bool { return c.IsOAuth() && c.Expired(s.now(), s.leeway()) }
	cred, missing, err = s.load(ctx, subject)
	if err != nil || !due(cred) {
		return cred, missing, err
	}
	unlock, err := s.Store.LockCredential(ctx, s.Endpoint, subject)
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	if cred, missing, err = s.load(ctx, subject); err != nil || !due(cred) {
		return cred, missing, err
	}

	next, err := s.refresh(ctx, cred)
	if err != nil {
		if hfgate.ErrorCode(err) == hfgate.EUNAVAILABLE && !cred.Expired(s.now(), 0) {
			return cred, false, nil
		}
		return nil, false, err
	}
	next.Subject = subject
	if err := s.Store.SaveCredential(ctx, next); err != nil {
		// The old refresh token may be spent already: only a new sign-in
		// gets a working one.
		return nil, false, hfgate.WrapError(hfgate.ErrorCode(err), err,
			"renewed the sign-in for %s but could not save it", cred.Endpoint).WithAction(hfgate.ActionSignIn)
	}
	return next, false, nil
}

// load reads subject's credential. None (missing) is EUNAUTHORIZED, "not
// signed in", with the store's message and ActionSignIn.
func (s *TokenSource) load(ctx context.Context, subject string) (cred *hfgate.Credential, missing bool, err error) {
	cred, err = s.Store.LoadCredential(ctx, s.Endpoint, subject)
	if hfgate.ErrorCode(err) == hfgate.ENOTFOUND {
		return nil, true, &hfgate.Error{Code: hfgate.EUNAUTHORIZED, Message: hfgate.ErrorMessage(err), Action: hfgate.ActionSignIn, Err: err}
	}
	return cred, false, err
}

// refresh renews cred with the provider that issued it.
func (s *TokenSource) refresh(ctx context.Context, cred *hfgate.Credential) (*hfgate.Credential, error) {
	if s.Open == nil {
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED,
			"the access token for %s has expired and no OAuth app is configured to renew it", cred.Endpoint).
			WithAction(hfgate.ActionSignIn)
	}
	c, err := s.Open(ctx, cred)
	if err != nil {
		return nil, err
	}
	next, err := c.Refresh(ctx, cred)
	if hfgate.ErrorCode(err) == hfgate.EUNAUTHORIZED {
		return nil, hfgate.WrapError(hfgate.EUNAUTHORIZED, err,
			"signed out of %s: the session expired or was revoked", cred.Endpoint).WithAction(hfgate.ActionSignIn)
	}
	return next, err
}
