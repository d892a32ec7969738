package hfhub

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

func serveJSON(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}
}

func TestModelInfoDecodes(t *testing.T) {
	hub := newFake(t, serveJSON(`{
		"_id":"621ffdc036468d709f174338","id":"Qwen/Qwen2.5-Coder-7B-Instruct-GGUF","private":false,
		"pipeline_tag":"text-generation","library_name":"gguf","tags":["gguf","code"],"downloads":72376,
		"likes":2065,"modelId":"Qwen/Qwen2.5-Coder-7B-Instruct-GGUF","author":"Qwen",
		"sha":"86b5e0934494bd15c9632b12f734a8a67f723594","lastModified":"2024-02-19T11:06:12.000Z",
		"gated":"manual","disabled":false,"cardData":{"license":"apache-2.0","base_model":"Qwen/Qwen2.5-Coder-7B-Instruct"},
		"siblings":[
			{"rfilename":"README.md","size":4321,"blobId":"9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"},
			{"rfilename":"qwen2.5-coder-7b-instruct-q4_k_m.gguf","size":4683074016,"blobId":"1111111111111111111111111111111111111111",
			 "lfs":{"sha256":"`+sha256A+`","size":4683074016,"pointerSize":135}}],
		"gguf":{"total":7615616512,"architecture":"qwen2","context_length":32768,"chat_template":"{{x}}","totalFileSize":4683074016},
		"createdAt":"2024-09-18T09:49:12.000Z","usedStorage":99999,"inference":"warm"}`))
	c := newClient(hub.URL, "")
	m, err := c.ModelInfo(context.Background(), "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF", "refs/pr/1", hfgate.WithBlobs())
	if err != nil {
		t.Fatalf("ModelInfo: %v", err)
	}
	want := &hfgate.Model{
		ID: "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF", Author: "Qwen", SHA: "86b5e0934494bd15c9632b12f734a8a67f723594",
		Gated: "manual", Downloads: 72376, Likes: 2065, Tags: []string{"gguf", "code"},
		PipelineTag: "text-generation", LibraryName: "gguf",
		CreatedAt:    time.Date(2024, 9, 18, 9, 49, 12, 0, time.UTC),
		LastModified: time.Date(2024, 2, 19, 11, 6, 12, 0, time.UTC),
		CardData:     map[string]any{"license": "apache-2.0", "base_model": "Qwen/Qwen2.5-Coder-7B-Instruct"},
		Files: []hfgate.RepoFile{
			{Path: "README.md", Size: 4321, BlobID: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"},
			{Path: "qwen2.5-coder-7b-instruct-q4_k_m.gguf", Size: 4683074016, BlobID: "1111111111111111111111111111111111111111",
				LFS: &hfgate.LFSInfo{SHA256: sha256A, Size: 4683074016, PointerSize: 135}},
		},
		GGUF:        &hfgate.GGUFSummary{Parameters: 7615616512, Architecture: "qwen2", ContextLength: 32768, TotalFileSize: 4683074016},
		UsedStorage: 99999,
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("model\n got %+v\nwant %+v", m, want)
	}
	r := hub.requests()[0]
	if r.RawPath != "/api/models/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF/revision/refs%2Fpr%2F1" || r.Query != "blobs=true" {
		t.Errorf("request %s?%s", r.RawPath, r.Query)
	}
}

func TestModelInfoGated(t *testing.T) {
	for raw, want := range map[string]string{`false`: "", `"auto"`: "auto", `"manual"`: "manual", `true`: "manual", `null`: ""} {
		hub := newFake(t, serveJSON(`{"id":"a/b","gated":`+raw+`}`))
		m, err := newClient(hub.URL, "").ModelInfo(context.Background(), "a/b", "")
		if err != nil {
			t.Fatalf("gated %s: %v", raw, err)
		}
		if m.Gated != want || m.IsGated() != (want != "") {
			t.Errorf("gated %s: Gated = %q, want %q", raw, m.Gated, want)
		}
		if r := hub.requests()[0]; r.RawPath != "/api/models/a/b" || r.Query != "" {
			t.Errorf("request %s?%s", r.RawPath, r.Query)
		}
	}
}

// Unsafe entries of an answer are left out and reported; the rest is
// used.
func TestModelInfoLeavesOutMalformedEntries(t *testing.T) {
	hub := newFake(t, serveJSON(`{"id":"a/b","cardData":{"license":"mit"},"siblings":[{"rfilename":"ok.json"},{"rfilename":"../../.bashrc"},
		{"rfilename":"evil\u001b]52;c;aGk=\u0007.gguf"},{"rfilename":"huge.bin","size":9000000000000000000},
		{"rfilename":"W.gguf","lfs":{"sha256":"`+strings.ToUpper(sha256A)+`","size":5}}]}`))
	c, got := reportingClient(hub.URL)
	m, err := c.ModelInfo(context.Background(), "a/b", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 2 || m.Files[0].Path != "ok.json" || m.Files[1].LFS.SHA256 != sha256A || m.CardData["license"] != "mit" {
		t.Fatalf("files %+v, card %v: want ok.json and W.gguf (hash in lower case), the card kept", m.Files, m.CardData)
	}
	if want := []string{`"a/b: ../../.bashrc": not a safe file path`, `"a/b: evil\x1b]52;c;aGk=\a.gguf": not a safe file path`,
		`"a/b: huge.bin": an implausible size`}; !reflect.DeepEqual(*got, want) {
		t.Fatalf("reported %q\nwant %q", *got, want)
	}
}

// reportingClient returns a client that records what it reports as
// malformed.
func reportingClient(endpoint string) (*Client, *[]string) {
	c := newClient(endpoint, "")
	var mu sync.Mutex
	var got []string
	c.OnMalformed = func(entry, why string) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, entry+": "+why)
	}
	return c, &got
}

// Answers too large, too many or too deep to decode safely are refused as
// they arrive; card data too large to be a model card is left out.
func TestModelInfoBoundsDecodedMemory(t *testing.T) {
	for _, tt := range []struct {
		name, body, want string
	}{
		{"a million empty objects", `{"id":"a/b","cardData":{"x":[` + strings.Repeat("{},", 2_000_000) + `{}]}}`, "too large to read safely"},
		{"nested too deep", `{"id":"a/b","cardData":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, "too large to read safely"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hub := newFake(t, serveJSON(tt.body))
			_, err := newClient(hub.URL, "").ModelInfo(context.Background(), "a/b", "")
			wantCode(t, err, hfgate.EUNAVAILABLE, tt.want)
			if n := len(hub.requests()); n != 1 {
				t.Errorf("%d requests: a refused answer is not asked for again", n)
			}
		})
	}
	hub := newFake(t, serveJSON(`{"id":"a/b","cardData":{"x":"`+strings.Repeat("y", 2<<20)+`"},"siblings":[{"rfilename":"ok.json"}]}`))
	c, got := reportingClient(hub.URL)
	m, err := c.ModelInfo(context.Background(), "a/b", "")
	if err != nil || m.CardData != nil || len(m.Files) != 1 || len(*got) != 1 || !strings.Contains((*got)[0], "card data") {
		t.Fatalf("big card: err %v, card %d keys, files %v, reported %q", err, len(m.CardData), m.Files, *got)
	}
}

func TestModelInfoNotJSON(t *testing.T) {
	hub := newFake(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>proxy login</html>")) })
	_, err := newClient(hub.URL, "").ModelInfo(context.Background(), "a/b", "")
	wantCode(t, err, hfgate.EUNAVAILABLE, "is "+hub.URL+" a Hugging Face Hub?")
}

// TestModelInfoFollowsRename: a renamed repo answers 307 with a relative
// Location; the client follows it with the token and reports the new id.
func TestModelInfoFollowsRename(t *testing.T) {
	hub := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			t.Errorf("%s without the token", r.URL.Path)
		}
		if r.URL.Path == "/api/models/bert-base-uncased" {
			w.Header().Set("Location", "/api/models/google-bert/bert-base-uncased?"+r.URL.RawQuery)
			w.WriteHeader(http.StatusTemporaryRedirect)
			return
		}
		if r.URL.Query().Get("blobs") != "true" {
			t.Error("the redirect lost the query")
		}
		serveJSON(`{"id":"google-bert/bert-base-uncased","modelId":"google-bert/bert-base-uncased"}`)(w, r)
	})
	m, err := newClient(hub.URL, testToken).ModelInfo(context.Background(), "bert-base-uncased", "", hfgate.WithBlobs())
	if err != nil {
		t.Fatalf("ModelInfo: %v", err)
	}
	if m.ID != "google-bert/bert-base-uncased" || m.Author != "google-bert" {
		t.Errorf("ID %q, Author %q", m.ID, m.Author)
	}
}

func TestTreePaginates(t *testing.T) {
	var hub *fake
	hub = newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("cursor") == "" {
			q := r.URL.Query()
			q.Set("cursor", "p2")
			w.Header().Set("Link", fmt.Sprintf(`<%s%s?%s>; rel="next"`, hub.URL, r.URL.EscapedPath(), q.Encode()))
			serveJSON(`[{"type":"directory","oid":"aaaa","size":0,"path":"sub dir/inner"},
				{"type":"file","oid":"bbbb","size":12,"path":"sub dir/a.json"}]`)(w, r)
			return
		}
		serveJSON(`[{"type":"file","oid":"cccc","size":4683074016,"path":"sub dir/inner/m.gguf",
			"lfs":{"oid":"`+sha256A+`","size":4683074016,"pointerSize":135},"xetHash":"ffff"}]`)(w, r)
	})
	files, err := newClient(hub.URL, "").Tree(context.Background(), "org/m", "refs/pr/1", "sub dir", true)
	if err != nil {
		t.Fatalf("Tree: %v", err)
	}
	want := []hfgate.RepoFile{
		{Path: "sub dir/inner", IsDir: true, BlobID: "aaaa"},
		{Path: "sub dir/a.json", Size: 12, BlobID: "bbbb"},
		{Path: "sub dir/inner/m.gguf", Size: 4683074016, BlobID: "cccc", LFS: &hfgate.LFSInfo{SHA256: sha256A, Size: 4683074016, PointerSize: 135}},
	}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("files\n got %+v\nwant %+v", files, want)
	}
	reqs := hub.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	// huggingface_hub quotes the revision and the path with nothing safe.
	if reqs[0].RawPath != "/api/models/org/m/tree/refs%2Fpr%2F1/sub%20dir" {
		t.Errorf("path %s", reqs[0].RawPath)
	}
	if q, _ := url.ParseQuery(reqs[1].Query); q.Get("recursive") != "true" || q.Get("cursor") != "p2" {
		t.Errorf("page 2 query %s", reqs[1].Query)
	}
}

func TestTreeLeavesOutUnsafePaths(t *testing.T) {
	for _, p := range []string{"../x", "/abs", "a/./b", `a\b`, "a\u001b[2Jb"} {
		quoted, _ := json.Marshal(p)
		hub := newFake(t, serveJSON(`[{"type":"file","oid":"a","size":1,"path":`+string(quoted)+`},{"type":"file","oid":"b","size":1,"path":"ok"}]`))
		c, got := reportingClient(hub.URL)
		files, err := c.Tree(context.Background(), "org/m", "", "", false)
		if err != nil || len(files) != 1 || files[0].Path != "ok" || len(*got) != 1 {
			t.Fatalf("%q: files %v, err %v, reported %q; want the safe file, one report", p, files, err, *got)
		}
		if r := hub.requests()[0]; r.RawPath != "/api/models/org/m/tree/main" || !strings.Contains(r.Query, "recursive=false") {
			t.Errorf("request %s?%s", r.RawPath, r.Query)
		}
	}
}

// Pagination whose next link leads back to a page already read is
// stopped with an error, for trees and searches alike.
func TestPaginationLoopIsStopped(t *testing.T) {
	var hub *fake
	hub = newFake(t, func(w http.ResponseWriter, r *http.Request) {
		next := map[string]string{"": "p2", "p2": "p3", "p3": "p2"}[r.URL.Query().Get("cursor")]
		q := r.URL.Query()
		q.Set("cursor", next)
		w.Header().Set("Link", fmt.Sprintf(`<%s%s?%s>; rel="next"`, hub.URL, r.URL.EscapedPath(), q.Encode()))
		if strings.Contains(r.URL.Path, "/tree/") {
			serveJSON(`[{"type":"file","oid":"a","size":1,"path":"f-`+next+`"}]`)(w, r)
			return
		}
		serveJSON(`[{"id":"a/m-`+next+`"}]`)(w, r)
	})
	_, err := newClient(hub.URL, "").Tree(context.Background(), "org/m", "", "", true)
	wantCode(t, err, hfgate.EUNAVAILABLE, "pagination loops")
	var n int
	for _, err := range newClient(hub.URL, "").Search(context.Background(), hfgate.SearchQuery{}) {
		if err != nil {
			wantCode(t, err, hfgate.EUNAVAILABLE, "pagination loops")
			break
		}
		n++
	}
	if n != 3 {
		t.Errorf("search yielded %d models before stopping, want the 3 pages' worth", n)
	}
}
