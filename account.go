package hfgate

import (
	"context"
	"time"
)

// Account is a person the gateway knows: someone who signed in through one
// of its identity providers, or whom an administrator created for scripts.
// Sessions and gateway tokens belong to an account; the Principal of every
// request they make is built from it (Account.Principal), so a profile
// refresh (new HF orgs, a new role) reaches every session and token at once.
type Account struct {
	// ID is the account's stable subject, the Principal.Subject of every
	// request it makes: "<provider>:<sub>" of the identity it first signed
	// in with (Identity.Subject). It never changes, also when the person
	// renames themselves.
	ID string

	// Provider names the identity provider of ID: "huggingface", a
	// configured OIDC provider, or "local" for an account an administrator
	// created.
	Provider string

	// The profile, as the provider's userinfo last described it.
	Username  string // HF username; for other providers preferred_username or email
	Name      string
	Email     string
	AvatarURL string
	Orgs      []Org    // Hugging Face organizations with roles
	Groups    []string // OIDC groups
	Claims    map[string]string

	Created        time.Time
	ProfileUpdated time.Time // when the profile was last read from the provider

	// Disabled accounts keep their rows (for audit) but every session and
	// token of theirs is refused.
	Disabled bool
}

// Identity is one way into an account: a subject at an identity provider.
type Identity struct {
	Provider string // "huggingface", a configured OIDC provider, "local"
	Sub      string // the provider's "sub" claim (for "local", the user name)
}

// Subject returns "<provider>:<sub>", the ID an account created by this
// identity gets.
func (id Identity) Subject() string { return id.Provider + ":" + id.Sub }

// Principal returns the caller a request of a is made by: a user principal
// with a's subject and profile. Its SessionID and TokenID are empty; the
// identity layer sets them per request.
func (a *Account) Principal() *Principal {
	p := &Principal{
		Kind:      PrincipalUser,
		Subject:   a.ID,
		Provider:  a.Provider,
		Username:  a.Username,
		Name:      a.Name,
		Email:     a.Email,
		AvatarURL: a.AvatarURL,
		Orgs:      a.Orgs,
		Groups:    a.Groups,
		Claims:    a.Claims,
	}
	return p.Clone()
}

// Clone returns a deep copy of a.
func (a *Account) Clone() *Account {
	if a == nil {
		return nil
	}
	c := *a
	p := a.Principal() // deep-copies the slices and the map
	c.Orgs, c.Groups, c.Claims = p.Orgs, p.Groups, p.Claims
	return &c
}

// AccountStore keeps the gateway's accounts and the identities that lead
// to them.
//
// Errors are *Error values by code: ENOTFOUND when there is no such
// account, EINVALID for bad arguments, EUNAVAILABLE when the store cannot
// be reached, ECANCELED when ctx is canceled.
//
// Implementations are safe for concurrent use, across processes that share
// the store. Values passed in and returned are copies.
// storetest.Accounts checks all of this.
type AccountStore interface {
	// SignIn records a sign-in through id with the profile the provider
	// gave: Username, Name, Email, AvatarURL, Orgs, Groups and Claims are
	// taken from profile, and ProfileUpdated is set to at. The account id
	// leads to is updated; an identity seen for the first time creates an
	// account whose ID is id.Subject() and Provider id.Provider. Two first sign-ins of one identity at once
	// make one account. It returns the stored account, which may be
	// Disabled: refusing it is the caller's decision.
	SignIn(ctx context.Context, id Identity, profile *Account, at time.Time) (*Account, error)

	// LoadAccount returns the account whose ID is id.
	LoadAccount(ctx context.Context, id string) (*Account, error)

	// ListAccounts returns every account, by ID.
	ListAccounts(ctx context.Context) ([]*Account, error)

	// UpdateAccount replaces the profile and the Disabled flag of the
	// existing account a.ID (Created is kept), and tells every replica to
	// drop what it cached of the account (a Revocation of its Subject).
	UpdateAccount(ctx context.Context, a *Account) error
}

// Validate reports what makes a unfit to be stored, as an EINVALID error.
func (a *Account) Validate() error {
	switch {
	case a == nil || a.ID == "":
		return Errorf(EINVALID, "an account needs an ID")
	case a.Provider == "":
		return Errorf(EINVALID, "an account needs a provider")
	}
	return nil
}

// Validate reports what makes id unfit to sign in with, as an EINVALID error.
func (id Identity) Validate() error {
	if id.Provider == "" || id.Sub == "" {
		return Errorf(EINVALID, "an identity needs a provider and a subject")
	}
	return nil
}

// ServiceSubject is the subject under which a CredentialStore keeps the
// gateway's one team token for the Hub (upstream mode "service"). Like
// LocalSubject it has no ':', so no account's subject is ever equal to it.
const ServiceSubject = "service"
