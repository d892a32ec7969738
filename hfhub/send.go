package hfhub

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/hfgate/hfgate/internal/retry"
	"github.com/hfgate/hfgate/internal/stall"
)

// errBadRedirect is a redirect that cannot be followed; trying again will
// not mend it.
var errBadRedirect = errors.New("bad redirect")

// redirects says which redirects send follows.
type redirects int

const (
	// followAll follows any http(s) redirect; the token still goes only
	// to the endpoint's origin.
	followAll redirects = iota
	// followRelative follows only a Location with no scheme and no host
	// (a repo rename) and returns any other redirect (the CDN) as is, as
	// huggingface_hub's HEAD on resolve does.
	followRelative
)

// request is one logical Hub request: GET or HEAD, both idempotent.
type request struct {
	method   string
	url      string
	header   http.Header
	follow   redirects
	once     bool                  // one attempt, no retries (GetRange)
	accept   func(status int) bool // statuses returned to the caller; nil means 2xx
	readBody bool                  // read the body in do, retrying read failures
	target   target                // for error messages
}

func is2xx(status int) bool { return status >= 200 && status < 300 }

// do sends r, retrying transient failures as c.Retry decides (unless
// r.once), and returns an accepted response or an *hfgate.Error. With
// r.readBody the returned body is already in memory.
func (c *Client) do(ctx context.Context, r *request) (*http.Response, error) {
	if err := c.init(); err != nil {
		return nil, err
	}
	u, err := url.Parse(r.url)
	if err != nil {
		return nil, fmt.Errorf("parse request URL %s: %w", stripQuery(r.url), err)
	}
	for n := 1; ; n++ {
		tok, err := c.token(ctx)
		if err != nil {
			return nil, err
		}
		resp, err := c.send(ctx, r, u, tok)
		var cause error
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil || r.once || !retryableTransport(err) || !c.Retry.Retries(n) {
				return nil, transportError(ctx, err, u, n)
			}
			cause, wait = redactURLError(err), c.Retry.Delay(n, 0)
		case r.accepts(resp.StatusCode):
			return resp, nil
		case retry.RetryableStatus(resp.StatusCode) && !r.once && c.Retry.Retries(n):
			ra := retry.RetryAfter(resp.Header, c.now())
			cause, wait = c.statusError(resp, r.target, n), c.Retry.Delay(n, ra)
		default:
			return nil, c.statusError(resp, r.target, n)
		}
		if c.OnRetry != nil {
			c.OnRetry(cause, wait)
		}
		if err := retry.Sleep(ctx, wait); err != nil {
			return nil, transportError(ctx, err, u, n)
		}
	}
}

// answerError is a failure after the server answered: reading its body
// failed, or the body was refused. Its messages never blame the network
// connection as a whole.
type answerError struct {
	host string
	err  error
}

func (e *answerError) Error() string { return e.err.Error() }
func (e *answerError) Unwrap() error { return e.err }

// send makes one attempt: the request and the redirects r.follow allows,
// with the token on the hops to the endpoint's origin only. With
// r.readBody it reads the final body into memory. An exchange that
// completes here (HEAD, or a body read here) is cut when it delivers under
// 1 KiB in a ReadTimeout window, waiting for the answer included.
func (c *Client) send(ctx context.Context, r *request, u *url.URL, tok string) (*http.Response, error) {
	var watch *stall.Watch
	if r.readBody || r.method == http.MethodHead {
		ctx, watch = stall.Start(ctx, c.readTimeout())
		defer watch.Stop()
	}
	resp, err := c.sendHops(ctx, r, u, tok, watch)
	if cause := stall.Cause(ctx); cause != nil && err != nil {
		if resp != nil {
			return nil, &answerError{host: resp.Request.URL.Host, err: cause}
		}
		return nil, cause
	}
	return resp, err
}

func (c *Client) sendHops(ctx context.Context, r *request, u *url.URL, tok string, watch *stall.Watch) (*http.Response, error) {
	for hop := 0; ; hop++ {
		req, err := http.NewRequestWithContext(ctx, r.method, u.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("build request for %s: %w", stripQuery(u.String()), err)
		}
		for k, v := range r.header {
			req.Header[k] = v
		}
		req.Header.Set("User-Agent", c.userAgent())
		if tok != "" && c.sameOrigin(u) {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			return nil, err
		}
		next, err := c.redirect(r, resp, hop)
		if err != nil || next == nil {
			if err == nil && r.readBody && r.accepts(resp.StatusCode) {
				if err = readBody(resp, watch); err != nil {
					return resp, &answerError{host: resp.Request.URL.Host, err: err}
				}
			}
			return resp, err
		}
		drain(resp)
		u = next
	}
}

// accepts reports whether a final status goes back to the caller as a
// response rather than as an error.
func (r *request) accepts(status int) bool {
	if r.accept == nil {
		return is2xx(status)
	}
	return r.accept(status)
}

// redirect returns where to go next after resp, or nil to stop there.
func (c *Client) redirect(r *request, resp *http.Response, hop int) (*url.URL, error) {
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil, nil
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil, nil
	}
	rel, err := url.Parse(loc)
	if err != nil {
		drain(resp)
		return nil, fmt.Errorf("follow redirect from %s: %w: %v", stripQuery(resp.Request.URL.String()), errBadRedirect, err)
	}
	if r.follow == followRelative && (rel.Scheme != "" || rel.Host != "") {
		return nil, nil
	}
	next := resp.Request.URL.ResolveReference(rel)
	if next.Scheme != "http" && next.Scheme != "https" {
		drain(resp)
		return nil, fmt.Errorf("follow redirect from %s: %w to a %q URL", stripQuery(resp.Request.URL.String()), errBadRedirect, next.Scheme)
	}
	if hop >= maxRedirects {
		drain(resp)
		return nil, fmt.Errorf("follow redirects from %s: %w: more than %d", stripQuery(resp.Request.URL.String()), errBadRedirect, maxRedirects)
	}
	return next, nil
}

// readBody replaces resp.Body by its content, read in full within the
// limits of budget.go, counting what arrives for the stall watch.
func readBody(resp *http.Response, watch *stall.Watch) error {
	defer resp.Body.Close()
	var buf bytes.Buffer
	var budget jsonBudget
	chunk := make([]byte, 64<<10)
	for {
		n, err := resp.Body.Read(chunk)
		watch.Add(n)
		if _, berr := budget.Write(chunk[:n]); berr != nil {
			return berr
		}
		if buf.Len()+n > maxBody {
			return fmt.Errorf("%w: more than %d MiB", errTooLarge, maxBody>>20)
		}
		buf.Write(chunk[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(buf.Bytes()))
	return nil
}

// drain reads a little of a body we do not want and closes it, so that the
// connection can be reused.
func drain(resp *http.Response) {
	io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
}
