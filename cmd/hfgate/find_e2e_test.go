package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/hubsim"
)

// TestFindCommandsBinary runs search, info, files, recommend and cache
// through the real binary against hubsim.
func TestFindCommandsBinary(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	decode := func(r result, v any) {
		t.Helper()
		if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
			t.Fatalf("%v in %s", err, r.stdout)
		}
	}

	var models []modelOutput
	decode(e.mustRun("", "search", "coder", "--gguf", "--limit", "2", "--json"), &models)
	if len(models) != 2 || models[0].ID != hubsim.RepoQwenCoder7BGGUF {
		t.Errorf("search: %+v", models)
	}

	// files reads only the GGUF headers: under 1% of the files' bytes.
	e.hub.ResetCounters()
	var files filesOutput
	decode(e.mustRun("", "files", hubsim.RepoQwenCoder7BGGUF, "--gguf", "--memory", "8GiB", "--json"), &files)
	var size int64
	for _, f := range files.Files {
		size += f.Size
		if f.Memory == nil || (f.Fits == fit.Fits) != (f.Quantization != "Q8_0") {
			t.Errorf("%s: %+v", f.Path, f)
		}
	}
	if len(files.Files) != 3 || e.cdnBytes() <= 0 || e.cdnBytes()*100 >= size {
		t.Errorf("%d files; fetched %d bytes of %d", len(files.Files), e.cdnBytes(), size)
	}

	if r := e.mustRun("", "recommend", "--memory", "16GiB", "--limit", "2"); !strings.Contains(r.stdout, hubsim.RepoShardedGGUF) {
		t.Errorf("recommend:\n%s", r.stdout)
	}
	if r := e.run("", "info", "not/a/repo"); r.code != exitUsage {
		t.Errorf("info not/a/repo: exit %d, want %d", r.code, exitUsage)
	}

	// A file hfgate downloaded is listed and verifies; damaged, it does not.
	e.mustRun("", "download", hubsim.RepoTiny, "tiny-llama-Q2_K.gguf")
	var ls cacheLsOutput
	decode(e.mustRun("", "cache", "ls", "--json"), &ls)
	if len(ls.Repos) != 1 || ls.Repos[0].ID != hubsim.RepoTiny || len(ls.Repos[0].Revisions) != 1 ||
		ls.Repos[0].Revisions[0].Files[0].Path != "tiny-llama-Q2_K.gguf" {
		t.Fatalf("cache ls: %+v", ls)
	}
	e.mustRun("", "cache", "verify")
	blob := ls.Repos[0].Revisions[0].Files[0].BlobPath
	if err := os.WriteFile(blob, []byte("damaged"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := e.run("", "cache", "verify", hubsim.RepoTiny); r.code != exitIntegrity || !strings.Contains(r.stdout, filepath.Base(blob)) {
		t.Errorf("verify damaged: exit %d, want %d", r.code, exitIntegrity)
	}
	e.mustRun("", "cache", "rm", hubsim.RepoTiny, "--yes")
	if _, err := os.Stat(ls.Repos[0].Path); !os.IsNotExist(err) {
		t.Errorf("after cache rm: %v", err)
	}
}
