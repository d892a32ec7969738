package hfcache_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

// download does what the download package does: write the verified bytes
// to IncompletePath, then Publish.
func download(tb testing.TB, r hfcache.Repo, commit, file string, content []byte, etag string) {
	tb.Helper()
	inc, err := r.IncompletePath(etag)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(inc, content, 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := r.Publish(commit, file, etag, inc); err != nil {
		tb.Fatalf("Publish(%s): %v", file, err)
	}
}

func TestPublishLayout(t *testing.T) {
	for _, tt := range []struct {
		name    string
		noLinks bool
	}{
		{"symlinks", false},
		{"no symlinks", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := hfcache.Cache{Dir: t.TempDir(), DisableSymlinks: tt.noLinks}
			r := mustRepo(t, c, hfgate.RepoTypeModel, "org/model")
			download(t, r, commitMain, "README.md", readmeMain, gitETag(readmeMain))
			download(t, r, commitMain, "model.gguf", weights, lfsETag(weights))
			download(t, r, commitMain, "sub/dir/config.json", config, gitETag(config))
			download(t, r, commitPR, "README.md", readmePR, gitETag(readmePR))
			// Without symlinks the first Publish moved the weights into
			// the snapshot, so the PR's copy needs the blob again, as
			// huggingface_hub would download it again: PublishBlob, then
			// Link (which then copies).
			if err := r.Link(commitPR, "model.gguf", lfsETag(weights)); tt.noLinks != (err != nil) {
				t.Fatalf("Link of a moved blob: %v", err)
			}
			inc, _ := r.IncompletePath(lfsETag(weights))
			os.WriteFile(inc, weights, 0o600)
			if err := r.PublishBlob(lfsETag(weights), inc); err != nil {
				t.Fatal(err)
			}
			if err := r.Link(commitPR, "model.gguf", lfsETag(weights)); err != nil {
				t.Fatal(err)
			}
			if err := r.WriteRef("main", commitMain); err != nil {
				t.Fatal(err)
			}
			if err := r.WriteRef("refs/pr/1", commitPR); err != nil {
				t.Fatal(err)
			}
			if err := r.WriteRef(commitMain, commitMain); err != nil { // a commit is no ref
				t.Fatal(err)
			}
			if err := r.MarkNoExist(commitMain, "missing.txt"); err != nil {
				t.Fatal(err)
			}
			if _, err := r.LockPath(lfsETag(weights)); err != nil {
				t.Fatal(err)
			}
			golden := "layout-symlinks.txt"
			if tt.noLinks {
				golden = "layout-copies.txt"
			}
			checkGolden(t, golden, listTree(t, c.Dir))
		})
	}
}

// checkGolden compares got with testdata/TestPublishLayout/<name>, whose
// placeholders {main}, {pr}, {readme}, ... stand for the fixture's hashes.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "TestPublishLayout", name))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer(
		"{main}", commitMain, "{pr}", commitPR,
		"{readme}", gitETag(readmeMain), "{readme-pr}", gitETag(readmePR),
		"{weights}", lfsETag(weights), "{config}", gitETag(config),
	).Replace(string(b))
	if got != want {
		t.Errorf("cache tree:\n%s\nwant:\n%s", got, want)
	}
}

func TestLinkReplacesStaleEntry(t *testing.T) {
	dir := newFixture(t)
	c := hfcache.Cache{Dir: dir}
	r := mustRepo(t, c, "", "org/model")
	snap := filepath.Join(dir, "models--org--model", "snapshots", commitMain, "README.md")

	// A stale link (to another blob), then a real file (a copy): both are
	// replaced by the right link.
	for _, etag := range []string{gitETag(readmePR), gitETag(readmeMain)} {
		if err := r.Link(commitMain, "README.md", etag); err != nil {
			t.Fatal(err)
		}
		target, err := os.Readlink(snap)
		if want := "../../blobs/" + etag; err != nil || target != want {
			t.Fatalf("link target %q (%v), want %q", target, err, want)
		}
		os.Remove(snap)
		os.WriteFile(snap, []byte("old copy"), 0o644)
	}
	if err := r.Link(commitMain, "README.md", lfsETag([]byte("not cached"))); hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
		t.Fatalf("Link to a missing blob: %v, want ENOTFOUND", err)
	}
	assertNoTemp(t, dir)
}

func TestPublishFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	c := hfcache.Cache{Dir: dir}
	r := mustRepo(t, c, "", "org/model")
	etag := lfsETag(weights)
	inc, err := r.IncompletePath(etag)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(inc, weights, 0o644)
	// Something that is not a file already sits at the blob's name: the
	// rename must fail and leave the partial download as it was.
	blob, _ := r.BlobPath(etag)
	if err := os.MkdirAll(filepath.Join(blob, "occupied"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := r.Publish(commitMain, "model.gguf", etag, inc); err == nil {
		t.Fatal("Publish succeeded over a directory")
	}
	if b, err := os.ReadFile(inc); err != nil || len(b) != len(weights) {
		t.Fatalf("partial download changed: %d bytes, %v", len(b), err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "models--org--model", "snapshots", commitMain, "model.gguf")); !os.IsNotExist(err) {
		t.Fatalf("a snapshot entry was made for a blob that was not published: %v", err)
	}
	// A source outside the cache is refused before anything happens.
	outside := filepath.Join(t.TempDir(), "x.incomplete")
	os.WriteFile(outside, weights, 0o644)
	wantCode(t, r.PublishBlob(etag, outside), hfgate.EINVALID)
	// A missing source fails too.
	if err := r.PublishBlob(gitETag(config), inc+".gone"); err == nil {
		t.Fatal("PublishBlob of a missing file succeeded")
	}
	assertNoTemp(t, dir)
}

// assertNoTemp fails if a temporary file of hfcache is left below dir.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), "tmp_") {
			t.Errorf("temporary file left behind: %s", p)
		}
		return nil
	})
}

// A link planted in a shared cache where a finished download or a missing
// marker should be is never published, followed or written through.
func TestPlantedLinksAreNotFollowed(t *testing.T) {
	c := hfcache.Cache{Dir: t.TempDir()}
	r := mustRepo(t, c, hfgate.RepoTypeModel, "org/model")
	victim := filepath.Join(c.Dir, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	etag := lfsETag(weights)
	inc, err := r.IncompletePath(etag)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, inc); err != nil {
		t.Fatal(err)
	}
	if err := r.Publish(commitMain, "model.gguf", etag, inc); err == nil {
		t.Fatal("Publish published a symbolic link")
	}
	if blob, _ := r.BlobPath(etag); fileExists(blob) {
		t.Fatal("a blob was made of the link")
	}

	marker := filepath.Join(r.Path(), ".no_exist", commitMain, "missing.bin")
	if err := os.MkdirAll(filepath.Dir(marker), 0o755); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(c.Dir, "created-through-link")
	// A relative link that stays inside the cache: os.Root alone would follow it.
	if err := os.Symlink("../../../created-through-link", marker); err != nil {
		t.Fatal(err)
	}
	if err := r.MarkNoExist(commitMain, "missing.bin"); err != nil {
		t.Fatal(err)
	}
	if fileExists(dangling) {
		t.Fatal("MarkNoExist created a file through a planted link")
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Fatalf("the link's target now holds %q", b)
	}
}

func fileExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// A ref or a metadata record planted as a link (to a huge blob, say) is
// not read through.
func TestBookkeepingFilesAreNotReadThroughLinks(t *testing.T) {
	c := hfcache.Cache{Dir: t.TempDir()}
	r := mustRepo(t, c, hfgate.RepoTypeModel, "org/model")
	download(t, r, commitMain, "model.gguf", weights, lfsETag(weights))
	if err := r.WriteRef("main", commitMain); err != nil {
		t.Fatal(err)
	}
	// A link to a file that reads like a ref, inside the cache.
	os.WriteFile(filepath.Join(c.Dir, "planted"), []byte(commitMain), 0o644)
	ref := filepath.Join(r.Path(), "refs", "dev")
	if err := os.Symlink(filepath.Join("..", "..", "planted"), ref); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadRef("dev"); err == nil {
		t.Fatal("ReadRef read a ref through a link")
	}
	rep, err := c.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, rev := range rep.Repos[0].Revisions {
		if slices.Contains(rev.Refs, "dev") {
			t.Fatal("Scan took a link for a ref")
		}
	}

	d := hfcache.LocalDir{Root: t.TempDir()}
	meta, _ := d.MetadataPath("f.bin")
	os.MkdirAll(filepath.Dir(meta), 0o755)
	big := filepath.Join(d.Root, "big.bin")
	os.WriteFile(big, make([]byte, 1<<20), 0o644)
	if err := os.Symlink(big, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ReadMetadata("f.bin"); err == nil {
		t.Fatal("ReadMetadata read a record through a link")
	}
}
