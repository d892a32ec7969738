package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
)

// ciTrust is the [ci] part of a gateway config that trusts hubsim's CI
// issuer for acme/app on main, as the demo does.
func ciTrust(sim *hubsim.Server) string {
	return fmt.Sprintf(`
[[ci.issuer]]
name = "hubsim-ci"
url = %q

[[ci.trust]]
name = "acme-app-main"
issuer = "hubsim-ci"
claims = { repository_id = "42", repository_owner_id = "7", ref = "refs/heads/main" }
ttl = "20m"
`, sim.CIIssuer())
}

// ciJob starts a job of hubsim's CI with claims changed by kv, and sets
// the environment of a GitHub Actions job for the runs that follow.
func (e *e2e) ciJob(kv ...string) {
	e.t.Helper()
	claims := map[string]string{"repository": "acme/app", "repository_id": "42", "repository_owner": "acme",
		"repository_owner_id": "7", "ref": "refs/heads/main"}
	for i := 0; i+1 < len(kv); i += 2 {
		claims[kv[i]] = kv[i+1]
	}
	reqURL, reqToken, err := e.hub.StartCIJob(claims)
	if err != nil {
		e.t.Fatal(err)
	}
	e.addSecret(reqToken)
	e.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", reqURL)
	e.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", reqToken)
}

// TestE2ETokenExchange: in a (simulated) GitHub Actions job, hfgate token
// --exchange against hfgate serve prints a gateway token with which the
// job downloads a model through the gateway (HF_ENDPOINT), with nothing
// stored; a token narrowed with --resource is refused another repo; the
// audit log names the job; --json, an ID token from a file or
// HFGATE_ID_TOKEN, and each refusal's exit status.
func TestE2ETokenExchange(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	config := e.gatewayConfigFile(e.newKey("k1"))
	demo, err := os.ReadFile(filepath.Join("testdata", "gateway-demo.toml"))
	if err != nil {
		t.Fatal(err)
	}
	appendFile(t, config, ciTrust(e.hub)+"\n"+string(demo))
	db := "sqlite:" + filepath.Join(t.TempDir(), "gateway.db")
	gw := e.serve(config, db)
	e.setenv("HF_ENDPOINT", gw.url)

	e.ciJob()
	tok := strings.TrimSpace(e.mustRun("", "token", "--exchange").stdout)
	e.addSecret(tok)
	if gatewayWhoami(t, gw.url, tok) != http.StatusOK {
		t.Fatalf("the exchanged token %q is refused", tok)
	}
	if _, err := os.Stat(e.credFile()); !os.IsNotExist(err) {
		t.Errorf("token --exchange stored a credential: %v", err)
	}

	// The job downloads a model through the gateway with the exchanged
	// token: no stored secret anywhere.
	download := func(token, repo, file string) result {
		t.Helper()
		saved := e.env
		defer func() { e.env = saved }()
		e.env = append(append([]string(nil), saved...), "HF_TOKEN="+token, "HF_HOME="+filepath.Join(e.home, "hf-ci"))
		return e.run("", "download", repo, file)
	}
	if r := download(tok, hubsim.RepoTiny, "tiny-llama-Q2_K.gguf"); r.code != 0 {
		t.Fatalf("the CI job's download: exit %d: %s", r.code, r.stderr)
	} else if fi, err := os.Stat(strings.TrimSpace(r.stdout)); err != nil || fi.Size() == 0 {
		t.Errorf("download printed %q: %v", r.stdout, err)
	}

	var got struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}
	r := e.mustRun("", "token", "--exchange", "--resource", "hubsim/tiny-llama-GGUF", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got.ExpiresIn != 1200 || got.TokenType != "bearer" {
		t.Fatalf("--json printed %q (%v)", r.stdout, err)
	}
	e.addSecret(got.AccessToken)
	if r := download(got.AccessToken, hubsim.RepoXet, "xet-llama-Q4_K_M.gguf"); r.code != exitGated || !strings.Contains(r.stderr, "token-resource") {
		t.Errorf("a token narrowed to %s, downloading from another repo: exit %d: %s", hubsim.RepoTiny, r.code, r.stderr)
	}

	// The audit log names the job for the exchange and the download.
	state := []string{"--config", config, "--database", db}
	if csv := e.mustRun("", append([]string{"admin", "audit", "--csv", "--user", "hubsim-ci:repo:acme/app:ref:refs/heads/main"}, state...)...).stdout; !strings.Contains(csv, "token-exchange") ||
		!strings.Contains(csv, "tiny-llama-Q2_K.gguf") {
		t.Errorf("the audit log lacks the job's exchange or download:\n%.600s", csv)
	} else {
		for _, line := range strings.Split(csv, "\n") {
			if strings.Contains(line, "token-exchange") && !strings.Contains(line, ",hfgate/") {
				t.Errorf("the exchange's audit row does not name the tool in its User-Agent: %s", line)
			}
		}
	}

	// An ID token handed over in a file or the environment.
	e.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", "")
	reqURL, reqToken, _ := e.hub.StartCIJob(map[string]string{"repository_id": "42", "repository_owner_id": "7", "ref": "refs/heads/main"})
	idt := fetchIDToken(t, reqURL, reqToken, gw.url)
	e.addSecret(idt)
	file := filepath.Join(t.TempDir(), "id-token")
	os.WriteFile(file, []byte(idt+"\n"), 0o600)
	e.addSecret(strings.TrimSpace(e.mustRun("", "token", "--exchange", "--id-token-file", file).stdout))
	if r := e.run("", "token", "--exchange", "--id-token-file", file); r.code != exitAuth || !strings.Contains(r.stderr, "exchanged already") {
		t.Errorf("the same ID token again: exit %d: %s", r.code, r.stderr)
	}
	if r := e.run("", "token", "--exchange", "--id-token-file", "-"); r.code != exitUsage {
		t.Errorf("an empty standard input: exit %d: %s", r.code, r.stderr)
	}
	idt2 := fetchIDToken(t, reqURL, reqToken, gw.url)
	e.addSecret(idt2)
	e.setenv("HFGATE_ID_TOKEN", idt2)
	e.addSecret(strings.TrimSpace(e.mustRun("", "token", "--exchange").stdout))
	e.setenv("HFGATE_ID_TOKEN", "")

	if r := e.run("", "token", "--exchange"); r.code != exitUsage || !strings.Contains(r.stderr, "id-token: write") {
		t.Errorf("no ID token anywhere: exit %d: %s", r.code, r.stderr)
	}
	e.ciJob("ref", "refs/heads/dev")
	if r := e.run("", "token", "--exchange"); r.code != exitGated || !strings.Contains(r.stderr, "no trust rule") {
		t.Errorf("a job of another branch: exit %d: %s", r.code, r.stderr)
	}
	e.ciJob()
	if r := e.run("", "token", "--exchange", "--endpoint", "https://other.example.invalid"); r.code != exitUnavailable {
		t.Errorf("an endpoint that is not there: exit %d: %s", r.code, r.stderr)
	}
	if r := e.run("", "token", "--resource", "a/b"); r.code != exitUsage {
		t.Errorf("--resource without --exchange: exit %d", r.code)
	}
	e.stop(gw)
}

// fetchIDToken gets an ID token of a hubsim CI job for audience.
func fetchIDToken(t *testing.T, reqURL, reqToken, audience string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", reqURL+"&audience="+audience, nil)
	req.Header.Set("Authorization", "Bearer "+reqToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct{ Value string }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || v.Value == "" {
		t.Fatalf("ID token: %d %v", resp.StatusCode, err)
	}
	return v.Value
}
