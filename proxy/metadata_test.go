package proxy_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
)

// TestMetadata: every metadata route answers through the gateway as hubsim
// answers it directly, for models, datasets and Spaces, with the caller's
// own HF token upstream.
func TestMetadata(t *testing.T) {
	e := newEnv(t)
	const tiny, xet = hubsim.RepoTiny, hubsim.RepoXet
	tests := []struct {
		name, path, as string
		status         int
		xetStripped    bool // the gateway's answer differs from hubsim's by Xet only
	}{
		{"model info", "/api/models/" + tiny, "bob", 200, false},
		{"model info at a tag", "/api/models/" + tiny + "/revision/" + hubsim.TagTinyV1, "bob", 200, false},
		{"model info at a PR", "/api/models/" + tiny + "/revision/refs%2Fpr%2F1", "alice", 200, false},
		{"model info with blobs", "/api/models/" + tiny + "?blobs=True", "", 200, false},
		{"model info expanded", "/api/models/" + tiny + "?expand=sha&expand=gated&expand=downloadsAllTime", "bob", 200, false},
		{"model info with securityStatus", "/api/models/" + xet + "?securityStatus=true", "bob", 200, false},
		{"xetEnabled is false", "/api/models/" + xet + "?expand=xetEnabled", "bob", 200, true},
		{"dataset info", "/api/datasets/" + hubsim.DatasetTiny, "bob", 200, false},
		{"space info", "/api/spaces/" + hubsim.SpaceDemo + "/revision/main", "bob", 200, false},
		{"tree", "/api/models/" + tiny + "/tree/main?recursive=true&expand=true", "bob", 200, false},
		{"tree of a Xet repo", "/api/models/" + xet + "/tree/main?recursive=1", "bob", 200, true},
		{"tree of a directory", "/api/models/" + xet + "/tree/main/original", "bob", 200, true},
		{"dataset tree", "/api/datasets/" + hubsim.DatasetTiny + "/tree/main/data", "bob", 200, false},
		{"refs", "/api/models/" + tiny + "/refs?include_prs=1", "bob", 200, false},
		{"commits", "/api/models/" + tiny + "/commits/main", "bob", 200, false},
		{"auth-check", "/api/models/" + tiny + "/auth-check", "bob", 200, false},
		{"gated repo info, anonymous", "/api/models/" + hubsim.RepoGated, "", 200, false},
		{"private repo of acme, alice", "/api/models/" + hubsim.RepoPrivate, "alice", 200, false},
		{"private repo of acme, bob", "/api/models/" + hubsim.RepoPrivate, "bob", 404, false},
		{"private repo, anonymous", "/api/models/" + hubsim.RepoPrivate, "", 401, false},
		{"gated auth-check, bob", "/api/models/" + hubsim.RepoGated + "/auth-check", "bob", 403, false},
		{"missing repo", "/api/models/nobody/nothing", "bob", 404, false},
		{"missing revision", "/api/models/" + tiny + "/revision/nope", "bob", 404, false},
		{"missing tree path", "/api/models/" + tiny + "/tree/main/nope", "bob", 404, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, got := e.get(tt.path, tt.as, nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("GET %s as %q = %d %s, want %d", tt.path, tt.as, resp.StatusCode, got, tt.status)
			}
			direct, want := directGet(t, e, tt.path, tt.as)
			if direct.StatusCode != tt.status {
				t.Fatalf("hubsim answered %d directly", direct.StatusCode)
			}
			// The Hub's own addresses in answers (avatars, the page where
			// access is asked) stay the Hub's: here, the recorder's.
			got = []byte(strings.ReplaceAll(string(got), e.front.url, e.hub.URL()))
			for _, h := range []string{"Content-Type", "X-Error-Code", "X-Error-Message", "X-Repo-Commit"} {
				if g, w := strings.ReplaceAll(resp.Header.Get(h), e.front.url, e.hub.URL()), direct.Header.Get(h); g != w {
					t.Errorf("%s = %q, hubsim says %q", h, g, w)
				}
			}
			if tt.xetStripped {
				if strings.Contains(string(got), `"xetHash"`) || strings.Contains(string(got), `"xetEnabled":true`) {
					t.Errorf("the answer still offers Xet: %.300s", got)
				}
				want = withoutXet(t, want)
			}
			if !jsonEqual(t, got, want) {
				t.Errorf("GET %s:\n got %.400s\nwant %.400s", tt.path, got, want)
			}
		})
	}
}

// directGet asks hubsim itself, with the token the gateway would use.
func directGet(t *testing.T, e *env, path, as string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, e.hub.URL()+path, nil)
	if as != "" {
		req.Header.Set("Authorization", "Bearer "+e.users[as].up)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := copyAll(&b, resp); err != nil {
		t.Fatal(err)
	}
	return resp, []byte(b.String())
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("invalid JSON %.200s: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("invalid JSON %.200s: %v", b, err)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return string(ja) == string(jb)
}

// withoutXet is hubsim's JSON as the gateway must give it: no xetHash,
// xetEnabled false.
func withoutXet(t *testing.T, b []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			delete(v, "xetHash")
			if _, ok := v["xetEnabled"]; ok {
				v["xetEnabled"] = false
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	out, _ := json.Marshal(v)
	return out
}

// TestRenamedRepo: a renamed repo answers 307 with a relative Location,
// which clients follow on the gateway.
func TestRenamedRepo(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct{ path, want string }{
		{"/api/models/" + hubsim.RepoRenamedFrom, "/api/models/" + hubsim.RepoRenamedTo},
		{"/api/models/" + hubsim.RepoRenamedFrom + "/tree/main", "/api/models/" + hubsim.RepoRenamedTo + "/tree/main"},
		{"/" + hubsim.RepoRenamedFrom + "/resolve/main/config.json", "/" + hubsim.RepoRenamedTo + "/resolve/main/config.json"},
	} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			resp := e.do(method, tt.path, "alice", nil, nil)
			resp.Body.Close()
			if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != tt.want {
				t.Errorf("%s %s = %d, Location %q; want 307 to %q", method, tt.path, resp.StatusCode, resp.Header.Get("Location"), tt.want)
			}
		}
		if resp, _ := e.get(tt.want, "alice", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s (the new name) = %d", tt.want, resp.StatusCode)
		}
	}
}

// TestErrorHeaders: the Hub's error codes and messages reach the client,
// EntryNotFound with its X-Repo-Commit, HEAD or GET.
func TestErrorHeaders(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, method, path, as string
		status                 int
		code                   string
		commit                 bool
	}{
		{"missing file", "HEAD", "/" + hubsim.RepoTiny + "/resolve/main/nope.gguf", "bob", 404, "EntryNotFound", true},
		{"missing file, GET", "GET", "/" + hubsim.RepoTiny + "/resolve/main/nope.gguf", "bob", 404, "EntryNotFound", true},
		{"missing revision", "HEAD", "/" + hubsim.RepoTiny + "/resolve/nope/README.md", "bob", 404, "RevisionNotFound", false},
		{"missing repo", "GET", "/api/models/nobody/nothing", "bob", 404, "RepoNotFound", false},
		{"gated, not granted", "HEAD", "/" + hubsim.RepoGated + "/resolve/main/config.json", "bob", 403, "GatedRepo", false},
		{"gated, anonymous", "GET", "/" + hubsim.RepoGated + "/resolve/main/config.json", "", 401, "GatedRepo", false},
	}
	pol := newEnv(t, withPolicy(everyoneEverything()))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := e
			if tt.as == "bob" && strings.HasPrefix(tt.path, "/"+hubsim.RepoGated) || tt.as == "" {
				env = pol // the demo policy would refuse before the Hub does
			}
			resp := env.do(tt.method, tt.path, tt.as, nil, nil)
			resp.Body.Close()
			if resp.StatusCode != tt.status || resp.Header.Get("X-Error-Code") != tt.code {
				t.Fatalf("%s %s = %d %q, want %d %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("X-Error-Code"), tt.status, tt.code)
			}
			if resp.Header.Get("X-Error-Message") == "" {
				t.Error("no X-Error-Message")
			}
			if got := resp.Header.Get("X-Repo-Commit"); (got != "") != tt.commit {
				t.Errorf("X-Repo-Commit = %q, want one: %v", got, tt.commit)
			}
		})
	}
}

// TestTreePagination: a paginated tree is followed to its end through the
// gateway, every Link pointing at the gateway.
func TestTreePagination(t *testing.T) {
	e := newEnv(t)
	var paths []string
	for _, page := range e.pages("/api/models/"+hubsim.RepoBenchmark+"/tree/main?recursive=true&limit=7", "bob") {
		var entries []struct{ Path string }
		if err := json.Unmarshal(page, &entries); err != nil {
			t.Fatal(err)
		}
		for _, en := range entries {
			paths = append(paths, en.Path)
		}
	}
	_, all := directGet(t, e, "/api/models/"+hubsim.RepoBenchmark+"/tree/main?recursive=true", "bob")
	var want []struct{ Path string }
	json.Unmarshal(all, &want)
	if len(paths) != len(want) || len(paths) < 50 {
		t.Fatalf("%d entries through the gateway's pages, hubsim has %d", len(paths), len(want))
	}
	for i := range want {
		if paths[i] != want[i].Path {
			t.Fatalf("entry %d = %q, want %q", i, paths[i], want[i].Path)
		}
	}
}

// TestPathsInfo: paths-info in both bodies clients send, without xetHash;
// a body larger than the bound is refused before it reaches the Hub.
func TestPathsInfo(t *testing.T) {
	e := newEnv(t)
	path := "/api/models/" + hubsim.RepoXet + "/paths-info/main"
	files := []string{"xet-llama-Q4_K_M.gguf", "README.md", "original"}
	form := url.Values{"paths": files, "expand": {"True"}}
	js, _ := json.Marshal(map[string]any{"paths": files, "expand": true})
	for _, body := range []struct{ ctype, data string }{
		{"application/x-www-form-urlencoded", form.Encode()},
		{"application/json", string(js)},
	} {
		resp := e.do(http.MethodPost, path, "bob", http.Header{"Content-Type": {body.ctype}}, strings.NewReader(body.data))
		var entries []map[string]any
		err := json.NewDecoder(resp.Body).Decode(&entries)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("paths-info with %s = %d, %v", body.ctype, resp.StatusCode, err)
		}
		var got []string
		for _, en := range entries {
			got = append(got, en["path"].(string))
			if _, ok := en["xetHash"]; ok {
				t.Errorf("entry %v has a xetHash", en["path"])
			}
			if en["type"] == "file" && en["lastCommit"] == nil {
				t.Errorf("entry %v lost expand's lastCommit", en["path"])
			}
		}
		slices.Sort(got)
		if want := slices.Sorted(slices.Values(files)); !slices.Equal(got, want) {
			t.Errorf("paths-info with %s = %v, want %v", body.ctype, got, want)
		}
	}

	before := e.hub.Counters().Route(hubsim.RoutePathsInfo).Requests
	big := strings.Repeat("paths=a&", 200_000)
	resp := e.do(http.MethodPost, path, "bob", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, strings.NewReader(big))
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a %d-byte paths-info = %d, want 413", len(big), resp.StatusCode)
	}
	if after := e.hub.Counters().Route(hubsim.RoutePathsInfo).Requests; after != before {
		t.Errorf("the oversized body reached the Hub")
	}
}

// TestMethodsAndRoutes: what is not a Hub read route is not proxied.
func TestMethodsAndRoutes(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		method, path string
		status       int
	}{
		{"POST", "/api/models/" + hubsim.RepoTiny, 405},
		{"DELETE", "/" + hubsim.RepoTiny + "/resolve/main/README.md", 405},
		{"GET", "/api/models/" + hubsim.RepoTiny + "/paths-info/main", 405},
		{"GET", "/api/whoami-v2", 404},
		{"GET", "/oauth/userinfo", 404},
		{"GET", "/api/users/alice", 404},
		{"GET", "/api/models/a/..%2F..%2Fetc/tree/main", 404},
	}
	for _, tt := range tests {
		resp := e.do(tt.method, tt.path, "bob", nil, nil)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
		}
	}
	if n := e.hub.Counters().Hosts[hubsim.HostHub].Requests; n != 0 {
		t.Errorf("%d of these requests reached the Hub", n)
	}
}
