package hfgate

import (
	"context"
	"time"
)

// TokenStore keeps gateway tokens by hash, and revokes them.
//
// Every gateway replica sharing a store sees a revocation made through any
// of them: the store announces each one (see RevocationNotifier) so that
// caches of checked tokens drop it at once.
//
// Errors are *Error values by code: ENOTFOUND when there is no such token,
// EINVALID for bad arguments (a token Validate refuses, or whose ID or hash
// is taken), EUNAUTHORIZED for a refresh token that may not be used (see
// RotateRefreshToken), EUNAVAILABLE when the store cannot be reached,
// ECANCELED when ctx is canceled.
//
// Implementations are safe for concurrent use, across processes that share
// the store. Values passed in and returned are copies.
// storetest.Tokens checks all of this.
type TokenStore interface {
	// CreateTokens stores new tokens, all of them or, on error, none.
	CreateTokens(ctx context.Context, tokens ...*Token) error

	// TokenByHash returns the token whose Hash is hash, whatever its
	// state: the caller tells a revoked or expired token from a live one
	// (Token.Live) and says which it is.
	TokenByHash(ctx context.Context, hash string) (*Token, error)

	// LoadToken returns the token whose ID is id, whatever its state.
	LoadToken(ctx context.Context, id string) (*Token, error)

	// ListTokens returns the tokens q asks for, newest first (by Created);
	// none is an empty list.
	ListTokens(ctx context.Context, q TokenQuery) ([]*Token, error)

	// TouchToken records a use of token id at the time at. A time before
	// the recorded LastUsed changes nothing; an unknown id is ENOTFOUND.
	TouchToken(ctx context.Context, id string, at time.Time) error

	// RevokeTokens revokes the live tokens r names and returns how many.
	// Revoking what is already revoked, or not there, is no error.
	RevokeTokens(ctx context.Context, r TokenRevocation) (int, error)

	// RotateRefreshToken spends the refresh token whose Hash is hash and
	// stores the tokens issue returns for it, in one transaction: of two
	// rotations of one token at once, one succeeds and the other finds
	// the token spent. issue runs inside the transaction: it must not do
	// I/O; its error undoes everything and is returned as it is.
	//
	// An unknown hash, or the hash of another kind of token, is
	// ENOTFOUND; a spent refresh token is ErrRefreshReused, and revokes
	// its whole family (every access and refresh token of the sign-in)
	// before returning; an unspent but revoked or expired one is
	// EUNAUTHORIZED.
	RotateRefreshToken(ctx context.Context, hash string, at time.Time, issue func(spent *Token) ([]*Token, error)) error
}

// ErrRefreshReused is the error of RotateRefreshToken for a refresh token
// that was spent already; test for it with errors.Is.
var ErrRefreshReused = Errorf(EUNAUTHORIZED, "this refresh token was used already, so every token of its sign-in is now revoked")

// TokenQuery selects tokens for TokenStore.ListTokens.
type TokenQuery struct {
	Subject string      // only the tokens of this owner; "" for every owner
	Kinds   []TokenKind // only these kinds; none for every kind
	Ended   bool        // also tokens that are revoked, expired or spent
}

// TokenRevocation names the tokens TokenStore.RevokeTokens revokes: one by
// ID, a family, or every token of an owner. Exactly one of ID, FamilyID
// and Subject is set.
type TokenRevocation struct {
	ID       string
	FamilyID string
	Subject  string

	At     time.Time // when; required
	By     string    // who: a subject, or "" for the gateway itself
	Reason string    // why, in words an owner can read
}

// Validate reports what makes r unfit for RevokeTokens, as an EINVALID error.
func (r TokenRevocation) Validate() error {
	n := 0
	for _, s := range []string{r.ID, r.FamilyID, r.Subject} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return Errorf(EINVALID, "a revocation names one token, one family or one owner")
	}
	if r.At.IsZero() {
		return Errorf(EINVALID, "a revocation needs a time")
	}
	return nil
}
