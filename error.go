package hfgate

import (
	"context"
	"errors"
	"fmt"
)

// Error codes. Each one maps to one exit status in cmd/hfgate and one HTTP
// status in web, so choose the code by what the user should do next, not by
// where the error happened.
const (
	EINVALID      = "invalid"      // bad input: fix the command line or request
	EUNAUTHORIZED = "unauthorized" // not signed in, or the token was rejected: sign in again
	EFORBIDDEN    = "forbidden"    // signed in, but the token lacks a scope or role
	EGATED        = "gated"        // gated repo and access not granted (yet)
	ENOTFOUND     = "not_found"    // repo, revision or file does not exist (or is invisible)
	EINTEGRITY    = "integrity"    // downloaded bytes do not match the expected hash or size
	ENOSPACE      = "no_space"     // the disk is full or too small for the download
	EUNAVAILABLE  = "unavailable"  // network failure, rate limit or server error after retries
	ECANCELED     = "canceled"     // interrupted by the user
	EINTERNAL     = "internal"     // a bug: everything else
)

// Error is the error type of the whole project.
//
// Message is safe to show to a user: it never contains a token, a signed URL
// or a stack of wrapped internals. It says what happened in words every
// front end can show as they are (the CLI, the local web app, the gateway's
// X-Error-Message), and so never names a command, a flag or a button; advice
// that holds everywhere ("try again later", "request access at URL") may
// stay in it.
//
// Action says what the user can do about it, as one of the Action
// constants, or "" when there is nothing particular to do. Each front end
// words it its own way: "run hfgate login" on the command line, a Connect
// button in the web app. Err keeps the underlying cause for logs and
// errors.Is/As.
type Error struct {
	Code    string
	Message string
	Action  string
	Err     error
}

// Error returns the user-safe message, followed by the cause when there is one.
func (e *Error) Error() string {
	switch {
	case e.Err == nil:
		return e.Message
	case e.Message == "":
		return e.Err.Error()
	default:
		return e.Message + ": " + e.Err.Error()
	}
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted, user-safe
// message. Do not format secrets into it.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an *Error with the given code and message whose cause is err.
func WrapError(code string, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// WithAction sets e's Action and returns e, for use on a new Error:
//
//	return hfgate.Errorf(hfgate.EUNAUTHORIZED, "not signed in to %s", ep).WithAction(hfgate.ActionSignIn)
func (e *Error) WithAction(action string) *Error {
	e.Action = action
	return e
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of the first *Error in err's
// chain, or a generic message for any other error, so that internal details
// (paths of temporary files, raw server bodies) are never shown by accident.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "internal error"
}

// ErrorAction returns the Action of the first *Error in err's chain, the one
// whose Message ErrorMessage returns: a message and its advice go together,
// so an Error that wraps another one with a message of its own states its
// own Action (WrapError(...).WithAction(ErrorAction(cause)) keeps the
// cause's). It returns "" for nil and for other errors.
func ErrorAction(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Action
	}
	return ""
}

// ContextError returns nil while ctx is live, and the error of work that
// ctx ended once it is done: ECANCELED when it was canceled, EUNAVAILABLE
// when its deadline passed, saying "canceled while doing" or "timed out
// while doing".
func ContextError(ctx context.Context, doing string) error {
	switch err := ctx.Err(); {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return WrapError(ECANCELED, err, "canceled while %s", doing)
	default:
		return WrapError(EUNAVAILABLE, err, "timed out while %s", doing)
	}
}
