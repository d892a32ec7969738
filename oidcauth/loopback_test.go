package oidcauth

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// browserGet plays the browser: it follows redirects and returns the final
// status and page.
func browserGet(tb testing.TB, hc *http.Client, u string) (int, string) {
	tb.Helper()
	resp, err := hc.Get(u)
	if err != nil {
		tb.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		tb.Errorf("Content-Security-Policy = %q", csp)
	}
	for _, external := range []string{"<script", "src=", "href=", "http://", "https://"} {
		if strings.Contains(string(body), external) {
			tb.Errorf("page has %q; it must be self-contained:\n%s", external, body)
		}
	}
	return resp.StatusCode, string(body)
}

type waitResult struct {
	q   url.Values
	err error
}

// startWait listens and runs Wait for a fresh attempt in the background.
func startWait(tb testing.TB, c *Client, timeout time.Duration) (*Loopback, string, *Attempt, chan waitResult) {
	tb.Helper()
	l, err := ListenLoopback(context.Background(), "/callback")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	l.Timeout = timeout
	authURL, a, err := c.Begin(l.RedirectURL())
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan waitResult, 1)
	go func() {
		q, err := l.Wait(context.Background(), a)
		done <- waitResult{q, err}
	}()
	return l, authURL, a, done
}

func TestLoopbackSignIn(t *testing.T) {
	p := newProvider(t)
	c := mustOpen(t, p, nil)
	l, authURL, a, done := startWait(t, c, time.Minute)
	if !strings.HasPrefix(l.RedirectURL(), "http://127.0.0.1:") || !strings.HasSuffix(l.RedirectURL(), "/callback") {
		t.Errorf("RedirectURL = %q", l.RedirectURL())
	}
	browser := p.srv.Client()

	// Another page (or an attacker) hitting the callback with a wrong or
	// missing state is turned away and does not end the wait.
	for _, q := range []string{"?state=forged&code=code_x", "?code=code_x", "?state=forged&error=access_denied"} {
		status, body := browserGet(t, browser, l.RedirectURL()+q)
		if status != http.StatusBadRequest || !strings.Contains(body, "not recognised") {
			t.Errorf("wrong-state callback %s: status %d, page:\n%s", q, status, body)
		}
	}
	if status, _ := browserGet(t, browser, strings.TrimSuffix(l.RedirectURL(), "/callback")+"/other"); status != http.StatusNotFound {
		t.Errorf("other path: status %d, want 404", status)
	}
	select {
	case r := <-done:
		t.Fatalf("Wait returned early: %v, %v", r.q, r.err)
	default:
	}

	status, body := browserGet(t, browser, authURL)
	if status != http.StatusOK || !strings.Contains(body, "Signed in") || !strings.Contains(body, "close this tab") {
		t.Errorf("callback: status %d, page:\n%s", status, body)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("Wait: %v", r.err)
	}
	res, err := c.Exchange(context.Background(), a, r.q)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if res.User.Username != "alice" {
		t.Errorf("User = %+v", res.User)
	}
	if _, err := browser.Get(l.RedirectURL()); err == nil {
		t.Error("the listener still serves after Wait returned")
	}
}

func TestLoopbackProviderError(t *testing.T) {
	p := newProvider(t)
	p.deny = true
	c := mustOpen(t, p, nil)
	_, authURL, _, done := startWait(t, c, time.Minute)
	status, body := browserGet(t, p.srv.Client(), authURL)
	if status != http.StatusBadRequest || !strings.Contains(body, "denied at the consent page") {
		t.Errorf("status %d, page:\n%s", status, body)
	}
	r := <-done
	wantError(t, p, r.err, hfgate.EUNAUTHORIZED, "sign-in was denied at the consent page", "access_denied")
}

func TestLoopbackTimeout(t *testing.T) {
	p := newProvider(t)
	c := mustOpen(t, p, nil)
	_, _, _, done := startWait(t, c, 20*time.Millisecond)
	r := <-done
	wantError(t, p, r.err, hfgate.EUNAUTHORIZED, "no sign-in completed within 20ms")
	if got := hfgate.ErrorAction(r.err); got != hfgate.ActionSignIn {
		t.Errorf("action = %q, want %q", got, hfgate.ActionSignIn)
	}

	if got := (&Loopback{}).timeoutOrDefault(); got != 5*time.Minute {
		t.Errorf("default timeout = %v, want 5m0s", got)
	}
}

func TestLoopbackCanceled(t *testing.T) {
	l, err := ListenLoopback(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = l.Wait(ctx, &Attempt{State: "s"})
	wantError(t, &fakeProvider{}, err, hfgate.ECANCELED)
}
