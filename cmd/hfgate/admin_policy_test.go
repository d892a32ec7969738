package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
)

// runAdmin runs one hfgate command line in process with an empty
// environment.
func runAdmin(t *testing.T, args ...string) cmdResult {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &stdio{In: strings.NewReader(""), Out: &out, Err: &errb},
		func(string) string { return "" })
	t.Logf("hfgate %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	return cmdResult{out: out.String(), err: errb.String(), code: code}
}

func TestAdminPolicyExplain(t *testing.T) {
	demo := filepath.Join("testdata", "gateway-demo.toml")
	explain := func(args ...string) []string {
		return append([]string{"admin", "policy", "explain", "--config", demo}, args...)
	}
	for _, tt := range []struct {
		name     string
		args     []string
		code     int
		out, err []string // lines or parts of lines of stdout and stderr
	}{
		{"alice in acme downloads Qwen", explain("--user", "alice", "--org", "acme:write", "--repo", hubsim.RepoQwenCoder7BGGUF, "--action", "download"),
			exitOK, []string{"ALLOW: download of " + hubsim.RepoQwenCoder7BGGUF + " by user alice (org acme:write)", "rule:    acme-members",
				"verdict: rule acme-members allows and no deny rule matches", `allow   acme-members  repo matches "*"; caller matches org acme (role write)`},
			nil},
		{"bob is refused Qwen", explain("--user", "bob", "--repo", hubsim.RepoQwenCoder7BGGUF, "--action", "download"),
			exitGated, []string{"DENY: download of " + hubsim.RepoQwenCoder7BGGUF + " by user bob", "rule:    default-deny",
				"reason:  denied by rule default-deny: download of " + hubsim.RepoQwenCoder7BGGUF + " needs membership of org acme",
				"Rules that match:\n  none", `allow   acme-members  repo matches "*"; the rule is for org acme`},
			[]string{"hfgate: denied by rule default-deny: download of " + hubsim.RepoQwenCoder7BGGUF + " needs membership of org acme\n"}},
		{"bob downloads hubsim", explain("--user", "bob", "--repo", hubsim.RepoTiny, "--action", "download"),
			exitOK, []string{"rule:    everyone-downloads-hubsim"}, nil},
		{"anonymous searches", explain("--anonymous", "--repo", hubsim.RepoQwenCoder7BGGUF, "--action", "search"),
			exitOK, []string{"ALLOW: search of " + hubsim.RepoQwenCoder7BGGUF + " by an anonymous caller", "rule:    everyone-browses"}, nil},
		{"anonymous is refused Qwen", explain("--anonymous", "--repo", hubsim.RepoQwenCoder7BGGUF, "--action", "download"),
			exitGated, []string{"DENY"}, []string{"needs membership of org acme"}},
		{"a CI job downloads hubsim", explain("--ci", "--claim", "repository_id=42", "--claim", "ref=refs/heads/main", "--repo", hubsim.RepoTiny, "--action", "download"),
			exitOK, []string{"by CI job (ref=refs/heads/main, repository_id=42)", "rule:    everyone-downloads-hubsim"}, nil},
		{"a dataset with attributes", explain("--user", "bob", "--repo", "datasets/hubsim/d", "--gated", "--private", "--action", "download"),
			exitGated, []string{"DENY: download of datasets/hubsim/d (gated) (private) by user bob"}, nil},
		{"models/ is a model", explain("--user", "bob", "--repo", "models/hubsim/x", "--action", "download"),
			exitOK, []string{"ALLOW: download of hubsim/x by user bob"}, nil},
		{"a subject alone", explain("--subject", "huggingface:1", "--repo", "a/b", "--action", "read"),
			exitOK, []string{"by user huggingface:1"}, nil},
		{"no --config", []string{"admin", "policy", "explain", "--user", "bob", "--repo", "a/b", "--action", "read"},
			exitUsage, nil, []string{"--config is required"}},
		{"no caller", explain("--repo", "a/b", "--action", "read"), exitUsage, nil, []string{"say who the caller is"}},
		{"two callers", explain("--user", "bob", "--anonymous", "--repo", "a/b", "--action", "read"), exitUsage, nil, []string{"use one"}},
		{"anonymous in an org", explain("--anonymous", "--org", "acme", "--repo", "a/b", "--action", "read"), exitUsage, nil, []string{"has no --org"}},
		{"CI in an org", explain("--ci", "--org", "acme", "--repo", "a/b", "--action", "read"), exitUsage, nil, []string{"--claim only"}},
		{"bad role", explain("--user", "bob", "--org", "acme:owner", "--repo", "a/b", "--action", "read"), exitUsage, nil, []string{`--org "acme:owner"`}},
		{"bad claim", explain("--user", "bob", "--claim", "=x", "--repo", "a/b", "--action", "read"), exitUsage, nil, []string{`--claim "=x": use NAME=VALUE`}},
		{"bad action", explain("--user", "bob", "--repo", "a/b", "--action", "delete"), exitUsage, nil, []string{`--action "delete"`}},
		{"no repo", explain("--user", "bob", "--action", "read"), exitUsage, nil, []string{"--repo is required"}},
		{"bad repo", explain("--user", "bob", "--repo", "a/b/c", "--action", "read"), exitUsage, nil, []string{`"a/b/c" is not a valid repo id`}},
		{"missing config", []string{"admin", "policy", "explain", "--config", "nope.toml", "--user", "bob", "--repo", "a/b", "--action", "read"},
			exitUsage, nil, []string{"config file nope.toml does not exist"}},
		{"admin unknown command", []string{"admin", "polcy"}, exitUsage, nil, []string{`unknown command "polcy" for "hfgate admin"`}},
		{"explain help", []string{"admin", "policy", "explain", "--help"}, exitOK,
			[]string{"0 when the policy allows, 5 when it denies", "--config string", "the gateway's config file", "Examples:"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runAdmin(t, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d", r.code, tt.code)
			}
			for _, w := range tt.out {
				if !strings.Contains(r.out, w) {
					t.Errorf("stdout lacks %q", w)
				}
			}
			for _, w := range tt.err {
				if !strings.Contains(r.err, w) {
					t.Errorf("stderr lacks %q", w)
				}
			}
			if tt.code == exitUsage && (strings.Count(r.err, "\n") != 1 || r.out != "") {
				t.Errorf("a usage error is one line on stderr and nothing on stdout")
			}
		})
	}
}

// The CLI's own config file is not read by admin commands, even when it is
// broken: --config names the gateway's.
func TestAdminIgnoresCLIConfig(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(bad, []byte("[huggingface\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"admin", "policy", "explain", "--config", filepath.Join("testdata", "gateway-demo.toml"),
		"--user", "bob", "--repo", "a/b", "--action", "read"}, &stdio{In: strings.NewReader(""), Out: &out, Err: &errb},
		func(k string) string { return map[string]string{"HFGATE_CONFIG": bad}[k] })
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}

func TestAdminPolicyExplainJSON(t *testing.T) {
	r := runAdmin(t, "admin", "policy", "explain", "--config", filepath.Join("testdata", "gateway-demo.toml"), "--user", "carol",
		"--subject", "huggingface:3", "--org", "acme", "--org", "other:admin", "--group", "ml", "--claim", "hd=corp.example",
		"--repo", "spaces/acme/app", "--private", "--action", "read", "--json")
	var got explainOutput
	if err := json.Unmarshal([]byte(r.out), &got); err != nil || r.code != exitOK || r.err != "" {
		t.Fatalf("exit %d, %v: %s%s", r.code, err, r.out, r.err)
	}
	want := explainOutput{Decision: "allow", Rule: "acme-members", Reason: "allowed by rule acme-members (members of org acme)",
		Verdict: "rule acme-members allows and no deny rule matches; it is the first of 2 allow rules that match",
		Caller: callerOutput{Kind: "user", Username: "carol", Subject: "huggingface:3",
			Orgs: []orgOutput{{Name: "acme"}, {Name: "other", Role: "admin"}}, Groups: []string{"ml"}, Claims: map[string]string{"hd": "corp.example"}},
		Action: "read", Repo: repoOutput{Type: "space", ID: "acme/app", Private: true},
		Matched: []matchOutput{
			{Rule: "acme-members", Effect: "allow", Why: `repo matches "*"; caller matches org acme (role not disclosed, counted as read)`},
			{Rule: "everyone-browses", Effect: "allow", Why: `repo matches "*"; caller matches anyone`}},
		Missed: []matchOutput{}}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Fatalf("got  %s\nwant %s", gotJSON, wantJSON)
	}
	// A deny prints JSON too, and says so on stderr and in the exit status.
	r = runAdmin(t, "admin", "policy", "explain", "--config", filepath.Join("testdata", "gateway-demo.toml"), "--anonymous",
		"--repo", "Qwen/X", "--action", "download", "--json")
	if err := json.Unmarshal([]byte(r.out), &got); err != nil || r.code != exitGated || got.Decision != "deny" ||
		got.Rule != "default-deny" || len(got.Matched) != 0 || len(got.Missed) != 1 || !strings.HasPrefix(r.err, "hfgate: denied by rule default-deny") {
		t.Fatalf("exit %d, %v: %+v\n%s", r.code, err, got, r.err)
	}
}
