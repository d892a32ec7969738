package hfhub

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/internal/retry"
)

// failFirst answers the first n requests with fail, then with ok.
func failFirst(n int64, fail, ok http.HandlerFunc) http.HandlerFunc {
	var calls atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= n {
			fail(w, r)
			return
		}
		ok(w, r)
	}
}

func modelOK(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"id":"org/model","sha":"0123456789abcdef0123456789abcdef01234567"}`))
}

// cutConnection drops the connection without an answer.
func cutConnection(w http.ResponseWriter, r *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

func TestRetryThenSuccess(t *testing.T) {
	for _, tt := range []struct {
		name string
		fail http.HandlerFunc
	}{
		{"429 with Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7")
			hubError(w, r, 429, "", "")
		}},
		{"500", func(w http.ResponseWriter, r *http.Request) { hubError(w, r, 500, "", "") }},
		{"503", func(w http.ResponseWriter, r *http.Request) { hubError(w, r, 503, "", "") }},
		{"504", func(w http.ResponseWriter, r *http.Request) { hubError(w, r, 504, "", "") }},
		{"connection cut", cutConnection},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, failFirst(2, tt.fail, modelOK))
			c := newClient(f.URL, testToken)
			var waits []time.Duration
			var causes []error
			c.OnRetry = func(err error, wait time.Duration) { causes, waits = append(causes, err), append(waits, wait) }
			m, err := c.ModelInfo(context.Background(), "org/model", "")
			if err != nil {
				t.Fatalf("ModelInfo: %v", err)
			}
			if m.ID != "org/model" {
				t.Errorf("ID = %q", m.ID)
			}
			if n := len(f.requests()); n != 3 {
				t.Errorf("server saw %d requests, want 3", n)
			}
			if len(waits) != 2 {
				t.Fatalf("OnRetry called %d times, want 2", len(waits))
			}
			for _, r := range f.requests() {
				if r.Auth != "Bearer "+testToken {
					t.Errorf("a retry lost the token: Authorization %q", r.Auth)
				}
			}
			var he *HTTPError
			if errors.As(causes[0], &he) && he.StatusCode == 429 {
				// Retry-After (7s, capped by MaxRetryAfter at 1ms) wins
				// over backoff, which is at most 1µs for the first retry.
				if he.RetryAfter() != 7*time.Second || waits[0] != time.Millisecond {
					t.Errorf("Retry-After %v gave wait %v, want 7s capped to 1ms", he.RetryAfter(), waits[0])
				}
			}
		})
	}
}

func TestRetryGivesUp(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) { hubError(w, r, 503, "", "") })
	c := newClient(f.URL, "")
	c.Retry = fastRetry(4)
	_, err := c.ModelInfo(context.Background(), "org/model", "")
	wantCode(t, err, hfgate.EUNAVAILABLE, "503")
	if n := len(f.requests()); n != 4 {
		t.Errorf("server saw %d requests, want 4", n)
	}
}

func TestRetryNetworkGivesUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connections are refused
	c := newClient("http://"+addr, testToken)
	retries := 0
	c.OnRetry = func(error, time.Duration) { retries++ }
	_, err = c.ModelInfo(context.Background(), "org/model", "")
	wantCode(t, err, hfgate.EUNAVAILABLE, "cannot reach "+addr)
	if retries != 2 {
		t.Errorf("retried %d times, want 2", retries)
	}
}

// TestNoRetryOnClientErrors checks that 4xx answers other than 429 are
// final.
func TestNoRetryOnClientErrors(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 416} {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) { hubError(w, r, status, "", "") })
		c := newClient(f.URL, "")
		if _, err := c.ModelInfo(context.Background(), "org/model", ""); err == nil {
			t.Errorf("status %d: no error", status)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("status %d: server saw %d requests, want 1", status, n)
		}
	}
}

func TestCancelStopsRetrying(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) { hubError(w, r, 503, "", "") })
	c := newClient(f.URL, "")
	c.Retry = retry.Policy{Attempts: 5, Base: time.Hour, Max: time.Hour, Rand: func() float64 { return 0.99 }}
	ctx, cancel := context.WithCancel(context.Background())
	c.OnRetry = func(error, time.Duration) { cancel() }
	_, err := c.ModelInfo(ctx, "org/model", "")
	wantCode(t, err, hfgate.ECANCELED)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestTokenError(t *testing.T) {
	f := newFake(t, modelOK)
	c := newClient(f.URL, "")
	c.Token = func(context.Context) (string, error) {
		return "", hfgate.Errorf(hfgate.EUNAUTHORIZED, "the stored token expired: sign in again")
	}
	_, err := c.ModelInfo(context.Background(), "org/model", "")
	wantCode(t, err, hfgate.EUNAUTHORIZED, "sign in again")
	if n := len(f.requests()); n != 0 {
		t.Errorf("server saw %d requests, want none", n)
	}
}

// A server that answers and then stops sending, or breaks off, is retried
// and then reported as what it is, never as a network that cannot be
// reached.
func TestAnswerStallsAndBreaks(t *testing.T) {
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"stalls mid-answer", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte(`{"id":`))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, "stopped sending its answer"},
		{"trickles", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			for range 1000 {
				w.Write([]byte(" "))
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}, "stopped sending its answer"},
		{"no headers", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, "did not answer"},
		{"not HTTP", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Error-Message", "no\x1b]52;c;aGk=\x07 way")
			w.WriteHeader(http.StatusBadRequest)
		}, "not valid HTTP"},
		{"breaks off", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte(`{"id":`))
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}, "answer broke off"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.handler)
			c := newClient(f.URL, "")
			c.ReadTimeout = 100 * time.Millisecond
			_, err := c.ModelInfo(context.Background(), "org/model", "")
			wantCode(t, err, hfgate.EUNAVAILABLE, tt.want)
			if msg := hfgate.ErrorMessage(err); strings.Contains(msg, "cannot reach") || strings.Contains(msg, "network") {
				t.Errorf("message %q blames the network", msg)
			}
			if n := len(f.requests()); n != 3 {
				t.Errorf("%d requests, want 3 (retried)", n)
			}
		})
	}
}
