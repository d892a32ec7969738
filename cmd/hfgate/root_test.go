package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A bad command line exits 2 with one line that points at the help of the
// command that was meant.
func TestUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"info"}, []string{"usage: hfgate info REPO", `(see "hfgate info --help")`}},
		{[]string{"search", "a", "b"}, []string{"usage: hfgate search [QUERY]", `(see "hfgate search --help")`}},
		{[]string{"cache", "rm"}, []string{"usage: hfgate cache rm REPO", `(see "hfgate cache rm --help")`}},
		{[]string{"sarch"}, []string{`unknown command "sarch"`, "did you mean search?", `(see "hfgate --help")`}},
		{[]string{"cache", "foo"}, []string{`unknown command "foo" for "hfgate cache"`, `(see "hfgate cache --help")`}},
		{[]string{"search", "--bogus"}, []string{"unknown flag: --bogus", `(see "hfgate search --help")`}},
		{[]string{"ipfs", "add", "org/model"}, []string{"usage: hfgate ipfs add REPO FILE...", `(see "hfgate ipfs add --help")`}},
		{[]string{"ipfs", "pin"}, []string{`unknown command "pin" for "hfgate ipfs"`, `(see "hfgate ipfs --help")`}},
		{[]string{"download", "org/model", "--ipfs-api", "/ip4/127.0.0.1/tcp/5001"}, []string{"--ipfs-api is for --ipfs"}},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), tt.args, &stdio{In: strings.NewReader(""), Out: &out, Err: &errb},
			func(string) string { return "" })
		msg := errb.String()
		if code != exitUsage || strings.Count(msg, "\n") != 1 || strings.Contains(msg, "  ") || out.Len() != 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", tt.args, code, out.String(), msg)
		}
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%q: %q lacks %q", tt.args, msg, w)
			}
		}
	}
}

// A broken config file is a usage error that says where, and never quotes
// a secret's value.
func TestConfigFileErrors(t *testing.T) {
	for _, tt := range []struct {
		content string
		want    string
	}{
		{"[huggingface\n", "line 2: expected"},
		{"[huggingface]\nscopes = \"openid\"\n", "incompatible types"},
		{"[huggingface]\nclient_secret = s3cr3t-value\n", "line 2: not valid TOML"},
	} {
		path := filepath.Join(t.TempDir(), "config.toml")
		if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"version", "--config", path}, &stdio{In: strings.NewReader(""), Out: &out, Err: &errb},
			func(string) string { return "" })
		msg := errb.String()
		if code != exitUsage || !strings.Contains(msg, "config file "+path) || !strings.Contains(msg, tt.want) || strings.Contains(msg, "s3cr3t") {
			t.Errorf("%q: exit %d, %q; want %d saying %q", tt.content, code, msg, exitUsage, tt.want)
		}
	}
}
