package oidcauth

import (
	"context"
	"crypto/subtle"
	"errors"
	"regexp"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
)

// The ID token checks hfgate adds to go-oidc's.
var (
	errNoNonce       = errors.New("ID token has no nonce, but one was sent")
	errNonceMismatch = errors.New("ID token nonce does not match this sign-in (replayed token?)")
	errAtHash        = errors.New("access token hash does not match value in ID token")
)

// verifyIDToken checks signature, issuer, audience, expiry and algorithm
// (go-oidc, configured in Open), then the nonce and, if present, at_hash.
func (c *Client) verifyIDToken(ctx context.Context, raw, accessToken, nonce string) (*oidc.IDToken, error) {
	idt, err := c.verifier.Verify(oidc.ClientContext(ctx, c.oidcHTTP), raw)
	if err != nil {
		return nil, err
	}
	if nonce != "" {
		if idt.Nonce == "" {
			return nil, errNoNonce
		}
		if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
			return nil, errNonceMismatch
		}
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(accessToken); err != nil {
			return nil, errAtHash
		}
	}
	return idt, nil
}

var algRE = regexp.MustCompile(`unexpected signature algorithm "([A-Za-z0-9]{1,10})"`)

// idTokenReason says in a few words why verifyIDToken rejected a token,
// for the user: the same message for all eight reasons would not tell a
// misconfigured client id from an attack. go-oidc reports most reasons
// only as text, so this matches its messages (tests pin each one).
func idTokenReason(err error) string {
	var expired *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &expired):
		return "it has expired (check this computer's clock)"
	case strings.Contains(msg, "expected audience"):
		return "it was issued to another app (wrong audience)"
	case strings.Contains(msg, "issued by a different provider"):
		return "it was issued by another provider (wrong issuer)"
	case algRE.MatchString(msg):
		alg := algRE.FindStringSubmatch(msg)[1]
		if strings.EqualFold(alg, "none") {
			return `it is not signed (alg "none")`
		}
		return "it is signed with " + alg + ", which hfgate does not accept from this provider"
	case strings.Contains(msg, "failed to verify signature"), strings.Contains(msg, "id token not signed"):
		return "its signature does not match the provider's keys"
	case errors.Is(err, errNoNonce):
		return "it carries no nonce"
	case errors.Is(err, errNonceMismatch):
		return "its nonce does not match this sign-in (a replayed token?)"
	case errors.Is(err, errAtHash):
		return "it does not belong to the access token (at_hash mismatch)"
	case strings.Contains(msg, "malformed jwt"):
		return "it is not a valid JWT"
	default:
		return "it failed verification"
	}
}
