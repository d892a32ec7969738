package ciauth

import (
	"fmt"
	"strings"

	"github.com/hfgate/hfgate"
)

// Reasons a token is refused, one word each, for the audit log.
const (
	ReasonMalformed  = "malformed"  // not a compact JWS of a JSON object, or too big
	ReasonAlgorithm  = "algorithm"  // not signed with RS256 or ES256 ("none", HS256, ...)
	ReasonIssuer     = "issuer"     // iss is not a trusted issuer
	ReasonSignature  = "signature"  // no key of the issuer verifies it
	ReasonAudience   = "audience"   // aud is not exactly the gateway
	ReasonExpired    = "expired"    // exp is past
	ReasonNotYet     = "not-yet"    // nbf or iat is in the future
	ReasonLifetime   = "lifetime"   // no exp, or one too far ahead
	ReasonIncomplete = "incomplete" // no sub or no jti
	ReasonClaims     = "claims"     // no trust rule matches the job's claims
	ReasonReplayed   = "replayed"   // its jti was exchanged before
)

// Refusal is the cause of Verify's error for a token it does not accept.
type Refusal struct {
	// Reason is one of the Reason constants.
	Reason string

	// Issuer names the trusted issuer of the token ("" when its iss is
	// not one), Subject its sub.
	Issuer, Subject string

	// Claims are the token's scalar claims as strings, when its signature
	// verified (so that the audit log records who a refused job was);
	// nil otherwise, since anyone could have written them.
	Claims map[string]string
}

func (r *Refusal) Error() string { return "CI token refused: " + r.Reason }

// refuse returns the error of Verify for a refused token: EUNAUTHORIZED
// (the token) or EFORBIDDEN (no rule), its message for the job, the
// Refusal as its cause.
func refuse(code string, r *Refusal, format string, args ...any) error {
	return hfgate.WrapError(code, r, format, args...)
}

// quote shows a string from a token in a message: printable ASCII, quoted,
// at most 100 bytes.
func quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return fmt.Sprintf("%+q", strings.ToValidUTF8(s, "?"))
}
