package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/hubsim"
)

// cacheFile puts one hubsim file into the test's cache as a download at rev
// would, and returns what hubsim says about it.
func (h *hubEnv) cacheFile(repo, rev, file string) hubsim.FileInfo {
	h.t.Helper()
	fi, err := h.hub.Catalog().Stat(repo, rev, file)
	if err != nil {
		h.t.Fatal(err)
	}
	src, _, err := h.hub.Catalog().Open(repo, rev, file)
	if err != nil {
		h.t.Fatal(err)
	}
	c, _ := (&app{getenv: func(k string) string { return h.env[k] }}).cache()
	r, err := c.Repo(hfgate.RepoTypeModel, hfgate.RepoID(repo))
	if err != nil {
		h.t.Fatal(err)
	}
	tmp, err := r.IncompletePath(fi.ETag)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(tmp), 0o755); err != nil {
		h.t.Fatal(err)
	}
	f, err := os.Create(tmp)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := io.Copy(f, src); err != nil {
		h.t.Fatal(err)
	}
	f.Close()
	if err := r.Publish(fi.Commit, file, fi.ETag, tmp); err != nil {
		h.t.Fatal(err)
	}
	if rev == "" {
		rev = "main"
	}
	if !hfgate.IsCommitHash(rev) {
		if err := r.WriteRef(rev, fi.Commit); err != nil {
			h.t.Fatal(err)
		}
	}
	return fi
}

func TestCacheCommands(t *testing.T) {
	h := newHubEnv(t)
	if r := h.hfgate("cache", "ls"); r.code != 0 || !strings.Contains(r.out, "is empty") {
		t.Errorf("empty cache: exit %d: %s", r.code, r.out)
	}
	q4 := h.cacheFile(hubsim.RepoTiny, "main", "tiny-llama-Q4_K_M.gguf")
	q8 := h.cacheFile(hubsim.RepoTiny, "main", "tiny-llama-Q8_0.gguf")
	old := h.cacheFile(hubsim.RepoTiny, hubsim.TagTinyV1, "README.md")
	h.cacheFile(hubsim.RepoTransformers, "main", "config.json")

	r := h.hfgate("cache", "ls")
	row := tableRow(t, r.out, hubsim.RepoTiny)
	if r.code != 0 || row[2] != "3" || row[3] != "2" || !strings.Contains(row[len(row)-1], "main") || !strings.Contains(row[len(row)-1], "v1.0") {
		t.Errorf("cache ls row %q", row)
	}
	var ls cacheLsOutput
	h.mustJSON(&ls, "cache", "ls", "--json")
	if len(ls.Repos) != 2 || ls.Dir != filepath.Join(h.env["HF_HOME"], "hub") {
		t.Fatalf("cache ls --json: %+v", ls)
	}
	tiny := ls.Repos[1]
	if tiny.ID != hubsim.RepoTiny || tiny.Size != q4.Size+q8.Size+old.Size || len(tiny.Revisions) != 2 {
		t.Errorf("tiny repo: %+v", tiny)
	}

	r = h.hfgate("cache", "ls", hubsim.RepoTiny)
	if row := tableRow(t, r.out, q4.Commit); r.code != 0 || len(row) != 4 || row[1] != "main" {
		t.Errorf("cache ls REPO: %q", row)
	}

	if r := h.hfgate("cache", "verify"); r.code != 0 || !strings.Contains(r.out, "2 repo(s) verified") {
		t.Errorf("verify: exit %d, %s", r.code, r.out)
	}

	// Without --yes nothing goes; with it the old revision and its blob go.
	r = h.hfgate("cache", "rm", hubsim.RepoTiny, "--revision", hubsim.TagTinyV1)
	if r.code != 0 || !strings.Contains(r.out, "nothing removed") || !strings.Contains(r.out, "freeing "+humanBytes(old.Size)) {
		t.Errorf("rm without --yes: exit %d: %s", r.code, r.out)
	}
	var rm cacheRmOutput
	h.mustJSON(&rm, "cache", "rm", hubsim.RepoTiny, "--revision", hubsim.TagTinyV1, "--yes", "--json")
	if !rm.Removed || rm.Freed != old.Size || len(rm.Commits) != 1 || rm.Commits[0] != old.Commit {
		t.Errorf("rm --revision: %+v", rm)
	}
	h.mustJSON(&ls, "cache", "ls", hubsim.RepoTiny, "--json")
	if len(ls.Repos[0].Revisions) != 1 {
		t.Errorf("after rm: %+v", ls.Repos[0].Revisions)
	}

	// A damaged blob fails verification with exit 7.
	blob := filepath.Join(ls.Repos[0].Path, "blobs", q8.ETag)
	if err := os.WriteFile(blob, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	var v cacheVerifyOutput
	r = h.hfgate("cache", "verify", hubsim.RepoTiny, "--json")
	if r.code != exitIntegrity {
		t.Errorf("verify damaged: exit %d, want %d", r.code, exitIntegrity)
	}
	if err := json.Unmarshal([]byte(r.out), &v); err != nil || len(v.Problems) != 1 || v.Problems[0].Kind != hfcache.ProblemMismatch || v.Problems[0].Path != blob {
		t.Errorf("verify damaged: %v %+v", err, v)
	}

	r = h.hfgate("cache", "rm", hubsim.RepoTiny, "--yes")
	if r.code != 0 || !strings.Contains(r.out, "removed; freed") {
		t.Errorf("rm repo: exit %d: %s", r.code, r.out)
	}
	for _, tt := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"cache", "rm", hubsim.RepoTiny, "--yes"}, exitNotFound, `"hfgate cache ls"`},
		{[]string{"cache", "ls", hubsim.RepoTiny}, exitNotFound, `"hfgate cache ls"`},
		{[]string{"cache", "verify", "x/../y"}, exitUsage, "not a valid repo id"},
		{[]string{"cache", "rm", hubsim.RepoTransformers, "--revision", "nope", "--yes"}, exitNotFound, `"hfgate cache ls ` + hubsim.RepoTransformers + `"`},
	} {
		if r := h.hfgate(tt.args...); r.code != tt.code || !strings.Contains(r.err, tt.says) {
			t.Errorf("%q: exit %d, %q; want %d saying %s", tt.args, r.code, r.err, tt.code, tt.says)
		}
	}
}

// A cache that cannot be opened is an error that names it, never a crash.
func TestCacheCommandsUnopenableCache(t *testing.T) {
	h := newHubEnv(t)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	h.env["HF_HUB_CACHE"] = filepath.Join(file, "hub")
	for _, args := range [][]string{{"cache", "ls"}, {"cache", "ls", hubsim.RepoTiny}, {"cache", "verify"}, {"cache", "rm", hubsim.RepoTiny}} {
		r := h.hfgate(args...)
		if r.code != exitError || !strings.Contains(r.err, "cannot open the folder "+h.env["HF_HUB_CACHE"]) {
			t.Errorf("%q: exit %d: %s", args, r.code, r.err)
		}
	}
}
