package hfhub

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/hfgate/hfgate/internal/retry"
)

// Values of the X-Error-Code header, as huggingface_hub's
// hf_raise_for_status reads them (reference §4).
const (
	CodeRepoNotFound     = "RepoNotFound"
	CodeRevisionNotFound = "RevisionNotFound"
	CodeEntryNotFound    = "EntryNotFound"
	CodeGatedRepo        = "GatedRepo"
)

// Messages the Hub sends in X-Error-Message that mean more than their
// status: huggingface_hub detects both by text, not by code.
const (
	msgBadCredentials = "Invalid credentials in Authorization header"
	msgDisabled       = "Access to this resource is disabled."
)

// HTTPError is an error answer from the Hub or its CDN: the cause inside
// the *hfgate.Error that Client methods return. Reach it with errors.As to
// read the details a message leaves out. It holds no token, and URL has no
// query string.
type HTTPError struct {
	Method        string
	URL           string // the request URL without its query string
	StatusCode    int
	Status        string // e.g. "404 Not Found"
	ErrorCode     string // X-Error-Code, e.g. CodeEntryNotFound; "" if none
	ServerMessage string // X-Error-Message, else the JSON body's "error"
	RequestID     string // X-Request-Id (or a CDN's trace id), for bug reports
	// Commit is the X-Repo-Commit header. An EntryNotFound answer carries
	// it, so that a cache can record that the path is missing at that
	// commit (.no_exist) without another request.
	Commit string
	// GatewayRule is the X-Hfgate-Rule header: the rule of an hfgate
	// gateway that refused the request (its policy, not the Hub's
	// gated-repo check, although both answer 403 GatedRepo).
	GatewayRule string
	Attempts    int // tries made, retries included

	retryAfter time.Duration
}

// Error describes the answer for logs: method, URL, status, code, server
// message and request id.
func (e *HTTPError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", e.Method, e.URL, e.Status)
	if e.ErrorCode != "" || e.ServerMessage != "" {
		fmt.Fprintf(&b, " (%s %q)", e.ErrorCode, e.ServerMessage)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request id %s]", e.RequestID)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	return b.String()
}

// RetryAfter returns how long the server asked to wait (Retry-After), or 0.
// The download package reads it through an interface to pace its retries.
func (e *HTTPError) RetryAfter() time.Duration { return e.retryAfter }

// EntryNotFoundCommit returns the commit of an EntryNotFound answer in
// err's chain: the file is missing at that commit. ok is false for any
// other error or when the Hub sent no X-Repo-Commit.
func EntryNotFoundCommit(err error) (commit string, ok bool) {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.EntryNotFoundCommit()
	}
	return "", false
}

// EntryNotFoundCommit returns the commit at which the file is missing when e
// is an EntryNotFound answer with X-Repo-Commit. The download package reads
// it through an interface, as it does RetryAfter.
func (e *HTTPError) EntryNotFoundCommit() (commit string, ok bool) {
	if e.ErrorCode == CodeEntryNotFound && e.Commit != "" {
		return e.Commit, true
	}
	return "", false
}

// newHTTPError reads the details of an error answer and closes its body.
func newHTTPError(resp *http.Response, attempts int, now time.Time) *HTTPError {
	defer resp.Body.Close()
	h := resp.Header
	e := &HTTPError{
		Method:        resp.Request.Method,
		URL:           stripQuery(resp.Request.URL.String()),
		StatusCode:    resp.StatusCode,
		Status:        resp.Status,
		ErrorCode:     h.Get("X-Error-Code"),
		ServerMessage: h.Get("X-Error-Message"),
		RequestID:     firstHeader(h, "X-Request-Id", "X-Amzn-Trace-Id", "X-Amz-Cf-Id"),
		Commit:        h.Get("X-Repo-Commit"),
		GatewayRule:   h.Get("X-Hfgate-Rule"),
		Attempts:      attempts,
		retryAfter:    retry.RetryAfter(h, now),
	}
	if e.Status == "" {
		e.Status = fmt.Sprint(resp.StatusCode)
	}
	if e.ServerMessage == "" && strings.Contains(h.Get("Content-Type"), "json") {
		var body struct {
			Error string `json:"error"`
		}
		if json.NewDecoder(io.LimitReader(resp.Body, 4<<10)).Decode(&body) == nil {
			e.ServerMessage = body.Error
		}
	}
	// The message is shown to users: no control characters (terminal
	// escape sequences), and no more than 300 bytes.
	e.ServerMessage = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, e.ServerMessage)
	if len(e.ServerMessage) > 300 {
		e.ServerMessage = strings.ToValidUTF8(e.ServerMessage[:300], "") + "…"
	}
	return e
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
}
