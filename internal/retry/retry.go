package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/hfgate/hfgate"
)

// Defaults, close to huggingface_hub's http_backoff (1 s doubling to 8 s,
// 5 retries) but starting lower, since most failures here are brief.
const (
	DefaultAttempts = 6
	DefaultBase     = 250 * time.Millisecond
	DefaultMax      = 8 * time.Second
	// DefaultMaxRetryAfter bounds how long a Retry-After header can make us
	// wait, so a misbehaving server cannot stall a download for hours.
	DefaultMaxRetryAfter = 60 * time.Second
)

// Policy says how often and how long to retry. The zero value uses the
// Default constants.
type Policy struct {
	Attempts      int           // total tries, including the first
	Base, Max     time.Duration // backoff before retry n is up to min(Max, Base*2^(n-1))
	MaxRetryAfter time.Duration // cap on a server's Retry-After

	// Rand returns a value in [0,1) for jitter. If nil, math/rand/v2 is used.
	Rand func() float64
}

func (p Policy) attempts() int {
	if p.Attempts <= 0 {
		return DefaultAttempts
	}
	return p.Attempts
}

// Retries reports whether another try is allowed after try number n (1 is
// the first try).
func (p Policy) Retries(n int) bool { return n < p.attempts() }

// Delay returns the wait before retry n (n >= 1). A positive retryAfter
// (from the server) wins over backoff, capped at MaxRetryAfter. Backoff uses
// full jitter (a uniform wait in [0, cap]), which spreads out clients that
// failed together, such as parallel parts after one connection reset.
func (p Policy) Delay(n int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		limit := p.MaxRetryAfter
		if limit <= 0 {
			limit = DefaultMaxRetryAfter
		}
		return min(retryAfter, limit)
	}
	base, maxWait := p.Base, p.Max
	if base <= 0 {
		base = DefaultBase
	}
	if maxWait <= 0 {
		maxWait = DefaultMax
	}
	ceiling := maxWait
	if n < 30 { // beyond that the shift overflows; the cap applies anyway
		ceiling = min(maxWait, base<<(n-1))
	}
	r := p.Rand
	if r == nil {
		r = rand.Float64
	}
	return time.Duration(r() * float64(ceiling))
}

// RetryableStatus reports whether a response status is worth retrying: rate
// limiting (429) and the transient server errors huggingface_hub retries.
func RetryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// RetryAfter parses a Retry-After header (RFC 9110 §10.2.3): delay-seconds or
// an HTTP date relative to now. It returns 0 when absent or invalid.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// Sleep waits for d or until ctx is done, returning ctx's error in that case.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Transient reports whether retrying err may help: network failures, cut
// connections, stalls, rate limits and server errors (an *hfgate.Error of
// code EUNAVAILABLE, or any error that is none), but not a canceled or
// timed-out context, nor an *hfgate.Error of another code.
func Transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var he *hfgate.Error
	if errors.As(err, &he) {
		return he.Code == hfgate.EUNAVAILABLE
	}
	return true
}

// AfterOf returns the Retry-After a server sent, carried by err (an error
// with a RetryAfter method, such as hfhub's), or 0.
func AfterOf(err error) time.Duration {
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		return ra.RetryAfter()
	}
	return 0
}
