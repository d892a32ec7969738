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

func TestRemoveRevisions(t *testing.T) {
	ctx := context.Background()
	m := "models--org--model"
	rel := func(dir string, paths []string) []string {
		var out []string
		for _, p := range paths {
			out = append(out, strings.TrimPrefix(filepath.ToSlash(p), filepath.ToSlash(dir)+"/"))
		}
		return out
	}
	for _, tt := range []struct {
		name    string
		commits []string
		freed   int
		paths   []string
		missing []string
	}{
		{
			name:    "main keeps the blob shared with the PR",
			commits: []string{commitMain},
			freed:   len(readmeMain) + len(config),
			paths: []string{
				m + "/blobs/" + gitETag(config),
				m + "/blobs/" + gitETag(readmeMain),
				m + "/refs/main",
				m + "/snapshots/" + commitMain,
			},
		},
		{
			name:    "PR ref and its own blob",
			commits: []string{commitPR, commitNone},
			freed:   len(readmePR),
			paths: []string{
				m + "/blobs/" + gitETag(readmePR),
				m + "/refs/refs/pr/1",
				m + "/snapshots/" + commitPR,
			},
			missing: []string{commitNone},
		},
		{
			name:    "every revision takes the repository",
			commits: []string{commitMain, commitPR},
			freed:   len(readmeMain) + len(readmePR) + len(weights) + len(config),
			paths:   []string{m},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := newFixture(t)
			c := hfcache.Cache{Dir: dir}
			before := listTree(t, dir)

			dry, err := c.RemoveRevisions(ctx, tt.commits, hfcache.RemoveOptions{DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			if after := listTree(t, dir); after != before {
				t.Fatalf("dry run changed the cache:\n%s", after)
			}
			rm, err := c.RemoveRevisions(ctx, tt.commits, hfcache.RemoveOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, got := range []*hfcache.Removal{dry, rm} {
				if got.Freed != int64(tt.freed) || !slices.Equal(rel(dir, got.Paths), tt.paths) || !slices.Equal(got.NotFound, tt.missing) {
					t.Errorf("removal freed %d %q missing %q; want %d %q %q", got.Freed, rel(dir, got.Paths), got.NotFound, tt.freed, tt.paths, tt.missing)
				}
			}
			for _, p := range tt.paths {
				if _, err := os.Lstat(filepath.Join(dir, p)); !os.IsNotExist(err) {
					t.Errorf("%s still there: %v", p, err)
				}
			}
			// What is left is a consistent cache: every file it lists
			// still opens, and there is no warning.
			rep, err := c.Scan(ctx)
			if err != nil || len(rep.Warnings) != 0 {
				t.Fatalf("scan after removal: %v %v", err, rep.Warnings)
			}
			for _, repo := range rep.Repos {
				for _, rev := range repo.Revisions {
					for _, f := range rev.Files {
						if _, err := os.ReadFile(f.LocalPath); err != nil {
							t.Errorf("kept file broken: %v", err)
						}
					}
				}
			}
		})
	}

	t.Run("unknown commit", func(t *testing.T) {
		_, err := hfcache.Cache{Dir: newFixture(t)}.RemoveRevisions(ctx, []string{commitNone}, hfcache.RemoveOptions{})
		wantCode(t, err, hfgate.ENOTFOUND)
	})
}

func TestRemoveRepo(t *testing.T) {
	ctx := context.Background()
	dir := newFixture(t)
	hfTree{t, dir}.write("models--org--model/blobs/x.incomplete", []byte("12345"))
	c := hfcache.Cache{Dir: dir}
	want := int64(len(readmeMain) + len(readmePR) + len(weights) + len(config) + 40 + 40 + 5)

	dry, err := c.RemoveRepo(ctx, "", "org/model", hfcache.RemoveOptions{DryRun: true})
	if err != nil || dry.Freed != want {
		t.Fatalf("dry run: %+v, %v; want %d bytes", dry, err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "models--org--model")); err != nil {
		t.Fatalf("dry run removed the repository: %v", err)
	}
	rm, err := c.RemoveRepo(ctx, hfgate.RepoTypeModel, "org/model", hfcache.RemoveOptions{})
	if err != nil || rm.Freed != want || len(rm.Paths) != 1 {
		t.Fatalf("RemoveRepo: %+v, %v", rm, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "models--org--model")); !os.IsNotExist(err) {
		t.Fatalf("repository still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "datasets--org--data", "refs", "main")); err != nil {
		t.Fatalf("another repository was touched: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".locks", "models--org--model")); err != nil {
		t.Fatalf(".locks was touched: %v", err)
	}
	_, err = c.RemoveRepo(ctx, "", "org/model", hfcache.RemoveOptions{})
	wantCode(t, err, hfgate.ENOTFOUND)
	_, err = c.RemoveRepo(ctx, "", "../etc", hfcache.RemoveOptions{})
	wantCode(t, err, hfgate.EINVALID)
}
