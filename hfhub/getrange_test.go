package hfhub

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

var fileContent = []byte("0123456789abcdefghijklmnopqrstuvwxyz")

// cdnFake serves fileContent with Range support and fails the test if a
// request ever carries Authorization: the CDN is another origin.
func cdnFake(t *testing.T) *fake {
	return newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Authorization"); a != "" {
			t.Errorf("the CDN received Authorization %q", a)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(fileContent))
	})
}

// TestGetRangeCrossOriginRedirect redirects from the Hub to a CDN on the
// same host name (127.0.0.1) but another port: net/http would keep the
// token there; GetRange must not.
func TestGetRangeCrossOriginRedirect(t *testing.T) {
	cdn := cdnFake(t)
	hub := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			t.Errorf("the Hub did not receive the token")
		}
		w.Header().Set("X-Repo-Commit", commitA)
		http.Redirect(w, r, cdn.URL+"/blob/"+sha256A+"?X-Amz-Signature=sig", http.StatusFound)
	})
	c := newClient(hub.URL, testToken)
	resp, err := c.GetRange(context.Background(), c.ResolveURL("org/model", "main", "model.gguf"), 10, 19)
	if err != nil {
		t.Fatalf("GetRange: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusPartialContent || string(body) != "abcdefghij" {
		t.Errorf("got %s %q, want 206 abcdefghij", resp.Status, body)
	}
	if r := cdn.requests(); len(r) != 1 || r[0].Range != "bytes=10-19" || r[0].AcceptEncoding != "identity" {
		t.Errorf("CDN requests %+v", r)
	}
}

// TestGetRangeSameOriginRedirectKeepsToken checks the other side: hops on
// the endpoint's own host and port keep Authorization.
func TestGetRangeSameOriginRedirectKeepsToken(t *testing.T) {
	var hub *fake
	hub = newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			t.Errorf("%s: the token was dropped on a same-origin hop", r.URL.Path)
		}
		switch r.URL.Path {
		case "/old/resolve/main/f":
			http.Redirect(w, r, "/org/new/resolve/main/f", http.StatusTemporaryRedirect)
		case "/org/new/resolve/main/f":
			http.Redirect(w, r, hub.URL+"/files/f", http.StatusFound) // absolute, same origin
		default:
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(fileContent))
		}
	})
	c := newClient(hub.URL, testToken)
	resp, err := c.GetRange(context.Background(), hub.URL+"/old/resolve/main/f", 0, -1)
	if err != nil {
		t.Fatalf("GetRange: %v", err)
	}
	resp.Body.Close()
	if n := len(hub.requests()); n != 3 || resp.StatusCode != 200 {
		t.Errorf("%d requests, status %d; want 3 and 200", n, resp.StatusCode)
	}
}

func TestGetRangeNoTokenToOtherHosts(t *testing.T) {
	cdn := cdnFake(t)
	hub := newFake(t, func(w http.ResponseWriter, r *http.Request) {})
	for _, u := range []string{cdn.URL + "/x", strings.Replace(hub.URL, "127.0.0.1", "localhost", 1) + "/x"} {
		resp, err := newClient(hub.URL, testToken).GetRange(context.Background(), u, 0, 0)
		if err != nil {
			t.Fatalf("GetRange %s: %v", u, err)
		}
		resp.Body.Close()
	}
	if r := hub.requests(); len(r) != 1 || r[0].Auth != "" {
		t.Errorf("a different host name on the Hub's port received %+v", r)
	}
}

func TestGetRangeHeaders(t *testing.T) {
	cdn := cdnFake(t)
	c := newClient(cdn.URL+"/hub", "")
	for _, tt := range []struct {
		start, end int64
		rng        string
		status     int
		body       string
	}{
		{0, -1, "", 200, string(fileContent)},
		{30, -1, "bytes=30-", 206, "uvwxyz"},
		{0, 0, "bytes=0-0", 206, "0"},
		{5, 9, "bytes=5-9", 206, "56789"},
		{100, -1, "bytes=100-", 416, ""},
	} {
		resp, err := c.GetRange(context.Background(), cdn.URL+"/f", tt.start, tt.end)
		if err != nil {
			t.Fatalf("GetRange(%d, %d): %v", tt.start, tt.end, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got := cdn.requests()
		if last := got[len(got)-1]; last.Range != tt.rng || resp.StatusCode != tt.status || (tt.status != 416 && string(body) != tt.body) {
			t.Errorf("GetRange(%d, %d): Range %q, %d %q; want %q, %d %q", tt.start, tt.end, last.Range, resp.StatusCode, body, tt.rng, tt.status, tt.body)
		}
	}
	for _, r := range [][2]int64{{-1, 5}, {5, 4}, {0, -2}} {
		_, err := c.GetRange(context.Background(), cdn.URL+"/f", r[0], r[1])
		wantCode(t, err, hfgate.EINVALID)
	}
	_, err := c.GetRange(context.Background(), "file:///etc/passwd", 0, -1)
	wantCode(t, err, hfgate.EINVALID)
}

// TestGetRangeOneAttempt checks that GetRange leaves retries to its caller.
func TestGetRangeOneAttempt(t *testing.T) {
	for _, fail := range []http.HandlerFunc{
		func(w http.ResponseWriter, r *http.Request) { hubError(w, r, 503, "", "") },
		cutConnection,
	} {
		hub := newFake(t, fail)
		c := newClient(hub.URL, testToken)
		c.OnRetry = func(error, time.Duration) { t.Error("GetRange retried") }
		_, err := c.GetRange(context.Background(), hub.URL+"/org/m/resolve/main/f", 0, 9)
		wantCode(t, err, hfgate.EUNAVAILABLE)
		if n := len(hub.requests()); n != 1 {
			t.Errorf("server saw %d requests, want 1", n)
		}
	}
}

// TestGetRangeHubErrorsNameTheFile checks that errors of a resolve URL
// name the repo, revision and file it was for.
func TestGetRangeHubErrorsNameTheFile(t *testing.T) {
	hub := newFake(t, func(w http.ResponseWriter, r *http.Request) { hubError(w, r, 403, "GatedRepo", "restricted") })
	c := newClient(hub.URL, testToken)
	_, err := c.GetRange(context.Background(), c.ResolveURL("meta-llama/Llama-3.2-1B", "refs/pr/2", "a b.gguf"), 0, -1)
	wantCode(t, err, hfgate.EGATED, "meta-llama/Llama-3.2-1B", hub.URL+"/meta-llama/Llama-3.2-1B")

	hub = newFake(t, func(w http.ResponseWriter, r *http.Request) { hubError(w, r, 404, "EntryNotFound", "") })
	c = newClient(hub.URL, testToken)
	_, err = c.GetRange(context.Background(), c.ResolveURL("org/m", "refs/pr/2", "a b.gguf"), 0, -1)
	wantCode(t, err, hfgate.ENOTFOUND, `a b.gguf was not found in org/m at revision "refs/pr/2"`)
}
