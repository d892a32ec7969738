package hfcache_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

func TestLookup(t *testing.T) {
	dir := newFixture(t)
	h := hfTree{t, dir}
	m := "models--org--model"
	// A copy instead of a link (a cache written without symlinks), and a
	// link whose blob is gone.
	h.write(m+"/snapshots/"+commitMain+"/copy.bin", []byte("copied"))
	h.link(m, commitMain, "broken.bin", lfsETag([]byte("gone")))
	c := hfcache.Cache{Dir: dir}
	model := mustRepo(t, c, hfgate.RepoTypeModel, "org/model")
	snap := func(commit, file string) string {
		return filepath.Join(dir, m, "snapshots", commit, filepath.FromSlash(file))
	}
	for _, tt := range []struct {
		name, rev, file string
		want            string // a path, or an error code
		content         []byte
	}{
		{"main", "main", "README.md", snap(commitMain, "README.md"), readmeMain},
		{"empty rev is main", "", "model.gguf", snap(commitMain, "model.gguf"), weights},
		{"nested", "main", "sub/dir/config.json", snap(commitMain, "sub/dir/config.json"), config},
		{"PR ref", "refs/pr/1", "README.md", snap(commitPR, "README.md"), readmePR},
		{"commit", commitPR, "model.gguf", snap(commitPR, "model.gguf"), weights},
		{"copy", "main", "copy.bin", snap(commitMain, "copy.bin"), []byte("copied")},
		{"not downloaded", "main", "other.bin", hfgate.ENOTFOUND, nil},
		{"known missing", "main", "missing.txt", hfgate.ENOTFOUND, nil},
		{"broken link", "main", "broken.bin", hfgate.ENOTFOUND, nil},
		{"a folder", "main", "sub", hfgate.ENOTFOUND, nil},
		{"unknown branch", "dev", "README.md", hfgate.ENOTFOUND, nil},
		{"the refs folder is no ref", "refs", "README.md", hfgate.ENOTFOUND, nil},
		{"uncached commit", commitNone, "README.md", hfgate.ENOTFOUND, nil},
		{"traversal in file", "main", "../../../etc/passwd", hfgate.EINVALID, nil},
		{"absolute file", "main", "/etc/passwd", hfgate.EINVALID, nil},
		{"traversal in rev", "../../..", "etc/passwd", hfgate.EINVALID, nil},
		{"dot segment in rev", "./main", "README.md", hfgate.EINVALID, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := model.Lookup(tt.rev, tt.file)
			if tt.content == nil {
				wantCode(t, err, tt.want)
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Lookup = %q, %v; want %q", got, err, tt.want)
			}
			if b, err := os.ReadFile(got); err != nil || string(b) != string(tt.content) {
				t.Fatalf("content %q, %v; want %q", b, err, tt.content)
			}
		})
	}

	t.Run("messages", func(t *testing.T) {
		_, err := model.Lookup("dev", "README.md")
		want := "model org/model is not in the cache at revision dev (offline mode): run without HF_HUB_OFFLINE=1 to download it"
		if msg := hfgate.ErrorMessage(err); msg != want {
			t.Errorf("message %q, want %q", msg, want)
		}
		data := mustRepo(t, c, hfgate.RepoTypeDataset, "org/data")
		if _, err := data.Lookup("main", "data/train.csv"); err != nil {
			t.Errorf("dataset lookup: %v", err)
		}
		_, err = mustRepo(t, c, hfgate.RepoTypeSpace, "org/model").Lookup("main", "README.md")
		if msg := hfgate.ErrorMessage(err); !strings.HasPrefix(msg, "space org/model is not in the cache") {
			t.Errorf("message %q for a space", msg)
		}
	})

	t.Run("no cache directory", func(t *testing.T) {
		r := mustRepo(t, hfcache.Cache{Dir: filepath.Join(dir, "nope")}, "", "org/model")
		_, err := r.Lookup("main", "README.md")
		wantCode(t, err, hfgate.ENOTFOUND)
	})
}

// TestSymlinkEscape plants symbolic links that lead out of the cache where
// hfcache reads and writes, and checks that none is followed.
func TestSymlinkEscape(t *testing.T) {
	dir := newFixture(t)
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret")
	os.WriteFile(secret, []byte("secret"), 0o600)
	m := filepath.Join(dir, "models--org--model")
	evil := strings.Repeat("e", 40)
	// A snapshot folder, a .no_exist folder and a refs folder that are
	// links to outside the cache, and a snapshot file linking out.
	for _, link := range []string{
		filepath.Join(m, "snapshots", evil),
		filepath.Join(m, ".no_exist", evil),
		filepath.Join(m, "refs", "evil"),
	} {
		if err := os.Symlink(outside, link); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../../../../"+filepath.Base(outside)+"/secret", filepath.Join(m, "snapshots", commitMain, "leak")); err != nil {
		t.Fatal(err)
	}
	os.Symlink(secret, filepath.Join(m, "snapshots", commitMain, "abs"))
	// The plain file system does follow every one of them.
	for _, p := range []string{"snapshots/" + evil + "/secret", "snapshots/" + commitMain + "/leak", "snapshots/" + commitMain + "/abs"} {
		if b, err := os.ReadFile(filepath.Join(m, p)); string(b) != "secret" {
			t.Fatalf("fixture: %s does not lead to the secret: %v", p, err)
		}
	}
	c := hfcache.Cache{Dir: dir}
	r := mustRepo(t, c, "", "org/model")

	for _, tt := range []struct{ rev, file string }{
		{evil, "secret"}, {"main", "leak"}, {"main", "abs"}, {"evil/x", "secret"},
	} {
		if got, err := r.Lookup(tt.rev, tt.file); err == nil {
			t.Errorf("Lookup(%q, %q) = %q, want an error", tt.rev, tt.file, got)
		}
	}
	if err := r.Link(evil, "planted", gitETag(readmeMain)); err == nil {
		t.Error("Link wrote through a snapshot link to outside the cache")
	}
	if err := r.MarkNoExist(evil, "planted"); err == nil {
		t.Error("MarkNoExist wrote through a link to outside the cache")
	}
	if err := r.WriteRef("evil/planted", commitMain); err == nil {
		t.Error("WriteRef wrote through a link to outside the cache")
	}
	if r.NoExist(evil, "secret") {
		t.Error("NoExist followed a link to outside the cache")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("files appeared outside the cache: %v", entries)
	}

	for _, bad := range []string{"../x", "a/../../x", "/abs", ".", "x\x00"} {
		if _, err := r.SnapshotPath(commitMain, bad); hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("SnapshotPath(%q): %v, want EINVALID", bad, err)
		}
		if _, err := r.BlobPath(bad); hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("BlobPath(%q): %v, want EINVALID", bad, err)
		}
	}
	for _, bad := range []string{"../../x", "main/../../x", "/main", "refs//pr"} {
		wantCode(t, r.WriteRef(bad, commitMain), hfgate.EINVALID)
	}
	if _, err := r.SnapshotDir("../" + commitMain[:37]); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Errorf("SnapshotDir accepted a path: %v", err)
	}
}

func TestRepoNames(t *testing.T) {
	for _, tt := range []struct {
		typ  hfgate.RepoType
		id   string
		want string
	}{
		{"", "org/model", "models--org--model"},
		{hfgate.RepoTypeModel, "gpt2", "models--gpt2"},
		{hfgate.RepoTypeDataset, "org/data", "datasets--org--data"},
		{hfgate.RepoTypeSpace, "org/app", "spaces--org--app"},
		{"bucket", "org/x", hfgate.EINVALID},
		{"", "org--x/y", hfgate.EINVALID},
		{"", "../x", hfgate.EINVALID},
	} {
		got, err := hfcache.RepoFolder(tt.typ, hfgate.RepoID(tt.id))
		if strings.HasPrefix(tt.want, "models--") || strings.Contains(tt.want, "s--") {
			if err != nil || got != tt.want {
				t.Errorf("RepoFolder(%q, %q) = %q, %v; want %q", tt.typ, tt.id, got, err, tt.want)
			}
			continue
		}
		wantCode(t, err, tt.want)
	}
	if _, err := (hfcache.Cache{}).Repo("", "org/model"); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Errorf("zero Cache: %v, want EINVALID", err)
	}
	if _, err := (hfcache.Repo{}).Lookup("main", "x"); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Errorf("zero Repo: %v, want EINVALID", err)
	}
}

func TestPaths(t *testing.T) {
	dir := t.TempDir()
	r := mustRepo(t, hfcache.Cache{Dir: dir}, hfgate.RepoTypeDataset, "org/data")
	etag := lfsETag(rows)
	for _, tt := range []struct {
		name string
		got  func() (string, error)
		want string
	}{
		{"BlobPath", func() (string, error) { return r.BlobPath(etag) }, "datasets--org--data/blobs/" + etag},
		{"IncompletePath", func() (string, error) { return r.IncompletePath(etag) }, "datasets--org--data/blobs/" + etag + ".incomplete"},
		{"LockPath", func() (string, error) { return r.LockPath(etag) }, ".locks/datasets--org--data/" + etag + ".lock"},
		{"SnapshotDir", func() (string, error) { return r.SnapshotDir(commitData) }, "datasets--org--data/snapshots/" + commitData},
		{"SnapshotPath", func() (string, error) { return r.SnapshotPath(commitData, "a/b.csv") }, "datasets--org--data/snapshots/" + commitData + "/a/b.csv"},
	} {
		got, err := tt.got()
		if want := filepath.Join(dir, filepath.FromSlash(tt.want)); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", tt.name, got, err, want)
		}
	}
	// IncompletePath and LockPath made the folders the caller writes into.
	for _, sub := range []string{"datasets--org--data/blobs", "datasets--org--data/refs", "datasets--org--data/snapshots", ".locks/datasets--org--data"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err != nil || !fi.IsDir() {
			t.Errorf("%s not created: %v", sub, err)
		}
	}
	if r.Path() != filepath.Join(dir, "datasets--org--data") || r.Folder() != "datasets--org--data" {
		t.Errorf("Path, Folder = %q, %q", r.Path(), r.Folder())
	}
}
