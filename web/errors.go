package web

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/hfgate/hfgate"
)

// statusOf maps an error code to an HTTP status.
func statusOf(code string) int {
	switch code {
	case hfgate.EINVALID:
		return http.StatusBadRequest
	case hfgate.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case hfgate.EFORBIDDEN, hfgate.EGATED:
		return http.StatusForbidden
	case hfgate.ENOTFOUND:
		return http.StatusNotFound
	case hfgate.EUNAVAILABLE:
		return http.StatusBadGateway
	case hfgate.ENOSPACE:
		return http.StatusInsufficientStorage
	case hfgate.EINTEGRITY:
		return http.StatusBadGateway
	case hfgate.ECANCELED:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// errorJSON is the body of every failed API request.
type errorJSON struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// fail answers a failed request: JSON under /api/ and /auth/session (or
// when asked for), else an HTML page. Only internal errors are logged, and
// their text is not shown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := hfgate.ErrorCode(err)
	msg := userMessage(err)
	if code == hfgate.EINTERNAL {
		s.Logger.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "something went wrong inside hfgate; the details are in its log"
	}
	status := statusOf(code)
	if wantsJSON(r) {
		var body errorJSON
		body.Error.Code, body.Error.Message = code, msg
		writeJSON(w, status, body)
		return
	}
	if err := s.render(w, r, status, "error", s.pageData(r, "Error", msg)); err != nil {
		http.Error(w, msg, status)
	}
}

// wantsJSON reports whether r expects a JSON answer.
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/auth/session" ||
		strings.Contains(r.Header.Get("Accept"), "application/json")
}

// writeJSON writes v with status. A failure to write cannot be reported to
// the client, whose connection is the one that failed, so it is dropped.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// userMessage is the user-safe message of err for a browser. The library
// packages speak to command-line users ("run `hfgate login`", "\"hfgate
// files X\" lists the files"); here the same advice points at the page.
func userMessage(err error) string {
	msg := hfgate.ErrorMessage(err)
	msg = filesHint.ReplaceAllString(msg, " (the model page lists them)")
	return loginHint.Replace(msg)
}

var (
	filesHint = regexp.MustCompile(`\s*\("hfgate files [^"]*" lists the files\)`)
	loginHint = strings.NewReplacer(
		"run `hfgate login`", "sign in with Connect Hugging Face",
		"run hfgate login again", "sign in again with Connect Hugging Face",
		"run hfgate login", "sign in with Connect Hugging Face",
		"with `hfgate login`", "with Connect Hugging Face",
		"`hfgate login`", "Connect Hugging Face",
	)
)
