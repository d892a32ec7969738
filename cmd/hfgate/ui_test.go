package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// testEnv is an environment with every location under a temp dir.
func testEnv(t *testing.T) func(string) string {
	dir := t.TempDir()
	env := map[string]string{
		"HOME": dir, "XDG_CONFIG_HOME": dir + "/config", "XDG_CACHE_HOME": dir + "/cache", "HF_HOME": dir + "/hf",
	}
	return func(k string) string { return env[k] }
}

func TestWebCommandsRefuseNonLoopback(t *testing.T) {
	for _, cmd := range []string{"ui", "demo"} {
		for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:8080", "example.com:80"} {
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{cmd, "--no-open", "--addr", addr}, &stdio{In: strings.NewReader(""), Out: &out, Err: &errb}, testEnv(t))
			if code != exitUsage || !strings.Contains(errb.String(), "loopback") {
				t.Errorf("hfgate %s --addr %s: exit %d, stderr %q; want %d and a loopback message", cmd, addr, code, errb.String(), exitUsage)
			}
		}
	}
}

func TestDemoServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	getenv := testEnv(t)
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--no-open", "--json"}, &stdio{In: strings.NewReader(""), Out: pw, Err: &errb}, getenv)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no line from hfgate demo: %v (stderr %q)", err, errb.String())
	}
	go io.Copy(io.Discard, pr)
	var info struct{ URL, Hub, Cache string }
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatalf("demo printed %q: %v", line, err)
	}
	if !strings.HasPrefix(info.Cache, getenv("XDG_CACHE_HOME")+"/hfgate/demo") {
		t.Errorf("demo cache %s is not the demo's own directory", info.Cache)
	}
	if !strings.Contains(info.URL, "/?token=") {
		t.Fatalf("demo printed the URL %s, want one with the launch secret", info.URL)
	}
	if s := openLaunch(t, info.URL).session(t); s["signed_in"] != false || s["can_sign_in"] != true || s["hub_url"] != info.Hub {
		t.Errorf("session = %v, want signed out, sign-in available, hub %s", s, info.Hub)
	}
	cancel() // as SIGINT does
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("hfgate demo exited %d after interrupt, want 0; stderr %q", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("hfgate demo did not stop after interrupt")
	}
	if _, err := http.Get(strings.Split(info.URL, "?")[0]); err == nil {
		t.Error("the web app still answers after stopping")
	}
}
