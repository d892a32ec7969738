package hubsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// linkRels reads a Link header into URL by rel.
func linkRels(h string) map[string]string {
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`<([^>]*)>;\s*rel="([^"]+)"`).FindAllStringSubmatch(h, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// TestXetResolve checks a Xet-backed repo as reference §3 describes the
// Hub's: resolve adds X-Xet-Hash and Links to the read token and the
// reconstruction info, tree and paths-info carry the same xetHash, and the
// redirect still serves the plain bytes.
func TestXetResolve(t *testing.T) {
	s := startTest(t, Options{})
	const file = "xet-llama-Q4_K_M.gguf"
	fi, err := s.Catalog().Stat(RepoXet, "", file)
	if err != nil {
		t.Fatal(err)
	}
	want := readAllFile(t, s, RepoXet, "", file)

	resp, _ := do(t, "HEAD", s.ResolveURL(RepoXet, "main", file), "")
	h := resp.Header
	hash := h.Get("X-Xet-Hash")
	links := linkRels(h.Get("Link"))
	if resp.StatusCode != http.StatusFound || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(hash) ||
		h.Get("X-Linked-Etag") != `"`+fi.SHA256+`"` || h.Get("X-Linked-Size") != strconv.FormatInt(fi.Size, 10) ||
		h.Get("X-Repo-Commit") != fi.Commit {
		t.Fatalf("HEAD: %d %v", resp.StatusCode, h)
	}
	if links["xet-auth"] != s.URL()+"/api/models/"+RepoXet+"/xet-read-token/"+fi.Commit ||
		links["xet-reconstruction-info"] != s.CDNURL()+"/v1/reconstructions/"+hash {
		t.Errorf("Link %q", h.Get("Link"))
	}

	got, err := http.Get(s.ResolveURL(RepoXet, "main", file)) // follows the redirect, as a client without Xet does
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if got.StatusCode != 200 || !bytes.Equal(body, want) {
		t.Errorf("plain HTTP download: %d, %d bytes, want the %d bytes of the file", got.StatusCode, len(body), len(want))
	}

	var tree []struct {
		Path    string
		XetHash string `json:"xetHash"`
	}
	getJSON(t, s.URL()+"/api/models/"+RepoXet+"/tree/main?recursive=true", "", &tree)
	for _, e := range tree {
		isLFS := strings.HasSuffix(e.Path, ".gguf") || strings.HasSuffix(e.Path, ".pt")
		if isLFS != (e.XetHash != "") || e.Path == file && e.XetHash != hash {
			t.Errorf("tree %s: xetHash %q (resolve sent %s)", e.Path, e.XetHash, hash)
		}
	}
	resp, body = postJSON(t, s.URL()+"/api/models/"+RepoXet+"/paths-info/main", `{"paths":["`+file+`"]}`)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"xetHash":"`+hash+`"`) {
		t.Errorf("paths-info: %s", body)
	}
	// A repo that is not Xet-backed sends none of it.
	resp, _ = do(t, "HEAD", s.ResolveURL(RepoTiny, "main", "tiny-llama-Q4_K_M.gguf"), "", "Accept", xetFileInfoType)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("X-Xet-Hash") != "" || resp.Header.Get("Link") != "" {
		t.Errorf("non-Xet repo: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestXetFileInfo checks resolve with Accept: application/vnd.xet-fileinfo+json,
// as @huggingface/hub's fileDownloadInfo sends it with Range: bytes=0-0.
func TestXetFileInfo(t *testing.T) {
	s := startTest(t, Options{})
	fi, err := s.Catalog().Stat(RepoXet, "", "xet-llama-Q8_0.gguf")
	if err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, "GET", s.ResolveURL(RepoXet, "main", "xet-llama-Q8_0.gguf"), "",
		"Accept", "application/vnd.xet-fileinfo+json, */*", "Range", "bytes=0-0")
	h := resp.Header
	links := linkRels(h.Get("Link"))
	if resp.StatusCode != 200 || h.Get("Content-Type") != xetFileInfoType || h.Get("X-Linked-Size") != strconv.FormatInt(fi.Size, 10) ||
		h.Get("X-Xet-Hash") != xetHash(fi.SHA256) || links["xet-auth"] == "" || links["xet-reconstruction-info"] == "" ||
		h.Get("X-Linked-Etag") != `"`+fi.SHA256+`"` {
		t.Fatalf("%d %v", resp.StatusCode, h)
	}
	var info struct {
		Hash string
		Size int64
	}
	if err := json.Unmarshal(body, &info); err != nil || info.Hash != xetHash(fi.SHA256) || info.Size != fi.Size {
		t.Errorf("body %s: %v", body, err)
	}
	// The CAS named in the Link says plainly that hubsim does not serve it.
	resp, body = do(t, "GET", links["xet-reconstruction-info"], "")
	if resp.StatusCode != http.StatusNotImplemented || !strings.Contains(string(body), "resolve URL") {
		t.Errorf("CAS: %d %s", resp.StatusCode, body)
	}
}

func TestXetReadToken(t *testing.T) {
	s := startTest(t, Options{})
	re, _ := s.catalog.idx.lookupTyped(RepoXet)
	var tok struct {
		AccessToken string
		Exp         int64
		CasURL      string `json:"casUrl"`
	}
	resp := getJSON(t, s.URL()+"/api/models/"+RepoXet+"/xet-read-token/"+re.main.id, "", &tok)
	h := resp.Header
	left := time.Until(time.Unix(tok.Exp, 0))
	if !strings.HasPrefix(tok.AccessToken, "xet_") || tok.CasURL != s.CDNURL() || left > XetTokenTTL || left < XetTokenTTL-time.Minute {
		t.Errorf("body %+v", tok)
	}
	if h.Get("X-Xet-Access-Token") != tok.AccessToken || h.Get("X-Xet-Cas-Url") != tok.CasURL ||
		h.Get("X-Xet-Token-Expiration") != strconv.FormatInt(tok.Exp, 10) {
		t.Errorf("headers %v", h)
	}
	for _, tt := range []struct {
		path, token string
		status      int
		code        string
	}{
		{"/api/models/" + RepoTiny + "/xet-read-token/main", "", 404, ""},
		{"/api/models/" + RepoXet + "/xet-read-token/nope", "", 404, "RevisionNotFound"},
		{"/api/models/" + RepoGated + "/xet-read-token/main", "", 401, "GatedRepo"},
	} {
		resp, _ := do(t, "GET", s.URL()+tt.path, tt.token)
		if resp.StatusCode != tt.status || resp.Header.Get("X-Error-Code") != tt.code {
			t.Errorf("%s: %d %q, want %d %q", tt.path, resp.StatusCode, resp.Header.Get("X-Error-Code"), tt.status, tt.code)
		}
	}
}

// postJSON posts a JSON body and returns the response with its body read.
func postJSON(tb testing.TB, url, body string) (*http.Response, []byte) {
	tb.Helper()
	return sendJSON(tb, "POST", url, body)
}

// sendJSON sends a JSON body and returns the response with its body read.
func sendJSON(tb testing.TB, method, url, body string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}
