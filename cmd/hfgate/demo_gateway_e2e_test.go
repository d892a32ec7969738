package main

import (
	"bufio"
	"encoding/json"
	"io"
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
// simulated Hub, shows its start page to anyone and its console to no
// one signed out, trusts the simulated GitHub Actions jobs of acme/app on
// main (hfgate token --exchange, then a model through the gateway) and
// no other branch, and its state is gone when it stops.
func TestE2EDemoGateway(t *testing.T) {
	home := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + home + "/config", "XDG_DATA_HOME=" + home + "/data", "TMPDIR=" + home}
	cmd := exec.Command(hfgateBin(t), "demo", "--gateway", "--no-open", "--json")
	cmd.Env = env
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
	for path, want := range map[string]int{"/": http.StatusOK, "/admin": http.StatusUnauthorized, "/admin/api/users": http.StatusUnauthorized} {
		if resp, err := http.Get(urls.Gateway + path); err != nil {
			t.Fatal(err)
		} else if resp.Body.Close(); resp.StatusCode != want {
			t.Errorf("GET %s signed out: %d, want %d", path, resp.StatusCode, want)
		}
	}

	// A job of acme/app on main exchanges its ID token and reads hubsim's
	// model through the gateway; one on another branch is refused.
	exchange := func(ref string) (string, int) {
		t.Helper()
		resp, err := http.Post(urls.Hub+"/_hubsim/ci/jobs", "application/json", strings.NewReader(
			`{"repository":"acme/app","repository_id":"42","repository_owner":"acme","repository_owner_id":"7","ref":"`+ref+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		var job struct {
			RequestURL   string `json:"request_url"`
			RequestToken string `json:"request_token"`
		}
		err = json.NewDecoder(resp.Body).Decode(&job)
		resp.Body.Close()
		if err != nil || job.RequestURL == "" {
			t.Fatalf("a CI job: %d %v", resp.StatusCode, err)
		}
		x := exec.Command(hfgateBin(t), "token", "--exchange")
		x.Env = append(env[:len(env):len(env)], "HF_ENDPOINT="+urls.Gateway,
			"ACTIONS_ID_TOKEN_REQUEST_URL="+job.RequestURL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN="+job.RequestToken)
		out, _ := x.Output()
		return strings.TrimSpace(string(out)), x.ProcessState.ExitCode()
	}
	tok, code := exchange("refs/heads/main")
	if code != 0 || !strings.HasPrefix(tok, "hf_") {
		t.Fatalf("token --exchange in a job of acme/app on main: exit %d", code)
	}
	req, _ := http.NewRequest("GET", urls.Gateway+"/api/models/hubsim/tiny-llama-GGUF", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusOK {
		t.Errorf("hubsim's model with the job's token: %d", resp.StatusCode)
	}
	// It fetches a file twice: the Hub sends it once, the team cache the
	// second time.
	for range 2 {
		req, _ := http.NewRequest("GET", urls.Gateway+"/hubsim/tiny-llama-GGUF/resolve/main/tiny-llama-Q2_K.gguf", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || n == 0 {
			t.Fatalf("a file of hubsim's model with the job's token: %d, %d bytes", resp.StatusCode, n)
		}
	}
	audit := exec.Command(hfgateBin(t), "admin", "audit", "--database", urls.Database, "--csv", "--user", "hubsim-ci:repo:acme/app:ref:refs/heads/main")
	audit.Env = env
	rows, err := audit.Output()
	if err != nil || !strings.Contains(string(rows), "token-exchange") || !strings.Contains(string(rows), "acme-app-ci") {
		t.Errorf("the audit log lacks the job's exchange or the policy rule that let it read (%v):\n%.800s", err, rows)
	}
	var sources []string
	for _, l := range strings.Split(string(rows), "\n") {
		if strings.Contains(l, "tiny-llama-Q2_K.gguf") && strings.Contains(l, ",complete,") {
			if strings.Contains(l, ",hub,complete,") {
				sources = append(sources, "hub")
			} else if strings.Contains(l, ",cache,complete,") {
				sources = append(sources, "cache")
			}
		}
	}
	if strings.Join(sources, " ") != "hub cache" {
		t.Errorf("the file's two downloads came from %q; want the Hub, then the demo's team cache:\n%.1500s", sources, rows)
	}
	if _, code := exchange("refs/heads/dev"); code != exitGated {
		t.Errorf("token --exchange in a job of another branch: exit %d, want %d", code, exitGated)
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
