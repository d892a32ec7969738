package hubsim

import (
	"regexp"
	"strings"
	"testing"
)

func TestLoadCatalogRejectsBadSpecs(t *testing.T) {
	const models = `"models":{"m":{"arch":"llama","name":"M","context_length":64,"embedding_length":256,"block_count":1,
		"feed_forward_length":256,"head_count":2,"vocab_size":400,"norm_epsilon":1e-5,"tokenizer":"t"}},
		"tokenizers":{"t":{"model":"llama","regular":400,"bos":"<s>"}}`
	for _, tt := range []struct {
		name, repos, want string
	}{
		{"bad id", `[{"id":"a/b/c","createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x","text":"x"}]}]`, "not a valid repo id"},
		{"duplicate id", `[{"id":"a/b","createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x","text":"x"}]},{"id":"a/b","createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x","text":"x"}]}]`, "used twice"},
		{"rename onto id", `[{"id":"a/b","createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x","text":"x"}]},{"id":"a/c","renamedFrom":["a/b"],"createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x","text":"x"}]}]`, "already an id"},
		{"no files", `[{"id":"a/b","createdAt":"2025-01-01T00:00:00Z"}]`, "no commits"},
		{"bad gated", `[{"id":"a/b","gated":"yes","createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x","text":"x"}]}]`, "gated must be"},
		{"bad type", `[{"id":"a/b","type":"bucket","createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x","text":"x"}]}]`, "type must be"},
		{"unsafe level", `[{"id":"a/b","unsafe":{"x":"bad"},"createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x","text":"x"}]}]`, "must be \"caution\" or \"unsafe\""},
		{"unsafe file missing", `[{"id":"a/b","unsafe":{"y":"unsafe"},"createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x","text":"x"}]}]`, "no file \"y\""},
		{"two sources", `[{"id":"a/b","createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x","text":"x","random":{"size":1}}]}]`, "more than one content source"},
		{"unknown model", `[{"id":"a/b","createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x.gguf","gguf":{"model":"nope","quant":"Q4_K_M"}}]}]`, "no model"},
		{"unknown quant", `[{"id":"a/b","createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x.gguf","gguf":{"model":"m","quant":"Q9"}}]}]`, "unknown quantization"},
		{"bad path", `[{"id":"a/b","createdAt":"2025-01-01T00:00:00Z","files":[{"path":"../x","text":"x"}]}]`, "refusing file path"},
		{"file and dir", `[{"id":"a/b","createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x","text":"x"},{"path":"x/y","text":"y"}]}]`, "both a file and a directory"},
		{"duplicate tag", `[{"id":"a/b","commits":[{"title":"a","date":"2025-01-01T00:00:00Z","tags":["v1"],"files":[]},{"title":"b","date":"2025-01-02T00:00:00Z","tags":["v1"],"files":[]}]}]`, "defined twice"},
		{"no date", `[{"id":"a/b","commits":[{"title":"a","files":[]}]}]`, "no date"},
		{"misspelt field", `[{"id":"a/b","createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x","ggfu":{}}]}]`, "unknown field"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCatalog(strings.NewReader(`{` + models + `,"repos":` + tt.repos + `}`))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadCatalog: err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := LoadCatalog(strings.NewReader(`{` + models + `,"repos":[{"id":"a/b","createdAt":"2025-01-01T00:00:00Z","files":[{"path":"x.gguf","gguf":{"model":"m","quant":"Q8_0"}}]}]}`)); err != nil {
		t.Errorf("a valid catalog: %v", err)
	}
}

func TestBuiltinCatalogHasTheRequiredRepos(t *testing.T) {
	cat := mustBuiltin(t)
	if n := len(cat.Repos); n < 25 || n > 40 {
		t.Errorf("%d repos, want 25 to 40", n)
	}
	for _, tt := range []struct {
		repo  string
		files []string
		check func(*repoEntry) bool
	}{
		{RepoQwenCoder7BGGUF, []string{"README.md", "qwen2.5-coder-7b-instruct-q4_k_m.gguf", "qwen2.5-coder-7b-instruct-q5_k_m.gguf", "qwen2.5-coder-7b-instruct-q8_0.gguf"}, nil},
		{RepoShardedGGUF, []string{"qwen2.5-coder-14b-instruct-q4_k_m-00001-of-00003.gguf"}, nil},
		{RepoTransformers, []string{"config.json", "tokenizer.json", "model.safetensors"}, nil},
		{RepoGated, nil, func(r *repoEntry) bool {
			return r.Gated == "manual" && len(r.Granted) == 1 && r.Granted[0] == UserAlice
		}},
		{RepoPrivate, nil, func(r *repoEntry) bool { return r.Private && r.owner == OrgAcme }},
		{RepoDisabled, nil, func(r *repoEntry) bool { return r.Disabled }},
		{RepoTiny, []string{"tiny-llama-Q2_K.gguf", "tiny-llama-Q4_K_M.gguf", "tiny-llama-Q8_0.gguf"}, func(r *repoEntry) bool { return len(r.tagRefs) > 0 && len(r.prRefs) > 0 }},
		{RepoBenchmark, []string{"blob-2GiB.bin", "small/file-00.bin", "small/file-49.bin"}, nil},
		{"bartowski/deepseek-coder-6.7b-instruct-GGUF", nil, nil},
		{"TheBloke/CodeLlama-7B-Instruct-GGUF", nil, nil},
		{"second-state/StarCoder2-7B-GGUF", nil, nil},
	} {
		re, renamed := cat.idx.lookupTyped(tt.repo)
		if re == nil || renamed != "" {
			t.Errorf("no repo %s", tt.repo)
			continue
		}
		for _, p := range tt.files {
			if re.main.byPath[p] == nil {
				t.Errorf("%s: no file %s", tt.repo, p)
			}
		}
		if tt.check != nil && !tt.check(re) {
			t.Errorf("%s: not shaped as required", tt.repo)
		}
	}
	if re, cur := cat.idx.lookupTyped(RepoRenamedFrom); re == nil || cur != RepoRenamedTo {
		t.Errorf("lookup(%s) = %v, %q; want a rename to %s", RepoRenamedFrom, re, cur, RepoRenamedTo)
	}
	bench, _ := cat.idx.lookupTyped(RepoBenchmark)
	if c := mustContent(t, bench.main.byPath["blob-2GiB.bin"]); c.size() != 2<<30 {
		t.Errorf("blob-2GiB.bin is %d bytes", c.size())
	}
	small := 0
	for _, f := range bench.main.files {
		if strings.HasPrefix(f.path, "small/") {
			small++
			if c := mustContent(t, f); c.size() != 1<<20 || !f.lfs {
				t.Errorf("%s: %d bytes, lfs=%v; want 1 MiB in LFS", f.path, c.size(), f.lfs)
			}
		}
	}
	if small != 50 {
		t.Errorf("%d files under small/, want 50", small)
	}
}

func TestCommitsAndRefs(t *testing.T) {
	cat := mustBuiltin(t)
	re, _ := cat.idx.lookupTyped(RepoTiny)
	hex40 := regexp.MustCompile(`^[0-9a-f]{40}$`)
	seen := map[string]bool{}
	for _, c := range re.commits {
		if !hex40.MatchString(c.id) || seen[c.id] {
			t.Errorf("commit id %q: want a unique 40-hex sha", c.id)
		}
		seen[c.id] = true
	}
	v1 := re.resolve("v1.0")
	if v1 == nil || v1 == re.main || re.resolve("refs/tags/v1.0") != v1 {
		t.Fatalf("tag v1.0 = %v; want an older commit than main", v1)
	}
	if v1.byPath["tiny-llama-Q8_0.gguf"] != nil || re.main.byPath["tiny-llama-Q8_0.gguf"] == nil {
		t.Error("v1.0 should hold only Q4_K_M, main also Q8_0")
	}
	for _, rev := range []string{"main", "refs/heads/main", re.main.id} {
		if re.resolve(rev) != re.main {
			t.Errorf("resolve(%q) is not main", rev)
		}
	}
	pr := re.resolve("refs/pr/1")
	if pr == nil || pr == re.main || pr.parent != re.main || pr.byPath["tiny-llama-F16.gguf"] == nil {
		t.Errorf("refs/pr/1 = %v; want a commit on top of main adding F16", pr)
	}
	if re.resolve("nope") != nil || re.resolve(strings.Repeat("0", 40)) != nil {
		t.Error("unknown revisions resolve")
	}
	// Q4_K_M did not change after v1.0, so its last commit is v1.0's.
	if got := re.main.byPath["tiny-llama-Q4_K_M.gguf"].lastCommit; got != v1 {
		t.Errorf("lastCommit of the unchanged Q4_K_M = %v, want the v1.0 commit", got.title)
	}
	if got := re.main.byPath["tiny-llama-Q8_0.gguf"].lastCommit; got != re.main {
		t.Errorf("lastCommit of Q8_0 = %v, want main", got.title)
	}
	// Ids are deterministic: a second load gives the same.
	again, err := parseCatalog(builtinCatalogJSON, nil)
	if err != nil {
		t.Fatal(err)
	}
	if re2, _ := again.idx.lookupTyped(RepoTiny); re2.main.id != re.main.id {
		t.Errorf("main is %s in one load, %s in another", re.main.id, re2.main.id)
	}
}
