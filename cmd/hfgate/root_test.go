package main

import (
	"bytes"
	"context"
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
