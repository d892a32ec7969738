package kubo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
)

// Defaults for a Client's zero fields.
const (
	// DefaultTimeout bounds each call but Add.
	DefaultTimeout = 30 * time.Second
	// DefaultStallTimeout abandons an Add whose node has read nothing, or
	// not answered after the last byte, for this long.
	DefaultStallTimeout = time.Minute
)

// Limits on what a node may send back.
const (
	maxResponse  = 1 << 20  // a whole successful answer
	maxErrorBody = 64 << 10 // an error answer
	maxMessage   = 300      // the node's error text kept in a message
)

// Client calls the RPC API of a Kubo node. The zero value is not usable:
// set API, normally from FindAPI.
type Client struct {
	// API is the base URL of the node's RPC API, such as
	// http://127.0.0.1:5001 (see ParseAPI). Required.
	API *url.URL

	// HTTPClient makes the requests. If nil, a client that uses no proxy,
	// follows no redirect and gives up connecting after 10 seconds is
	// used. A client given here should not follow redirects either: the
	// RPC API sends none, and following one would send the file elsewhere.
	HTTPClient *http.Client

	// Timeout bounds each call but Add; zero means DefaultTimeout.
	Timeout time.Duration

	// StallTimeout abandons an Add when the node reads none of the file,
	// or sends no answer after its last byte, for this long; zero means
	// DefaultStallTimeout. Add has no overall limit: a large file takes
	// as long as the node needs.
	StallTimeout time.Duration
}

var _ hfgate.IPFSNode = (*Client)(nil)

var defaultHTTPClient = &http.Client{
	Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (c *Client) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return defaultHTTPClient
}

// Version returns the node's version, such as "0.43.1".
func (c *Client) Version(ctx context.Context) (string, error) {
	var out struct{ Version string }
	if err := c.call(ctx, "version", nil, &out); err != nil {
		return "", err
	}
	if out.Version == "" {
		return "", c.malformed("version", errors.New("no Version field"))
	}
	return out.Version, nil
}

// Pinned reports whether cid is pinned recursively on the node.
func (c *Client) Pinned(ctx context.Context, cid string) (bool, error) {
	if err := checkCID(cid); err != nil {
		return false, err
	}
	var out struct {
		Keys map[string]struct{ Type string }
	}
	err := c.call(ctx, "pin/ls", url.Values{"arg": {cid}, "type": {"recursive"}}, &out)
	if nodeSaid(err, "is not pinned") {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, k := range out.Keys {
		if k.Type == "recursive" {
			return true, nil
		}
	}
	return false, nil
}

// Unpin removes the recursive pin of cid and reports whether there was
// one. The blocks stay on the node until its garbage collector runs.
func (c *Client) Unpin(ctx context.Context, cid string) (bool, error) {
	if err := checkCID(cid); err != nil {
		return false, err
	}
	var out struct{ Pins []string }
	err := c.call(ctx, "pin/rm", url.Values{"arg": {cid}}, &out)
	if nodeSaid(err, "not pinned") {
		return false, nil
	}
	return err == nil, err
}

func checkCID(cid string) error {
	if !hfgate.IsCID(cid) {
		return hfgate.Errorf(hfgate.EINVALID, "%q is not a CID", cid)
	}
	return nil
}

// call makes one RPC call with no body, within Timeout, and decodes the
// JSON answer into out.
func (c *Client) call(ctx context.Context, cmd string, args url.Values, out any) error {
	ctx, cancel := context.WithTimeout(ctx, positive(c.Timeout, DefaultTimeout))
	defer cancel()
	resp, err := c.post(ctx, cmd, args, nil, "")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxResponse))
	if err := dec.Decode(out); err != nil {
		return c.malformed(cmd, err)
	}
	return c.finish(cmd, resp)
}

// post sends one request and returns a 200 response; any other status is
// turned into an error here.
func (c *Client) post(ctx context.Context, cmd string, args url.Values, body io.Reader, contentType string) (*http.Response, error) {
	if c.API == nil || c.API.Host == "" {
		return nil, hfgate.Errorf(hfgate.EINVALID, "no IPFS API address")
	}
	u := c.API.JoinPath("/api/v0/", cmd)
	u.RawQuery = args.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), body)
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "bad IPFS API address")
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, c.transportError(ctx, cmd, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, c.statusError(cmd, resp)
	}
	return resp, nil
}

// finish reads what is left of a response, up to the limit, so that its
// trailer arrives, and returns the error the node put there: Kubo reports
// a failure after a 200 status in the X-Stream-Error trailer.
func (c *Client) finish(cmd string, resp *http.Response) error {
	n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	switch {
	case err != nil:
		return c.malformed(cmd, err)
	case n == maxResponse:
		return c.malformed(cmd, fmt.Errorf("answer larger than %d bytes", maxResponse))
	}
	if msg := resp.Trailer.Get("X-Stream-Error"); msg != "" {
		return &nodeError{msg: clip(msg), err: hfgate.Errorf(hfgate.EUNAVAILABLE,
			"the IPFS node at %s failed %s: %s", c.API.Host, cmd, clip(msg))}
	}
	return nil
}

func positive(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// clip keeps the first line of a node's message, up to maxMessage bytes.
func clip(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > maxMessage {
		s = strings.ToValidUTF8(s[:maxMessage], "") + "…"
	}
	return s
}
