package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
)

// TestE2EAdminPolicyExplain runs "admin policy explain" through the real
// binary with the demo gateway's policy: each decision, its exit status,
// and a broken config file.
func TestE2EAdminPolicyExplain(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	config, err := filepath.Abs(filepath.Join("testdata", "gateway-demo.toml"))
	if err != nil {
		t.Fatal(err)
	}
	explain := func(args ...string) result {
		return e.run("", append([]string{"admin", "policy", "explain", "--config", config}, args...)...)
	}
	for _, tt := range []struct {
		args   []string
		code   int
		rule   string
		reason string
	}{
		{[]string{"--user", "alice", "--org", "acme:write", "--repo", hubsim.RepoQwenCoder7BGGUF, "--action", "download"}, exitOK,
			"acme-members", "allowed by rule acme-members (members of org acme)"},
		{[]string{"--user", "bob", "--repo", hubsim.RepoQwenCoder7BGGUF, "--action", "download"}, exitGated,
			"default-deny", "denied by rule default-deny: download of " + hubsim.RepoQwenCoder7BGGUF + " needs membership of org acme"},
		{[]string{"--user", "bob", "--repo", hubsim.RepoTiny, "--action", "download"}, exitOK,
			"everyone-downloads-hubsim", "allowed by rule everyone-downloads-hubsim (anyone)"},
		{[]string{"--anonymous", "--repo", hubsim.RepoQwenCoder7BGGUF, "--action", "search"}, exitOK,
			"everyone-browses", "allowed by rule everyone-browses (anyone)"},
		{[]string{"--anonymous", "--repo", hubsim.RepoQwenCoder7BGGUF, "--action", "download"}, exitGated, "default-deny", ""},
	} {
		r := explain(append(tt.args, "--json")...)
		var out explainOutput
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != tt.code || out.Rule != tt.rule ||
			!strings.Contains(out.Reason, tt.reason) || (r.code == exitGated) != strings.HasPrefix(r.stderr, "hfgate: denied by rule") {
			t.Errorf("%q: exit %d (want %d), %v: %+v\n%s", tt.args, r.code, tt.code, err, out, r.stderr)
		}
		// The text form decides the same, with the same exit status.
		if r2 := explain(tt.args...); r2.code != tt.code || !strings.Contains(r2.stdout, "rule:    "+tt.rule+"\n") {
			t.Errorf("%q without --json: exit %d\n%s", tt.args, r2.code, r2.stdout)
		}
	}

	broken := filepath.Join(t.TempDir(), "gateway.toml")
	if err := os.WriteFile(broken, []byte("[[policy.rule]]\nname = \"r\"\neffect = \"allow\"\nactions = [\"downlaod\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run("", "admin", "policy", "explain", "--config", broken, "--user", "bob", "--repo", "a/b", "--action", "read")
	if r.code != exitUsage || !strings.Contains(r.stderr, `line 4: rule "r": unknown action "downlaod"`) ||
		!strings.Contains(r.stderr, `line 1: rule "r": has no repos`) || r.stdout != "" {
		t.Errorf("broken config: exit %d\n%s", r.code, r.stderr)
	}
}
