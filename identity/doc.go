// Package identity turns what a request presents, a gateway token or a
// session cookie, into the hfgate.Principal of its owner, fast enough to do
// on every request and without ever trusting a revoked token for long.
//
// A Checker looks a token up by its hash (a session by its ID) and builds
// the principal from the owner's account, so that a new org role or a
// disabled account reaches every session and token of the person at once.
// What it found stays in a small in-process cache for at most TTL (and
// never past the token's or session's own end), so that a request usually
// costs a hash and a map lookup, not a database query.
//
// # Revocation
//
// A revoked token must stop working everywhere at once, not after TTL.
// Watch subscribes the Checker to a store's revocation announcements
// (hfgate.RevocationNotifier): an announcement drops every cached entry it
// names (a token, a token family, a session, or everything of a subject),
// and one that says revocations may have been missed drops them all. A
// lookup that was in flight while any announcement arrived is not cached,
// so a stale answer read just before a revocation never outlives it.
//
// # Uses
//
// A use of a token or session is recorded in the store (LastUsed,
// LastSeen) at most once a minute per token or session, in the background:
// a slow database never slows a request for it.
//
// # Errors
//
// A token or session that is unknown, revoked, expired, of the wrong kind,
// or whose account is disabled is EUNAUTHORIZED with hfgate.ActionSignIn,
// and the message says which; a store that cannot be reached is
// EUNAVAILABLE. No error contains the secret.
package identity
