package hfhub

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/internal/retry"
	"github.com/hfgate/hfgate/internal/stall"
)

// DefaultReaderAttempts bounds the tries of one RangeReader.ReadAt,
// retries included (fewer if Client.Retry allows fewer).
const DefaultReaderAttempts = 4

// RangeReader is an io.ReaderAt over a remote file: each ReadAt is one
// HTTP Range request (retried a few times on transient failures), so a
// reader that reads in large chunks, as the gguf package does for headers,
// fetches only what it needs. It counts requests and bytes.
//
// A RangeReader is safe for concurrent use. It uses the context it was
// made with for every request: once that ends, ReadAt fails with ECANCELED.
type RangeReader struct {
	ctx  context.Context
	c    *Client
	url  string
	size int64

	requests atomic.Int64
	fetched  atomic.Int64
}

// ReaderAt returns a RangeReader over the file meta describes, reading from
// meta.Location (the signed CDN URL for LFS files, which avoids a Hub
// round trip and a download count per read) and knowing its size from
// meta.Size. A signed URL expires (typically after an hour): call
// FileMetadata again for a long-lived reader.
func (c *Client) ReaderAt(ctx context.Context, meta *hfgate.FileMetadata) *RangeReader {
	return &RangeReader{ctx: ctx, c: c, url: meta.Location, size: meta.Size}
}

// Size returns the file's size, as given at creation.
func (r *RangeReader) Size() int64 { return r.size }

// Requests returns the number of HTTP requests made so far, retries
// included.
func (r *RangeReader) Requests() int64 { return r.requests.Load() }

// Fetched returns the number of body bytes received so far.
func (r *RangeReader) Fetched() int64 { return r.fetched.Load() }

// ReadAt reads len(p) bytes at off, or up to the end of the file with
// io.EOF. Errors are *hfgate.Error values: those of GetRange after the
// retries, EUNAVAILABLE for a server that ignores Range or answers another
// range, EINTEGRITY when the file turns out shorter than its size.
func (r *RangeReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, hfgate.Errorf(hfgate.EINVALID, "negative read offset %d", off)
	}
	if off >= r.size {
		return 0, io.EOF
	}
	want := min(int64(len(p)), r.size-off)
	if want == 0 {
		return 0, nil
	}
	for n := 1; ; n++ {
		err := r.readOnce(p[:want], off)
		if err == nil {
			if want < int64(len(p)) {
				return int(want), io.EOF
			}
			return int(want), nil
		}
		if r.ctx.Err() != nil || hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE ||
			n >= DefaultReaderAttempts || !r.c.Retry.Retries(n) {
			return 0, err
		}
		wait := r.c.Retry.Delay(n, retry.AfterOf(err))
		if r.c.OnRetry != nil {
			r.c.OnRetry(err, wait)
		}
		if err := retry.Sleep(r.ctx, wait); err != nil {
			return 0, hfgate.WrapError(hfgate.ECANCELED, err, "reading %s canceled", stripQuery(r.url))
		}
	}
}

// readOnce fills p from off with one request.
func (r *RangeReader) readOnce(p []byte, off int64) error {
	last := off + int64(len(p)) - 1
	r.requests.Add(1)
	ctx, watch := stall.Start(r.ctx, r.c.readTimeout())
	defer watch.Stop()
	stalled := func(err error) error {
		if cause := stall.Cause(ctx); cause != nil {
			return hfgate.WrapError(hfgate.EUNAVAILABLE, cause, "%s stopped sending the file", hostOf(r.url))
		}
		return err
	}
	resp, err := r.c.GetRange(ctx, r.url, off, last)
	if err != nil {
		return stalled(err)
	}
	defer resp.Body.Close()
	host := resp.Request.URL.Host
	switch resp.StatusCode {
	case http.StatusPartialContent:
		if got := resp.Header.Get("Content-Range"); !strings.HasPrefix(got, fmt.Sprintf("bytes %d-%d/", off, last)) {
			return hfgate.Errorf(hfgate.EUNAVAILABLE, "%s answered bytes %q to a request for %d-%d: a proxy may be altering requests", host, got, off, last)
		}
	case http.StatusOK:
		// A server that ignores Range sends the whole file: usable only
		// when the read starts at 0, by taking the start of it.
		if off != 0 {
			return hfgate.Errorf(hfgate.EUNAVAILABLE, "%s ignored the Range header: a proxy may strip it", host)
		}
	case http.StatusRequestedRangeNotSatisfiable:
		return hfgate.Errorf(hfgate.EINTEGRITY, "%s has fewer than %d bytes (%s): the file changed; look it up again",
			host, last+1, resp.Header.Get("Content-Range"))
	default:
		return hfgate.Errorf(hfgate.EUNAVAILABLE, "%s answered %s to a Range request", host, resp.Status)
	}
	n, err := io.ReadFull(watchedReader{resp.Body, watch}, p)
	r.fetched.Add(int64(n))
	if err != nil {
		return stalled(hfgate.WrapError(hfgate.EUNAVAILABLE, err, "reading from %s failed after %d bytes", host, n))
	}
	return nil
}

// watchedReader counts what it reads for a stall watch.
type watchedReader struct {
	r     io.Reader
	watch *stall.Watch
}

func (w watchedReader) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	w.watch.Add(n)
	return n, err
}

// hostOf is the host of a URL, for messages.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return "the server"
}
