package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startHubsimCmd runs "hfgate hubsim args..." through run and returns the
// addresses it printed and a function that interrupts it and returns its
// exit status.
func startHubsimCmd(t *testing.T, args ...string) (hub, cdn string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errOut strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"hubsim"}, args...), &stdio{In: strings.NewReader(""), Out: pw, Err: &errOut},
			func(string) string { return "" })
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("hfgate hubsim printed nothing (exit %d): %s", <-done, errOut.String())
	}
	go io.Copy(io.Discard, pr)
	var out struct{ Hub, CDN string }
	if err := json.Unmarshal([]byte(line), &out); err != nil || out.Hub == "" || out.CDN == "" {
		t.Fatalf("--json line %q: %v", line, err)
	}
	stopped := false
	stop = func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(10 * time.Second):
			t.Fatal("hfgate hubsim did not stop after its context was canceled")
			return -1
		}
	}
	t.Cleanup(func() { stop() })
	return out.Hub, out.CDN, stop
}

func TestHubsimCommandServes(t *testing.T) {
	hub, cdn, stop := startHubsimCmd(t, "--addr", "127.0.0.1:0", "--json", "--auto-approve", "alice")
	if !strings.HasPrefix(hub, "http://127.0.0.1:") || !strings.HasPrefix(cdn, "http://127.0.0.1:") || hub == cdn {
		t.Fatalf("hub %q cdn %q", hub, cdn)
	}
	resp, err := http.Post(hub+"/_hubsim/tokens", "application/json", strings.NewReader(`{"user":"alice"}`))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	req, _ := http.NewRequest("GET", hub+"/api/whoami-v2", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var who struct{ Name string }
	json.NewDecoder(resp.Body).Decode(&who)
	resp.Body.Close()
	if who.Name != "alice" {
		t.Fatalf("whoami through hfgate hubsim = %q", who.Name)
	}
	resp, err = http.Get(hub + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var md struct{ Issuer string }
	json.NewDecoder(resp.Body).Decode(&md)
	resp.Body.Close()
	if md.Issuer != hub {
		t.Fatalf("issuer %q, want %q", md.Issuer, hub)
	}
	if code := stop(); code != exitOK {
		t.Fatalf("exit status after interrupt = %d, want 0", code)
	}
	if _, err := http.Get(hub + "/api/models"); err == nil {
		t.Fatal("hubsim still serving after stop")
	}
}

func TestHubsimCommandRefuses(t *testing.T) {
	for _, args := range [][]string{
		{"--addr", "0.0.0.0:0"},
		{"--addr", ":0"},
		{"--cdn-addr", "192.0.2.1:0"},
		{"--addr", "127.0.0.1:0", "--auto-approve", "mallory"},
		{"--addr", "127.0.0.1:0", "--catalog", "/nonexistent/catalog.json"},
		{"extra-arg"},
	} {
		var out, errOut strings.Builder
		code := run(context.Background(), append([]string{"hubsim"}, args...),
			&stdio{In: strings.NewReader(""), Out: &out, Err: &errOut}, func(string) string { return "" })
		if code != exitUsage || !strings.HasPrefix(errOut.String(), "hfgate: ") {
			t.Errorf("hubsim %v: exit %d, stderr %q; want %d with a message", args, code, errOut.String(), exitUsage)
		}
	}
}

func TestHubsimCommandHowTo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"hubsim", "--addr", "127.0.0.1:0"}, &stdio{Out: pw, Err: io.Discard}, func(string) string { return "" })
		pw.Close()
	}()
	var text strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() && !strings.Contains(sc.Text(), "OAuth sign-ins") {
		text.WriteString(sc.Text() + "\n")
	}
	cancel()
	go io.Copy(io.Discard, pr)
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"export HF_ENDPOINT=http://127.0.0.1:", "/_hubsim/tokens"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("how-to lacks %q:\n%s", want, text.String())
		}
	}
}

// A broken catalog file is described in words, not the decoder's.
func TestHubsimCatalogErrors(t *testing.T) {
	for content, want := range map[string]string{
		`{"repos": [`:                        "the JSON ends too early",
		`{"repos": [{"id": "a/b", "x": 1}]}`: `unknown field "x"`,
	} {
		path := filepath.Join(t.TempDir(), "catalog.json")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		var errOut strings.Builder
		code := run(context.Background(), []string{"hubsim", "--addr", "127.0.0.1:0", "--catalog", path},
			&stdio{In: strings.NewReader(""), Out: io.Discard, Err: &errOut}, func(string) string { return "" })
		msg := errOut.String()
		if code != exitUsage || !strings.Contains(msg, "catalog file "+path+" is not valid: "+want) || strings.Contains(msg, "EOF") || strings.Contains(msg, "json:") {
			t.Errorf("%s: exit %d, %q", content, code, msg)
		}
	}
}
