package main

import (
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
)

func TestInfoCommand(t *testing.T) {
	h := newHubEnv(t)
	var info infoOutput
	h.mustJSON(&info, "info", hubsim.RepoQwenCoder7BGGUF, "--json")
	if info.ID != hubsim.RepoQwenCoder7BGGUF || len(info.SHA) != 40 || info.Files != 6 || info.TotalSize < 18e9 ||
		info.URL != h.hub.URL()+"/"+hubsim.RepoQwenCoder7BGGUF || info.Gated != "" || info.Access != "" {
		t.Errorf("info: %+v", info)
	}

	r := h.hfgate("info", hubsim.RepoQwenCoder7BGGUF)
	if r.code != 0 || tableRow(t, r.out, "files:")[1] != "6, 18.2 GB in total" || tableRow(t, r.out, "access:")[1] != "public" {
		t.Errorf("exit %d, table:\n%s", r.code, r.out)
	}

	// A gated repo shows it, and how to ask for access.
	r = h.hfgate("info", hubsim.RepoGated)
	if r.code != 0 || !strings.Contains(tableRow(t, r.out, "access:")[1], "gated (manual") ||
		!strings.Contains(r.out, "request access at "+h.hub.URL()+"/"+hubsim.RepoGated) {
		t.Errorf("gated: exit %d:\n%s", r.code, r.out)
	}

	// Signed in, it no longer says to sign in.
	tok, err := h.hub.MintToken(hubsim.UserBob, "read")
	if err != nil {
		t.Fatal(err)
	}
	h.env["HF_TOKEN"] = tok
	r = h.hfgate("info", hubsim.RepoGated)
	if r.code != 0 || strings.Contains(r.out, "hfgate login") || !strings.Contains(r.out, "request it at "+h.hub.URL()+"/"+hubsim.RepoGated) {
		t.Errorf("gated, signed in: exit %d:\n%s", r.code, r.out)
	}
	delete(h.env, "HF_TOKEN")

	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"info", "no-such-org/no-such-model"}, exitNotFound, "not found"},
		{[]string{"info", hubsim.RepoQwenCoder7BGGUF, "--revision", "no-such-branch"}, exitNotFound, `revision "no-such-branch"`},
		{[]string{"info", "not a repo id"}, exitUsage, "not a valid repo id"},
		{[]string{"info", hubsim.RepoTiny, "--revision", "../x"}, exitUsage, "not a valid revision"},
		{[]string{"info", hubsim.RepoPrivate}, exitNotFound, "hfgate login"},
	} {
		if r := h.hfgate(tt.args...); r.code != tt.code || !strings.Contains(r.err, tt.msg) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, r.code, r.err, tt.code, tt.msg)
		}
	}
}
