package hfhub

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/internal/retry"
)

// testToken is the token test clients send. Fakes fail the test if it
// ever shows up in a URL, and error checks if it shows up in a message.
const testToken = "hf_TestSecretToken0123456789abcdefgh"

// seen is what a fake server received.
type seen struct {
	Method, Path, RawPath, Query, Auth, Range, AcceptEncoding string
}

// fake is an httptest server that records requests and checks that no
// token travels in a URL.
type fake struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newFake(t *testing.T, h http.HandlerFunc) *fake {
	t.Helper()
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.String(), testToken) || strings.Contains(r.RequestURI, "hf_") {
			t.Errorf("a token was sent in the URL %s", r.RequestURI)
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, seen{Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Query: r.URL.RawQuery,
			Auth: r.Header.Get("Authorization"), Range: r.Header.Get("Range"), AcceptEncoding: r.Header.Get("Accept-Encoding")})
		f.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

// requests returns a copy of what the fake received so far.
func (f *fake) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// fastRetry retries up to attempts times with waits of at most a
// millisecond, so tests exercise retries without slowing down.
func fastRetry(attempts int) retry.Policy {
	return retry.Policy{Attempts: attempts, Base: time.Microsecond, Max: time.Millisecond, MaxRetryAfter: time.Millisecond}
}

// newClient returns a client of endpoint sending token ("" for anonymous).
func newClient(endpoint, token string) *Client {
	c := &Client{Endpoint: endpoint, Retry: fastRetry(3)}
	if token != "" {
		c.Token = func(context.Context) (string, error) { return token, nil }
	}
	return c
}

// wantCode fails the test unless err is an *hfgate.Error with code and a
// message containing each of parts and never the token.
func wantCode(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want code %s", code)
	}
	var he *hfgate.Error
	if !errors.As(err, &he) {
		t.Fatalf("err = %v (%T), want an *hfgate.Error", err, err)
	}
	if he.Code != code {
		t.Errorf("code = %s, want %s (err: %v)", he.Code, code, err)
	}
	for _, p := range parts {
		if !strings.Contains(he.Message, p) {
			t.Errorf("message %q does not contain %q", he.Message, p)
		}
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("the error text contains the token: %v", err)
	}
}

// hubError answers like the Hub's error writer.
func hubError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	if code != "" {
		w.Header().Set("X-Error-Code", code)
	}
	if msg != "" {
		w.Header().Set("X-Error-Message", msg)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write([]byte(`{"error":"` + msg + `"}`))
	}
}
