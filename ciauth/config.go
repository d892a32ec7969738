package ciauth

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
)

// Limits and defaults.
const (
	// DefaultTTL is the lifetime of a gateway token issued for a CI job
	// whose rule names none (PyPI's and AWS STS's default); MaxTTL the
	// longest a rule may ask for (Hugging Face's own).
	DefaultTTL = 15 * time.Minute
	MaxTTL     = time.Hour

	// DefaultLeeway is the clock skew allowed for exp, nbf and iat.
	DefaultLeeway = time.Minute

	// MaxLifetime refuses ID tokens that expire further ahead than this: a
	// CI provider's tokens live minutes (GitHub's five), and each spent jti
	// is kept until its token expires.
	MaxLifetime = 24 * time.Hour

	// MaxTokenSize bounds an ID token (GitHub's are under 2 KiB).
	MaxTokenSize = 16 << 10

	// RefetchInterval is the least time between two fetches of one
	// issuer's keys made for a key id not seen yet; KeysTTL how long
	// fetched keys are used before they are fetched again anyway.
	RefetchInterval = 30 * time.Second
	KeysTTL         = time.Hour

	// maxClaims, maxClaimName and maxClaimValue bound what of a token's
	// claims is kept in its job's principal.
	maxClaims     = 64
	maxClaimName  = 64
	maxClaimValue = 512
)

// Issuer is a CI provider whose ID tokens are trusted, for the jobs its
// Rules name.
type Issuer struct {
	// Name identifies the issuer in rules, subjects ("<Name>:<sub>") and
	// the audit log: lowercase letters, digits and '-', e.g. "github".
	Name string

	// URL is the "iss" of its tokens, compared exactly, e.g.
	// https://token.actions.githubusercontent.com. Its discovery document
	// is at URL/.well-known/openid-configuration.
	URL string

	// JWKSURL is where its signing keys are; "" means the jwks_uri of its
	// discovery document.
	JWKSURL string
}

// Rule trusts the jobs of one issuer whose claims all have the values it
// names.
type Rule struct {
	// Name identifies the rule in the audit log and the admin console.
	Name string

	// Issuer is the Name of the Issuer whose tokens the rule is about.
	Issuer string

	// Claims are claim names and the exact values a job's token must
	// carry, at least one, e.g. {"repository_id": "42",
	// "ref": "refs/heads/main"}.
	Claims map[string]string

	// TTL is the lifetime of the gateway tokens issued under this rule:
	// zero means DefaultTTL; at most MaxTTL.
	TTL time.Duration
}

// Config configures a Verifier. Audience and JTIs are required; without
// Issuers and Rules no token is accepted.
type Config struct {
	Issuers []Issuer
	Rules   []Rule

	// Audience is the only "aud" accepted: the gateway's public URL, as
	// clients send it (https://hf.example.com, no trailing slash).
	Audience string

	// JTIs records spent token ids, shared by every replica.
	JTIs hfgate.JTIStore

	// HTTPClient fetches discovery documents and keys. If nil,
	// http.DefaultClient is used; either way each fetch is bounded in
	// time (10 s) and size (1 MiB).
	HTTPClient *http.Client

	// Leeway is the clock skew allowed; zero means DefaultLeeway.
	Leeway time.Duration

	// Now is the clock. If nil, time.Now.
	Now func() time.Time
}

// Validate reports the first problem of c as an EINVALID error. It makes
// no network calls.
func (c *Config) Validate() error {
	if err := checkURL(c.Audience, "the audience"); err != nil {
		return err
	}
	if c.JTIs == nil {
		return hfgate.Errorf(hfgate.EINVALID, "CI token exchange needs a store of spent token ids")
	}
	return ValidateTrust(c.Issuers, c.Rules)
}

// ValidateTrust reports the first problem of issuers and rules as an
// EINVALID error (Config.Validate checks them so), for a front end that
// checks a config file before it knows the rest.
func ValidateTrust(issuers []Issuer, rules []Rule) error {
	names := map[string]bool{}
	for _, is := range issuers {
		switch {
		case !hfgate.ValidProviderName(is.Name):
			return hfgate.Errorf(hfgate.EINVALID, "CI issuer name %q: want lowercase letters, digits and '-', at most 32", is.Name)
		case names[is.Name]:
			return hfgate.Errorf(hfgate.EINVALID, "CI issuer %s is configured twice", is.Name)
		}
		names[is.Name] = true
		if err := checkURL(is.URL, "CI issuer "+is.Name); err != nil {
			return err
		}
		if is.JWKSURL != "" {
			if err := checkURL(is.JWKSURL, "the keys of CI issuer "+is.Name); err != nil {
				return err
			}
		}
	}
	seen := map[string]bool{}
	for _, r := range rules {
		switch {
		case r.Name == "" || len(r.Name) > 64 || strings.ContainsFunc(r.Name, func(c rune) bool { return c < 0x21 || c > 0x7e }):
			return hfgate.Errorf(hfgate.EINVALID, "CI trust rule name %q: want 1 to 64 printable characters without spaces", r.Name)
		case seen[r.Name]:
			return hfgate.Errorf(hfgate.EINVALID, "CI trust rule %s is configured twice", r.Name)
		case !names[r.Issuer]:
			return hfgate.Errorf(hfgate.EINVALID, "CI trust rule %s: no CI issuer is named %q", r.Name, r.Issuer)
		case len(r.Claims) == 0:
			return hfgate.Errorf(hfgate.EINVALID, "CI trust rule %s names no claims, so it would trust every job of %s", r.Name, r.Issuer)
		case r.TTL < 0 || r.TTL > MaxTTL:
			return hfgate.Errorf(hfgate.EINVALID, "CI trust rule %s: a token lifetime of %v is not between 0 and %v", r.Name, r.TTL, MaxTTL)
		}
		seen[r.Name] = true
		for k, v := range r.Claims {
			switch {
			case k == "" || len(k) > maxClaimName || v == "" || len(v) > maxClaimValue:
				return hfgate.Errorf(hfgate.EINVALID, "CI trust rule %s: claim %q = %q: want a name of 1 to %d bytes and a value of 1 to %d", r.Name, k, v, maxClaimName, maxClaimValue)
			case timeClaims[k]:
				return hfgate.Errorf(hfgate.EINVALID, "CI trust rule %s: claim %s changes with every token; match the job's identity (repository_id, ref, ...)", r.Name, k)
			}
		}
	}
	return nil
}

// timeClaims change with every token, so a rule may not name them (and a
// job's principal does not keep them).
var timeClaims = map[string]bool{"aud": true, "exp": true, "nbf": true, "iat": true, "jti": true}

// checkURL requires an absolute https URL without query or fragment, or
// plain http to a loopback host (tests, the demo).
func checkURL(raw, what string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return hfgate.Errorf(hfgate.EINVALID, "%s %q is not an absolute URL without user, query or fragment", what, raw)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && hfgate.IsLoopbackHost(u.Hostname()):
	default:
		return hfgate.Errorf(hfgate.EINVALID, "%s %q: want https (plain http only on a loopback address)", what, raw)
	}
	return nil
}
