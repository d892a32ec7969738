package oidcauth

import (
	"fmt"
	"io"
	"net/http"
)

// statusError is an HTTP error status from discovery, JWKS or userinfo.
type statusError struct{ StatusCode int }

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
}

// statusClient returns a copy of hc whose transport turns 4xx and 5xx
// responses into *statusError. go-oidc formats a failed response as
// "STATUS: BODY", which would put an arbitrary body (a whole HTML page, or a
// server echoing the bearer token) into error text; this keeps the status.
// Redirects (3xx) pass through to the client's redirect policy.
func statusClient(hc *http.Client) *http.Client {
	cp := *hc
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cp.Transport = statusTransport{base}
	return &cp
}

type statusTransport struct{ base http.RoundTripper }

func (t statusTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil || resp.StatusCode < 400 {
		return resp, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	resp.Body.Close()
	return nil, &statusError{StatusCode: resp.StatusCode}
}
