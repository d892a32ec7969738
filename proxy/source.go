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
	"github.com/hfgate/hfgate/hubroute"
)

// remoteFile is a file of the Hub as the proxy fetches its bytes, apart
// from any client's request: a transfer resumes from it, and the cache
// fills from it after the request that started the fill has ended
// (blobcache.Upstream). An LFS file is fetched from the CDN URL the Hub's
// resolve redirect gives, with no credential at all (the URL's signature
// is the credential), and the Hub is asked for a new URL when the CDN
// refuses an old one; a file the Hub serves itself is fetched from the Hub
// with the caller's credential.
type remoteFile struct {
	p    *Proxy
	who  *callerRef
	rt   hubroute.Route // resolve or raw of the file, at its commit when known
	size int64
	lfs  bool
	etag string

	mu       sync.Mutex
	location string // of an LFS file; a secret: never in a log, an error or an answer
}

// callerRef is whom a remoteFile asks the Hub for: the principal, whose
// upstream credential the proxy's TokenFunc gives, and its client's
// User-Agent.
type callerRef struct {
	who *hfgate.Principal
	ua  string
}

// newRemoteFile returns the source of f's bytes for x's caller. When the
// exchange knows the commit, the file is asked for at that commit, so that
// a fill never mixes two versions of a branch.
func (x *exchange) newRemoteFile(f *upstreamFile) *remoteFile {
	rt := x.rt
	if hfgate.IsCommitHash(f.commit) {
		rt.Revision = f.commit
	}
	return &remoteFile{p: x.p, who: &callerRef{who: x.who, ua: x.r.Header.Get("User-Agent")},
		rt: rt, size: f.size, lfs: f.lfs, etag: f.etag, location: f.location}
}

// Fetch returns a stream of exactly the bytes [start, end) of the file.
// Errors are *hfgate.Error values wrapping the *hubError that says what
// the client is answered: EUNAVAILABLE for what a retry may cure (no
// answer, a 5xx or 429), another code for the rest, so that the cache
// retries only the first. They name hosts only, never a URL.
func (f *remoteFile) Fetch(ctx context.Context, start, end int64) (io.ReadCloser, error) {
	if !f.lfs {
		return f.fromHub(ctx, start, end)
	}
	for attempt := 0; ; attempt++ {
		f.mu.Lock()
		loc := f.location
		f.mu.Unlock()
		if loc == "" {
			fresh, err := f.locate(ctx)
			if err != nil {
				return nil, err
			}
			f.mu.Lock()
			f.location, loc = fresh, fresh
			f.mu.Unlock()
		}
		body, status, err := f.fromCDN(ctx, loc, start, end)
		if err == nil {
			return body, nil
		}
		// A signed URL expires (403 on S3 and CloudFront, 410 on some):
		// ask the Hub for a fresh one, once.
		if attempt > 0 || (status != http.StatusForbidden && status != http.StatusGone) {
			return nil, err
		}
		f.mu.Lock()
		if f.location == loc {
			f.location = ""
		}
		f.mu.Unlock()
	}
}

// token returns the caller's upstream credential.
func (f *remoteFile) token(ctx context.Context) (string, error) {
	return f.p.cfg.Token(ctx, f.who.who)
}

// locate asks the Hub for the file's CDN URL (a HEAD without a Range).
func (f *remoteFile) locate(ctx context.Context) (string, error) {
	tok, err := f.token(ctx)
	if err != nil {
		return "", err
	}
	nf, resp, err := f.p.askFile(ctx, hubRequest{token: tok, ua: f.who.ua, route: string(f.rt.Action),
		method: http.MethodHead, path: f.rt.EscapedPath()})
	if resp != nil {
		resp.Body.Close()
		return "", fetchError(&hubError{status: resp.StatusCode, code: resp.Header.Get("X-Error-Code"),
			msg: "the Hub no longer gives the file (" + resp.Status + ")"})
	}
	if err != nil {
		return "", fetchError(err)
	}
	if !nf.lfs || nf.size != f.size || nf.etag != f.etag {
		return "", hfgate.Errorf(hfgate.ENOTFOUND, "the file changed on the Hub during the download")
	}
	return nf.location, nil
}

// fromHub fetches the bytes of a file the Hub serves itself, with the
// caller's credential. The Hub may answer a Range with the whole file
// (such files are small): the bytes before start are skipped.
func (f *remoteFile) fromHub(ctx context.Context, start, end int64) (io.ReadCloser, error) {
	tok, err := f.token(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancelCause := context.WithCancelCause(ctx)
	cancel := func() { cancelCause(nil) }
	deadline := time.AfterFunc(f.p.cfg.MetadataTimeout, func() { cancelCause(context.DeadlineExceeded) })
	resp, err := f.p.hubDo(ctx, hubRequest{token: tok, ua: f.who.ua, route: string(f.rt.Action),
		method: http.MethodGet, path: f.rt.EscapedPath(), header: func(h http.Header) {
			h.Set("Accept-Encoding", "identity")
			if start > 0 || end < f.size {
				h.Set("Range", "bytes="+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end-1, 10))
			}
		}})
	deadline.Stop()
	if err != nil {
		cancel()
		return nil, fetchError(err)
	}
	body := &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	refuse := func(he *hubError) (io.ReadCloser, error) {
		body.Close()
		f.p.m.upstreamFails.WithLabelValues(string(f.rt.Action), "refused").Inc()
		return nil, fetchError(he)
	}
	if enc := resp.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		return refuse(&hubError{status: http.StatusBadGateway, msg: "the Hub sent the file encoded (" + headerSafe(enc) + ")"})
	}
	switch resp.StatusCode {
	case http.StatusOK:
		if resp.ContentLength >= 0 && resp.ContentLength != f.size || unquoteETag(resp.Header.Get("ETag")) != f.etag {
			return refuse(&hubError{status: http.StatusBadGateway, msg: "the file changed on the Hub during the download"})
		}
		if _, err := io.CopyN(io.Discard, body, start); err != nil {
			body.Close()
			return nil, fetchError(upstreamError(f.p.upstream.Host, err))
		}
		return limitedBody(body, end-start), nil
	case http.StatusPartialContent:
		if etag := unquoteETag(resp.Header.Get("ETag")); etag != "" && etag != f.etag {
			return refuse(&hubError{status: http.StatusBadGateway, msg: "the file changed on the Hub during the download"})
		}
		if resp.Header.Get("Content-Range") == contentRange(start, end, f.size) {
			return body, nil
		}
		return refuse(&hubError{status: http.StatusBadGateway, msg: "the Hub answered with other bytes than the gateway asked"})
	}
	return refuse(&hubError{status: resp.StatusCode, code: resp.Header.Get("X-Error-Code"),
		msg: "the Hub answered " + resp.Status + " for the file"})
}

// fromCDN makes one ranged GET of the CDN URL loc, with no credential.
func (f *remoteFile) fromCDN(ctx context.Context, loc string, start, end int64) (io.ReadCloser, int, error) {
	p := f.p
	u, err := url.Parse(loc)
	if err != nil {
		return nil, 0, fetchError(&hubError{status: http.StatusBadGateway, msg: "the Hub gave a download address the gateway cannot read"})
	}
	host := u.Host
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return nil, 0, fetchError(&hubError{status: http.StatusBadGateway, msg: "the Hub gave a download address the gateway cannot read"})
	}
	whole := start == 0 && end == f.size
	if !whole {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end-1, 10))
	}
	req.Header.Set("Accept-Encoding", "identity")
	if f.who.ua != "" {
		req.Header.Set("User-Agent", f.who.ua)
	}
	// The CDN must start answering within MetadataTimeout; its body is
	// then bounded by the transfer's idle timeout.
	ctx, cancelCause := context.WithCancelCause(ctx)
	deadline := time.AfterFunc(p.cfg.MetadataTimeout, func() { cancelCause(context.DeadlineExceeded) })
	cancel := func() { cancelCause(nil) }
	req = req.WithContext(ctx)
	t0 := p.cfg.Now()
	resp, err := p.cdn.Do(req)
	deadline.Stop()
	p.m.upstream.WithLabelValues("cdn").Observe(p.cfg.Now().Sub(t0).Seconds())
	if err != nil {
		cancel()
		if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
			err = fmt.Errorf("%w (%w)", err, cause)
		}
		p.m.upstreamFails.WithLabelValues("cdn", failKind(err)).Inc()
		he := upstreamError(host, err)
		he.err = errors.New(logSafe(err)) // the error holds the signed URL: keep only what is safe
		return nil, 0, fetchError(he)
	}
	body := &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	refuse := func(why string) (io.ReadCloser, int, error) {
		body.Close()
		p.m.upstreamFails.WithLabelValues("cdn", "refused").Inc()
		status := http.StatusBadGateway
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
			status = resp.StatusCode
		}
		return nil, resp.StatusCode, fetchError(&hubError{status: status, msg: "the file's download server (" + host + ") " + why})
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

// fetchError gives err the hfgate code the cache reads to decide whether
// to retry (see remoteFile.Fetch); the *hubError inside still says what
// the client is answered.
func fetchError(err error) error {
	var he *hubError
	if !errors.As(err, &he) {
		return err
	}
	code := hfgate.EUNAVAILABLE
	switch {
	case he.unreachable || he.status >= 500 || he.status == http.StatusTooManyRequests:
	case he.status == http.StatusUnauthorized:
		code = hfgate.EUNAUTHORIZED
	case he.status == http.StatusForbidden:
		code = hfgate.EFORBIDDEN
	case he.status == http.StatusNotFound || he.status == http.StatusGone:
		code = hfgate.ENOTFOUND
	default:
		code = hfgate.EINVALID
	}
	return hfgate.WrapError(code, err, "%s", he.msg)
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
