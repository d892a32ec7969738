package hfgate

import (
	"context"
	"time"
)

// CredentialStore keeps the credentials hfgate calls Hubs with, one per
// endpoint and subject, so that a hubsim sign-in and a huggingface.co
// sign-in, or the sign-ins of two people, never overwrite each other.
//
// The subject is the owner's Principal.Subject. The command line has one
// account per endpoint, "the account signed in for this endpoint", and keeps
// it under LocalSubject; the local web app and the gateway keep each user's
// credential under that user's own subject.
//
// Endpoints are compared after NormalizeEndpoint, so
// "https://HuggingFace.co/" and "https://huggingface.co" name one record.
// An empty subject, or an endpoint NormalizeEndpoint refuses, is an EINVALID
// error: an anonymous caller (whose Subject is "") has no credential.
//
// Errors are *Error values by code: ENOTFOUND when there is no credential,
// EINVALID for bad arguments or a record that cannot be stored (and for a
// damaged stored record), EUNAVAILABLE when the store cannot be reached,
// ECANCELED when ctx is canceled. No error text contains a token.
//
// Implementations are safe for concurrent use. Values passed in and
// returned are copies: changing one afterwards changes nothing stored.
// storetest.Credentials checks all of this for an implementation.
type CredentialStore interface {
	// LoadCredential returns the credential of subject for endpoint, with
	// Endpoint normalised and Subject set.
	LoadCredential(ctx context.Context, endpoint, subject string) (*Credential, error)

	// SaveCredential stores cred under its Endpoint and Subject, replacing
	// what was stored there and nothing else. cred needs an AccessToken.
	SaveCredential(ctx context.Context, cred *Credential) error

	// DeleteCredential removes the credential of subject for endpoint.
	// Deleting what is not there is no error.
	DeleteCredential(ctx context.Context, endpoint, subject string) error

	// LockCredential takes the lock on renewing the credential of subject
	// for endpoint, waiting while another holder (in this process, and in
	// others for stores that processes share) keeps it, until ctx is done
	// (ECANCELED, or EUNAVAILABLE on a deadline). Locks of other endpoints
	// or subjects do not wait for each other. unlock releases it; calling
	// it again is harmless.
	//
	// Providers rotate refresh tokens: a refresh spends the token it used.
	// A renewal therefore locks, loads again (another holder may have
	// renewed meanwhile), renews only if still needed, saves, and unlocks,
	// so that one refresh token is never spent twice (oidcauth.TokenSource
	// does this).
	LockCredential(ctx context.Context, endpoint, subject string) (unlock func(), err error)
}

// SessionStore keeps the server-side sessions of signed-in browsers: the
// local web app's now, the gateway's (shared by its replicas) next.
//
// A session is found by its ID, which is SessionID of the secret in the
// browser's cookie: the store never sees the secret, so a leaked store
// yields no cookie. A session is live while its store's clock is before
// Session.ExpiresAt; the store acts as if sessions that are not live were
// gone, and removes them in its own time.
//
// Errors are *Error values by code: ENOTFOUND when there is no live session
// of that ID, EINVALID for bad arguments (a Session without an ID, an owner
// subject or an expiry, or whose ID is taken), EUNAVAILABLE when the store
// cannot be reached, ECANCELED when ctx is canceled.
//
// Implementations are safe for concurrent use. Values passed in and
// returned are copies. storetest.Sessions checks all of this.
type SessionStore interface {
	// CreateSession stores a new session.
	CreateSession(ctx context.Context, s *Session) error

	// LoadSession returns the live session id.
	LoadSession(ctx context.Context, id string) (*Session, error)

	// TouchSession records a use of the live session id at the time at,
	// which renews its idle timeout. A time before the recorded LastSeen
	// changes nothing.
	TouchSession(ctx context.Context, id string, at time.Time) error

	// ListSessions returns the live sessions of the owner subject, newest
	// first (by Created); none is an empty list, not an error.
	ListSessions(ctx context.Context, subject string) ([]*Session, error)

	// DeleteSession ends session id. Ending what is not there is no error.
	DeleteSession(ctx context.Context, id string) error

	// DeleteSessions ends every session of the owner subject and returns
	// how many there were.
	DeleteSessions(ctx context.Context, subject string) (int, error)
}

// CredentialKey checks the key of a CredentialStore record and returns the
// normalised endpoint: the check every implementation makes first, so that
// they all refuse the same keys with the same EINVALID errors.
func CredentialKey(endpoint, subject string) (string, error) {
	if subject == "" {
		return "", Errorf(EINVALID, "a credential needs an owner subject; an anonymous caller has none")
	}
	return NormalizeEndpoint(endpoint)
}

// CheckCredential checks a credential before a CredentialStore saves it
// and returns the normalised endpoint.
func CheckCredential(cred *Credential) (string, error) {
	if cred == nil || cred.AccessToken == "" {
		return "", Errorf(EINVALID, "nothing to save: the credential has no access token")
	}
	return CredentialKey(cred.Endpoint, cred.Subject)
}
