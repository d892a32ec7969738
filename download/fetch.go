package download

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/internal/retry"
	"github.com/hfgate/hfgate/internal/stall"
)

// RangeGetter makes one ranged GET and nothing more: no retries. *hfhub.Client
// implements it, sending the token only to the Hub's own host. end is
// inclusive; start 0 with end -1 asks for the whole body without a Range
// header. Non-2xx answers come back as errors carrying a hfgate code.
type RangeGetter interface {
	GetRange(ctx context.Context, url string, start, end int64) (*http.Response, error)
}

// fetch moves one file of known size and ETag into its .incomplete file
// and verifies it. It resumes whatever an earlier run (of hfgate or of
// huggingface_hub) left there.
type fetch struct {
	get   RangeGetter
	url   func(ctx context.Context, refresh bool) (string, error) // refresh: the signed URL may have expired
	etag  string
	size  int64
	files partialFiles

	conns       chan struct{} // connection slots shared by every fetch of a Downloader
	chunk       int64         // the range a helper connection takes on at a time
	parallelMin int64         // smaller files use one connection
	probe       time.Duration // how long one connection runs before helpers are considered
	worth       time.Duration // helpers are opened if the rest would take longer on one connection
	bufSize     int
	idle        time.Duration // a window with under 1 KiB received cuts the connection
	retry       retry.Policy
	now         func() time.Time

	reads, fullReads atomic.Int64 // reads of the connections, and those that filled what they asked for

	done    atomic.Int64 // bytes on disk
	resumed int64        // bytes already on disk when the fetch began
	onProg  func(done int64)
	onRetry func(reason RetryReason, err error, wait time.Duration)
}

// errRangeIgnored means the server answered 200 with the whole file to a
// ranged request (a proxy that strips Range, say): neither resuming nor
// parallel parts can work, so the fetch starts over as one stream from the
// first byte.
var errRangeIgnored = errors.New("server ignored the Range header")

// run fetches and verifies the file. On success the .incomplete file holds
// exactly the verified content and the other files of the download are
// gone. On failure they are left for a later resume, except after a hash
// mismatch, which removes them all.
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
	for restarts := 1; ; restarts++ {
		t, err := f.open()
		if err != nil {
			return err
		}
		err = t.run(ctx)
		t.close()
		switch {
		case !errors.Is(err, errRangeIgnored):
			return err
		case restarts >= 3:
			return hfgate.WrapError(hfgate.EUNAVAILABLE, err,
				"the server ignores Range requests, so a broken connection means starting over, and it broke %d times; try again later", restarts).
				WithAction(hfgate.ActionRetry)
		}
		// The server sends the whole file whatever we ask: start over from
		// byte 0, which needs no Range header, on one connection.
		if err := f.reset(); err != nil {
			return err
		}
		f.parallelMin = f.size + 1
	}
}

// reset discards every file of the download.
func (f *fetch) reset() error {
	f.done.Store(0)
	f.onProg(0)
	return f.files.removeAll()
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

// fetchRange GETs the bytes from start up to end() and hands them to sink
// in order, retrying transient failures and resuming after the last byte
// sink accepted. end may shrink while it runs (another connection took over
// the rest); sink returns how many bytes it took, fewer when the range ended
// under them. It returns errRangeIgnored if the server answers 200 to a
// ranged request.
func (f *fetch) fetchRange(ctx context.Context, start int64, end func() int64, sink func(p []byte, off int64) (int, error)) error {
	buf := make([]byte, f.bufSize)
	cur, attempt := start, 1
	refresh, refreshed := false, false
	for cur < end() {
		before := cur
		err := f.attempt(ctx, &cur, end, refresh, buf, sink)
		if err == nil {
			continue
		}
		refresh = false
		if cur-before >= freshStart {
			attempt = 1 // real progress: this failure starts a new count
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
		case !retry.Transient(err):
			return err
		case !f.retry.Retries(attempt):
			return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "download failed after %d attempts (the last: %s), with %s bytes kept",
				attempt, hfgate.ErrorMessage(err), strconv.FormatInt(cur, 10)).WithAction(hfgate.ActionResume)
		}
		wait := f.retry.Delay(attempt, retry.AfterOf(err))
		f.onRetry(RetryTransient, err, wait)
		if err := retry.Sleep(ctx, wait); err != nil {
			return err
		}
		attempt++
	}
	return nil
}

// attempt makes one request for [*cur, end()) and reads what it can.
func (f *fetch) attempt(ctx context.Context, cur *int64, end func() int64, refresh bool, buf []byte, sink func([]byte, int64) (int, error)) error {
	// The watch cuts a connection that sends nothing, or next to nothing,
	// for a whole window: headers included.
	actx, watch := stall.Start(ctx, f.idle)
	defer watch.Stop()
	url, err := f.url(actx, refresh)
	if err != nil {
		return f.stalled(actx, err)
	}
	stop := end()
	rangeEnd := stop - 1
	if *cur == 0 && stop == f.size {
		rangeEnd = -1 // the whole file: no Range header needed
	}
	resp, err := f.get.GetRange(actx, url, *cur, rangeEnd)
	if err != nil {
		return f.stalled(actx, err)
	}
	defer resp.Body.Close()
	if err := f.checkResponse(resp, *cur, stop); err != nil {
		return err
	}
	for *cur < end() {
		// Stop at once when canceled (Ctrl-C), rather than draining
		// whatever the connection has buffered.
		if err := ctx.Err(); err != nil {
			return err
		}
		ask := min(int64(len(buf)), end()-*cur)
		n, rerr := resp.Body.Read(buf[:ask])
		f.reads.Add(1)
		if int64(n) == ask {
			f.fullReads.Add(1) // the data was waiting for us
		}
		if n > 0 {
			watch.Add(n)
			k, err := sink(buf[:n], *cur)
			if err != nil {
				return &fatalError{err}
			}
			*cur += int64(k)
			if k < n {
				return nil // the range ended under us
			}
		}
		switch {
		case rerr == io.EOF && *cur < end():
			return hfgate.WrapError(hfgate.EUNAVAILABLE, io.ErrUnexpectedEOF,
				"the connection closed after %d of %d bytes", *cur, f.size)
		case rerr != nil && rerr != io.EOF:
			return f.stalled(actx, hfgate.WrapError(hfgate.EUNAVAILABLE, rerr, "the connection failed while reading the file"))
		}
	}
	return nil
}

// stalled turns an error caused by the stall watch into one that says so.
func (f *fetch) stalled(actx context.Context, err error) error {
	if cause := stall.Cause(actx); cause != nil {
		return hfgate.WrapError(hfgate.EUNAVAILABLE, cause,
			"the server stopped sending (under 1 KiB in %s)", f.idle)
	}
	return err
}

// freshStart is how much an attempt must deliver for its failure to start
// a new count of attempts: a server that sends a few bytes and then stalls,
// every time, runs out of attempts like one that sends nothing.
const freshStart = 1 << 20

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

// mayBeExpiredURL reports whether err could be a signed URL that expired.
func mayBeExpiredURL(err error) bool {
	code := hfgate.ErrorCode(err)
	return code == hfgate.EFORBIDDEN || code == hfgate.EUNAUTHORIZED
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

// verified reports whether the ETag names a hash the content is checked
// against.
func (f *fetch) verified() bool {
	_, ok := hfcache.ContentHash(f.etag, f.size)
	return ok
}
