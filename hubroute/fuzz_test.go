package hubroute_test

import (
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubroute"
)

// FuzzParse checks, for any path, that Parse does not panic, fails only
// with the documented codes, returns only validated parts, and reads its
// own canonical form back to the same route.
func FuzzParse(f *testing.F) {
	for _, tt := range routeTests {
		f.Add(tt.path)
	}
	for _, p := range []string{"/", "//", "/a/b/resolve/refs/pr/1", "/a/b/resolve/refs/x/y", "/api/models/a%2F..%2Fb",
		"/datasets/datasets/resolve/main/x", "/a/b/resolve/refs%2Fpr%2F1/refs/pr/2/x", "/api/models/%2e%2e/refs"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, path string) {
		r, err := hubroute.Parse(path)
		if err != nil {
			if c := hfgate.ErrorCode(err); c != hfgate.ENOTFOUND && c != hfgate.EINVALID {
				t.Fatalf("Parse(%q): code %s (%v)", path, c, err)
			}
			return
		}
		if r.Action == "" {
			t.Fatalf("Parse(%q) = %+v with no action and no error", path, r)
		}
		if r.Repo != "" {
			if _, err := hfgate.ParseRepoID(string(r.Repo)); err != nil {
				t.Fatalf("Parse(%q).Repo = %q: %v", path, r.Repo, err)
			}
		}
		if r.Revision != "" && hfgate.ValidateRevision(r.Revision) != nil {
			t.Fatalf("Parse(%q).Revision = %q is not valid", path, r.Revision)
		}
		for _, p := range []string{r.Path, r.Endpoint} {
			if p != "" && hfgate.ValidateRepoPath(p) != nil {
				t.Fatalf("Parse(%q) path part %q is not valid", path, p)
			}
		}
		if strings.ContainsAny(string(r.Repo)+r.Revision+r.Path, "\x00\\") {
			t.Fatalf("Parse(%q) = %+v holds NUL or backslash", path, r)
		}
		again, err := hubroute.Parse(r.EscapedPath())
		if err != nil || again != r {
			t.Fatalf("Parse(%q) = %+v, but its EscapedPath %q parses as %+v, %v", path, r, r.EscapedPath(), again, err)
		}
	})
}
