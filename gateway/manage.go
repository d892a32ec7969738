package gateway

import (
	"context"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
)

// FindAccount returns the account named by who: its subject
// ("huggingface:6523…"), or a username, which must then name one account
// only (usernames are unique per provider, not across them).
func FindAccount(ctx context.Context, accounts hfgate.AccountStore, who string) (*hfgate.Account, error) {
	who = strings.TrimSpace(who)
	if who == "" {
		return nil, hfgate.Errorf(hfgate.EINVALID, "name a user by username or subject")
	}
	if strings.Contains(who, ":") {
		return accounts.LoadAccount(ctx, who)
	}
	list, err := accounts.ListAccounts(ctx)
	if err != nil {
		return nil, err
	}
	var found []*hfgate.Account
	for _, a := range list {
		if a.Username == who {
			found = append(found, a)
		}
	}
	switch len(found) {
	case 0:
		return nil, hfgate.Errorf(hfgate.ENOTFOUND, "no user %q has signed in to this gateway", who)
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, a := range found {
		ids[i] = a.ID
	}
	return nil, hfgate.Errorf(hfgate.EINVALID, "%d users are named %q; name one by subject: %s", len(found), who, strings.Join(ids, ", "))
}

// Revoker is what a revocation changes.
type Revoker interface {
	hfgate.AccountStore
	hfgate.SessionStore
	hfgate.TokenStore
}

// Revoke ends what req names, for the admin API and hfgate admin revoke:
// a token (and, for a device sign-in's token, its whole family), a
// session, or every session and token of a user. by is who revokes. Every
// replica refuses what was revoked at once (the store announces it).
func Revoke(ctx context.Context, st Revoker, req RevokeRequest, by string, now time.Time) (RevokeResult, error) {
	var res RevokeResult
	n := 0
	for _, s := range []string{req.TokenID, req.Session, req.User} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return res, hfgate.Errorf(hfgate.EINVALID, "revoke one token, one session or one user")
	}
	reason := firstNonEmpty(req.Reason, "revoked by an admin")
	switch {
	case req.TokenID != "":
		tok, err := st.LoadToken(ctx, req.TokenID)
		if err != nil {
			return res, err
		}
		rev := hfgate.TokenRevocation{ID: tok.ID, At: now, By: by, Reason: reason}
		if tok.FamilyID != "" {
			rev = hfgate.TokenRevocation{FamilyID: tok.FamilyID, At: now, By: by, Reason: reason}
		}
		res.Tokens, err = st.RevokeTokens(ctx, rev)
		return res, err
	case req.Session != "":
		if _, err := st.LoadSession(ctx, req.Session); err != nil {
			return res, err
		}
		if err := st.DeleteSession(ctx, req.Session); err != nil {
			return res, err
		}
		res.Sessions = 1
		return res, nil
	}
	a, err := FindAccount(ctx, st, req.User)
	if err != nil {
		return res, err
	}
	if res.Sessions, err = st.DeleteSessions(ctx, a.ID); err != nil {
		return res, err
	}
	res.Tokens, err = st.RevokeTokens(ctx, hfgate.TokenRevocation{Subject: a.ID, At: now, By: by, Reason: reason})
	return res, err
}
