package hubsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// noRedirect is a client that returns redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends a request to url with an optional bearer token and returns the
// response with its body read.
func do(tb testing.TB, method, url, token string, hdr ...string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, body
}

func getJSON(tb testing.TB, url, token string, v any) *http.Response {
	tb.Helper()
	resp, body := do(tb, "GET", url, token)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		tb.Fatalf("GET %s: %v in %s", url, err, body)
	}
	return resp
}

func decodeBody(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

// topKeys returns the keys of a JSON object in the order they appear.
func topKeys(tb testing.TB, body []byte) []string {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		tb.Fatalf("not a JSON object: %s", body)
	}
	var keys []string
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			tb.Fatal(err)
		}
	}
	return keys
}

// oauthToken adds an OAuth access token for user with these scopes and
// granted orgs, as the consent page would.
func addOAuthToken(s *Server, user string, scopes, orgs []string) string {
	v := randomToken("hf_oauth_", 34)
	s.ids.addToken(&accessToken{value: v, kind: oauthToken, user: user, scopes: scopes, orgs: orgs, created: s.Now()})
	return v
}

func mintToken(tb testing.TB, s *Server, user string) string {
	tb.Helper()
	tok, err := s.MintToken(user, "read")
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

var hex40 = regexp.MustCompile(`^[0-9a-f]{40}$`)

func TestModelInfo(t *testing.T) {
	s := startTest(t, Options{})
	resp, body := do(t, "GET", s.URL()+"/api/models/"+RepoQwenCoder7BGGUF, "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	wantKeys := []string{"_id", "id", "private", "pipeline_tag", "library_name", "tags", "downloads", "likes",
		"modelId", "author", "sha", "lastModified", "gated", "disabled", "cardData", "siblings", "spaces",
		"createdAt", "gguf", "usedStorage"}
	if got := topKeys(t, body); !slices.Equal(got, wantKeys) {
		t.Errorf("keys %v\nwant %v", got, wantKeys)
	}
	var info struct {
		ID, ModelID, Author, SHA string
		ModelIDLegacy            string `json:"modelId"`
		Gated                    any
		Disabled                 bool
		LastModified, CreatedAt  string
		Tags                     []string
		Siblings                 []map[string]any
		CardData                 map[string]any
		GGUF                     map[string]any
		UsedStorage              int64
	}
	if err := json.Unmarshal(body, &info); err != nil {
		t.Fatal(err)
	}
	re, _ := s.catalog.idx.lookupTyped(RepoQwenCoder7BGGUF)
	if info.ID != RepoQwenCoder7BGGUF || info.ModelIDLegacy != info.ID || info.Author != "Qwen" || info.SHA != re.main.id || !hex40.MatchString(info.SHA) {
		t.Errorf("id %q modelId %q author %q sha %q", info.ID, info.ModelIDLegacy, info.Author, info.SHA)
	}
	if info.Gated != false || info.Disabled {
		t.Errorf("gated %v disabled %v", info.Gated, info.Disabled)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(info.LastModified) || info.CreatedAt != "2024-09-18T02:59:20.000Z" {
		t.Errorf("lastModified %q createdAt %q", info.LastModified, info.CreatedAt)
	}
	if !slices.Contains(info.Tags, "gguf") || info.CardData["license"] != "apache-2.0" {
		t.Errorf("tags %v cardData %v", info.Tags, info.CardData)
	}
	var names []string
	for _, s := range info.Siblings {
		if len(s) != 1 {
			t.Errorf("sibling %v: want only rfilename without blobs=true", s)
		}
		names = append(names, s["rfilename"].(string))
	}
	if want := []string{".gitattributes", "LICENSE", "README.md", "qwen2.5-coder-7b-instruct-q4_k_m.gguf",
		"qwen2.5-coder-7b-instruct-q5_k_m.gguf", "qwen2.5-coder-7b-instruct-q8_0.gguf"}; !slices.Equal(names, want) {
		t.Errorf("siblings %v", names)
	}
	q4, _ := s.Catalog().Stat(RepoQwenCoder7BGGUF, "", "qwen2.5-coder-7b-instruct-q4_k_m.gguf")
	g := info.GGUF
	if g["total"] != float64(7_615_616_512) || g["architecture"] != "qwen2" || g["context_length"] != float64(32768) ||
		g["bos_token"] != "<|endoftext|>" || g["eos_token"] != "<|im_end|>" || g["totalFileSize"] != float64(q4.Size) ||
		!strings.Contains(g["chat_template"].(string), "<|im_start|>") {
		t.Errorf("gguf %v", g)
	}
	if info.UsedStorage < 18e9 {
		t.Errorf("usedStorage %d, want the three GGUF files at least", info.UsedStorage)
	}
	if bytes.Contains(body, []byte(`\u003c`)) {
		t.Error("the chat template is HTML-escaped; the Hub sends < as is")
	}
}

func TestModelInfoBlobsAndSafetensors(t *testing.T) {
	s := startTest(t, Options{})
	var info struct {
		Siblings []struct {
			RFilename string `json:"rfilename"`
			Size      int64
			BlobID    string `json:"blobId"`
			LFS       *struct {
				SHA256      string `json:"sha256"`
				Size        int64
				PointerSize int64 `json:"pointerSize"`
			}
		}
		Config           map[string]any
		TransformersInfo map[string]any
		Safetensors      struct {
			Parameters map[string]int64
			Total      int64
		}
	}
	getJSON(t, s.URL()+"/api/models/"+RepoRenamedTo+"?blobs=true", "", &info)
	if info.Safetensors.Total != 110_106_428 || info.Safetensors.Parameters["F32"] != 110_106_428 {
		t.Errorf("safetensors %+v, want the Hub's F32 110106428", info.Safetensors)
	}
	if info.Config["model_type"] != "bert" || info.TransformersInfo["auto_model"] != "AutoModelForMaskedLM" {
		t.Errorf("config %v transformersInfo %v", info.Config, info.TransformersInfo)
	}
	checked := 0
	for _, sib := range info.Siblings {
		fi, err := s.Catalog().Stat(RepoRenamedTo, "", sib.RFilename)
		if err != nil {
			t.Fatal(err)
		}
		if sib.Size != fi.Size || sib.BlobID != fi.BlobID || !hex40.MatchString(sib.BlobID) {
			t.Errorf("%s: size %d blobId %s, want %d %s", sib.RFilename, sib.Size, sib.BlobID, fi.Size, fi.BlobID)
		}
		switch {
		case fi.LFS && (sib.LFS == nil || sib.LFS.SHA256 != fi.SHA256 || sib.LFS.Size != fi.Size || sib.LFS.PointerSize != int64(len(lfsPointer(fi.SHA256, fi.Size)))):
			t.Errorf("%s: lfs %+v, want sha256 %s", sib.RFilename, sib.LFS, fi.SHA256)
		case !fi.LFS && sib.LFS != nil:
			t.Errorf("%s: a regular file with lfs %+v", sib.RFilename, sib.LFS)
		}
		if sib.RFilename == "pytorch_model.bin" && sib.LFS.PointerSize != 134 {
			t.Errorf("pointerSize %d, want 134 as the real bert-base-uncased", sib.LFS.PointerSize)
		}
		if sib.RFilename == "config.json" {
			r, size, _ := s.Catalog().Open(RepoRenamedTo, "", "config.json")
			data := make([]byte, size)
			io.ReadFull(r, data)
			if sib.BlobID != gitSHA1(data) {
				t.Errorf("config.json blobId %s, want the git blob id %s", sib.BlobID, gitSHA1(data))
			}
		}
		checked++
	}
	if checked < 8 {
		t.Errorf("%d siblings", checked)
	}
}

func TestModelInfoRevisionsAndRefs(t *testing.T) {
	s := startTest(t, Options{})
	re, _ := s.catalog.idx.lookupTyped(RepoTiny)
	files := func(rev string) []string {
		var info struct {
			SHA      string
			Siblings []struct{ RFilename string }
		}
		getJSON(t, s.URL()+"/api/models/"+RepoTiny+"/revision/"+rev, "", &info)
		var out []string
		for _, f := range info.Siblings {
			out = append(out, f.RFilename)
		}
		if want := re.resolve(strings.ReplaceAll(rev, "%2F", "/")).id; info.SHA != want {
			t.Errorf("revision %s: sha %s, want %s", rev, info.SHA, want)
		}
		return out
	}
	if got := files(TagTinyV1); slices.Contains(got, "tiny-llama-Q8_0.gguf") || !slices.Contains(got, "tiny-llama-Q4_K_M.gguf") {
		t.Errorf("v1.0 files %v", got)
	}
	if got := files("refs%2Fpr%2F1"); !slices.Contains(got, "tiny-llama-F16.gguf") {
		t.Errorf("refs/pr/1 files %v", got)
	}
	if got := files(re.main.id); !slices.Contains(got, "tiny-llama-Q8_0.gguf") {
		t.Errorf("main by commit id: files %v", got)
	}
	if got := files("HEAD"); !slices.Contains(got, "tiny-llama-Q8_0.gguf") {
		t.Errorf("HEAD (huggingface.js's default): files %v", got)
	}

	var refs struct {
		Branches, Tags, PullRequests []struct{ Name, Ref, TargetCommit string }
	}
	getJSON(t, s.URL()+"/api/models/"+RepoTiny+"/refs?include_prs=1", "", &refs)
	if len(refs.Branches) != 1 || refs.Branches[0].Name != "main" || refs.Branches[0].TargetCommit != re.main.id {
		t.Errorf("branches %+v", refs.Branches)
	}
	if len(refs.Tags) != 1 || refs.Tags[0].Ref != "refs/tags/v1.0" || refs.Tags[0].TargetCommit != re.resolve("v1.0").id {
		t.Errorf("tags %+v", refs.Tags)
	}
	if len(refs.PullRequests) != 1 || refs.PullRequests[0].Ref != "refs/pr/1" {
		t.Errorf("pullRequests %+v", refs.PullRequests)
	}
}

func TestModelInfoExpand(t *testing.T) {
	s := startTest(t, Options{})
	_, body := do(t, "GET", s.URL()+"/api/models/"+RepoQwenCoder7BGGUF+"?expand=downloadsAllTime&expand=gguf&expand[]=trendingScore", "")
	if got, want := topKeys(t, body), []string{"_id", "id", "gguf", "downloadsAllTime", "trendingScore"}; !slices.Equal(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
	resp, _ := do(t, "GET", s.URL()+"/api/models/"+RepoQwenCoder7BGGUF+"?expand=bogus", "")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("expand=bogus: status %d, want 400", resp.StatusCode)
	}
}

func TestRenamedRepoRedirects(t *testing.T) {
	s := startTest(t, Options{})
	for _, tt := range []struct{ path, want string }{
		{"/api/models/bert-base-uncased?blobs=true", "/api/models/google-bert/bert-base-uncased?blobs=true"},
		{"/api/models/bert-base-uncased/revision/main", "/api/models/google-bert/bert-base-uncased/revision/main"},
		{"/api/models/bert-base-uncased/tree/main", "/api/models/google-bert/bert-base-uncased/tree/main"},
		{"/bert-base-uncased/resolve/main/config.json", "/google-bert/bert-base-uncased/resolve/main/config.json"},
	} {
		resp, _ := do(t, "GET", s.URL()+tt.path, "")
		if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != tt.want {
			t.Errorf("GET %s: %d Location %q, want 307 %q", tt.path, resp.StatusCode, resp.Header.Get("Location"), tt.want)
		}
	}
	// Following the redirect works end to end.
	resp, err := http.Get(s.URL() + "/bert-base-uncased/resolve/main/config.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Repo-Commit") == "" {
		t.Errorf("followed: status %d", resp.StatusCode)
	}
}

// startTest starts a Server for the test, as hubsimtest.Start does for
// other packages (which this package's tests cannot import).
func startTest(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s, err := New(opts)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	if err := s.Start("127.0.0.1:0", "127.0.0.1:0"); err != nil {
		tb.Fatalf("Start: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
