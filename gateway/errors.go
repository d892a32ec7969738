package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// words is the gateway's advice for each hfgate Action, on its pages.
var words = map[string]string{
	hfgate.ActionSignIn: "sign in again",
	hfgate.ActionRetry:  "try again in a moment",
}

// internalMessage replaces the text of an internal error for clients.
const internalMessage = "something went wrong inside the gateway; the details are in its log"

// hubMessage returns the message an HF client is shown for err.
func hubMessage(err error) string {
	if hfgate.ErrorCode(err) == hfgate.EINTERNAL {
		return internalMessage
	}
	return sanitizeHeader(hfgate.ErrorMessage(err))
}

// hubError writes err for an HF client, logging it first when internal.
func (s *Server) hubError(w http.ResponseWriter, r *http.Request, err error) {
	s.logInternal(r, err)
	writeHubError(w, r, err)
}

// oauthError writes err for an OAuth client, logging it first when
// internal.
func (s *Server) oauthError(w http.ResponseWriter, r *http.Request, err error) {
	s.logInternal(r, err)
	writeOAuthError(w, r, err)
}

func (s *Server) logInternal(r *http.Request, err error) {
	var oe *OAuthError
	if !errors.As(err, &oe) && hfgate.ErrorCode(err) == hfgate.EINTERNAL {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

// writeHubError answers an HF client (or an API caller) as the Hub does:
// the status, X-Error-Code and X-Error-Message headers (a HEAD has no
// body), and {"error": message}. The code is the hfgate error code; the
// proxy adds the Hub's own (RepoNotFound, GatedRepo...).
func writeHubError(w http.ResponseWriter, r *http.Request, err error) {
	code := hfgate.ErrorCode(err)
	msg := hubMessage(err)
	w.Header().Set("X-Error-Code", code)
	w.Header().Set("X-Error-Message", msg)
	if code == hfgate.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="hfgate", error="invalid_token"`)
	}
	if a := hfgate.ErrorAction(err); a != "" {
		w.Header().Set("X-Error-Action", a)
	}
	status := webauth.StatusOf(code)
	if code == hfgate.EUNAVAILABLE {
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "5")
	}
	webauth.WriteJSON(w, status, map[string]string{"error": msg})
}

// sanitizeHeader keeps a message fit for a header: printable ASCII, one
// line, bounded.
func sanitizeHeader(s string) string {
	var b strings.Builder
	for _, c := range s {
		if b.Len() >= 400 {
			break
		}
		if c < 0x20 || c > 0x7e {
			c = ' '
		}
		b.WriteRune(c)
	}
	return b.String()
}

// OAuthError is an error response of the token or device endpoint
// (RFC 6749 section 5.2, RFC 8628 section 3.5).
type OAuthError struct {
	Code        string // invalid_request, invalid_client, invalid_grant, ...
	Description string // for people; never a secret
	Status      int    // 400 if zero
	RetryAfter  int    // seconds, for 429
	Err         error  // the cause, for logs and audit; never sent
}

func (e *OAuthError) Error() string { return e.Code + ": " + e.Description }

// Unwrap returns the cause.
func (e *OAuthError) Unwrap() error { return e.Err }

func oauthErr(code, format string, args ...any) *OAuthError {
	return &OAuthError{Code: code, Description: fmt.Sprintf(format, args...)}
}

// writeOAuthError answers with an OAuth error body. Errors other than
// *OAuthError are mapped: EUNAVAILABLE to temporarily_unavailable (503),
// anything else to server_error (500).
func writeOAuthError(w http.ResponseWriter, r *http.Request, err error) {
	var oe *OAuthError
	if !errors.As(err, &oe) {
		switch hfgate.ErrorCode(err) {
		case hfgate.EUNAVAILABLE, hfgate.ECANCELED:
			oe = &OAuthError{Code: "temporarily_unavailable", Description: hfgate.ErrorMessage(err), Status: http.StatusServiceUnavailable, RetryAfter: 5}
		case hfgate.EINVALID:
			oe = &OAuthError{Code: "invalid_request", Description: hfgate.ErrorMessage(err)}
		default:
			oe = &OAuthError{Code: "server_error", Description: internalMessage, Status: http.StatusInternalServerError}
		}
	}
	status := oe.Status
	if status == 0 {
		status = http.StatusBadRequest
		if oe.Code == "invalid_client" {
			status = http.StatusUnauthorized
		}
	}
	if oe.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(oe.RetryAfter))
	}
	w.Header().Set("Cache-Control", "no-store")
	webauth.WriteJSON(w, status, map[string]string{"error": oe.Code, "error_description": sanitizeHeader(oe.Description)})
}
