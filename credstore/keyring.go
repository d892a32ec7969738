package credstore

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// DefaultKeyringTimeout bounds every call into the OS keyring. go-keyring can
// block indefinitely on some D-Bus setups (a Secret Service that waits for a
// GUI unlock prompt nobody will answer, a half-dead session bus); past this
// limit the keyring counts as unavailable and the fallback file is used.
const DefaultKeyringTimeout = 3 * time.Second

// ErrNotFound is returned by a Keyring when it holds no entry for the service
// and user. Any other error from a Keyring means the keyring is unavailable.
var ErrNotFound = errors.New("no keyring entry")

// Keyring is a secret store keyed by service and user, such as the OS
// keyring. Implementations must be safe for concurrent use, return
// ErrNotFound (possibly wrapped) for a missing entry, and should return an
// *UnavailableError for everything else. The Store never shows the text of
// any other error, since a backend might echo the secret it was given.
type Keyring interface {
	Get(ctx context.Context, service, user string) (secret string, err error)
	Set(ctx context.Context, service, user, secret string) error
	Delete(ctx context.Context, service, user string) error
}

// UnavailableError reports that the keyring could not be used. Its Error
// text is built only from Op and Reason, never from the cause, so it is safe
// to show; Unwrap still gives the cause to errors.Is and errors.As.
type UnavailableError struct {
	Op     string // "get", "set" or "delete"
	Reason string // short and safe to show, e.g. "cannot connect to the D-Bus session bus"
	Err    error  // the backend's error; may be nil
}

// Error returns "keyring <op>: <reason>".
func (e *UnavailableError) Error() string { return "keyring " + e.Op + ": " + e.Reason }

// Unwrap returns the backend's error.
func (e *UnavailableError) Unwrap() error { return e.Err }

// SystemKeyring is the OS keyring through github.com/zalando/go-keyring:
// the Secret Service over D-Bus on Linux and the BSDs, the login keychain on
// macOS, the Credential Manager on Windows. The zero value is ready to use
// and safe for concurrent use.
//
// Each call runs in its own goroutine and is abandoned when Timeout passes or
// ctx is done; an abandoned call may still finish later (go-keyring cannot
// be interrupted), so a Set that timed out may land in the keyring after all.
type SystemKeyring struct {
	Timeout time.Duration // per call; DefaultKeyringTimeout if zero
}

// Get returns the secret, ErrNotFound, or an *UnavailableError.
func (k SystemKeyring) Get(ctx context.Context, service, user string) (string, error) {
	return call(ctx, k.timeout(), "get", func() (string, error) { return keyring.Get(service, user) })
}

// Set stores the secret, replacing any existing one, or returns an
// *UnavailableError.
func (k SystemKeyring) Set(ctx context.Context, service, user, secret string) error {
	_, err := call(ctx, k.timeout(), "set", func() (struct{}, error) { return struct{}{}, keyring.Set(service, user, secret) })
	return err
}

// Delete removes the entry, or returns ErrNotFound or an *UnavailableError.
func (k SystemKeyring) Delete(ctx context.Context, service, user string) error {
	_, err := call(ctx, k.timeout(), "delete", func() (struct{}, error) { return struct{}{}, keyring.Delete(service, user) })
	return err
}

func (k SystemKeyring) timeout() time.Duration {
	if k.Timeout <= 0 {
		return DefaultKeyringTimeout
	}
	return k.Timeout
}

// call runs fn in a goroutine, bounded by timeout and ctx, and translates
// its error. fn's result travels over the channel, so an abandoned call that
// finishes later writes nothing the caller reads.
func call[T any](ctx context.Context, timeout time.Duration, op string, fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1) // buffered: an abandoned call must not leak blocked on send
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var zero T
	select {
	case r := <-done:
		if err := translate(op, r.err); err != nil {
			return zero, err
		}
		return r.v, nil
	case <-timer.C:
		return zero, &UnavailableError{Op: op, Reason: fmt.Sprintf("no answer within %s", timeout)}
	case <-ctx.Done():
		return zero, &UnavailableError{Op: op, Reason: "canceled", Err: ctx.Err()}
	}
}

// translate maps a go-keyring error to ErrNotFound or an *UnavailableError
// with a short reason chosen from a fixed list, so that no backend text (which
// could in principle quote its arguments) ever reaches a user.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("keyring %s: %w", op, ErrNotFound)
	}
	return &UnavailableError{Op: op, Reason: reason(err), Err: err}
}

func reason(err error) string {
	msg := err.Error()
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(msg, s) {
				return true
			}
		}
		return false
	}
	switch {
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return "not supported on " + runtime.GOOS
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return "the secret is too large for this keyring"
	case has("ServiceUnknown", "not provided by any .service files"):
		return "no Secret Service provider (such as gnome-keyring) is running"
	case has("unlock", "IsLocked", "dismissed"):
		return "the keyring is locked"
	case has("session bus", "dbus", "DBus", "dial ", "connect:", "X11", "autolaunch"):
		return "cannot connect to the D-Bus session bus"
	case has("security", "keychain", "Keychain"):
		return "the macOS keychain refused the request"
	default:
		return "the keyring backend failed"
	}
}

// NoKeyring is a Keyring that is never available: with it a Store keeps
// credentials only in its fallback file. Use it where the OS keyring must not
// be touched, such as tests that run the real CLI wiring.
type NoKeyring struct{}

// Get returns an *UnavailableError.
func (NoKeyring) Get(context.Context, string, string) (string, error) {
	return "", &UnavailableError{Op: "get", Reason: "disabled"}
}

// Set returns an *UnavailableError.
func (NoKeyring) Set(context.Context, string, string, string) error {
	return &UnavailableError{Op: "set", Reason: "disabled"}
}

// Delete returns an *UnavailableError.
func (NoKeyring) Delete(context.Context, string, string) error {
	return &UnavailableError{Op: "delete", Reason: "disabled"}
}

// safeKeyringError returns err as an *UnavailableError whose text is safe to
// show, whatever Keyring implementation produced it.
func safeKeyringError(op string, err error) *UnavailableError {
	if ue, ok := errors.AsType[*UnavailableError](err); ok {
		return ue
	}
	return &UnavailableError{Op: op, Reason: "the keyring backend failed", Err: err}
}
