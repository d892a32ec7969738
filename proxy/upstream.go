package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// upstreamToken returns the upstream credential of the exchange's caller,
// asked once per exchange.
func (x *exchange) upstreamToken(ctx context.Context) (string, error) {
	x.tokenOnce.Do(func() {
		x.token, x.tokenErr = x.p.cfg.Token(ctx, x.who)
	})
	return x.token, x.tokenErr
}

// send makes one request to the Hub on the caller's behalf: escapedPath
// and rawQuery on the upstream endpoint, with the caller's upstream
// credential and User-Agent and nothing else of the client's but what
// header sets. Redirects are not followed. A failed exchange is a
// *hubError (502/504); a failed credential is the TokenFunc's error.
func (x *exchange) send(ctx context.Context, method, escapedPath, rawQuery string, body io.Reader, header func(http.Header)) (*http.Response, error) {
	if err := x.checkCallerSecrets(); err != nil {
		return nil, err
	}
	tok, err := x.upstreamToken(ctx)
	if err != nil {
		return nil, err
	}
	return x.p.hubDo(ctx, hubRequest{token: tok, ua: x.r.Header.Get("User-Agent"), route: string(x.rt.Action),
		method: method, path: escapedPath, query: rawQuery, body: body, header: header})
}

// hubRequest is one request to the Hub, apart from any client's request:
// a fill of the cache makes them after the request that started it ended.
type hubRequest struct {
	token, ua   string // the upstream credential ("" for none), the client's User-Agent
	route       string // for metrics: the hubroute action
	method      string
	path, query string // escaped, on the upstream endpoint
	body        io.Reader
	header      func(http.Header) // sets more headers, if not nil
}

// hubDo makes r. Redirects are not followed. A failed exchange is a
// *hubError (502/504, marked unreachable).
func (p *Proxy) hubDo(ctx context.Context, r hubRequest) (*http.Response, error) {
	u := p.upstream.String() + r.path
	if r.query != "" {
		u += "?" + r.query
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, r.body)
	if err != nil {
		return nil, fmt.Errorf("proxy: upstream request: %w", err)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.ua != "" {
		req.Header.Set("User-Agent", r.ua)
	}
	if r.header != nil {
		r.header(req.Header)
	}
	start := p.cfg.Now()
	resp, err := p.hub.Do(req)
	p.m.upstream.WithLabelValues(r.route).Observe(p.cfg.Now().Sub(start).Seconds())
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
			err = fmt.Errorf("%w (%w)", err, cause)
		}
		p.m.upstreamFails.WithLabelValues(r.route, failKind(err)).Inc()
		return nil, upstreamError(p.upstream.Host, err)
	}
	return resp, nil
}

// failKind names a failed exchange for hfgate_upstream_failures_total.
func failKind(err error) string {
	if he := upstreamError("", err); he.status == http.StatusGatewayTimeout {
		return "timeout"
	}
	return "unreachable"
}

// bufPool holds buffers for the Hub's JSON answers.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled is the largest buffer put back in bufPool.
const maxPooled = 1 << 20

func getBuf() *bytes.Buffer { b := bufPool.Get().(*bytes.Buffer); b.Reset(); return b }

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		bufPool.Put(b)
	}
}

// readBodyInto reads resp's body into buf, at most MaxMetadata bytes, and
// closes it. Too large an answer, or one cut short, is a *hubError (502).
func (x *exchange) readBodyInto(buf *bytes.Buffer, resp *http.Response) error {
	defer resp.Body.Close()
	if enc := resp.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		return &hubError{status: http.StatusBadGateway, msg: "the Hub answered with an encoding the gateway does not read (" + headerSafe(enc) + ")"}
	}
	if resp.ContentLength > x.p.cfg.MaxMetadata {
		return x.tooLarge()
	}
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, x.p.cfg.MaxMetadata+1))
	switch {
	case err != nil:
		x.p.m.upstreamFails.WithLabelValues(string(x.rt.Action), "cut").Inc()
		return upstreamError(x.p.upstream.Host, err)
	case n > x.p.cfg.MaxMetadata:
		return x.tooLarge()
	}
	return nil
}

// readBody is readBodyInto a new buffer.
func (x *exchange) readBody(resp *http.Response) ([]byte, error) {
	var b bytes.Buffer
	err := x.readBodyInto(&b, resp)
	return b.Bytes(), err
}

func (x *exchange) tooLarge() *hubError {
	x.p.m.upstreamFails.WithLabelValues(string(x.rt.Action), "refused").Inc()
	return &hubError{status: http.StatusBadGateway,
		msg: fmt.Sprintf("the Hub's answer is larger than the gateway accepts (%d MiB)", x.p.cfg.MaxMetadata>>20)}
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// relativeLocation returns the Location of a Hub answer as a path (and
// query) on the gateway: a relative Location as it is, an absolute one on
// the Hub's own host as its path, both without the upstream endpoint's
// path prefix. ok is false when there is none, or it points elsewhere (a
// CDN).
func (p *Proxy) relativeLocation(resp *http.Response) (loc string, ok bool) {
	v := resp.Header.Get("Location")
	if v == "" {
		return "", false
	}
	u, err := url.Parse(v)
	if err != nil || u.Opaque != "" || u.User != nil {
		return "", false
	}
	if u.IsAbs() || u.Host != "" {
		if !strings.EqualFold(u.Host, p.upstream.Host) || (u.Scheme != "" && u.Scheme != p.upstream.Scheme) {
			return "", false
		}
	} else if !strings.HasPrefix(u.Path, "/") {
		return "", false // relative to the request's path: the Hub never sends one
	}
	path, ok := p.trimUpstreamPrefix(u.EscapedPath())
	if !ok {
		return "", false
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return path, true
}

// trimUpstreamPrefix removes the upstream endpoint's path prefix from an
// escaped path of the Hub.
func (p *Proxy) trimUpstreamPrefix(escaped string) (string, bool) {
	prefix := p.upstream.EscapedPath()
	if prefix == "" {
		return escaped, strings.HasPrefix(escaped, "/")
	}
	rest, ok := strings.CutPrefix(escaped, prefix)
	return rest, ok && strings.HasPrefix(rest, "/")
}
