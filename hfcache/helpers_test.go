package hfcache_test

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

// Commits of the fixture repository.
const (
	commitMain = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	commitPR   = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	commitData = "cccccccccccccccccccccccccccccccccccccccc"
	commitNone = "dddddddddddddddddddddddddddddddddddddddd"
)

// Contents of the fixture files.
var (
	readmeMain = []byte("# model\n")
	readmePR   = []byte("# model, improved\n")
	weights    = []byte(strings.Repeat("GGUF weights ", 1000))
	config     = []byte(`{"n_layers": 2}`)
	rows       = []byte("a,b\n1,2\n")
)

// gitETag is a regular file's ETag: its git blob id.
func gitETag(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// lfsETag is an LFS file's ETag: its SHA-256.
func lfsETag(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// hfTree writes cache entries by hand, the way huggingface_hub and
// @huggingface/hub do, without using hfcache.
type hfTree struct {
	tb  testing.TB
	dir string
}

func (h hfTree) write(rel string, data []byte) {
	h.tb.Helper()
	p := filepath.Join(h.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.tb.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		h.tb.Fatal(err)
	}
}

// blob stores content under folder/blobs/<etag>.
func (h hfTree) blob(folder, etag string, content []byte) {
	h.write(folder+"/blobs/"+etag, content)
}

// link makes snapshots/<commit>/<file> a relative link to blobs/<etag>.
func (h hfTree) link(folder, commit, file, etag string) {
	h.tb.Helper()
	p := filepath.Join(h.dir, folder, "snapshots", commit, filepath.FromSlash(file))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.tb.Fatal(err)
	}
	target := strings.Repeat("../", 2+strings.Count(file, "/")) + "blobs/" + etag
	if err := os.Symlink(filepath.FromSlash(target), p); err != nil {
		h.tb.Fatal(err)
	}
}

// ref writes refs/<name> as the official tools do: no trailing newline.
func (h hfTree) ref(folder, name, commit string) { h.write(folder+"/refs/"+name, []byte(commit)) }

// newFixture builds a cache holding:
//
//	model org/model: main (README.md, model.gguf, sub/dir/config.json),
//	  refs/pr/1 (README.md changed, the same model.gguf blob, twice),
//	  .no_exist/main/missing.txt and a .locks entry;
//	dataset org/data: main (data/train.csv).
func newFixture(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	h := hfTree{tb, dir}
	m := "models--org--model"
	h.blob(m, gitETag(readmeMain), readmeMain)
	h.blob(m, gitETag(readmePR), readmePR)
	h.blob(m, lfsETag(weights), weights)
	h.blob(m, gitETag(config), config)
	h.link(m, commitMain, "README.md", gitETag(readmeMain))
	h.link(m, commitMain, "model.gguf", lfsETag(weights))
	h.link(m, commitMain, "sub/dir/config.json", gitETag(config))
	h.link(m, commitPR, "README.md", gitETag(readmePR))
	h.link(m, commitPR, "model.gguf", lfsETag(weights))
	h.link(m, commitPR, "same/as-model.gguf", lfsETag(weights))
	h.ref(m, "main", commitMain)
	h.ref(m, "refs/pr/1", commitPR)
	h.write(m+"/.no_exist/"+commitMain+"/missing.txt", nil)
	h.write(".locks/"+m+"/"+lfsETag(weights)+".lock", nil)
	d := "datasets--org--data"
	h.blob(d, gitETag(rows), rows)
	h.link(d, commitData, "data/train.csv", gitETag(rows))
	h.ref(d, "main", commitData)
	return dir
}

func mustRepo(tb testing.TB, c hfcache.Cache, typ hfgate.RepoType, id string) hfcache.Repo {
	tb.Helper()
	r, err := c.Repo(typ, hfgate.RepoID(id))
	if err != nil {
		tb.Fatalf("Repo(%q, %q): %v", typ, id, err)
	}
	return r
}

// listTree describes every entry below dir, one per line, sorted: folders
// end in "/", links show their target, files their content (or size when
// long).
func listTree(tb testing.TB, dir string) string {
	tb.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, dir+string(filepath.Separator)))
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			lines = append(lines, rel+" -> "+filepath.ToSlash(target))
		case d.IsDir():
			lines = append(lines, rel+"/")
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if len(b) > 60 {
				b = fmt.Appendf(nil, "<%d bytes>", len(b))
			}
			lines = append(lines, fmt.Sprintf("%s %q", rel, b))
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n") + "\n"
}

// wantCode fails unless err carries the hfgate error code want.
func wantCode(tb testing.TB, err error, want string) {
	tb.Helper()
	if got := hfgate.ErrorCode(err); got != want {
		tb.Fatalf("error %v: code %q, want %q", err, got, want)
	}
}
