package ciauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/hfgate/hfgate"
)

// algorithms are the only signatures accepted: what GitHub (RS256) and
// most OIDC providers sign with. Never "none", never a shared secret.
var algorithms = []jose.SignatureAlgorithm{jose.RS256, jose.ES256}

// Verifier checks CI jobs' ID tokens against a Config. Create it with New;
// it is safe for concurrent use.
type Verifier struct {
	cfg    Config
	byURL  map[string]*keySet // by Issuer.URL
	rules  map[string][]Rule  // by Issuer.Name, in the Config's order
	leeway time.Duration
}

// New returns a Verifier for c, after checking it (Config.Validate). It
// fetches nothing: each issuer's keys are fetched when first needed, so a
// gateway starts while an issuer is down.
func New(c Config) (*Verifier, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HTTPClient == nil {
		c.HTTPClient = http.DefaultClient
	}
	v := &Verifier{cfg: c, byURL: map[string]*keySet{}, rules: map[string][]Rule{}, leeway: c.Leeway}
	if v.leeway <= 0 {
		v.leeway = DefaultLeeway
	}
	for _, is := range c.Issuers {
		v.byURL[is.URL] = &keySet{issuer: is, client: c.HTTPClient, now: c.Now, jwksURL: is.JWKSURL}
	}
	for _, r := range c.Rules {
		v.rules[r.Issuer] = append(v.rules[r.Issuer], r)
	}
	return v, nil
}

// Job is a CI job whose ID token Verify accepted.
type Job struct {
	Issuer  Issuer // who vouched for it
	Rule    Rule   // the trust rule that matched
	Subject string // the token's sub
	JTI     string
	Expires time.Time // the ID token's exp

	// Claims are the token's scalar claims as strings (numbers in decimal,
	// booleans as true/false), but for aud, exp, nbf, iat and jti, which
	// change with every token; at most 64 of them.
	Claims map[string]string
}

// Matched returns the claims of j that its rule named, with their values.
func (j *Job) Matched() map[string]string {
	out := make(map[string]string, len(j.Rule.Claims))
	for k := range j.Rule.Claims {
		out[k] = j.Claims[k]
	}
	return out
}

// TTL returns the lifetime of the gateway token for j.
func (j *Job) TTL() time.Duration {
	if j.Rule.TTL == 0 {
		return DefaultTTL
	}
	return j.Rule.TTL
}

// Principal returns who j is, for the gateway token issued to it.
func (j *Job) Principal() *hfgate.Principal {
	claims := make(map[string]string, len(j.Claims))
	for k, v := range j.Claims {
		claims[k] = v
	}
	return &hfgate.Principal{Kind: hfgate.PrincipalCI, Subject: j.Issuer.Name + ":" + j.Subject,
		Provider: j.Issuer.Name, Name: j.Rule.Name, Claims: claims}
}

// Verify returns the job whose ID token raw is, and records the token as
// spent; see the package documentation for what it checks. Errors are
// *hfgate.Error values whose cause is a *Refusal when the token is refused
// (EUNAUTHORIZED, or EFORBIDDEN when no rule trusts the job), or
// EUNAVAILABLE when the issuer's keys or the store cannot be reached now.
func (v *Verifier) Verify(ctx context.Context, raw string) (*Job, error) {
	bad := func(reason, format string, args ...any) error {
		return refuse(hfgate.EUNAUTHORIZED, &Refusal{Reason: reason}, format, args...)
	}
	if len(raw) > MaxTokenSize {
		return nil, bad(ReasonMalformed, "the subject token is longer than %d bytes", MaxTokenSize)
	}
	if alg := headerAlg(raw); alg != "" && alg != string(jose.RS256) && alg != string(jose.ES256) {
		return nil, bad(ReasonAlgorithm, "the subject token is signed with %s; only RS256 and ES256 are accepted", quote(alg))
	}
	tok, err := jwt.ParseSigned(raw, algorithms)
	if err != nil || len(tok.Headers) != 1 {
		return nil, bad(ReasonMalformed, "the subject token is not a signed JWT (compact JWS)")
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return nil, bad(ReasonMalformed, "the subject token's claims are not a JSON object of valid claims")
	}
	keys := v.byURL[unverified.Issuer]
	if keys == nil {
		return nil, bad(ReasonIssuer, "the subject token's issuer %s is not trusted here", quote(unverified.Issuer))
	}
	issuer := keys.issuer
	key, err := keys.key(ctx, tok.Headers[0])
	if err != nil {
		return nil, err
	}
	var (
		std    jwt.Claims
		claims map[string]json.RawMessage
	)
	if err := tok.Claims(key, &std, &claims); err != nil {
		return nil, refuse(hfgate.EUNAUTHORIZED, &Refusal{Reason: ReasonSignature, Issuer: issuer.Name},
			"the subject token's signature does not verify with %s's key %s", issuer.Name, quote(key.KeyID))
	}
	job := &Job{Issuer: issuer, Subject: std.Subject, JTI: std.ID, Claims: scalars(claims)}
	if err := v.check(&std, job); err != nil {
		return nil, err
	}
	if err := v.match(job); err != nil {
		return nil, err
	}
	retain := job.Expires.Add(v.leeway)
	err = v.cfg.JTIs.UseJTI(ctx, issuer.URL, job.JTI, retain, v.cfg.Now())
	switch {
	case errors.Is(err, hfgate.ErrJTIUsed):
		return nil, refuse(hfgate.EUNAUTHORIZED, job.refusal(ReasonReplayed), "this subject token was exchanged already: ask the CI provider for a new one")
	case err != nil:
		return nil, err
	}
	return job, nil
}

// check verifies the registered claims of a token whose signature held.
func (v *Verifier) check(std *jwt.Claims, job *Job) error {
	now := v.cfg.Now()
	bad := func(reason, format string, args ...any) error {
		return refuse(hfgate.EUNAUTHORIZED, job.refusal(reason), format, args...)
	}
	switch {
	case std.Issuer != job.Issuer.URL: // the same bytes were read unverified: only a bug gets here
		return bad(ReasonIssuer, "the subject token's issuer changed while it was read")
	case len(std.Audience) != 1 || std.Audience[0] != v.cfg.Audience:
		return bad(ReasonAudience, "the subject token's audience is %s; it must be exactly this gateway, %s (request the ID token with that audience)",
			quote(strings.Join(std.Audience, " ")), v.cfg.Audience)
	case std.Expiry == nil:
		return bad(ReasonLifetime, "the subject token has no expiry (exp)")
	}
	job.Expires = std.Expiry.Time()
	switch {
	case !now.Add(-v.leeway).Before(job.Expires):
		return bad(ReasonExpired, "the subject token expired at %s", job.Expires.UTC().Format(time.RFC3339))
	case job.Expires.After(now.Add(MaxLifetime)):
		return bad(ReasonLifetime, "the subject token expires more than %v from now; CI ID tokens live minutes", MaxLifetime)
	case std.NotBefore != nil && now.Add(v.leeway).Before(std.NotBefore.Time()):
		return bad(ReasonNotYet, "the subject token is not valid before %s", std.NotBefore.Time().UTC().Format(time.RFC3339))
	case std.IssuedAt != nil && now.Add(v.leeway).Before(std.IssuedAt.Time()):
		return bad(ReasonNotYet, "the subject token was issued in the future (%s): check the clocks", std.IssuedAt.Time().UTC().Format(time.RFC3339))
	case std.Subject == "" || std.ID == "":
		return bad(ReasonIncomplete, "the subject token needs a subject (sub) and an id (jti), so that it is exchanged once")
	case len(std.ID) > 256 || len(std.Subject) > maxClaimValue:
		return bad(ReasonMalformed, "the subject token's sub or jti is too long")
	}
	return nil
}

// match finds the first rule of the job's issuer whose claims the job has,
// each with exactly the value named.
func (v *Verifier) match(job *Job) error {
	for _, r := range v.rules[job.Issuer.Name] {
		if hasClaims(job.Claims, r.Claims) {
			job.Rule = r
			return nil
		}
	}
	return refuse(hfgate.EFORBIDDEN, job.refusal(ReasonClaims),
		"no trust rule of this gateway matches the claims of this %s job (subject %s)", job.Issuer.Name, quote(job.Subject))
}

func hasClaims(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func (j *Job) refusal(reason string) *Refusal {
	return &Refusal{Reason: reason, Issuer: j.Issuer.Name, Subject: j.Subject, Claims: j.Claims}
}

// scalars returns the string, number and boolean claims as strings (but
// the per-token ones), at most maxClaims, each bounded. Numbers keep the
// digits the token wrote.
func scalars(claims map[string]json.RawMessage) map[string]string {
	out := map[string]string{}
	for k, raw := range claims {
		if len(out) == maxClaims || timeClaims[k] || len(k) > maxClaimName {
			continue
		}
		var s string
		switch {
		case json.Unmarshal(raw, &s) == nil:
		case len(raw) > 0 && (raw[0] == '-' || '0' <= raw[0] && raw[0] <= '9'):
			var n json.Number
			if json.Unmarshal(raw, &n) != nil {
				continue
			}
			s = n.String()
		case string(raw) == "true" || string(raw) == "false":
			s = string(raw)
		default:
			continue // null, arrays, objects
		}
		if len(s) <= maxClaimValue {
			out[k] = s
		}
	}
	return out
}

// headerAlg returns the "alg" of a compact JWS's header, or "" when it
// cannot be read (the parser then says the token is malformed).
func headerAlg(raw string) string {
	head, _, ok := strings.Cut(raw, ".")
	if !ok || len(head) > 4096 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return ""
	}
	var h struct {
		Alg json.RawMessage `json:"alg"`
	}
	if json.Unmarshal(b, &h) != nil || len(h.Alg) == 0 {
		return ""
	}
	var alg string
	if json.Unmarshal(h.Alg, &alg) != nil {
		return strconv.Quote(string(h.Alg)) // not even a string
	}
	return alg
}
