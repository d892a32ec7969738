// Package stall notices an HTTP exchange that stops sending, or slows to a
// trickle, so that it is cut and retried or reported instead of hanging for
// ever: a read deadline alone is reset by every byte, so a server sending
// one byte every few seconds would never trip it.
package stall

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// MinBytes is the least a transfer must deliver in every window to count
// as alive: 1 KiB, a few hundred bytes per second at the default window,
// far below any link a model can be downloaded over.
const MinBytes = 1 << 10

// ErrStalled is wrapped by the cause of a context a Watch canceled.
var ErrStalled = errors.New("the server stopped sending")

// Watch cancels a context when fewer than MinBytes are counted in a whole
// window. Add may be called from any goroutine.
type Watch struct {
	n      atomic.Int64
	cancel context.CancelCauseFunc
	done   chan struct{}
}

// Start returns a context derived from ctx and a Watch that cancels it,
// with a cause wrapping ErrStalled, as soon as a window of length window
// passes in which fewer than MinBytes were counted with Add. Waiting for the
// response headers counts as receiving nothing. A window <= 0 watches
// nothing. Call Stop when the exchange is over.
func Start(ctx context.Context, window time.Duration) (context.Context, *Watch) {
	ctx, cancel := context.WithCancelCause(ctx)
	w := &Watch{cancel: cancel, done: make(chan struct{})}
	if window > 0 {
		go w.run(ctx, window)
	}
	return ctx, w
}

func (w *Watch) run(ctx context.Context, window time.Duration) {
	t := time.NewTicker(window)
	defer t.Stop()
	var last int64
	for {
		select {
		case <-w.done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n := w.n.Load()
		if got := n - last; got < MinBytes {
			w.cancel(fmt.Errorf("%w: %d bytes in %s", ErrStalled, got, window))
			return
		}
		last = n
	}
}

// Add counts n bytes received. A nil Watch counts nothing.
func (w *Watch) Add(n int) {
	if w != nil {
		w.n.Add(int64(n))
	}
}

// Stop ends the watch and releases its context.
func (w *Watch) Stop() {
	select {
	case <-w.done:
	default:
		close(w.done)
	}
	w.cancel(context.Canceled)
}

// Cause returns the error that stopped ctx when a Watch did (it wraps
// ErrStalled), else nil.
func Cause(ctx context.Context) error {
	if err := context.Cause(ctx); errors.Is(err, ErrStalled) {
		return err
	}
	return nil
}
