package hfhub

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
)

// GetRange makes exactly one GET of rawURL (a resolve URL or a signed CDN
// URL, as FileMetadata's Location) for bytes start to end inclusive: end
// -1 means to the end of the file, and start 0 with end -1 sends no Range
// header at all. Accept-Encoding is identity, so that ranges count bytes of
// the file itself and no transparent decompression happens.
//
// It does not retry: the download package retries with Range offsets it
// alone knows. It follows redirects, sending the token only on hops to the
// endpoint's own origin (scheme, host and port) and never to the CDN, which
// is stricter than net/http: net/http keeps Authorization on a redirect to
// the same host name on another port.
//
// It returns the response for 2xx and 416 (Range Not Satisfiable) answers:
// the caller checks 206 versus 200, Content-Range, and closes the body.
// Other statuses are closed and returned as the *hfgate.Error of
// hfgate.Hub (a CDN's 403, typically an expired signed URL, is EFORBIDDEN);
// the cause, an *HTTPError, reports Retry-After through its RetryAfter
// method. Bad arguments are EINVALID.
func (c *Client) GetRange(ctx context.Context, rawURL string, start, end int64) (*http.Response, error) {
	if start < 0 || end < -1 || (end >= 0 && end < start) {
		return nil, hfgate.Errorf(hfgate.EINVALID, "invalid byte range %d-%d", start, end)
	}
	if err := c.init(); err != nil {
		return nil, err
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, hfgate.Errorf(hfgate.EINVALID, "%q is not an http(s) download URL", stripQuery(rawURL))
	}
	h := http.Header{"Accept-Encoding": {"identity"}}
	switch {
	case end >= 0:
		h.Set("Range", "bytes="+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10))
	case start > 0:
		h.Set("Range", "bytes="+strconv.FormatInt(start, 10)+"-")
	}
	return c.do(ctx, &request{
		method: http.MethodGet,
		url:    rawURL,
		header: h,
		follow: followAll,
		once:   true,
		accept: func(s int) bool { return is2xx(s) || s == http.StatusRequestedRangeNotSatisfiable },
		target: c.resolveTarget(u),
	})
}

// resolveTarget reads repo, revision and path back from a resolve URL on
// the endpoint, to name them in error messages. Other URLs (the CDN) give
// an empty target.
func (c *Client) resolveTarget(u *url.URL) target {
	if !c.sameOrigin(u) {
		return target{}
	}
	p, ok := strings.CutPrefix(u.EscapedPath(), strings.TrimRight(c.endpoint.EscapedPath(), "/")+"/")
	if !ok {
		return target{}
	}
	repo, rest, ok := strings.Cut(p, "/resolve/")
	if !ok {
		return target{}
	}
	rev, path, _ := strings.Cut(rest, "/")
	unescape := func(s string) string {
		if v, err := url.PathUnescape(s); err == nil {
			return v
		}
		return s
	}
	return target{repo: hfgate.RepoID(unescape(repo)), rev: unescape(rev), path: unescape(path)}
}
