package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestE2EDemoGateway: hfgate demo --gateway --json prints the gateway, hub
// and database on one line; the gateway answers, signs in through the
// simulated Hub, and its state is gone when it stops.
func TestE2EDemoGateway(t *testing.T) {
	home := t.TempDir()
	cmd := exec.Command(hfgateBin(t), "demo", "--gateway", "--no-open", "--json")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + home + "/config", "XDG_DATA_HOME=" + home + "/data", "TMPDIR=" + home}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- sc.Text()
		}
		for sc.Scan() {
		}
	}()
	var urls struct{ Gateway, Hub, Database string }
	select {
	case l := <-line:
		if err := json.Unmarshal([]byte(l), &urls); err != nil || urls.Gateway == "" || urls.Hub == "" || !strings.HasPrefix(urls.Database, "sqlite:") {
			t.Fatalf("demo --gateway --json printed %q", l)
		}
	case <-time.After(time.Minute):
		t.Fatal("demo --gateway printed nothing within a minute")
	}
	for _, u := range []string{urls.Gateway + "/readyz", urls.Hub + "/api/models?limit=1", urls.Gateway + "/.well-known/openid-configuration"} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", u, resp.StatusCode)
		}
	}
	// The sign-in button leads to the simulated Hub.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(urls.Gateway + "/auth/oauth/authorize/huggingface")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, urls.Hub+"/oauth/authorize?") {
		t.Errorf("sign-in: %d to %q", resp.StatusCode, loc)
	}
	dbFile := strings.TrimPrefix(urls.Database, "sqlite:")
	if _, err := os.Stat(dbFile); err != nil {
		t.Errorf("the demo's database: %v", err)
	}
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Errorf("demo --gateway after Ctrl-C: %v", err)
	}
	if _, err := os.Stat(dbFile); !os.IsNotExist(err) {
		t.Errorf("the demo's state is still there after it stopped: %v", err)
	}
}
