package hfgate

import (
	"context"
	"time"
)

// JTIStore remembers which CI ID tokens were exchanged for gateway tokens,
// by their issuer and "jti" claim (RFC 7519 section 4.1.7), so that each
// is exchanged once across every replica sharing the store: a stolen ID
// token that was already used buys nothing.
//
// Errors are *Error values by code: ErrJTIUsed for a replay, EINVALID for
// an empty issuer or jti, EUNAVAILABLE when the store cannot be reached,
// ECANCELED when ctx is canceled. Implementations are safe for concurrent
// use, across processes that share the store: of two uses of one jti at
// once, exactly one succeeds. storetest.JTIs checks this.
type JTIStore interface {
	// UseJTI records that the ID token of issuer with jti is spent at now,
	// to be remembered until expires (the token's own expiry, plus the
	// clock skew allowed). A jti recorded before whose expiry has not
	// passed is ErrJTIUsed.
	UseJTI(ctx context.Context, issuer, jti string, expires, now time.Time) error
}

// ErrJTIUsed is the error of JTIStore.UseJTI for an ID token exchanged
// before; test for it with errors.Is.
var ErrJTIUsed = Errorf(EUNAUTHORIZED, "this ID token was exchanged already: each one is good for one exchange")
