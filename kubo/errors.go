package kubo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/hfgate/hfgate"
)

// nodeError is an error the node reported itself; msg is its own text, so
// that callers can tell "not pinned" from a failure.
type nodeError struct {
	err *hfgate.Error
	msg string
}

func (e *nodeError) Error() string { return e.err.Error() }
func (e *nodeError) Unwrap() error { return e.err }

// nodeSaid reports whether err is the node's own error containing substr.
func nodeSaid(err error, substr string) bool {
	ne, ok := errors.AsType[*nodeError](err)
	return ok && strings.Contains(ne.msg, substr)
}

// errStalled is the cause of a context canceled by Add's stall timer.
var errStalled = errors.New("the IPFS node stopped reading and answering")

// transportError describes a request that got no answer.
func (c *Client) transportError(ctx context.Context, cmd string, err error) error {
	if cause := context.Cause(ctx); errors.Is(cause, errStalled) {
		return hfgate.WrapError(hfgate.EUNAVAILABLE, cause,
			"the IPFS node at %s stopped reading and answering during %s for %s", c.API.Host, cmd, positive(c.StallTimeout, DefaultStallTimeout))
	}
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return hfgate.WrapError(hfgate.EUNAVAILABLE, ctx.Err(),
				"the IPFS node at %s did not answer %s within %s", c.API.Host, cmd, positive(c.Timeout, DefaultTimeout))
		}
		return hfgate.WrapError(hfgate.ECANCELED, ctx.Err(), "canceled")
	}
	if op, ok := errors.AsType[*net.OpError](err); ok && op.Op == "dial" {
		return hfgate.WrapError(hfgate.EUNAVAILABLE, fmt.Errorf("%w: %w", hfgate.ErrNoIPFSNode, err),
			"no IPFS node answers at %s", c.API.Host)
	}
	return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the IPFS node at %s stopped answering during %s", c.API.Host, cmd)
}

// statusError turns a status other than 200 into an error, with the node's
// own message: Kubo sends {"Message": ..., "Code": ..., "Type": "error"}.
func (c *Client) statusError(cmd string, resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body struct{ Message string }
	msg := string(b)
	if json.Unmarshal(b, &body) == nil && body.Message != "" {
		msg = body.Message
	}
	msg = clip(msg)
	if msg == "" {
		msg = resp.Status
	}
	var e *hfgate.Error
	switch resp.StatusCode {
	case http.StatusForbidden, http.StatusUnauthorized:
		e = hfgate.Errorf(hfgate.EFORBIDDEN, "the IPFS node at %s refused %s: %s", c.API.Host, cmd, msg)
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		e = hfgate.Errorf(hfgate.EUNAVAILABLE, "the server at %s has no IPFS call %s: it is not a Kubo RPC API", c.API.Host, cmd)
	case http.StatusBadRequest:
		e = hfgate.Errorf(hfgate.EINVALID, "the IPFS node at %s rejected %s: %s", c.API.Host, cmd, msg)
	default:
		e = hfgate.Errorf(hfgate.EUNAVAILABLE, "the IPFS node at %s failed %s: %s", c.API.Host, cmd, msg)
	}
	return &nodeError{err: e, msg: msg}
}

// malformed describes an answer that could not be read.
func (c *Client) malformed(cmd string, err error) error {
	return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the IPFS node at %s sent an unreadable answer to %s", c.API.Host, cmd)
}
