package hfhub

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// TestErrorMapping checks each row of reference §4's table, for GET (JSON
// body) and HEAD (headers only) answers, signed in and anonymous.
func TestErrorMapping(t *testing.T) {
	const repo = hfgate.RepoID("org/model")
	info := func(c *Client) error { _, err := c.ModelInfo(context.Background(), repo, "v9"); return err }
	head := func(c *Client) error {
		_, err := c.FileMetadata(context.Background(), repo, "v9", "dir/model.gguf")
		return err
	}
	for _, tt := range []struct {
		name        string
		status      int
		code, msg   string
		rule        string // X-Hfgate-Rule: an hfgate gateway's policy answered
		bodyOnly    bool   // message in the JSON body only, not in X-Error-Message
		token       string
		call        func(*Client) error
		want        string
		action      string
		parts       []string
		wantSigned  bool // the request carried the token
		wantRetried bool
	}{
		{name: "gated anonymous", status: 401, code: "GatedRepo", msg: "Access to model org/model is restricted.", call: head,
			want: hfgate.EUNAUTHORIZED, action: hfgate.ActionSignIn, parts: []string{"org/model is gated", "signed-in users may ask for access, at http://", "/org/model"}},
		{name: "gated not granted", status: 403, code: "GatedRepo", msg: "Access to model org/model is restricted and you are not in the authorized list.",
			token: testToken, call: head, want: hfgate.EGATED, action: hfgate.ActionRequestAccess,
			parts: []string{"not been granted access to org/model", "request access at http://", "/org/model", "gated-repos scope"}, wantSigned: true},
		{name: "refused by a gateway's policy", status: 403, code: "GatedRepo", rule: "acme-only",
			msg: "denied by rule acme-only: download of org/model needs membership of org acme", token: testToken, call: head,
			want: hfgate.EFORBIDDEN, parts: []string{"gateway", "refused", "denied by rule acme-only", "membership of org acme"}, wantSigned: true},
		{name: "repo not found signed in", status: 404, code: "RepoNotFound", msg: "Repository not found", token: testToken, call: info,
			want: hfgate.ENOTFOUND, parts: []string{"repository org/model was not found", "private"}, wantSigned: true},
		{name: "repo not found anonymous", status: 401, code: "RepoNotFound", msg: "Invalid username or password.", call: info,
			want: hfgate.ENOTFOUND, action: hfgate.ActionSignIn, parts: []string{"org/model was not found", "private and needs a signed-in user"}},
		{name: "401 without code anonymous", status: 401, call: head,
			want: hfgate.ENOTFOUND, action: hfgate.ActionSignIn, parts: []string{"private and needs a signed-in user"}},
		{name: "bad token", status: 401, msg: msgBadCredentials, token: testToken, call: info,
			want: hfgate.EUNAUTHORIZED, action: hfgate.ActionSignIn, parts: []string{"token was rejected"}, wantSigned: true},
		{name: "bad token in JSON body only", status: 401, msg: msgBadCredentials, bodyOnly: true, token: testToken, call: info,
			want: hfgate.EUNAUTHORIZED, action: hfgate.ActionSignIn, parts: []string{"token was rejected"}, wantSigned: true},
		{name: "revision not found", status: 404, code: "RevisionNotFound", msg: "Invalid rev id: v9", token: testToken, call: info,
			want: hfgate.ENOTFOUND, parts: []string{`revision "v9"`, "org/model"}, wantSigned: true},
		{name: "entry not found", status: 404, code: "EntryNotFound", msg: "Entry not found", call: head,
			want: hfgate.ENOTFOUND, action: hfgate.ActionListFiles, parts: []string{"dir/model.gguf was not found in org/model", `revision "v9"`}},
		{name: "disabled", status: 403, msg: msgDisabled, token: testToken, call: head,
			want: hfgate.EFORBIDDEN, parts: []string{"org/model has been disabled"}, wantSigned: true},
		{name: "other 403", status: 403, msg: "Forbidden: missing scope", token: testToken, call: info,
			want: hfgate.EFORBIDDEN, action: hfgate.ActionSignIn, parts: []string{"refused access to org/model", "permission"}, wantSigned: true},
		{name: "rate limited", status: 429, call: info, want: hfgate.EUNAVAILABLE, action: hfgate.ActionRetry,
			parts: []string{"rate-limiting", "try again in 7s", "signed-in users have higher limits"}, wantRetried: true},
		{name: "server error", status: 502, call: head, want: hfgate.EUNAVAILABLE, action: hfgate.ActionRetry,
			parts: []string{"502 Bad Gateway", "try again later"}, wantRetried: true},
		{name: "server error with a reason", status: 504, msg: "the Hub cannot be reached and the gateway's cache has no copy of x; try again later", call: head,
			want: hfgate.EUNAVAILABLE, action: hfgate.ActionRetry, parts: []string{"504 Gateway Timeout: the Hub cannot be reached and the gateway's cache has no copy of x; try again later"}, wantRetried: true},
		{name: "bad request", status: 400, msg: `"sort" must be one of x`, call: info, want: hfgate.EINVALID,
			parts: []string{"rejected the request", `"sort" must be one of x`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", "Root=1-abc")
				w.Header().Set("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567")
				w.Header().Set("Retry-After", "7")
				if tt.rule != "" {
					w.Header().Set("X-Hfgate-Rule", tt.rule)
				}
				if tt.bodyOnly {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(tt.status)
					w.Write([]byte(`{"error":"` + tt.msg + `"}`))
					return
				}
				hubError(w, r, tt.status, tt.code, tt.msg)
			})
			err := tt.call(newClient(f.URL, tt.token))
			wantCode(t, err, tt.want, tt.parts...)
			if got := hfgate.ErrorAction(err); got != tt.action {
				t.Errorf("action = %q, want %q", got, tt.action)
			}

			var he *HTTPError
			if !errors.As(err, &he) {
				t.Fatalf("errors.As(%v, *HTTPError) = false", err)
			}
			if he.StatusCode != tt.status || he.ErrorCode != tt.code || he.RequestID != "Root=1-abc" || he.GatewayRule != tt.rule {
				t.Errorf("HTTPError = %+v, want status %d, code %q, request id", he, tt.status, tt.code)
			}
			if he.ServerMessage != tt.msg {
				t.Errorf("ServerMessage = %q, want %q", he.ServerMessage, tt.msg)
			}
			reqs := f.requests()
			if signed := reqs[0].Auth == "Bearer "+testToken; signed != tt.wantSigned {
				t.Errorf("request signed = %v, want %v", signed, tt.wantSigned)
			}
			wantN := 1
			if tt.wantRetried {
				wantN = 3
			}
			if len(reqs) != wantN || he.Attempts != wantN {
				t.Errorf("server saw %d requests, HTTPError.Attempts = %d; want %d", len(reqs), he.Attempts, wantN)
			}
			commit, ok := EntryNotFoundCommit(err)
			if wantOK := tt.code == CodeEntryNotFound; ok != wantOK || (ok && commit != "0123456789abcdef0123456789abcdef01234567") {
				t.Errorf("EntryNotFoundCommit = %q, %v; want ok=%v", commit, ok, wantOK)
			}
		})
	}
}

// TestCDNErrors checks statuses from a host other than the Hub, where the
// token was never sent: an expired signed URL must read as such.
func TestCDNErrors(t *testing.T) {
	for _, tt := range []struct {
		status int
		want   string
		part   string
	}{
		{403, hfgate.EFORBIDDEN, "signed download link may have expired"},
		{404, hfgate.ENOTFOUND, "does not have this file"},
		{503, hfgate.EUNAVAILABLE, "503 Service Unavailable"},
	} {
		cdn := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(tt.status)
		})
		hub := newFake(t, func(w http.ResponseWriter, r *http.Request) { t.Error("the Hub was called") })
		c := newClient(hub.URL, testToken)
		_, err := c.GetRange(context.Background(), cdn.URL+"/blob?X-Amz-Signature=secret", 0, 9)
		wantCode(t, err, tt.want, tt.part)
		if got := err.Error(); strings.Contains(got, "secret") {
			t.Errorf("error text keeps the signed query: %s", got)
		}
	}
}

func TestHTTPErrorRetryAfter(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "42")
		hubError(w, r, 429, "", "")
	})
	_, err := newClient(f.URL, "").GetRange(context.Background(), f.URL+"/x/resolve/main/f", 0, -1)
	var ra interface{ RetryAfter() time.Duration }
	if !errors.As(err, &ra) || ra.RetryAfter() != 42*time.Second {
		t.Fatalf("RetryAfter through %v = %v, want 42s", err, ra)
	}
}

// Text a server puts in an error answer reaches messages without control
// characters, which could drive a terminal.
func TestServerMessageIsMadePrintable(t *testing.T) {
	hub := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"bad\u001b]52;c;aGk=\u0007 request\u009b2J"}`))
	})
	_, err := newClient(hub.URL, "").ModelInfo(context.Background(), "org/model", "")
	wantCode(t, err, hfgate.EINVALID, "bad ]52;c;aGk=  request 2J")
}
