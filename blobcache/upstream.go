package blobcache

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hfgate/hfgate"
)

// Upstream is where a fill gets a blob's bytes: in the gateway, a ranged GET
// of the file's current URL on the Hub or its CDN, with the upstream
// credential.
//
// Fetch returns a stream of exactly the bytes [start, end) of the blob
// (0 <= start < end <= size). A stream that ends early is a cut connection:
// the fill asks again from where it stopped. An implementation must refuse
// an answer that does not start at start (an HTTP 200 to a ranged request,
// a Content-Range naming other bytes), since the cache cannot tell such
// bytes from the right ones until the whole file's hash fails.
//
// Errors carry a hfgate code: EUNAVAILABLE (and errors with no code, such
// as network errors) are retried with backoff; any other code (ENOTFOUND,
// EUNAUTHORIZED, EFORBIDDEN, EGATED, EINTEGRITY...) fails the fill at once
// and reaches every reader as it is. An error with a RetryAfter()
// time.Duration method sets the wait before the next try.
//
// Error texts must not contain URLs or credentials (a signed CDN URL is
// one): readers get these errors, and the cache logs their messages.
//
// The Upstream given to the Open that starts a fill serves the whole fill,
// called from the fill's own goroutines with the fill's context, possibly
// after that Open's caller has gone: it must not depend on the caller's
// request. Fetch must be safe for concurrent use.
type Upstream interface {
	Fetch(ctx context.Context, start, end int64) (io.ReadCloser, error)
}

// UpstreamFunc adapts a function to Upstream.
type UpstreamFunc func(ctx context.Context, start, end int64) (io.ReadCloser, error)

// Fetch calls f.
func (f UpstreamFunc) Fetch(ctx context.Context, start, end int64) (io.ReadCloser, error) {
	return f(ctx, start, end)
}

// errStalled cancels a stream that sent nothing for Config.StallTimeout.
var errStalled = errors.New("the upstream connection stalled")

// logMessage describes err for a log line: the user-safe message of an
// *hfgate.Error, else only the error's type, which cannot carry a URL.
func logMessage(err error) string {
	var he *hfgate.Error
	if errors.As(err, &he) {
		return hfgate.ErrorMessage(err)
	}
	return fmt.Sprintf("%T", err)
}
