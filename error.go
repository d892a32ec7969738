package hfgate

import (
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

// Error is the error type of the whole project. Message is safe to show to a
// user: it never contains a token, a signed URL or a stack of wrapped internals.
// Err keeps the underlying cause for logs and errors.Is/As.
type Error struct {
	Code    string
	Message string
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
