package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
)

// A hostile or broken server cannot crash or hang hfgate: each case ends
// with a clear error (or, for a malformed entry, a listing without it) in
// bounded time (run's one-minute limit) and bounded memory, and nothing a
// server sent reaches the terminal as a control character.
func TestE2EHostileServer(t *testing.T) {
	const file = "tiny-llama-Q2_K.gguf"
	tinyResolve := "/" + hubsim.RepoTiny + "/resolve/"
	stalls := map[string]string{"HF_HUB_DOWNLOAD_TIMEOUT": "0.5", "HF_HUB_ETAG_TIMEOUT": "0.5"}
	for _, tt := range []struct {
		name  string
		rules func(e *e2e) []hubsim.FaultRule
		env   map[string]string
		args  []string
		code  int
		want  []string // in stderr
	}{
		{"absurd size", func(*e2e) []hubsim.FaultRule {
			return []hubsim.FaultRule{{Host: hubsim.HostHub, PathPrefix: tinyResolve, Headers: map[string]string{"X-Linked-Size": "9000000000000000000"}}}
		}, nil, []string{"download", hubsim.RepoTiny, file}, exitUnavailable, []string{"implausible size", "9000000000000000000"}},

		{"huge JSON", func(*e2e) []hubsim.FaultRule {
			// 120 MB of {} in cardData: 40 million maps if decoded.
			return []hubsim.FaultRule{{Host: hubsim.HostHub, PathPrefix: "/api/models/" + hubsim.RepoTiny, Body: &hubsim.FaultBody{
				Head: `{"id":"hubsim/tiny-llama-GGUF","cardData":{"x":[`, Repeat: "{},", Count: 40_000_000, Tail: "{}]}}"}}}
		}, nil, []string{"info", hubsim.RepoTiny}, exitUnavailable, []string{"too large to read safely"}},

		{"stalled download", func(*e2e) []hubsim.FaultRule {
			return []hubsim.FaultRule{{Host: hubsim.HostCDN, Stall: true}}
		}, stalls, []string{"download", hubsim.RepoTiny, file}, exitUnavailable, []string{"stopped sending", "run the same command again"}},

		{"trickling download", func(*e2e) []hubsim.FaultRule {
			return []hubsim.FaultRule{{Host: hubsim.HostCDN, BandwidthPerConn: 20}}
		}, stalls, []string{"download", hubsim.RepoTiny, file}, exitUnavailable, []string{"stopped sending"}},

		{"stalled answer", func(*e2e) []hubsim.FaultRule {
			return []hubsim.FaultRule{{Host: hubsim.HostHub, PathPrefix: "/api/models", Stall: true, StallAfterBytes: 10}}
		}, stalls, []string{"search", "coder"}, exitUnavailable, []string{"stopped sending its answer"}},

		{"trickling answer", func(*e2e) []hubsim.FaultRule {
			return []hubsim.FaultRule{{Host: hubsim.HostHub, PathPrefix: "/api/models", BandwidthPerConn: 20}}
		}, stalls, []string{"info", hubsim.RepoTiny}, exitUnavailable, []string{"stopped sending its answer"}},

		{"cursor loop", func(*e2e) []hubsim.FaultRule {
			link := func(p int) hubsim.FaultRule {
				return hubsim.FaultRule{Host: hubsim.HostHub, PathPrefix: "/api/models", Times: 1,
					Headers: map[string]string{"Link": fmt.Sprintf(`</api/models?page=%d>; rel="next"`, p)}}
			}
			return []hubsim.FaultRule{link(2), link(3), link(2)}
		}, nil, []string{"search", "--limit", "0"}, exitUnavailable, []string{"pagination loops"}},

		{"escape sequences in search results", func(*e2e) []hubsim.FaultRule {
			return []hubsim.FaultRule{{Host: hubsim.HostHub, PathPrefix: "/api/models", Times: 1, Body: &hubsim.FaultBody{
				Head: `[{"id":"ok/first","downloads":5},{"id":"evil\u001b[2J\u001b]52;c;aGk=\u0007/x","downloads":4},{"id":"ok/second","downloads":3}]`}}}
		}, nil, []string{"search", "x"}, 0, []string{"left out a malformed entry", "not a valid repo id"}},

		{"escape sequences in file names", func(e *e2e) []hubsim.FaultRule {
			fi := e.stat(hubsim.RepoTiny, "README.md")
			return []hubsim.FaultRule{{Host: hubsim.HostHub, PathPrefix: "/api/models/" + hubsim.RepoTiny, Times: 1, Body: &hubsim.FaultBody{
				Head: fmt.Sprintf(`{"id":%q,"sha":%q,"siblings":[{"rfilename":"README.md","blobId":%q,"size":%d},
					{"rfilename":"evil\u001b]0;pwned\u0007.gguf","blobId":"aaaa","size":1}]}`, hubsim.RepoTiny, fi.Commit, fi.BlobID, fi.Size)}}}
		}, nil, []string{"download", hubsim.RepoTiny}, 0, []string{"left out a malformed entry", "not a safe file path", "README.md: done"}},

		{"escape sequences in a header", func(*e2e) []hubsim.FaultRule {
			return []hubsim.FaultRule{{Host: hubsim.HostHub, PathPrefix: tinyResolve, Status: http.StatusBadRequest,
				Headers: map[string]string{"X-Error-Message": "no\x1b]52;c;aGk=\x07 way"}}}
		}, nil, []string{"download", hubsim.RepoTiny, file}, exitUnavailable, []string{"not valid HTTP"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, hubsim.Options{})
			if err := e.hub.SetFaults(tt.rules(e)...); err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.env {
				e.setenv(k, v)
			}
			r := e.runMeasured("", tt.args...)
			t.Logf("peak RSS %.1f MiB", float64(r.maxRSS)/(1<<20))
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d:\n%s", r.code, tt.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, r.stderr)
				}
			}
			if strings.Contains(r.stderr, "check your network") {
				t.Errorf("the server answered, but the error blames the network:\n%s", r.stderr)
			}
			if out := r.stdout + r.stderr; strings.ContainsAny(out, "\x1b\x07\x9b") {
				t.Errorf("a control character from the server reached the terminal: %q", out)
			}
			// The 120 MB answer once took 4 GB; every case stays small.
			if limit := int64(200 << 20); r.maxRSS > limit {
				t.Errorf("peak RSS %d MiB, want at most %d MiB", r.maxRSS>>20, limit>>20)
			}
		})
	}
}

// login --with-token prints the user name the server sent, made safe.
func TestE2ELoginWithTokenHostileName(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	e.setenv("HUGGINGFACE_CLIENT_ID", "")
	tok, err := e.hub.MintToken(hubsim.UserBob, "read")
	if err != nil {
		t.Fatal(err)
	}
	e.addSecret(tok)
	e.hub.SetFaults(hubsim.FaultRule{Host: hubsim.HostHub, PathPrefix: "/api/whoami-v2", Body: &hubsim.FaultBody{
		Head: `{"type":"user","name":"bob\u001b]52;c;aGk=\u0007\u001b[2J","auth":{"type":"access_token"}}`}})
	r := e.mustRun(tok+"\n", "login", "--with-token")
	if strings.ContainsAny(r.stdout+r.stderr, "\x1b\x07") || !strings.HasPrefix(r.stdout, "Signed in as bob?]52;c;aGk=??[2J to ") {
		t.Fatalf("stdout %q", r.stdout)
	}
}

// The browser hfgate opens gets no secret from hfgate's environment.
func TestE2EBrowserGetsNoSecrets(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fake browser is an xdg-open script")
	}
	e := newE2E(t, hubsim.Options{})
	bin := t.TempDir()
	dump := filepath.Join(bin, "env")
	script := "#!/bin/sh\nenv > " + dump + ".tmp && mv " + dump + ".tmp " + dump + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	e.setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	secrets := map[string]string{
		"HF_TOKEN":                  "hf_EnvTokenNeverForTheBrowser1234",
		"HUGGINGFACE_CLIENT_SECRET": "client-secret-never-for-the-browser",
		"HUGGING_FACE_HUB_TOKEN":    "hf_LegacyTokenNeverForTheBrowser99",
		"AWS_SECRET_ACCESS_KEY":     "aws-secret-never-for-the-browser",
	}
	for k, v := range secrets {
		e.setenv(k, v)
		e.addSecret(v)
	}
	p := e.start("ui")
	env := waitForFile(t, dump, "ui did not run xdg-open")
	p.cmd.Process.Kill()
	e.wait(p)
	for k, v := range secrets {
		if strings.Contains(string(env), v) || strings.Contains(string(env), k+"=") {
			t.Errorf("the browser got %s", k)
		}
	}
	if !strings.Contains(string(env), "HOME=") {
		t.Errorf("the browser got no ordinary environment either:\n%s", env)
	}
}
