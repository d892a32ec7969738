package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/web"
)

func getJSON[T any](t *testing.T, a *app, c *http.Client, path string) (T, int) {
	t.Helper()
	var v T
	resp, body := a.get(t, c, path)
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("GET %s: %s %q: %v", path, resp.Status, body, err)
	}
	return v, resp.StatusCode
}

type searchResult struct {
	Models []struct {
		ID   string   `json:"id"`
		Tags []string `json:"tags"`
	} `json:"models"`
	Next string `json:"next"`
}

func TestAPISearchPagesWithTheHubCursor(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{})
	a := startApp(t, hub, false)
	c := a.browser(t, false)

	page, code := getJSON[searchResult](t, a, c, "/api/search?q=coder&gguf=1")
	if code != http.StatusOK || len(page.Models) == 0 {
		t.Fatalf("search coder, GGUF only: %d, %+v", code, page)
	}
	for _, m := range page.Models {
		if !strings.Contains(strings.ToLower(m.ID), "coder") || !slices.Contains(m.Tags, "gguf") {
			t.Errorf("search coder, GGUF only, found %s with tags %v", m.ID, m.Tags)
		}
	}

	seen := map[string]bool{}
	cursor, pages := "", 0
	for {
		q := url.Values{"sort": {"downloads"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		p, code := getJSON[searchResult](t, a, c, "/api/search?"+q.Encode())
		if code != http.StatusOK {
			t.Fatalf("page %d: %d", pages, code)
		}
		for _, m := range p.Models {
			if seen[m.ID] {
				t.Errorf("%s is on two pages", m.ID)
			}
			seen[m.ID] = true
		}
		pages++
		if cursor = p.Next; cursor == "" || pages > 20 {
			break
		}
	}
	if pages < 2 || len(seen) <= web.SearchPageSize {
		t.Errorf("load more went through %d pages and %d models, want more than one page", pages, len(seen))
	}

	var bad struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	bad, code = getJSON[struct {
		Error struct{ Code, Message string } `json:"error"`
	}](t, a, c, "/api/search?cursor="+url.QueryEscape("http://evil.example/api/models?cursor=x"))
	if code != http.StatusBadRequest || bad.Error.Code != hfgate.EINVALID {
		t.Errorf("a foreign cursor: %d %+v, want 400 EINVALID", code, bad)
	}
}

type modelResult struct {
	ID               string       `json:"id"`
	SHA              string       `json:"sha"`
	Gating           string       `json:"gating"`
	Access           string       `json:"access"`
	RequestAccessURL string       `json:"request_access_url"`
	Files            []fileResult `json:"files"`
	FilesNote        string       `json:"files_note"`
}

type fileResult struct {
	Path         string `json:"path"`
	Size         int64  `json:"size"`
	LocalPath    string `json:"local_path"`
	Quantization string `json:"quantization"`
	Memory       *struct {
		Total int64 `json:"total"`
	} `json:"memory"`
	Fits    *string `json:"fits"` // nil: left out
	Problem string  `json:"problem"`
}

// file returns the entry of path, failing the test if there is none.
func (m *modelResult) file(t *testing.T, path string) fileResult {
	t.Helper()
	i := slices.IndexFunc(m.Files, func(f fileResult) bool { return f.Path == path })
	if i < 0 {
		t.Fatalf("no %s in %+v", path, m.Files)
	}
	return m.Files[i]
}

func (f fileResult) fits() string {
	if f.Fits == nil {
		return "(none)"
	}
	return *f.Fits
}

func TestAPIModelGatedAccessPerSession(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserBob})
	a := startApp(t, hub, false)
	const gated = "/api/models/meta-llama/Llama-3.2-1B-Instruct"

	anon := a.browser(t, false)
	m, code := getJSON[modelResult](t, a, anon, gated)
	if code != http.StatusOK || m.Gating == "" || m.Access != web.AccessSignIn || m.RequestAccessURL != hub.URL()+"/meta-llama/Llama-3.2-1B-Instruct" {
		t.Errorf("anonymous: %d %+v, want gated, sign_in, a request-access link", code, m)
	}

	bob := a.browser(t, false)
	a.signIn(t, bob, "/")
	if m, _ = getJSON[modelResult](t, a, bob, gated); m.Access != web.AccessNotGranted {
		t.Errorf("bob: access %q, want %q", m.Access, web.AccessNotGranted)
	}
	// The server now holds bob's token, but a browser without his session
	// still goes anonymous.
	if m, _ = getJSON[modelResult](t, a, anon, gated); m.Access != web.AccessSignIn {
		t.Errorf("anonymous after bob signed in: access %q, want %q", m.Access, web.AccessSignIn)
	}

	// Another account signs in only once bob has signed out.
	if resp, _ := a.post(t, bob, "/auth/logout", "", map[string]string{"Accept": "application/json"}); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("sign out: %s", resp.Status)
	}
	if err := hub.SetAutoApprove(hubsim.UserAlice); err != nil {
		t.Fatal(err)
	}
	alice := a.browser(t, false)
	a.signIn(t, alice, "/")
	if m, _ = getJSON[modelResult](t, a, alice, gated); m.Access != web.AccessGranted {
		t.Errorf("alice: access %q, want %q", m.Access, web.AccessGranted)
	}
}

// fitStream reads GET /api/fit/{repo}: the entries by path and the last line.
func fitStream(t *testing.T, a *app, c *http.Client, repo string) (map[string]fileResult, map[string]any) {
	t.Helper()
	resp, body := a.get(t, c, "/api/fit/"+repo)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("GET /api/fit/%s: %s %s", repo, resp.Status, resp.Header.Get("Content-Type"))
	}
	entries := map[string]fileResult{}
	var last map[string]any
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		var l struct {
			Entry *fileResult `json:"entry"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if l.Entry != nil {
			entries[l.Entry.Path] = *l.Entry
			continue
		}
		json.Unmarshal([]byte(line), &last)
	}
	if last == nil || last["done"] != true {
		t.Fatalf("the stream did not end with a done line:\n%s", body)
	}
	return entries, last
}

func TestAPIModelFilesFit(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{})
	a := startApp(t, hub, false)
	c := a.browser(t, false)
	m, code := getJSON[modelResult](t, a, c, "/api/models/hubsim/tiny-llama-GGUF")
	if code != http.StatusOK {
		t.Fatalf("model: %d", code)
	}
	// At once: the files, weights first, with no header read yet.
	if f := m.file(t, "tiny-llama-Q2_K.gguf"); f.Quantization != "Q2_K" || f.Memory != nil || f.fits() != "unknown" {
		t.Errorf("file = %+v, want Q2_K from its name and no estimate yet", f)
	}
	if last := m.Files[len(m.Files)-1].Path; last != "README.md" && last != ".gitattributes" {
		t.Errorf("the last file is %s, want a file that is not weights", last)
	}
	for i, f := range m.Files {
		if strings.HasSuffix(f.Path, ".gguf") && i > 0 && !strings.HasSuffix(m.Files[i-1].Path, ".gguf") {
			t.Errorf("%s comes after %s: weights come first", f.Path, m.Files[i-1].Path)
		}
	}
	// Then, as each header arrives: estimates and verdicts, and the file to take.
	entries, last := fitStream(t, a, c, "hubsim/tiny-llama-GGUF")
	if f := entries["tiny-llama-Q2_K.gguf"]; f.Quantization != "Q2_K" || f.Memory == nil || f.Memory.Total <= 0 || f.fits() != "yes" {
		t.Errorf("streamed file = %+v, want Q2_K with a memory estimate that fits 16 GiB", f)
	}
	if _, ok := entries["README.md"]; ok {
		t.Error("the stream holds README.md, which has no header")
	}
	if last["suggested"] != "tiny-llama-Q8_0.gguf" {
		t.Errorf("suggested %v, want tiny-llama-Q8_0.gguf, the best quantization that fits", last["suggested"])
	}

	// When the headers cannot be read, the stream says why.
	if err := hub.SetFaults(hubsim.FaultRule{Host: "hub", PathPrefix: "/hubsim/tiny-llama-GGUF/resolve/", Status: http.StatusForbidden}); err != nil {
		t.Fatal(err)
	}
	_, last = fitStream(t, a, c, "hubsim/tiny-llama-GGUF")
	if note, _ := last["note"].(string); !strings.HasPrefix(note, "Memory estimates are not available: ") || last["suggested"] != nil {
		t.Errorf("unreadable headers: last line %v, want a note and no suggestion", last)
	}
	hub.SetFaults()
	if _, code := getJSON[map[string]any](t, a, c, "/api/models/nobody/nothing"); code != http.StatusNotFound {
		t.Errorf("missing repo: %d, want 404", code)
	}
}

func TestAPIDownloadIntoCache(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{})
	a := startApp(t, hub, false)
	c := a.browser(t, false)
	resp, body := a.post(t, c, "/api/downloads", `{"repo":"hubsim/tiny-llama-GGUF","file":"tiny-llama-Q2_K.gguf"}`, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("start download: %s %s", resp.Status, body)
	}
	var started web.Transfer
	json.Unmarshal([]byte(body), &started)

	var got web.Transfer
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		list, _ := getJSON[struct{ Downloads []web.Transfer }](t, a, c, "/api/downloads")
		if len(list.Downloads) != 1 || list.Downloads[0].ID != started.ID {
			t.Fatalf("downloads = %+v", list)
		}
		if got = list.Downloads[0]; got.State == web.StateDone || got.State == web.StateFailed || time.Now().After(deadline) {
			break
		}
	}
	if got.State != web.StateDone || got.Done != got.Size || got.Size == 0 {
		t.Fatalf("download = %+v, want done", got)
	}
	if !strings.HasPrefix(got.LocalPath, a.cache.Dir) {
		t.Errorf("local path %s is not in the cache %s", got.LocalPath, a.cache.Dir)
	}
	data, err := os.ReadFile(got.LocalPath)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	meta, err := a.srv.Hub.FileMetadata(t.Context(), "hubsim/tiny-llama-GGUF", "main", "tiny-llama-Q2_K.gguf")
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(sum[:]) != meta.ETag {
		t.Errorf("downloaded file's SHA-256 %x is not the Hub's %s", sum, meta.ETag)
	}

	for _, body := range []string{`{"repo":"../x","file":"a"}`, `{"repo":"a/b","file":"../../etc/passwd"}`, `not json`, `{"repo":"a/b","file":"x","extra":1}`} {
		if resp, _ := a.post(t, c, "/api/downloads", body, nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("POST /api/downloads %s: %s, want 400", body, resp.Status)
		}
	}
	resp, body = a.post(t, c, "/api/downloads", `{"repo":"hubsim/tiny-llama-GGUF"}`, nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "no file named") {
		t.Errorf("POST /api/downloads without a file: %s %s", resp.Status, body)
	}
}
