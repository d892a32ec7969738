package kubo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
)

// TestServerMisbehaves points the client at real servers that are not a
// healthy Kubo node: another program on the port, a node that refuses, one
// that fails after a 200 status, one that answers too much or nonsense.
func TestServerMisbehaves(t *testing.T) {
	const cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
	tests := []struct {
		name    string
		handler http.HandlerFunc
		code    string
		message string // a part of the user-safe message
	}{
		{"not an RPC API", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
			hfgate.EUNAVAILABLE, "it is not a Kubo RPC API"},
		{"refused", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"Message":"missing authorization","Code":0,"Type":"error"}`))
		}, hfgate.EFORBIDDEN, "refused add: missing authorization"},
		{"node error", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"Message":"no space left on device\nsecond line","Code":0,"Type":"error"}`))
		}, hfgate.EUNAVAILABLE, "failed add: no space left on device"},
		{"error after 200, in the trailer", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Trailer", "X-Stream-Error")
			w.Write([]byte(`{"Name":"x","Hash":"` + cid + `"}` + "\n"))
			w.Header().Set("X-Stream-Error", "unexpected EOF")
		}, hfgate.EUNAVAILABLE, "failed add: unexpected EOF"},
		{"endless answer", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"Name":"` + strings.Repeat("x", 2*maxResponse)))
		}, hfgate.EUNAVAILABLE, "unreadable answer to add"},
		{"no CID", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"Name":"x","Hash":"../../etc/passwd"}`))
		}, hfgate.EUNAVAILABLE, "unreadable answer to add"},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://192.0.2.1/api/v0/add", http.StatusTemporaryRedirect)
		}, hfgate.EUNAVAILABLE, "failed add"},
		{"huge error body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(strings.Repeat("e", 10*maxErrorBody)))
		}, hfgate.EUNAVAILABLE, "failed add: eeee"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			u, _ := url.Parse(srv.URL)
			c := &Client{API: u}
			_, err := c.Add(context.Background(), "x", strings.NewReader("data"), 4, nil)
			if got := hfgate.ErrorCode(err); got != tt.code {
				t.Fatalf("Add: %v (code %s), want code %s", err, got, tt.code)
			}
			msg := hfgate.ErrorMessage(err)
			if !strings.Contains(msg, tt.message) {
				t.Errorf("message %q does not contain %q", msg, tt.message)
			}
			if len(msg) > 2*maxMessage {
				t.Errorf("message of %d bytes: the node's text is not cut", len(msg))
			}
		})
	}
}

func TestPinnedRejectsBadCID(t *testing.T) {
	c := &Client{API: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}}
	for _, cid := range []string{"", "x", "bafy?arg=other", "/ipfs/bafy"} {
		if _, err := c.Pinned(context.Background(), cid); hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("Pinned(%q) = %v, want EINVALID", cid, err)
		}
		if _, err := c.Unpin(context.Background(), cid); hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("Unpin(%q) = %v, want EINVALID", cid, err)
		}
	}
}
