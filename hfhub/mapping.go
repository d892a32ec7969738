package hfhub

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/internal/stall"
)

// target is what a request was about, to name it in error messages.
type target struct {
	repo hfgate.RepoID // "" for search and whoami
	rev  string
	path string // a file or directory in repo
}

func (t target) revision() string {
	if t.rev == "" {
		return hfgate.DefaultRevision
	}
	return t.rev
}

// statusError turns an error answer into an *hfgate.Error whose message
// says what to do, following reference §4's table, and closes the body.
func (c *Client) statusError(resp *http.Response, t target, attempts int) error {
	he := newHTTPError(resp, attempts, c.now())
	authed := resp.Request.Header.Get("Authorization") != ""
	onHub := c.sameOrigin(resp.Request.URL)
	host := resp.Request.URL.Host
	repo := string(t.repo)
	if repo == "" {
		repo = "the repository"
	}
	fail := func(code, action, format string, args ...any) error {
		return hfgate.WrapError(code, he, format, args...).WithAction(action)
	}
	switch code, status := he.ErrorCode, he.StatusCode; {
	case status == http.StatusTooManyRequests:
		when := "in a few minutes"
		if d := he.retryAfter; d > 0 {
			when = "in " + d.Round(time.Second).String()
		}
		hint := ""
		if !authed && onHub {
			hint = " (signed-in users have higher limits)"
		}
		return fail(hfgate.EUNAVAILABLE, hfgate.ActionRetry, "%s is rate-limiting requests: try again %s%s", host, when, hint)
	case status >= 500 && he.ServerMessage != "":
		// A gateway in front of the Hub (hfgate serve, a mirror) says why,
		// e.g. that the Hub is down and its cache has no copy.
		advice := "; try again later"
		if strings.Contains(strings.ToLower(he.ServerMessage), "try again") {
			advice = ""
		}
		return fail(hfgate.EUNAVAILABLE, hfgate.ActionRetry, "%s answered %s: %s%s", host, he.Status, he.ServerMessage, advice)
	case status >= 500:
		return fail(hfgate.EUNAVAILABLE, hfgate.ActionRetry, "%s answered %s: the server is failing or overloaded; try again later", host, he.Status)
	case he.GatewayRule != "" && status == http.StatusForbidden:
		// An hfgate gateway's policy, not the Hub: asking the repo's owners
		// for access would not help.
		return fail(hfgate.EFORBIDDEN, "", "the gateway %s refused this request%s", host, quoteReason(he.ServerMessage))
	case he.ServerMessage == msgBadCredentials || (status == http.StatusUnauthorized && authed && code != CodeGatedRepo):
		return fail(hfgate.EUNAUTHORIZED, hfgate.ActionSignIn, "your token was rejected by %s", host)
	case code == CodeGatedRepo && status == http.StatusUnauthorized:
		return fail(hfgate.EUNAUTHORIZED, hfgate.ActionSignIn, "%s is gated: only signed-in users may ask for access, at %s", repo, c.gatedURL(t))
	case code == CodeGatedRepo:
		return fail(hfgate.EGATED, hfgate.ActionRequestAccess, "you have not been granted access to %s: request access at %s (and make sure your token has the gated-repos scope)", repo, c.gatedURL(t))
	case he.ServerMessage == msgDisabled:
		return fail(hfgate.EFORBIDDEN, "", "%s has been disabled on the Hub: its files cannot be accessed", repo)
	case code == CodeRevisionNotFound:
		return fail(hfgate.ENOTFOUND, "", "revision %q of %s was not found: check the branch, tag or commit id", t.revision(), repo)
	case code == CodeEntryNotFound:
		if t.path == "" {
			return fail(hfgate.ENOTFOUND, "", "the path was not found in %s at revision %q", repo, t.revision())
		}
		return fail(hfgate.ENOTFOUND, hfgate.ActionListFiles, "%s was not found in %s at revision %q", t.path, repo, t.revision())
	case status == http.StatusUnauthorized && t.repo != "":
		return fail(hfgate.ENOTFOUND, hfgate.ActionSignIn, "repository %s was not found, or it is private and needs a signed-in user", repo)
	case status == http.StatusUnauthorized:
		return fail(hfgate.EUNAUTHORIZED, hfgate.ActionSignIn, "%s requires signing in", host)
	case code == CodeRepoNotFound || (status == http.StatusNotFound && onHub && t.repo != "" && t.path == ""):
		return fail(hfgate.ENOTFOUND, "", "repository %s was not found: check the id (it may also be private, and your token unable to read it)", repo)
	case status == http.StatusNotFound && onHub:
		return fail(hfgate.ENOTFOUND, "", "%s was not found at %s", stripQuery(resp.Request.URL.Path), host)
	case status == http.StatusNotFound:
		return fail(hfgate.ENOTFOUND, hfgate.ActionRetry, "the download server %s does not have this file: retry, and report it if it persists", host)
	case status == http.StatusForbidden && !onHub:
		return fail(hfgate.EFORBIDDEN, hfgate.ActionRetry, "the download server %s refused the request: the signed download link may have expired; retry", host)
	case status == http.StatusForbidden:
		return fail(hfgate.EFORBIDDEN, hfgate.ActionSignIn, "the Hub refused access to %s: your token lacks a permission it needs (sign in again and grant it)", repo)
	case status >= 400:
		return fail(hfgate.EINVALID, "", "%s rejected the request (%s)%s", host, he.Status, quoteReason(he.ServerMessage))
	}
	return fail(hfgate.EUNAVAILABLE, "", "%s gave an unexpected answer (%s): is %s a Hugging Face Hub?", host, he.Status, c.base())
}

// gatedURL is where the user asks for access to the target's repo.
func (c *Client) gatedURL(t target) string {
	if t.repo == "" {
		return c.base()
	}
	return c.RepoURL(t.repo)
}

func quoteReason(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}

// transportError turns a failed exchange (no answer) into an
// *hfgate.Error: ECANCELED when ctx ended, else EUNAVAILABLE. The URL in the
// cause loses its query string.
func transportError(ctx context.Context, err error, u *url.URL, attempts int) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if at, perr := url.Parse(ue.URL); perr == nil && at.Host != "" {
			u = at // the hop that failed, maybe the CDN
		}
	}
	switch ctx.Err() {
	case context.Canceled:
		return hfgate.WrapError(hfgate.ECANCELED, ctx.Err(), "request to %s canceled", u.Host)
	case context.DeadlineExceeded:
		return hfgate.WrapError(hfgate.EUNAVAILABLE, ctx.Err(), "%s did not answer in time: check your network connection and try again", u.Host).
			WithAction(hfgate.ActionRetry)
	}
	err = redactURLError(err)
	if attempts > 1 {
		err = fmt.Errorf("%w (after %d attempts)", err, attempts)
	}
	var ae *answerError
	answered := errors.As(err, &ae)
	if answered {
		u = &url.URL{Host: ae.host}
	}
	switch {
	case errors.Is(err, stall.ErrStalled) && answered:
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "%s stopped sending its answer: try again later", u.Host).WithAction(hfgate.ActionRetry)
	case errors.Is(err, stall.ErrStalled):
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "%s accepted the request but did not answer: try again later", u.Host).WithAction(hfgate.ActionRetry)
	case errors.Is(err, errTooLarge):
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "%s sent an answer too large to read safely: refusing it", u.Host)
	case answered:
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "%s answered, but the answer broke off: try again later", u.Host).WithAction(hfgate.ActionRetry)
	}
	var pe textproto.ProtocolError
	if errors.As(err, &pe) {
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "%s sent an answer that is not valid HTTP: is %s a Hugging Face Hub, and is no proxy in the way?", u.Host, u.Host)
	}
	if errors.Is(err, errBadRedirect) {
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "%s sent a redirect that cannot be followed: check HF_ENDPOINT and any proxy", u.Host)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "%s did not answer in time: check your network connection and try again", u.Host).
			WithAction(hfgate.ActionRetry)
	}
	return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "cannot reach %s: check your network connection, proxy settings and HF_ENDPOINT", u.Host).
		WithAction(hfgate.ActionRetry)
}

// retryableTransport reports whether a failed exchange may work if tried
// again: timeouts, refused or reset connections, cut responses. A
// certificate that does not verify will not.
func retryableTransport(err error) bool {
	var certErr *tls.CertificateVerificationError
	return !errors.As(err, &certErr) && !errors.Is(err, errTooLarge) && !errors.Is(err, errBadRedirect)
}
