package webauth

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/hfgate/hfgate"
)

// Errors writes failed requests. The zero value writes JSON and plain-text
// pages with no advice and logs nothing.
type Errors struct {
	// Logger receives internal errors (EINTERNAL), the only ones logged.
	// It never receives a token. If nil, nothing is logged.
	Logger *slog.Logger

	// Words is the advice this app gives for each hfgate Action, appended
	// to the message ("sign in with Connect Hugging Face"). An action it
	// has no words for adds nothing.
	Words map[string]string

	// Page renders an HTML error page. If nil, or if it fails, the message
	// is written as plain text.
	Page func(w http.ResponseWriter, r *http.Request, p ErrorPage) error
}

// ErrorPage is what an HTML error page shows.
type ErrorPage struct {
	Status  int
	Title   string // "Error", or "Sign-in failed"
	Message string // user-safe, advice included
	Code    string // the hfgate error code
	Action  string // the hfgate Action, for a button
	SignIn  bool   // a sign-in failed: offer to sign in again
	// ReturnTo is the page a failed sign-in began on (a path on this site,
	// checked by ReturnTo), for "sign in again"; "" when not known.
	ReturnTo string
}

// errorJSON is the body of every failed API request.
type errorJSON struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Action  string `json:"action,omitempty"`
	} `json:"error"`
}

// internalMessage replaces the text of an internal error.
const internalMessage = "something went wrong inside hfgate; the details are in its log"

// Message returns the user-safe message of err followed by the advice
// words give its Action, if any.
func Message(err error, words map[string]string) string {
	msg := hfgate.ErrorMessage(err)
	if advice := words[hfgate.ErrorAction(err)]; advice != "" {
		msg += "; " + advice
	}
	return msg
}

// Message returns the message of err for a page: with this app's advice,
// and nothing but a generic sentence for internal errors.
func (e *Errors) Message(err error) string {
	if hfgate.ErrorCode(err) == hfgate.EINTERNAL {
		return internalMessage
	}
	return Message(err, e.Words)
}

// Write answers a failed request: JSON under /api/ and /auth/session (or
// when asked for), else the HTML page.
func (e *Errors) Write(w http.ResponseWriter, r *http.Request, err error) {
	e.write(w, r, err, ErrorPage{Title: "Error"})
}

// SignInFailed answers a failed sign-in with a page that says why and
// offers to sign in again.
func (e *Errors) SignInFailed(w http.ResponseWriter, r *http.Request, err error) {
	e.write(w, r, err, ErrorPage{Title: "Sign-in failed", SignIn: true, ReturnTo: returnToFrom(r.Context())})
}

type returnToKey struct{}

// withReturnTo records in ctx where a failed sign-in began.
func withReturnTo(ctx context.Context, path string) context.Context {
	return context.WithValue(ctx, returnToKey{}, path)
}

func returnToFrom(ctx context.Context) string {
	s, _ := ctx.Value(returnToKey{}).(string)
	return s
}

func (e *Errors) write(w http.ResponseWriter, r *http.Request, err error, p ErrorPage) {
	p.Code, p.Action = hfgate.ErrorCode(err), hfgate.ErrorAction(err)
	if p.Code == hfgate.EINTERNAL && e.Logger != nil {
		e.Logger.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p.Status, p.Message = StatusOf(p.Code), e.Message(err)
	if WantsJSON(r) {
		var body errorJSON
		body.Error.Code, body.Error.Message, body.Error.Action = p.Code, p.Message, p.Action
		WriteJSON(w, p.Status, body)
		return
	}
	if e.Page == nil || e.Page(w, r, p) != nil {
		http.Error(w, p.Message, p.Status)
	}
}

// StatusOf maps an error code to an HTTP status.
func StatusOf(code string) int {
	switch code {
	case hfgate.EINVALID:
		return http.StatusBadRequest
	case hfgate.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case hfgate.EFORBIDDEN, hfgate.EGATED:
		return http.StatusForbidden
	case hfgate.ENOTFOUND:
		return http.StatusNotFound
	case hfgate.EUNAVAILABLE, hfgate.EINTEGRITY:
		return http.StatusBadGateway
	case hfgate.ENOSPACE:
		return http.StatusInsufficientStorage
	case hfgate.ECANCELED:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// WantsJSON reports whether r expects a JSON answer: API calls, the
// session route, and requests that accept JSON.
func WantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == sessionPath ||
		strings.Contains(r.Header.Get("Accept"), "application/json")
}

// WriteJSON writes v with status. A failure to write cannot be reported to
// the client, whose connection is the one that failed, so it is dropped.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
