package blobcache_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

func TestParseKey(t *testing.T) {
	for _, tt := range []struct {
		in   string
		algo string
	}{
		{strings.Repeat("a", 64), blobcache.AlgoSHA256},
		{strings.Repeat("0", 40), blobcache.AlgoSHA1},
		{strings.Repeat("A", 64), ""},
		{strings.Repeat("a", 63), ""},
		{strings.Repeat("g", 40), ""},
		{"../" + strings.Repeat("a", 61), ""},
		{"", ""},
	} {
		k, err := blobcache.ParseKey(tt.in)
		if got := k.Algo(); got != tt.algo || (err == nil) != (tt.algo != "") {
			t.Errorf("ParseKey(%q) = algo %q, err %v; want algo %q", tt.in, got, err, tt.algo)
		}
		if err != nil && hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("ParseKey(%q) error code %s, want EINVALID", tt.in, hfgate.ErrorCode(err))
		}
	}
}

// TestPlantedLinksNotFollowed: symlinks planted where the cache writes
// (a fill's data file, its journal, a blob's name, a blob folder) are never
// written through; the files they point to stay as they were.
func TestPlantedLinksNotFollowed(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	cfg := testConfig(t)
	b, up := fileOf(t, sim, tiny, tinyQ2)
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := openCache(t, cfg) // makes the layout
	c.Close()
	k := string(b.Key)
	for _, link := range []string{
		filepath.Join(cfg.Dir, "fill", k),
		filepath.Join(cfg.Dir, "fill", k+".journal"),
		filepath.Join(cfg.Dir, "index"),
	} {
		if err := os.Symlink(victim, link); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(cfg.Dir, "blobs", "sha256", k[:2])); err != nil {
		t.Fatal(err)
	}

	c = openCache(t, cfg)
	r, err := c.Open(context.Background(), b, up)
	if err != nil {
		t.Fatal(err)
	}
	sum, _, _ := sumOf(r) // the bytes are verified before publishing fails
	r.Close()
	if sum != sha256Of(t, sim, tiny, tinyQ2) {
		t.Errorf("sha256 %s", sum)
	}
	waitFor(t, "the fill to end", func() bool { e, _ := c.Stat(b.Key); return !e.Filling })
	c.Close()
	if got, _ := os.ReadFile(victim); string(got) != "precious" {
		t.Errorf("a file outside the cache was written through a link: %q", got)
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 1 {
		t.Errorf("the cache wrote into a folder a link pointed to: %v", entries)
	}
}

// TestModesAndLock: files are 0600, folders the cache makes 0700, and a second Cache on
// the same directory is refused while the first is open.
func TestModesAndLock(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	cfg := testConfig(t)
	c := openCache(t, cfg)
	b, up := fileOf(t, sim, tiny, tinyQ2)
	if err := c.Warm(context.Background(), b, up); err != nil {
		t.Fatal(err)
	}
	if err := c.Meta().PutRevision(hfgate.RepoTypeModel, "acme/model", "main", commitA); err != nil {
		t.Fatal(err)
	}
	if _, err := blobcache.Open(context.Background(), cfg); hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
		t.Errorf("a second Open of the directory: %v, want EUNAVAILABLE", err)
	}
	waitComplete(t, c, b.Key)
	c.Close()
	filepath.WalkDir(cfg.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == cfg.Dir { // the operator's folder keeps its mode
			return err
		}
		fi, _ := d.Info()
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700 | fs.ModeDir
		}
		if fi.Mode() != want {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode(), want)
		}
		return nil
	})
}
