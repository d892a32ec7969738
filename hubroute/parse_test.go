package hubroute_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubroute"
)

const (
	model   = hfgate.RepoTypeModel
	dataset = hfgate.RepoTypeDataset
	space   = hfgate.RepoTypeSpace
	commit  = "0123456789abcdef0123456789abcdef01234567"
)

// routeTests are paths as the official clients build them, and what they
// mean.
var routeTests = []struct {
	name, path string
	want       hubroute.Route
}{
	// huggingface_hub's model_info, dataset_info, space_info; @huggingface/hub's modelInfo (revision HEAD).
	{"model info", "/api/models/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF", hubroute.Route{Action: hubroute.RepoInfo, Type: model, Repo: "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF"}},
	{"model info at a PR, encoded", "/api/models/a/b/revision/refs%2Fpr%2F1", hubroute.Route{Action: hubroute.RepoInfo, Type: model, Repo: "a/b", Revision: "refs/pr/1"}},
	{"model info at a PR, raw", "/api/models/a/b/revision/refs/pr/1", hubroute.Route{Action: hubroute.RepoInfo, Type: model, Repo: "a/b", Revision: "refs/pr/1"}},
	{"model info at HEAD", "/api/models/a/b/revision/HEAD", hubroute.Route{Action: hubroute.RepoInfo, Type: model, Repo: "a/b", Revision: "HEAD"}},
	{"dataset info", "/api/datasets/hubsim/tiny-code/revision/main", hubroute.Route{Action: hubroute.RepoInfo, Type: dataset, Repo: "hubsim/tiny-code", Revision: "main"}},
	{"space info", "/api/spaces/hubsim/demo", hubroute.Route{Action: hubroute.RepoInfo, Type: space, Repo: "hubsim/demo"}},
	{"legacy model info", "/api/models/gpt2", hubroute.Route{Action: hubroute.RepoInfo, Type: model, Repo: "gpt2"}},
	{"legacy model info at a revision", "/api/models/gpt2/revision/main", hubroute.Route{Action: hubroute.RepoInfo, Type: model, Repo: "gpt2", Revision: "main"}},

	// list_repo_tree: revision and path each quoted with safe=""; listFiles sends them raw.
	{"tree root", "/api/models/a/b/tree/main", hubroute.Route{Action: hubroute.Tree, Type: model, Repo: "a/b", Revision: "main"}},
	{"tree dir, huggingface_hub", "/api/models/a/b/tree/refs%2Fpr%2F1/sub%2Fdir", hubroute.Route{Action: hubroute.Tree, Type: model, Repo: "a/b", Revision: "refs/pr/1", Path: "sub/dir"}},
	{"tree dir, huggingface.js", "/api/models/a/b/tree/refs/pr/1/sub/dir", hubroute.Route{Action: hubroute.Tree, Type: model, Repo: "a/b", Revision: "refs/pr/1", Path: "sub/dir"}},
	{"tree of a branch with a slash, raw", "/api/models/a/b/tree/feature/x", hubroute.Route{Action: hubroute.Tree, Type: model, Repo: "a/b", Revision: "feature", Path: "x"}},
	{"tree of a branch with a slash, encoded", "/api/models/a/b/tree/feature%2Fx", hubroute.Route{Action: hubroute.Tree, Type: model, Repo: "a/b", Revision: "feature/x"}},
	{"dataset tree", "/api/datasets/a/b/tree/main/data", hubroute.Route{Action: hubroute.Tree, Type: dataset, Repo: "a/b", Revision: "main", Path: "data"}},
	{"legacy tree (llama.cpp)", "/api/models/gpt2/tree/" + commit, hubroute.Route{Action: hubroute.Tree, Type: model, Repo: "gpt2", Revision: commit}},

	{"paths-info", "/api/models/a/b/paths-info/main", hubroute.Route{Action: hubroute.PathsInfo, Type: model, Repo: "a/b", Revision: "main"}},
	{"refs (llama.cpp)", "/api/models/a/b/refs", hubroute.Route{Action: hubroute.Refs, Type: model, Repo: "a/b"}},
	{"legacy refs", "/api/models/gpt2/refs", hubroute.Route{Action: hubroute.Refs, Type: model, Repo: "gpt2"}},
	{"commits", "/api/models/a/b/commits/main", hubroute.Route{Action: hubroute.Commits, Type: model, Repo: "a/b", Revision: "main"}},
	{"dataset commits at a PR", "/api/datasets/a/b/commits/refs%2Fpr%2F2", hubroute.Route{Action: hubroute.Commits, Type: dataset, Repo: "a/b", Revision: "refs/pr/2"}},
	{"auth-check", "/api/models/a/b/auth-check", hubroute.Route{Action: hubroute.AuthCheck, Type: model, Repo: "a/b"}},
	{"auth-check write", "/api/spaces/a/b/auth-check/write", hubroute.Route{Action: hubroute.AuthCheck, Type: space, Repo: "a/b", Write: true}},
	{"legacy auth-check", "/api/models/gpt2/auth-check", hubroute.Route{Action: hubroute.AuthCheck, Type: model, Repo: "gpt2"}},
	{"xet-read-token", "/api/models/a/b/xet-read-token/" + commit, hubroute.Route{Action: hubroute.XetReadToken, Type: model, Repo: "a/b", Revision: commit}},

	// hf_hub_url: revision quoted whole, filename quoted with "/" kept.
	{"resolve", "/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF/resolve/main/qwen2.5-coder-7b-instruct-q4_k_m.gguf", hubroute.Route{Action: hubroute.Resolve, Type: model, Repo: "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF", Revision: "main", Path: "qwen2.5-coder-7b-instruct-q4_k_m.gguf"}},
	{"resolve nested", "/a/b/resolve/" + commit + "/small/file-00.bin", hubroute.Route{Action: hubroute.Resolve, Type: model, Repo: "a/b", Revision: commit, Path: "small/file-00.bin"}},
	{"resolve at a PR, encoded", "/a/b/resolve/refs%2Fpr%2F1/x.gguf", hubroute.Route{Action: hubroute.Resolve, Type: model, Repo: "a/b", Revision: "refs/pr/1", Path: "x.gguf"}},
	{"resolve at a PR, raw", "/a/b/resolve/refs/pr/1/x.gguf", hubroute.Route{Action: hubroute.Resolve, Type: model, Repo: "a/b", Revision: "refs/pr/1", Path: "x.gguf"}},
	{"resolve at a tag, raw", "/a/b/resolve/refs/tags/v1.0/x.gguf", hubroute.Route{Action: hubroute.Resolve, Type: model, Repo: "a/b", Revision: "refs/tags/v1.0", Path: "x.gguf"}},
	{"resolve a file with a space", "/a/b/resolve/main/my%20file.txt", hubroute.Route{Action: hubroute.Resolve, Type: model, Repo: "a/b", Revision: "main", Path: "my file.txt"}},
	{"legacy resolve", "/gpt2/resolve/main/config.json", hubroute.Route{Action: hubroute.Resolve, Type: model, Repo: "gpt2", Revision: "main", Path: "config.json"}},
	{"dataset resolve", "/datasets/hubsim/tiny-code/resolve/main/data/train.jsonl", hubroute.Route{Action: hubroute.Resolve, Type: dataset, Repo: "hubsim/tiny-code", Revision: "main", Path: "data/train.jsonl"}},
	{"legacy dataset resolve", "/datasets/squad/resolve/main/README.md", hubroute.Route{Action: hubroute.Resolve, Type: dataset, Repo: "squad", Revision: "main", Path: "README.md"}},
	{"space resolve", "/spaces/hubsim/demo/resolve/main/app.py", hubroute.Route{Action: hubroute.Resolve, Type: space, Repo: "hubsim/demo", Revision: "main", Path: "app.py"}},
	{"raw", "/a/b/raw/main/x.gguf", hubroute.Route{Action: hubroute.Raw, Type: model, Repo: "a/b", Revision: "main", Path: "x.gguf"}},

	{"search models", "/api/models", hubroute.Route{Action: hubroute.Search, Type: model}},
	{"search datasets", "/api/datasets", hubroute.Route{Action: hubroute.Search, Type: dataset}},
	{"search spaces", "/api/spaces", hubroute.Route{Action: hubroute.Search, Type: space}},
	{"whoami", "/api/whoami-v2", hubroute.Route{Action: hubroute.WhoAmI}},
	{"discovery", "/.well-known/openid-configuration", hubroute.Route{Action: hubroute.OAuth, Endpoint: "openid-configuration"}},
	{"token endpoint", "/oauth/token", hubroute.Route{Action: hubroute.OAuth, Endpoint: "token"}},
	{"device consent", "/oauth/device/consent", hubroute.Route{Action: hubroute.OAuth, Endpoint: "device/consent"}},

	// Ambiguous paths, read as the package documentation says.
	{"action word as a name: info", "/api/models/a/tree", hubroute.Route{Action: hubroute.RepoInfo, Type: model, Repo: "a/tree"}},
	{"action word as a name: legacy reading wins", "/api/models/a/tree/tree/main", hubroute.Route{Action: hubroute.Tree, Type: model, Repo: "a", Revision: "tree", Path: "main"}},
	{"resolve as a name", "/a/resolve/resolve/main/x", hubroute.Route{Action: hubroute.Resolve, Type: model, Repo: "a", Revision: "resolve", Path: "main/x"}},
	{"datasets as a model owner is a type", "/datasets/a/resolve/main/x", hubroute.Route{Action: hubroute.Resolve, Type: dataset, Repo: "a", Revision: "main", Path: "x"}},
}

func TestParse(t *testing.T) {
	for _, tt := range routeTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hubroute.Parse(tt.path)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.path, err)
			}
			if got != tt.want {
				t.Fatalf("Parse(%q) =\n %+v, want\n %+v", tt.path, got, tt.want)
			}
			again, err := hubroute.Parse(got.EscapedPath())
			if err != nil || again != got {
				t.Errorf("Parse(EscapedPath() = %q) = %+v, %v; want the same route", got.EscapedPath(), again, err)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tt := range []struct {
		name, path, code string
		action           hubroute.Action
	}{
		{"root", "/", hfgate.ENOTFOUND, ""},
		{"a repo's web page", "/Qwen/X", hfgate.ENOTFOUND, ""},
		{"a blob page", "/a/b/blob/main/x", hfgate.ENOTFOUND, ""},
		{"another API", "/api/users/alice/likes", hfgate.ENOTFOUND, ""},
		{"an API this grammar does not know", "/api/models/a/b/likers", hfgate.ENOTFOUND, ""},
		{"resolve without a file", "/a/b/resolve/main", hfgate.ENOTFOUND, ""},
		{"tree without a revision", "/api/models/a/b/tree", hfgate.ENOTFOUND, ""},
		{"commits without a revision", "/api/models/a/b/commits", hfgate.ENOTFOUND, ""},
		{"refs with more", "/api/models/a/b/refs/x", hfgate.ENOTFOUND, ""},
		{"a bare /api", "/api", hfgate.ENOTFOUND, ""},
		{"another well-known", "/.well-known/jwks.json", hfgate.ENOTFOUND, ""},
		{"no leading slash", "api/models", hfgate.EINVALID, ""},
		{"trailing slash", "/api/models/", hfgate.EINVALID, ""},
		{"empty segment", "/a/b/resolve/main//x", hfgate.EINVALID, ""},
		{"bad escape", "/a/b/resolve/%zz/x", hfgate.EINVALID, ""},
		{"dot-dot file", "/a/b/resolve/main/../x", hfgate.EINVALID, hubroute.Resolve},
		{"encoded dot-dot dir", "/api/models/a/b/tree/main/..%2F..%2Fetc", hfgate.EINVALID, hubroute.Tree},
		{"dot-dot revision", "/api/models/a/b/revision/..", hfgate.EINVALID, hubroute.RepoInfo},
		{"NUL in a file", "/a/b/resolve/main/x%00y", hfgate.EINVALID, hubroute.Resolve},
		{"encoded slash in the id", "/api/models/a%2Fb", hfgate.EINVALID, hubroute.RepoInfo},
		{"encoded slash in the owner", "/a%2Fb/c/resolve/main/x", hfgate.EINVALID, hubroute.Resolve},
		{"bad repo id", "/api/models/a--b/c", hfgate.EINVALID, hubroute.RepoInfo},
		{"the revision refs", "/a/b/resolve/refs/x", hfgate.EINVALID, hubroute.Resolve},
		{"dot-dot OAuth endpoint", "/oauth/../api", hfgate.EINVALID, hubroute.OAuth},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := hubroute.Parse(tt.path)
			if got := hfgate.ErrorCode(err); got != tt.code {
				t.Fatalf("Parse(%q) = %+v, %v; want code %s", tt.path, r, err, tt.code)
			}
			if r.Action != tt.action {
				t.Errorf("Parse(%q).Action = %q, want %q", tt.path, r.Action, tt.action)
			}
		})
	}
}

func TestMethods(t *testing.T) {
	for _, tt := range []struct {
		a    hubroute.Action
		want []string
	}{
		{hubroute.PathsInfo, []string{http.MethodPost}},
		{hubroute.Resolve, []string{http.MethodGet, http.MethodHead}},
		{hubroute.Tree, []string{http.MethodGet, http.MethodHead}},
		{hubroute.OAuth, nil},
	} {
		if got := tt.a.Methods(); !slices.Equal(got, tt.want) {
			t.Errorf("%s.Methods() = %v, want %v", tt.a, got, tt.want)
		}
	}
	for _, a := range []hubroute.Action{hubroute.Resolve, hubroute.Raw, hubroute.XetReadToken} {
		if !a.Downloads() {
			t.Errorf("%s.Downloads() = false", a)
		}
	}
	for _, a := range []hubroute.Action{hubroute.RepoInfo, hubroute.Tree, hubroute.PathsInfo, hubroute.Search} {
		if a.Downloads() {
			t.Errorf("%s.Downloads() = true", a)
		}
	}
}

// BenchmarkParse measures the cost of reading one path, which the gateway
// pays on every request.
func BenchmarkParse(b *testing.B) {
	paths := []string{
		"/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF/resolve/main/qwen2.5-coder-7b-instruct-q4_k_m.gguf",
		"/api/models/a/b/tree/refs%2Fpr%2F1/sub%2Fdir",
		"/api/models/gpt2/refs",
	}
	for b.Loop() {
		for _, p := range paths {
			if _, err := hubroute.Parse(p); err != nil {
				b.Fatal(err)
			}
		}
	}
}
