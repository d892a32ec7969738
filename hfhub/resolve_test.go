package hfhub

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
)

const (
	commitA = "0123456789abcdef0123456789abcdef01234567"
	sha256A = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
)

func TestFileMetadataPrecedence(t *testing.T) {
	cdn := newFake(t, func(w http.ResponseWriter, r *http.Request) { t.Error("HEAD followed the absolute CDN redirect") })
	for _, tt := range []struct {
		name    string
		headers map[string]string
		status  int
		want    hfgate.FileMetadata // Location "" means the resolve URL
	}{
		{
			name:   "LFS: X-Linked-* win over ETag and Content-Length",
			status: http.StatusFound,
			headers: map[string]string{"X-Linked-Etag": `"` + sha256A + `"`, "X-Linked-Size": "4683074016",
				"ETag": `W/"ffff"`, "Content-Length": "1234", "Location": cdn.URL + "/repos/ab/" + sha256A + "?X-Amz-Signature=s"},
			want: hfgate.FileMetadata{ETag: sha256A, Size: 4683074016, Location: cdn.URL + "/repos/ab/" + sha256A + "?X-Amz-Signature=s"},
		},
		{
			name:    "regular file: weak ETag and quotes stripped",
			status:  http.StatusOK,
			headers: map[string]string{"ETag": `W/"9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"`, "Content-Length": "660"},
			want:    hfgate.FileMetadata{ETag: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432", Size: 660},
		},
		{
			name:    "unquoted X-Linked-Etag",
			status:  http.StatusOK,
			headers: map[string]string{"X-Linked-Etag": sha256A, "ETag": `"abc"`, "X-Linked-Size": "0", "Content-Length": "12"},
			want:    hfgate.FileMetadata{ETag: sha256A, Size: 0},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hub := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Repo-Commit", commitA)
				for k, v := range tt.headers {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
			})
			c := newClient(hub.URL, testToken)
			meta, err := c.FileMetadata(context.Background(), "org/model", "refs/pr/1", "sub dir/model+q4.gguf")
			if err != nil {
				t.Fatalf("FileMetadata: %v", err)
			}
			want := tt.want
			want.Repo, want.Revision, want.Path, want.Commit = "org/model", "refs/pr/1", "sub dir/model+q4.gguf", commitA
			if want.Location == "" {
				want.Location = hub.URL + "/org/model/resolve/refs%2Fpr%2F1/sub%20dir/model%2Bq4.gguf"
			}
			if *meta != want {
				t.Errorf("metadata\n got %+v\nwant %+v", *meta, want)
			}
			r := hub.requests()[0]
			if r.Method != http.MethodHead || r.RawPath != "/org/model/resolve/refs%2Fpr%2F1/sub%20dir/model%2Bq4.gguf" {
				t.Errorf("request %s %s", r.Method, r.RawPath)
			}
			if r.AcceptEncoding != "identity" || r.Auth != "Bearer "+testToken {
				t.Errorf("Accept-Encoding %q, Authorization %q", r.AcceptEncoding, r.Auth)
			}
		})
	}
}

func TestFileMetadataBadAnswers(t *testing.T) {
	for _, tt := range []struct {
		name    string
		headers map[string]string
		part    string
	}{
		{"no commit", map[string]string{"ETag": `"abc"`}, "did not send X-Repo-Commit: it is not a Hugging Face Hub, or a proxy strips headers"},
		{"bad commit", map[string]string{"X-Repo-Commit": "../../etc", "ETag": `"abc"`}, "valid X-Repo-Commit"},
		{"no etag", map[string]string{"X-Repo-Commit": commitA}, "usable ETag"},
		{"etag escaping the blobs folder", map[string]string{"X-Repo-Commit": commitA, "X-Linked-Etag": `"../x"`}, "usable ETag"},
		{"bad size", map[string]string{"X-Repo-Commit": commitA, "ETag": `"abc"`, "X-Linked-Size": "-3"}, "file size"},
		{"absurd size", map[string]string{"X-Repo-Commit": commitA, "X-Linked-Etag": `"` + sha256A + `"`, "X-Linked-Size": "9000000000000000000"}, "implausible size for a.gguf (9000000000000000000 bytes)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hub := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.headers {
					w.Header().Set(k, v)
				}
			})
			_, err := newClient(hub.URL, "").FileMetadata(context.Background(), "org/model", "", "a.gguf")
			wantCode(t, err, hfgate.EUNAVAILABLE, tt.part)
		})
	}
}

// TestFileMetadataFollowsRename checks that a relative 307 (a renamed
// repo) is followed with the token, and the metadata comes from the new id.
func TestFileMetadataFollowsRename(t *testing.T) {
	hub := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			t.Errorf("%s: Authorization %q, want the token", r.URL.Path, r.Header.Get("Authorization"))
		}
		if strings.HasPrefix(r.URL.Path, "/old-name/") {
			w.Header().Set("Location", "/org/new-name/resolve/main/config.json")
			w.WriteHeader(http.StatusTemporaryRedirect)
			return
		}
		w.Header().Set("X-Repo-Commit", commitA)
		w.Header().Set("ETag", `"abc"`)
		w.Header().Set("Content-Length", "10")
	})
	meta, err := newClient(hub.URL, testToken).FileMetadata(context.Background(), "old-name", "main", "config.json")
	if err != nil {
		t.Fatalf("FileMetadata: %v", err)
	}
	if meta.Location != hub.URL+"/org/new-name/resolve/main/config.json" || meta.ETag != "abc" || meta.Size != 10 {
		t.Errorf("metadata %+v", meta)
	}
	if n := len(hub.requests()); n != 2 {
		t.Errorf("server saw %d requests, want 2", n)
	}
}

func TestFileMetadataRefusesBadInput(t *testing.T) {
	hub := newFake(t, func(w http.ResponseWriter, r *http.Request) { t.Errorf("request %s", r.URL) })
	c := newClient(hub.URL, "")
	for _, tt := range []struct {
		repo      hfgate.RepoID
		rev, path string
	}{
		{"org/model", "main", "../secrets"},
		{"org/model", "main", "/etc/passwd"},
		{"org/model", "main", "a//b"},
		{"org/../x", "main", "a"},
		{"org/model", "../main", "a"},
	} {
		_, err := c.FileMetadata(context.Background(), tt.repo, tt.rev, tt.path)
		wantCode(t, err, hfgate.EINVALID)
	}
}

func TestURLs(t *testing.T) {
	c := &Client{Endpoint: "https://hub.example/"}
	for _, tt := range []struct{ got, want string }{
		{c.RepoURL("meta-llama/Llama-3.2-1B"), "https://hub.example/meta-llama/Llama-3.2-1B"},
		{c.ResolveURL("org/m", "", "a b/c#d?.gguf"), "https://hub.example/org/m/resolve/main/a%20b/c%23d%3F.gguf"},
		{c.ResolveURL("org/m", "refs/pr/1", "x.json"), "https://hub.example/org/m/resolve/refs%2Fpr%2F1/x.json"},
		{(&Client{}).RepoURL("gpt2"), "https://huggingface.co/gpt2"},
		{(&Client{Endpoint: "ftp://x"}).RepoURL("gpt2"), ""},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	_, err := (&Client{Endpoint: "not a url"}).ModelInfo(context.Background(), "gpt2", "")
	wantCode(t, err, hfgate.EINVALID, "not a valid Hub endpoint")
}

func TestRedirectLoopIsNotRetried(t *testing.T) {
	hub := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/org/m/resolve/main/again", http.StatusTemporaryRedirect)
	})
	_, err := newClient(hub.URL, "").FileMetadata(context.Background(), "org/m", "", "f")
	wantCode(t, err, hfgate.EUNAVAILABLE, "redirect that cannot be followed")
	if n := len(hub.requests()); n != maxRedirects+1 {
		t.Errorf("server saw %d requests, want %d", n, maxRedirects+1)
	}
}

// An ETag in upper-case hex names the same hash: it is used in lower case,
// so it names the blob as the Hub's own lower-case ETags do.
func TestFileMetadataLowerCasesHexETags(t *testing.T) {
	hub := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Repo-Commit", commitA)
		w.Header().Set("X-Linked-Etag", `"`+strings.ToUpper(sha256A)+`"`)
		w.Header().Set("X-Linked-Size", "5")
	})
	meta, err := newClient(hub.URL, "").FileMetadata(context.Background(), "org/model", "", "a.gguf")
	if err != nil || meta.ETag != sha256A {
		t.Fatalf("ETag %q, err %v; want %s", meta.ETag, err, sha256A)
	}
}
