package hfgate

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"
)

// TokenKind says what a gateway token is for.
type TokenKind string

// Token kinds.
const (
	// TokenAccess is a short-lived bearer token from a device or browser
	// sign-in (an hour by default).
	TokenAccess TokenKind = "access"

	// TokenRefresh renews the access token of its family (RFC 6749 section
	// 6). It is not a bearer token. Each use spends it and issues a new
	// one in the same family; presenting a spent one again revokes the
	// whole family, since a thief and the owner then both hold it (OAuth
	// 2.1 section 4.3.1).
	TokenRefresh TokenKind = "refresh"

	// TokenPersonal is a named bearer token with an expiry, for scripts,
	// created by its owner or an administrator.
	TokenPersonal TokenKind = "personal"

	// TokenCI is a short-lived bearer token issued to a CI job by token
	// exchange (RFC 8693); it has no refresh token and no account: its
	// Principal says who the job is.
	TokenCI TokenKind = "ci"
)

// Token is a gateway token as the store keeps it: everything but the
// secret, which the holder alone has (the store keeps its hash).
type Token struct {
	// ID names the token publicly (lists, audit, revocation): "tok_" and
	// 16 letters and digits.
	ID string

	// Hash is TokenHash of the secret.
	Hash string

	Kind TokenKind

	// Subject is the owner: an Account ID, or the CI principal's subject.
	Subject string

	// FamilyID groups the access and refresh tokens of one sign-in, so
	// that a reused refresh token revokes all of them; "" for personal
	// and CI tokens.
	FamilyID string

	ClientID string   // the OAuth client it was issued to, if any
	Name     string   // the owner's name for a personal token
	Scopes   []string // granted scopes
	Resource string   // what the token is narrowed to (RFC 8707), "" for all

	// Principal is who a CI token's job is (kind TokenCI only): CI tokens
	// have no account to build it from.
	Principal *Principal

	Created  time.Time
	Expires  time.Time
	LastUsed time.Time // zero if never used; recorded at most about once a minute
	Spent    time.Time // when a refresh token was used; zero while unused

	Revoked      time.Time // zero while not revoked
	RevokedBy    string    // who revoked it: a subject, or "" for the gateway itself
	RevokeReason string
}

// Bearer reports whether t's kind authenticates requests (every kind but
// TokenRefresh).
func (t *Token) Bearer() bool { return t.Kind != TokenRefresh }

// Live reports whether t is usable at now: not revoked, not expired and,
// for a refresh token, not spent.
func (t *Token) Live(now time.Time) bool {
	return t.Revoked.IsZero() && t.Spent.IsZero() && now.Before(t.Expires)
}

// Clone returns a deep copy of t.
func (t *Token) Clone() *Token {
	if t == nil {
		return nil
	}
	c := *t
	c.Scopes = slices.Clone(t.Scopes)
	c.Principal = t.Principal.Clone()
	return &c
}

// Validate reports what makes t unfit for TokenStore.CreateTokens, as an
// EINVALID error.
func (t *Token) Validate() error {
	switch {
	case t == nil || t.ID == "" || t.Hash == "":
		return Errorf(EINVALID, "a token needs an ID and a hash")
	case t.Subject == "":
		return Errorf(EINVALID, "a token needs an owner subject")
	case t.Expires.IsZero():
		return Errorf(EINVALID, "a token needs an expiry")
	}
	switch t.Kind {
	case TokenAccess, TokenRefresh:
		if t.FamilyID == "" {
			return Errorf(EINVALID, "an %s token needs a family", t.Kind)
		}
	case TokenPersonal:
	case TokenCI:
		if t.Principal == nil || t.Principal.Subject != t.Subject {
			return Errorf(EINVALID, "a CI token needs the principal of its job")
		}
	default:
		return Errorf(EINVALID, "unknown token kind %q", t.Kind)
	}
	return nil
}

// Gateway token secrets: "hf_" and 40 letters and digits, which every HF
// client forwards (llama.cpp sends a token only if it is "hf_" and at least
// 34 letters and digits) and which HF's own tokens ("hf_" and 34) never
// match in length.
const (
	TokenPrefix    = "hf_"
	tokenSecretLen = 40
	tokenIDLen     = 16
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomBase62 returns n letters and digits, each uniform (bytes of 248 and
// above are drawn again, so that no letter is likelier than another).
func randomBase62(n int) string {
	out := make([]byte, 0, n)
	var buf [64]byte
	for len(out) < n {
		rand.Read(buf[:]) // never fails (crypto/rand)
		for _, b := range buf {
			if b < 248 && len(out) < n {
				out = append(out, base62[b%62])
			}
		}
	}
	return string(out)
}

// NewTokenSecret returns a new gateway token secret, 238 bits of
// randomness, and the ID and Hash a store keeps it under.
func NewTokenSecret() (secret, id, hash string) {
	secret = TokenPrefix + randomBase62(tokenSecretLen)
	return secret, NewTokenID(), TokenHash(secret)
}

// NewTokenID returns a new public token ID, "tok_" and 16 letters and
// digits. Family IDs are made the same way.
func NewTokenID() string { return "tok_" + randomBase62(tokenIDLen) }

// TokenHash returns the hash a store keeps a token under: its SHA-256 in
// hex. A fast hash is enough, since the secret is random and long.
func TokenHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// IsTokenSecret reports whether s has the form of a gateway token secret.
// It says nothing of whether the token exists.
func IsTokenSecret(s string) bool {
	if len(s) != len(TokenPrefix)+tokenSecretLen || s[:len(TokenPrefix)] != TokenPrefix {
		return false
	}
	for i := len(TokenPrefix); i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
