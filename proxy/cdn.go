package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
)

// cdnFile is an LFS file on the Hub's CDN, at the signed URL the Hub's
// resolve redirect gave. Fetch asks it for ranges with no credential at
// all (the URL's signature is the credential), and asks the Hub for a new
// URL when the CDN refuses an old one.
type cdnFile struct {
	x    *exchange
	size int64

	mu       sync.Mutex
	location string // a secret: never in a log, an error or an answer
}

// Fetch returns a stream of exactly the bytes [start, end) of the file.
// An answer that is not those bytes (a 200 to a ranged request past its
// start, a Content-Range naming other bytes, an encoded body) is refused.
// Errors are *hubError values that name the CDN's host only.
func (f *cdnFile) Fetch(ctx context.Context, start, end int64) (io.ReadCloser, error) {
	for attempt := 0; ; attempt++ {
		f.mu.Lock()
		loc := f.location
		f.mu.Unlock()
		body, status, err := f.get(ctx, loc, start, end)
		if err == nil {
			return body, nil
		}
		// A signed URL expires (403 on S3 and CloudFront, 410 on some):
		// ask the Hub for a fresh one, once.
		if attempt > 0 || (status != http.StatusForbidden && status != http.StatusGone) {
			return nil, err
		}
		fresh, ferr := f.refresh(ctx)
		if ferr != nil {
			return nil, ferr
		}
		f.mu.Lock()
		f.location = fresh
		f.mu.Unlock()
	}
}

// get makes one ranged GET of the CDN URL loc.
func (f *cdnFile) get(ctx context.Context, loc string, start, end int64) (io.ReadCloser, int, error) {
	x := f.x
	u, err := url.Parse(loc)
	if err != nil {
		return nil, 0, &hubError{status: http.StatusBadGateway, msg: "the Hub gave a download address the gateway cannot read"}
	}
	host := u.Host
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return nil, 0, &hubError{status: http.StatusBadGateway, msg: "the Hub gave a download address the gateway cannot read"}
	}
	whole := start == 0 && end == f.size
	if !whole {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end-1, 10))
	}
	req.Header.Set("Accept-Encoding", "identity")
	if ua := x.r.Header.Get("User-Agent"); ua != "" {
		req.Header.Set("User-Agent", ua)
	}
	// The CDN must start answering within MetadataTimeout; its body is
	// then bounded by the transfer's idle timeout.
	ctx, cancelCause := context.WithCancelCause(ctx)
	deadline := time.AfterFunc(x.p.cfg.MetadataTimeout, func() { cancelCause(context.DeadlineExceeded) })
	cancel := func() { cancelCause(nil) }
	req = req.WithContext(ctx)
	t0 := x.p.cfg.Now()
	resp, err := x.p.cdn.Do(req)
	deadline.Stop()
	x.p.m.upstream.WithLabelValues("cdn").Observe(x.p.cfg.Now().Sub(t0).Seconds())
	if err != nil {
		cancel()
		if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
			err = fmt.Errorf("%w (%w)", err, cause)
		}
		x.p.m.upstreamFails.WithLabelValues("cdn", failKind(err)).Inc()
		he := upstreamError(host, err)
		he.err = errors.New(logSafe(err)) // the error holds the signed URL: keep only what is safe
		return nil, 0, he
	}
	body := &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	refuse := func(why string) (io.ReadCloser, int, error) {
		body.Close()
		x.p.m.upstreamFails.WithLabelValues("cdn", "refused").Inc()
		return nil, resp.StatusCode, &hubError{status: http.StatusBadGateway,
			msg: "the file's download server (" + host + ") " + why}
	}
	if enc := resp.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		return refuse("sent the file encoded")
	}
	switch resp.StatusCode {
	case http.StatusOK:
		if resp.ContentLength >= 0 && resp.ContentLength != f.size {
			return refuse(fmt.Sprintf("sent %d bytes for a file of %d", resp.ContentLength, f.size))
		}
		if start != 0 {
			return refuse("ignored the range the gateway asked")
		}
		if !whole {
			return limitedBody(body, end), http.StatusOK, nil
		}
		return body, http.StatusOK, nil
	case http.StatusPartialContent:
		if !whole && resp.Header.Get("Content-Range") == contentRange(start, end, f.size) {
			return body, http.StatusPartialContent, nil
		}
		return refuse("answered with other bytes than the gateway asked")
	}
	return refuse("answered " + resp.Status)
}

func contentRange(start, end, size int64) string {
	return "bytes " + strconv.FormatInt(start, 10) + "-" + strconv.FormatInt(end-1, 10) + "/" + strconv.FormatInt(size, 10)
}

// limitedBody reads the first n bytes of body and closes body.
func limitedBody(body io.ReadCloser, n int64) io.ReadCloser {
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(body, n), body}
}

// refresh asks the Hub for the file's CDN URL again (a HEAD, without a
// Range).
func (f *cdnFile) refresh(ctx context.Context) (string, error) {
	nf, rep, err := f.x.resolveUpstream(ctx, http.MethodHead)
	if rep != nil {
		rep.release()
		return "", &hubError{status: http.StatusBadGateway, msg: "the Hub no longer redirects the file to its download server"}
	}
	if err != nil {
		return "", err
	}
	if !nf.lfs || nf.size != f.size {
		return "", hfgate.Errorf(hfgate.EUNAVAILABLE, "the file changed on the Hub during the download")
	}
	return nf.location, nil
}
