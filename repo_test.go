package hfgate_test

import (
	"testing"

	"github.com/hfgate/hfgate"
)

func TestParseRepoID(t *testing.T) {
	for _, tt := range []struct {
		in          string
		ok          bool
		owner, name string
	}{
		{"Qwen/Qwen2.5-Coder-7B-Instruct-GGUF", true, "Qwen", "Qwen2.5-Coder-7B-Instruct-GGUF"},
		{"gpt2", true, "", "gpt2"},
		{"meta-llama/Llama-3.2-1B-Instruct", true, "meta-llama", "Llama-3.2-1B-Instruct"},
		{"a_b/c_d", true, "a_b", "c_d"},
		{"", false, "", ""},
		{"a/b/c", false, "", ""},
		{"org--x/name", false, "", ""},
		{"org/na..me", false, "", ""},
		{"org/name.git", false, "", ""},
		{"-org/name", false, "", ""},
		{"org/name-", false, "", ""},
		{"org/../etc", false, "", ""},
		{"org/na me", false, "", ""},
		{"/name", false, "", ""},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := hfgate.ParseRepoID(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseRepoID(%q) err=%v, want ok=%v", tt.in, err, tt.ok)
			}
			if err != nil {
				if code := hfgate.ErrorCode(err); code != hfgate.EINVALID {
					t.Fatalf("code=%q, want %q", code, hfgate.EINVALID)
				}
				return
			}
			if got.Owner() != tt.owner || got.Name() != tt.name {
				t.Fatalf("Owner,Name=%q,%q, want %q,%q", got.Owner(), got.Name(), tt.owner, tt.name)
			}
		})
	}
}

func TestValidateRepoPath(t *testing.T) {
	for _, p := range []string{"model.gguf", "sub/dir/file.bin", ".gitattributes", "a..b"} {
		if err := hfgate.ValidateRepoPath(p); err != nil {
			t.Errorf("ValidateRepoPath(%q) = %v, want nil", p, err)
		}
	}
	for _, p := range []string{"", "/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", `a\b`, "a\x00b", "a/",
		"evil\x1b]52;c;aGk=\x07.gguf", "a/b\rc", "tab\there", "del\x7f", "c1\u009bx"} {
		if err := hfgate.ValidateRepoPath(p); err == nil {
			t.Errorf("ValidateRepoPath(%q) = nil, want an error", p)
		}
	}
}

func TestValidateRevision(t *testing.T) {
	for _, r := range []string{"main", "refs/pr/1", "v1.0", "0123456789abcdef0123456789abcdef01234567"} {
		if err := hfgate.ValidateRevision(r); err != nil {
			t.Errorf("ValidateRevision(%q) = %v", r, err)
		}
	}
	for _, r := range []string{"", "../main", "/main", "a//b", "main/", ".", "..", "refs/./pr", "a/.", "./main", "ma\x1bin", "a\x00b", `a\b`} {
		if err := hfgate.ValidateRevision(r); err == nil {
			t.Errorf("ValidateRevision(%q) = nil, want an error", r)
		}
	}
}
