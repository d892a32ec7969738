package proxy

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hfgate/hfgate"
)

// X-Error-Code values, as the Hub sends them and huggingface_hub's
// hf_raise_for_status reads them.
const (
	codeRepoNotFound  = "RepoNotFound"
	codeEntryNotFound = "EntryNotFound"
	// codeGatedRepo is also the proxy's code for a request the gateway
	// refuses (its policy, a file too large for plain HTTP):
	// huggingface_hub raises GatedRepoError with the X-Error-Message for
	// it, from hf_hub_download too, where a 403 without a code it knows
	// would be reported as a network problem ("check your connection").
	codeGatedRepo = "GatedRepo"
)

// RuleHeader names, on a 403 the gateway's policy gave, the rule that
// refused the request: clients that know the gateway (hfgate's own) tell a
// policy's refusal from the Hub's gated-repo answer by it, and word it
// differently; others read X-Error-Code GatedRepo and the message.
const RuleHeader = "X-Hfgate-Rule"

// maxErrorMessage bounds an X-Error-Message, ours or the Hub's.
const maxErrorMessage = 1024

// hubError is an answer in the Hub's error shape: a status, X-Error-Code,
// X-Error-Message, and for GET a JSON body {"error": message}. err is the
// cause, for the log only.
type hubError struct {
	status int
	code   string
	msg    string
	err    error
	header http.Header // more headers to send, e.g. X-Repo-Commit
	// unreachable marks an answer the Hub did not give: it could not be
	// reached, or did not answer in time (upstreamError).
	unreachable bool
}

func (e *hubError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func (e *hubError) Unwrap() error { return e.err }

// asHubError turns err into the answer the client gets: a *hubError as
// it is, an *hfgate.Error by its code, anything else a 500 that says
// nothing of its cause.
func asHubError(err error) *hubError {
	var he *hubError
	if errors.As(err, &he) {
		return he
	}
	status := http.StatusInternalServerError
	switch hfgate.ErrorCode(err) {
	case hfgate.EINVALID:
		status = http.StatusBadRequest
	case hfgate.EUNAUTHORIZED:
		status = http.StatusUnauthorized
	case hfgate.EFORBIDDEN, hfgate.EGATED:
		status = http.StatusForbidden
	case hfgate.ENOTFOUND:
		status = http.StatusNotFound
	case hfgate.EUNAVAILABLE, hfgate.ECANCELED:
		status = http.StatusServiceUnavailable
	case hfgate.EINTEGRITY:
		status = http.StatusBadGateway // what upstream sent did not match its hash
	}
	return &hubError{status: status, msg: hfgate.ErrorMessage(err), err: err}
}

// writeError answers with err (see asHubError).
func (x *exchange) writeError(err error) {
	he := asHubError(err)
	h := x.w.Header()
	for k, vs := range he.header {
		h[k] = vs
	}
	if he.code != "" {
		h.Set("X-Error-Code", he.code)
	}
	msg := headerSafe(he.msg)
	if msg != "" {
		h.Set("X-Error-Message", msg)
	}
	if he.status >= 500 && he.err != nil {
		x.p.cfg.Logger.LogAttrs(x.r.Context(), slogWarn, "proxy: answered with an error",
			attrRequest(x), attrStatus(he.status), attrError(he.err))
	}
	x.writeJSON(he.status, errorBody(msg))
}

// errorBody is the Hub's error body, {"error": msg}.
func errorBody(msg string) []byte {
	return []byte(`{"error":` + strconv.Quote(msg) + "}")
}

// writeJSON answers with status and a JSON body (none for HEAD).
func (x *exchange) writeJSON(status int, body []byte) {
	h := x.w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	x.status = status
	x.w.WriteHeader(status)
	if x.r.Method != http.MethodHead {
		x.w.Write(body)
	}
}

// headerSafe returns s fit for a header value: valid UTF-8 without
// control characters, at most maxErrorMessage bytes.
func headerSafe(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > maxErrorMessage {
		cut := maxErrorMessage
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

// upstreamError is the answer when the Hub (or its CDN) gave none: 504 when
// it did not answer in time, 502 otherwise, never 401 or 404, so that
// clients fall back to their local cache.
func upstreamError(host string, err error) *hubError {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errIdle) || (errors.As(err, &ne) && ne.Timeout()) {
		return &hubError{status: http.StatusGatewayTimeout, err: err, unreachable: true,
			msg: "the Hub (" + host + ") did not answer the gateway in time; try again later"}
	}
	return &hubError{status: http.StatusBadGateway, err: err, unreachable: true,
		msg: "the gateway cannot reach the Hub (" + host + "); try again later"}
}
