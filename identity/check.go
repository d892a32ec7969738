package identity

import (
	"context"
	"time"

	"github.com/hfgate/hfgate"
)

func unauthorized(format string, args ...any) error {
	return hfgate.Errorf(hfgate.EUNAUTHORIZED, format, args...).WithAction(hfgate.ActionSignIn)
}

// Token returns the principal of the gateway token secret, with TokenID
// set, and Resource when the token is narrowed to one repository. The
// principal is shared: do not change it (Clone it to derive one).
func (c *Checker) Token(ctx context.Context, secret string) (*hfgate.Principal, error) {
	c.init()
	if !hfgate.IsTokenSecret(secret) {
		return nil, unauthorized("this is not a token of this gateway")
	}
	key := "t" + hfgate.TokenHash(secret)
	now := c.now()
	if e := c.lookup(key, now); e != nil {
		c.used(e, now)
		return e.principal, nil
	}
	epoch := c.epoch.Load()
	tok, err := c.Tokens.TokenByHash(ctx, key[1:])
	switch {
	case hfgate.ErrorCode(err) == hfgate.ENOTFOUND:
		return nil, unauthorized("this token is not known here: it was never issued, or was removed")
	case err != nil:
		return nil, err
	case !tok.Bearer():
		return nil, unauthorized("a refresh token only renews tokens; send its access token")
	case !tok.Revoked.IsZero():
		return nil, unauthorized("this token was revoked")
	case !now.Before(tok.Expires):
		return nil, unauthorized("this token has expired")
	}
	var p *hfgate.Principal
	if tok.Kind == hfgate.TokenCI {
		p = tok.Principal.Clone()
	} else if p, err = c.owner(ctx, tok.Subject); hfgate.ErrorCode(err) == hfgate.ENOTFOUND {
		return nil, unauthorized("the account this token belongs to is gone")
	} else if err != nil {
		return nil, err
	}
	p.TokenID, p.Resource = tok.ID, tok.Resource
	e := &entry{principal: p, tokenID: tok.ID, familyID: tok.FamilyID, subject: tok.Subject, expires: tok.Expires}
	e.touched.Store(nanos(tok.LastUsed))
	c.remember(key, e, epoch)
	c.used(e, now)
	return p, nil
}

// Session returns the principal of the session whose cookie holds secret,
// with SessionID set. The principal is shared: do not change it.
func (c *Checker) Session(ctx context.Context, secret string) (*hfgate.Principal, error) {
	c.init()
	if secret == "" {
		return nil, unauthorized("not signed in")
	}
	id := hfgate.SessionID(secret)
	key := "s" + id
	now := c.now()
	if e := c.lookup(key, now); e != nil {
		c.used(e, now)
		return e.principal, nil
	}
	epoch := c.epoch.Load()
	s, err := c.Sessions.LoadSession(ctx, id)
	switch {
	case hfgate.ErrorCode(err) == hfgate.ENOTFOUND:
		return nil, unauthorized("this session has ended: sign in again")
	case err != nil:
		return nil, err
	}
	p, err := c.owner(ctx, s.Subject())
	switch {
	case hfgate.ErrorCode(err) == hfgate.ENOTFOUND:
		p = s.Principal.Clone() // a session without an account
	case err != nil:
		return nil, err
	}
	p.SessionID = s.ID
	e := &entry{principal: p, sessionID: s.ID, subject: s.Subject(), expires: s.ExpiresAt()}
	e.touched.Store(nanos(s.LastSeen))
	c.remember(key, e, epoch)
	c.used(e, now)
	return p, nil
}

// owner returns the principal of the account subject, refusing a disabled
// one. A missing account is ENOTFOUND.
func (c *Checker) owner(ctx context.Context, subject string) (*hfgate.Principal, error) {
	a, err := c.Accounts.LoadAccount(ctx, subject)
	if err != nil {
		if hfgate.ErrorCode(err) == hfgate.ENOTFOUND {
			return nil, hfgate.WrapError(hfgate.ENOTFOUND, err, "the owner's account is gone")
		}
		return nil, err
	}
	if a.Disabled {
		return nil, unauthorized("the account %s is disabled", a.Username)
	}
	return a.Principal(), nil
}

// nanos returns t in Unix nanoseconds, 0 for the zero time.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
