package download

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/internal/retry"
)

// RangeGetter makes one ranged GET and nothing more: no retries. *hfhub.Client
// implements it, sending the token only to the Hub's own host. end is
// inclusive; start 0 with end -1 asks for the whole body without a Range
// header. Non-2xx answers come back as errors carrying a hfgate code.
type RangeGetter interface {
	GetRange(ctx context.Context, url string, start, end int64) (*http.Response, error)
}

// fetch moves one file of known size and ETag into an .incomplete file and
// verifies it. It resumes whatever an earlier run left there.
type fetch struct {
	get  RangeGetter
	url  func(ctx context.Context, refresh bool) (string, error) // refresh: the signed URL may have expired
	etag string
	size int64
	path string // the .incomplete file

	conns       chan struct{} // connection slots shared by every fetch of a Downloader
	partSize    int64         // bytes per parallel part
	parallelMin int64         // smaller files stream sequentially
	bufSize     int
	retry       retry.Policy
	now         func() time.Time

	done    atomic.Int64 // bytes on disk
	resumed int64        // bytes already on disk when the fetch began
	onProg  func(done int64)
	onRetry func(reason RetryReason, err error, wait time.Duration)
}

// errRangeIgnored means the server answered 200 with the whole file to a
// ranged request (a proxy that strips Range, say): parallel parts cannot
// work, so the fetch starts over as one sequential stream.
var errRangeIgnored = errors.New("server ignored the Range header")

// run fetches and verifies the file. On success the .incomplete file holds
// exactly the verified content. On failure it is left for a later resume,
// except after a hash mismatch, which removes it.
func (f *fetch) run(ctx context.Context) error {
	err := f.fetchOnce(ctx)
	var ie *integrityError
	if errors.As(err, &ie) {
		// One corrupt byte anywhere spoils the whole file and we cannot tell
		// where it was. Start over once; a second mismatch is reported.
		f.onRetry(RetryCorrupt, ie.failure("downloading the file again"), 0)
		f.done.Store(0)
		err = f.fetchOnce(ctx)
	}
	return err
}

func (f *fetch) fetchOnce(ctx context.Context) error {
	j, err := loadJournal(journalPath(f.path), f.etag, f.size)
	if err != nil {
		return err
	}
	if j == nil && (f.size < f.parallelMin || cap(f.conns) < 2) {
		return f.sequential(ctx)
	}
	err = f.parallel(ctx, j)
	if errors.Is(err, errRangeIgnored) {
		if err := f.reset(); err != nil {
			return err
		}
		return f.sequential(ctx)
	}
	return err
}

// reset discards the partial file and its journal.
func (f *fetch) reset() error {
	os.Remove(journalPath(f.path))
	if err := os.Remove(f.path); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("remove partial download: %w", err)
	}
	f.done.Store(0)
	return nil
}

// integrityError is a hash mismatch of the finished file; detail says
// which hash, what it was and what it should have been.
type integrityError struct{ detail string }

func (e *integrityError) Error() string { return "hash mismatch: " + e.detail }

// failure is the user's message for the mismatch, ending with next: what
// happens now.
func (e *integrityError) failure(next string) *hfgate.Error {
	return hfgate.WrapError(hfgate.EINTEGRITY, e,
		"downloaded data failed verification: %s (a byte was corrupted in transit); %s", e.detail, next)
}

// verify compares the finished hash with the ETag and, on a mismatch,
// removes the partial file so that nothing corrupt can be resumed.
func (f *fetch) verify(h hash.Hash) error {
	if h == nil {
		return nil // an ETag that names no known hash: only the size was checked
	}
	if got := sumHex(h); got != f.etag {
		f.reset()
		ie := &integrityError{detail: fmt.Sprintf("%s is %s, want %s", hashName(f.etag), got, f.etag)}
		// Downloading again fetches the file anew.
		return ie.failure("the partial file was removed").WithAction(hfgate.ActionResume)
	}
	return nil
}

// fetchRange GETs [start, end) and hands the bytes to sink in order, retrying
// transient failures and resuming after the last byte sink accepted. It
// returns errRangeIgnored if the server answers 200 to a ranged request.
func (f *fetch) fetchRange(ctx context.Context, start, end int64, sink func(p []byte, off int64) error) error {
	buf := make([]byte, f.bufSize)
	cur, attempt, refreshed := start, 1, false
	refresh := false
	for cur < end {
		err := func() error {
			url, err := f.url(ctx, refresh)
			if err != nil {
				return err
			}
			refresh = false
			rangeEnd := end - 1
			if cur == 0 && end == f.size {
				rangeEnd = -1 // the whole file: no Range header needed
			}
			resp, err := f.get.GetRange(ctx, url, cur, rangeEnd)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if err := f.checkResponse(resp, cur, end); err != nil {
				return err
			}
			for cur < end {
				// Stop at once when canceled (Ctrl-C), rather than draining
				// whatever the connection has buffered.
				if err := ctx.Err(); err != nil {
					return err
				}
				n, rerr := resp.Body.Read(buf[:min(int64(len(buf)), end-cur)])
				if n > 0 {
					if err := sink(buf[:n], cur); err != nil {
						return &fatalError{err}
					}
					cur += int64(n)
					attempt = 1 // progress: a later failure starts a new count
				}
				if rerr == io.EOF && cur < end {
					return hfgate.WrapError(hfgate.EUNAVAILABLE, io.ErrUnexpectedEOF,
						"the connection closed after %d of %d bytes", cur-start, end-start)
				}
				if rerr != nil && rerr != io.EOF {
					return hfgate.WrapError(hfgate.EUNAVAILABLE, rerr, "the connection failed while reading the file")
				}
			}
			return nil
		}()
		if err == nil {
			continue
		}
		var fe *fatalError
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &fe):
			return fe.err
		case errors.Is(err, errRangeIgnored):
			return err
		case mayBeExpiredURL(err) && !refreshed:
			// A signed CDN URL expires (about an hour on the Hub); a long
			// download asks the Hub for a fresh one, once.
			refreshed, refresh = true, true
			continue
		case !transient(err):
			return err
		case !f.retry.Retries(attempt):
			return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "download failed after %d attempts, with %s bytes kept", attempt, strconv.FormatInt(cur, 10)).
				WithAction(hfgate.ActionResume)
		}
		wait := f.retry.Delay(attempt, retryAfterOf(err))
		f.onRetry(RetryTransient, err, wait)
		if err := retry.Sleep(ctx, wait); err != nil {
			return err
		}
		attempt++
	}
	return nil
}

// fatalError marks an error that retrying cannot fix (a failed disk write).
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }

// checkResponse accepts 206 for exactly the asked range, and 200 only when
// the whole file was asked for.
func (f *fetch) checkResponse(resp *http.Response, start, end int64) error {
	switch resp.StatusCode {
	case http.StatusOK:
		if start != 0 || end != f.size {
			return errRangeIgnored
		}
		if resp.ContentLength >= 0 && resp.ContentLength != f.size {
			return f.sizeMismatch(resp.ContentLength)
		}
		return nil
	case http.StatusPartialContent:
		gotStart, gotEnd, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || gotStart != start || gotEnd != end-1 {
			return hfgate.Errorf(hfgate.EUNAVAILABLE, "the server sent the range %q, not bytes %d-%d", resp.Header.Get("Content-Range"), start, end-1)
		}
		if total >= 0 && total != f.size {
			return f.sizeMismatch(total)
		}
		return nil
	default:
		return hfgate.Errorf(hfgate.EUNAVAILABLE, "the server answered %s", resp.Status)
	}
}

func (f *fetch) sizeMismatch(got int64) error {
	return hfgate.Errorf(hfgate.EINTEGRITY, "the server sent a file of %d bytes, but the Hub said %d: the file may have changed", got, f.size).
		WithAction(hfgate.ActionResume)
}

// parseContentRange parses "bytes a-b/total" (total may be "*").
func parseContentRange(v string) (start, end, total int64, ok bool) {
	rest, found := strings.CutPrefix(v, "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	a, b, found2 := strings.Cut(rng, "-")
	if !found || !found2 {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	start, err1 = strconv.ParseInt(a, 10, 64)
	end, err2 = strconv.ParseInt(b, 10, 64)
	total = -1
	if tot != "*" {
		total, err3 = strconv.ParseInt(tot, 10, 64)
	}
	return start, end, total, err1 == nil && err2 == nil && err3 == nil && start <= end
}

// transient reports whether retrying may help: network failures, cut
// connections, rate limits and server errors.
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var he *hfgate.Error
	if errors.As(err, &he) {
		return he.Code == hfgate.EUNAVAILABLE
	}
	return true // transport errors, unexpected EOF, bad ranges from a flaky proxy
}

// mayBeExpiredURL reports whether err could be a signed URL that expired.
func mayBeExpiredURL(err error) bool {
	code := hfgate.ErrorCode(err)
	return code == hfgate.EFORBIDDEN || code == hfgate.EUNAUTHORIZED
}

// retryAfterOf returns the server's Retry-After carried by err, if any.
func retryAfterOf(err error) time.Duration {
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		return ra.RetryAfter()
	}
	return 0
}

// acquire takes a connection slot, or fails when ctx ends.
func (f *fetch) acquire(ctx context.Context) error {
	select {
	case f.conns <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fetch) release() { <-f.conns }
