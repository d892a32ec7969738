package web

import (
	"context"
	"sync"

	"github.com/hfgate/hfgate"
)

// The local account is the command line's credential for the Hub, kept
// under hfgate.LocalSubject: a sign-in here, "hfgate login", HF_TOKEN or the
// token file of "hf auth login". A browser session counts only while the
// local account is the session's account, and a sign-in never replaces the
// local account of another user.

// localAccount is the local account as the page shows it.
type localAccount struct {
	// Username is the account's; for a credential stored without one (a
	// bare token) the Hub's whoami says it, and "" means nobody could tell.
	Username string `json:"username,omitempty"`
	// Source names a credential the app can neither replace nor remove,
	// such as "HF_TOKEN"; "" for a sign-in kept in the credential store.
	Source string `json:"source,omitempty"`

	dead bool // the Hub refused the token: it stands for nobody
}

// whoamiCache remembers whose bare tokens are, by the token's hash, so that
// the Hub is asked once per token, not once per request.
type whoamiCache struct {
	mu sync.Mutex
	m  map[string]string
}

// maxWhoami bounds whoamiCache: the local account changes rarely.
const maxWhoami = 16

// account returns the local account, or nil when there is none.
func (s *Server) account(ctx context.Context) (*localAccount, error) {
	cred, err := s.Credentials.LoadCredential(ctx, s.Endpoint, hfgate.LocalSubject)
	if hfgate.ErrorCode(err) == hfgate.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	acct := &localAccount{Username: cred.Username}
	if acct.Username != "" {
		return acct, nil // a sign-in, kept with its account's name
	}
	if s.CredentialSource != nil {
		acct.Source = s.CredentialSource(ctx)
	}
	key := hfgate.SessionID(cred.AccessToken)
	c := &s.whoami
	c.mu.Lock()
	name, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		acct.Username = name
		return acct, nil
	}
	// The Hub's token source sends the local account's token for
	// hfgate.Local.
	u, err := s.Hub.WhoAmI(hfgate.WithPrincipal(ctx, hfgate.Local))
	switch {
	case hfgate.ErrorCode(err) == hfgate.EUNAUTHORIZED:
		acct.dead = true
		return acct, nil
	case err != nil:
		return acct, nil // unknown for now; asked again next time
	}
	acct.Username = u.Username
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxWhoami {
		c.m = map[string]string{}
	}
	c.m[key] = u.Username
	return acct, nil
}

// checkSignIn refuses a sign-in as username that would replace the local
// account of someone else, or ride on a token whose owner is not known.
func (s *Server) checkSignIn(ctx context.Context, username string) error {
	acct, err := s.account(ctx)
	switch {
	case err != nil:
		return hfgate.WrapError(hfgate.ErrorCode(err), err,
			"the sign-in was not saved: the credential store could not be read: %s", hfgate.ErrorMessage(err))
	case acct == nil, acct.Username == username:
		return nil
	case acct.dead && acct.Source == "":
		return nil // a token the Hub refuses stands for nobody: replace it
	case acct.Source != "" && acct.Username == "":
		return hfgate.Errorf(hfgate.EFORBIDDEN,
			"hfgate uses the Hugging Face token in %s, and the Hub could not say whose it is; @%s's sign-in was not saved", acct.Source, username)
	case acct.Source != "":
		return hfgate.Errorf(hfgate.EFORBIDDEN,
			"hfgate uses the Hugging Face token in %s, which is @%s's; @%s's sign-in was not saved: unset %[1]s to use another account",
			acct.Source, acct.Username, username)
	case acct.Username == "":
		return hfgate.Errorf(hfgate.EUNAVAILABLE,
			"hfgate is signed in to %s with a token the Hub could not name just now; @%s's sign-in was not saved: try again", s.Endpoint, username)
	default:
		return hfgate.Errorf(hfgate.EFORBIDDEN,
			"hfgate on this machine is signed in to %s as @%s; @%s's sign-in was not saved: sign out first (here, or with hfgate logout), then connect again",
			s.Endpoint, acct.Username, username)
	}
}
