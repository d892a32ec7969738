package oidcauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/hfgate/hfgate"
)

// ProviderError is an OAuth 2.0 error reported by the provider, either on
// the redirect back to the client (RFC 6749 §4.1.2.1) or by the token
// endpoint (§5.2, RFC 8628 §3.5). It holds only the error code and a
// sanitized description, never the response body, so it is safe to log.
type ProviderError struct {
	Code        string // e.g. "access_denied", "invalid_grant"
	Description string // printable ASCII, at most 200 bytes; may be empty
	StatusCode  int    // HTTP status of a token endpoint response; 0 on a redirect
}

// Error returns "provider error CODE: DESCRIPTION".
func (e *ProviderError) Error() string {
	s := "provider error " + e.Code
	if e.StatusCode != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.StatusCode)
	}
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// transient reports whether retrying later may help.
func (e *ProviderError) transient() bool {
	return e.Code == "server_error" || e.Code == "temporarily_unavailable" ||
		e.StatusCode == 429 || e.StatusCode >= 500
}

// callbackError returns the provider's error from redirect parameters, or
// nil when there is none. secrets are redacted from the description.
func callbackError(q url.Values, secrets ...string) *ProviderError {
	if !q.Has("error") {
		return nil
	}
	return &ProviderError{
		Code:        sanitize(q.Get("error"), 64),
		Description: sanitize(redact(q.Get("error_description"), secrets), 200),
	}
}

// reduceTokenError replaces an *oauth2.RetrieveError, whose Error method
// prints the raw response body, with a *ProviderError. Other errors (network
// failures, which name the endpoint URL but carry no form values) pass
// unchanged.
func reduceTokenError(err error, secrets ...string) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return err
	}
	pe := &ProviderError{
		Code:        sanitize(re.ErrorCode, 64),
		Description: sanitize(redact(re.ErrorDescription, secrets), 200),
	}
	if re.Response != nil {
		pe.StatusCode = re.Response.StatusCode
	}
	if pe.Code == "" {
		pe.Code = "unknown_error"
	}
	return pe
}

// userError turns a failed provider interaction into an *hfgate.Error.
// who names the provider in messages; rejected is the message for codes
// that mean "this grant is no good", after which the user must sign in
// again (ActionSignIn).
func userError(who string, err error, rejected string) error {
	if he := (*hfgate.Error)(nil); errors.As(err, &he) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return hfgate.WrapError(hfgate.ECANCELED, err, "sign-in canceled")
	}
	if errors.Is(err, errTokenRedirect) {
		return hfgate.WrapError(hfgate.EINVALID, err,
			"the token endpoint of %s redirected elsewhere; hfgate does not resend credentials: check the endpoint", who)
	}
	var pe *ProviderError
	if !errors.As(err, &pe) {
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err,
			"cannot reach %s: check your network and try again", who).WithAction(hfgate.ActionRetry)
	}
	switch {
	case pe.transient():
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "%s is unavailable: try again later", who).WithAction(hfgate.ActionRetry)
	case pe.Code == "access_denied":
		return hfgate.WrapError(hfgate.EUNAUTHORIZED, err, "sign-in was denied at the consent page").WithAction(hfgate.ActionSignIn)
	case pe.Code == "invalid_grant" || pe.Code == "expired_token":
		return hfgate.WrapError(hfgate.EUNAUTHORIZED, err, "%s", rejected).WithAction(hfgate.ActionSignIn)
	case pe.Code == "invalid_client" || pe.Code == "unauthorized_client":
		return hfgate.WrapError(hfgate.EINVALID, err,
			"%s rejected this OAuth app: check client_id and client_secret, and that the app may use this grant", who)
	case pe.Code == "invalid_scope":
		return hfgate.WrapError(hfgate.EINVALID, err, "%s refused the requested scopes: check the scopes setting", who)
	default:
		return hfgate.WrapError(hfgate.EUNAUTHORIZED, err, "sign-in failed at %s", who).WithAction(hfgate.ActionSignIn)
	}
}

// sanitize keeps the characters RFC 6749 §5.2 allows in error and
// error_description (printable ASCII without '"' and '\'), so a provider
// cannot inject terminal escapes or markup, and truncates to max bytes.
func sanitize(s string, max int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < max; i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			c = '?'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// redact replaces every secret in s. A provider may echo the code or token
// it rejects into its description; the user must never see it.
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}
