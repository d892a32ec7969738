package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// runDownload runs "hfgate download args..." in process against sim with a
// fresh HF_HOME and returns the exit status and both outputs.
func runDownload(t *testing.T, sim *hubsim.Server, home string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runDownloadEnv(t, sim, home, nil, args...)
}

func runDownloadEnv(t *testing.T, sim *hubsim.Server, home string, extra map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	env := map[string]string{
		"HF_ENDPOINT":     sim.URL(),
		"HF_HOME":         home,
		"XDG_CONFIG_HOME": filepath.Join(home, "config"),
		"HOME":            home,
	}
	for k, v := range extra {
		env[k] = v
	}
	var out, errOut strings.Builder
	code = run(context.Background(), append([]string{"download"}, args...),
		&stdio{In: strings.NewReader(""), Out: &out, Err: &errOut},
		func(k string) string { return env[k] })
	return code, out.String(), errOut.String()
}

func TestDownloadCommand(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	home := t.TempDir()
	fi, err := sim.Catalog().Stat(hubsim.RepoTiny, "main", "tiny-llama-Q2_K.gguf")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runDownload(t, sim, home, hubsim.RepoTiny, "tiny-llama-Q2_K.gguf")
	want := filepath.Join(home, "hub", "models--hubsim--tiny-llama-GGUF", "snapshots", fi.Commit, "tiny-llama-Q2_K.gguf")
	if code != 0 || strings.TrimSpace(out) != want {
		t.Fatalf("exit %d, stdout %q, want %s; stderr:\n%s", code, out, want, errOut)
	}
	if !strings.Contains(errOut, "tiny-llama-Q2_K.gguf: done: "+want) {
		t.Errorf("plain progress lacks the done line:\n%s", errOut)
	}

	code, out, _ = runDownload(t, sim, home, hubsim.RepoTiny, "--include", "*Q2_K*", "--json")
	if code != 0 {
		t.Fatalf("--json: exit %d", code)
	}
	var kinds []string
	var last jsonEvent
	cached := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e jsonEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("--json line %q: %v", sc.Text(), err)
		}
		kinds = append(kinds, e.Kind)
		cached = cached || (e.Kind == "done" && e.Cached)
		last = e
	}
	if strings.Join(kinds, ",") != "start,done,result" || !cached || len(last.Paths) != 1 {
		t.Fatalf("--json kinds %v, last %+v; want start,done,result (cached)", kinds, last)
	}
	if snap := filepath.Dir(want); last.Paths[0] != snap {
		t.Fatalf("whole-repo download printed %q, want the snapshot dir %s", last.Paths, snap)
	}

	offline := map[string]string{"HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:9"} // nothing listens there
	if code, out, errOut := runDownloadEnv(t, sim, home, offline, hubsim.RepoTiny, "tiny-llama-Q2_K.gguf"); code != 0 || strings.TrimSpace(out) != want {
		t.Fatalf("offline hit: exit %d, stdout %q\n%s", code, out, errOut)
	}
	if code, _, errOut := runDownloadEnv(t, sim, home, offline, hubsim.RepoTiny, "tiny-llama-Q8_0.gguf"); code != exitNotFound || !strings.Contains(errOut, "HF_HUB_OFFLINE") {
		t.Fatalf("offline miss: exit %d\n%s", code, errOut)
	}

	dir := filepath.Join(home, "models")
	code, out, errOut = runDownload(t, sim, home, hubsim.RepoTiny, "tiny-llama-Q2_K.gguf", "--local-dir", dir)
	if code != 0 || strings.TrimSpace(out) != filepath.Join(dir, "tiny-llama-Q2_K.gguf") {
		t.Fatalf("--local-dir: exit %d, stdout %q\n%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, ".cache", "huggingface", "download", "tiny-llama-Q2_K.gguf.metadata")); err != nil {
		t.Fatalf("--local-dir wrote no metadata: %v", err)
	}
}

func TestDownloadCommandErrors(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	for _, tt := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"bad repo id", []string{"a/b/c"}, exitUsage, "not a valid repo id"},
		{"no repo", nil, exitUsage, "arg"},
		{"files and patterns", []string{hubsim.RepoTiny, "x.gguf", "--include", "*"}, exitUsage, "not both"},
		{"file not in repo", []string{hubsim.RepoTiny, "nope.gguf"}, exitNotFound, "nope.gguf is not in hubsim/tiny-llama-GGUF"},
		{"no such repo", []string{"nobody/nothing"}, exitNotFound, "not found"},
		{"wrong revision", []string{hubsim.RepoTiny, "--revision", "v9"}, exitNotFound, `revision "v9"`},
		{"gated, signed out", []string{hubsim.RepoGated, "config.json"}, exitAuth, "hfgate login"},
		{"unsafe file path", []string{hubsim.RepoTiny, "../x"}, exitUsage, "refusing file path"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runDownload(t, sim, t.TempDir(), tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.says) {
				t.Fatalf("exit %d, stderr %q; want exit %d saying %q", code, errOut, tt.code, tt.says)
			}
			if strings.Contains(errOut, ": 0 B\n") {
				t.Errorf("a size of 0 B for a file whose size is unknown: %q", errOut)
			}
		})
	}
}

// An interrupted download exits 130 and says how to resume.
func TestDownloadInterruptedSaysResume(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	home := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut strings.Builder
	code := run(ctx, []string{"download", hubsim.RepoTiny, "tiny-llama-Q2_K.gguf"},
		&stdio{In: strings.NewReader(""), Out: &out, Err: &errOut},
		func(k string) string {
			return map[string]string{"HF_ENDPOINT": sim.URL(), "HF_HOME": home, "HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, "config")}[k]
		})
	if code != exitCanceled || !strings.Contains(errOut.String(), "hfgate: download interrupted: partial files are kept; run the same command again to resume") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}
