package proxy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
)

// upstreamFile is what the Hub said of a file on resolve or raw.
type upstreamFile struct {
	commit string // X-Repo-Commit
	etag   string // unquoted: the SHA-256 of an LFS file, the git blob sha1 of another
	size   int64
	lfs    bool   // the bytes are on the CDN, at location
	ctype  string // the Content-Type of a file the Hub serves itself

	// location is the CDN URL of an LFS file. It is a secret: its
	// signature grants the file to whoever holds it. It never reaches a
	// client or a log.
	location string
	// body is the content of a file the Hub served itself (a GET of a
	// small file), nil otherwise.
	body io.ReadCloser

	// cached says the answer came from the metadata cache, not the Hub;
	// offline, that the Hub could not be reached for it.
	cached, offline bool
}

// file serves resolve and raw, HEAD and GET. The gateway answers from
// itself: a HEAD gets 200 with every header huggingface_hub reads from the
// first answer (X-Repo-Commit, ETag, X-Linked-Etag, X-Linked-Size,
// Content-Length, Accept-Ranges), and a GET the bytes, which the proxy
// fetches from the Hub or its CDN itself, so that the client never meets
// the CDN (nor Xet) and the audit log sees every byte.
func (x *exchange) file() {
	x.action = hfgate.RepoDownload
	if !x.authorize() {
		return
	}
	ctx := x.r.Context()
	f, rep, err := x.lookupFile()
	switch {
	case err != nil:
		x.answerError(err)
		return
	case rep != nil:
		defer rep.release()
		x.answer(rep, x.decisionEvent(rep.status))
		return
	}
	if f.body != nil {
		defer f.body.Close()
	}
	if f.size > x.p.cfg.MaxFileSize {
		x.answerError(&hubError{status: http.StatusForbidden, code: codeGatedRepo, header: http.Header{RuleHeader: {ruleMaxFileSize}}, msg: fmt.Sprintf(
			"%s is %d bytes: the gateway serves files of at most %d bytes, the most huggingface_hub downloads over plain HTTP, and it does not serve Xet",
			x.rt.Path, f.size, x.p.cfg.MaxFileSize)})
		return
	}
	if x.r.Method == http.MethodHead {
		x.fileHeaders(f)
		ev := x.decisionEvent(http.StatusOK)
		x.describe(ev, f)
		if x.record(ev) != nil {
			x.clearFileHeaders()
			x.writeError(errAuditDown)
			return
		}
		x.w.Header().Set("Content-Length", strconv.FormatInt(f.size, 10))
		x.status = http.StatusOK
		x.w.WriteHeader(http.StatusOK)
		return
	}
	if x.p.cache != nil {
		x.serveCached(ctx, f)
		return
	}
	x.serveFile(ctx, f)
}

// ruleMaxFileSize names the refusal of a file larger than MaxFileSize.
const ruleMaxFileSize = "gateway-max-file-size"

// describe adds what the Hub said of f to an audit event.
func (x *exchange) describe(ev *hfgate.AuditEvent, f *upstreamFile) {
	ev.Commit = f.commit
	if f.lfs {
		ev.SHA256 = f.etag
	}
}

// fileHeaders sets the headers every answer about f carries.
func (x *exchange) fileHeaders(f *upstreamFile) {
	h := x.w.Header()
	etag := `"` + f.etag + `"`
	if f.commit != "" {
		h.Set("X-Repo-Commit", f.commit)
	}
	h.Set("ETag", etag)
	h.Set("X-Linked-Etag", etag)
	h.Set("X-Linked-Size", strconv.FormatInt(f.size, 10))
	h.Set("Accept-Ranges", "bytes")
	ct := f.ctype
	if f.lfs || ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
}

// clearFileHeaders removes what fileHeaders set, before an error answer.
func (x *exchange) clearFileHeaders() {
	for _, k := range []string{"X-Repo-Commit", "ETag", "X-Linked-Etag", "X-Linked-Size", "Accept-Ranges", "Content-Type", "Content-Range"} {
		x.w.Header().Del(k)
	}
}

// resolveUpstream asks the Hub for the exchange's file with method (GET or
// HEAD), with the caller's credential (see askFile). The answer is a file
// (f; with its body open for a GET of a file the Hub serves itself), or
// an answer to pass on (rep: an error, a rename's relative redirect).
func (x *exchange) resolveUpstream(ctx context.Context, method string) (f *upstreamFile, rep *reply, err error) {
	if err := x.checkCallerSecrets(); err != nil {
		return nil, nil, err
	}
	tok, err := x.upstreamToken(ctx)
	if err != nil {
		return nil, nil, err
	}
	f, resp, err := x.p.askFile(ctx, hubRequest{token: tok, ua: x.r.Header.Get("User-Agent"), route: string(x.rt.Action),
		method: method, path: x.rt.EscapedPath(), query: x.r.URL.RawQuery})
	if resp != nil {
		rep, err = x.makeReply(resp)
		return nil, rep, err
	}
	return f, nil, err
}

// askFile sends r (a GET or HEAD of a resolve or raw path) to the Hub,
// never with a Range: a redirect obtained with a Range may be pinned to it
// (reference §3). The answer is a file (f; with its body open for a GET of
// a file the Hub serves itself), or the Hub's answer when it is not one (an
// error, a rename's redirect), for the caller to read and close.
func (p *Proxy) askFile(ctx context.Context, r hubRequest) (f *upstreamFile, other *http.Response, err error) {
	// The metadata deadline ends with the answer's headers: the body of a
	// file the Hub serves itself is bounded by the idle timeout instead.
	mctx, cancelCause := context.WithCancelCause(ctx)
	cancel := func() { cancelCause(nil) }
	deadline := time.AfterFunc(p.cfg.MetadataTimeout, func() { cancelCause(context.DeadlineExceeded) })
	r.header = func(h http.Header) { h.Set("Accept-Encoding", "identity") }
	resp, err := p.hubDo(mctx, r)
	deadline.Stop()
	if err != nil {
		cancel()
		return nil, nil, err
	}
	f = &upstreamFile{commit: headerSafe(resp.Header.Get("X-Repo-Commit"))}
	switch {
	case resp.StatusCode == http.StatusOK:
		f.etag = unquoteETag(resp.Header.Get("ETag"))
		f.size = resp.ContentLength
		f.ctype = resp.Header.Get("Content-Type")
		if f.size < 0 || f.etag == "" {
			resp.Body.Close()
			cancel()
			return nil, nil, &hubError{status: http.StatusBadGateway, msg: "the Hub's answer for the file lacks its size or ETag"}
		}
		if enc := resp.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
			resp.Body.Close()
			cancel()
			return nil, nil, &hubError{status: http.StatusBadGateway, msg: "the Hub sent the file encoded (" + headerSafe(enc) + ")"}
		}
		if r.method == http.MethodGet {
			f.body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		} else {
			resp.Body.Close()
			cancel()
		}
		return f, nil, nil
	case isRedirect(resp.StatusCode):
		if _, rename := p.relativeLocation(resp); !rename {
			defer cancel()
			defer resp.Body.Close()
			f, err = cdnRedirect(f, resp)
			return f, nil, err
		}
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return nil, resp, nil
}

// cdnRedirect reads the Hub's redirect of an LFS file to its CDN into f.
func cdnRedirect(f *upstreamFile, resp *http.Response) (*upstreamFile, error) {
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || (loc.Scheme != "https" && loc.Scheme != "http") || loc.Host == "" {
		return nil, &hubError{status: http.StatusBadGateway, msg: "the Hub redirected the file to an address the gateway does not fetch"}
	}
	f.lfs, f.location = true, loc.String()
	f.etag = unquoteETag(resp.Header.Get("X-Linked-Etag"))
	size, err := strconv.ParseInt(resp.Header.Get("X-Linked-Size"), 10, 64)
	if err != nil || size < 0 || f.etag == "" {
		return nil, &hubError{status: http.StatusBadGateway, msg: "the Hub's redirect for the file lacks its size or ETag"}
	}
	f.size = size
	return f, nil
}

// unquoteETag returns an ETag's value without W/ and quotes.
func unquoteETag(v string) string {
	v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
	return headerSafe(strings.Trim(v, `"`))
}

// cancelOnClose cancels a context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
