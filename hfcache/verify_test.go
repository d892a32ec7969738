package hfcache_test

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

func TestVerify(t *testing.T) {
	ctx := context.Background()
	m := "models--org--model"

	t.Run("clean", func(t *testing.T) {
		dir := newFixture(t)
		var last hfcache.VerifyProgress
		var calls int
		problems, err := mustRepo(t, hfcache.Cache{Dir: dir}, "", "org/model").Verify(ctx, func(p hfcache.VerifyProgress) {
			if p.Bytes < last.Bytes || p.Files < last.Files {
				t.Errorf("progress went back: %+v after %+v", p, last)
			}
			last = p
			calls++
		})
		if err != nil || len(problems) != 0 {
			t.Fatalf("Verify = %v, %v; want no problem", problems, err)
		}
		total := int64(len(readmeMain) + len(readmePR) + len(weights) + len(config))
		if last.Bytes != total || last.TotalBytes != total || last.Files != 4 || last.TotalFiles != 4 || calls < 9 {
			t.Errorf("last progress %+v after %d calls; want %d bytes in 4 files", last, calls, total)
		}
	})

	t.Run("damage", func(t *testing.T) {
		dir := newFixture(t)
		h := hfTree{t, dir}
		// One flipped byte in the middle of the big LFS blob, one in a
		// git blob, a missing blob, a link to nowhere, a partial download.
		flip(t, filepath.Join(dir, m, "blobs", lfsETag(weights)), len(weights)/2)
		flip(t, filepath.Join(dir, m, "blobs", gitETag(config)), 0)
		os.Remove(filepath.Join(dir, m, "blobs", gitETag(readmePR)))
		h.link(m, commitMain, "nowhere", "../elsewhere")
		h.write(m+"/blobs/"+lfsETag(rows)+".incomplete", rows)
		problems, err := mustRepo(t, hfcache.Cache{Dir: dir}, "", "org/model").Verify(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		type found struct {
			kind hfcache.ProblemKind
			path string
		}
		var got []found
		for _, p := range problems {
			rel, _ := filepath.Rel(filepath.Join(dir, m), p.Path)
			got = append(got, found{p.Kind, filepath.ToSlash(rel)})
			if p.Message == "" {
				t.Errorf("problem without a message: %+v", p)
			}
		}
		want := []found{
			{hfcache.ProblemMismatch, "blobs/" + lfsETag(weights)},
			{hfcache.ProblemMismatch, "blobs/" + gitETag(config)},
			{hfcache.ProblemIncomplete, "blobs/" + lfsETag(rows) + ".incomplete"},
			{hfcache.ProblemDanglingLink, "snapshots/" + commitMain + "/nowhere"},
			{hfcache.ProblemMissingBlob, "snapshots/" + commitPR + "/README.md"},
		}
		slices.SortFunc(want, func(a, b found) int { return cmp.Compare(a.path, b.path) })
		if !slices.Equal(got, want) {
			t.Errorf("problems\n%v\nwant\n%v", got, want)
		}
	})

	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		r := mustRepo(t, hfcache.Cache{Dir: newFixture(t)}, "", "org/model")
		_, err := r.Verify(ctx, func(hfcache.VerifyProgress) { cancel() })
		if err != context.Canceled {
			t.Fatalf("Verify after cancel: %v", err)
		}
	})

	t.Run("not cached", func(t *testing.T) {
		_, err := mustRepo(t, hfcache.Cache{Dir: newFixture(t)}, "", "org/other").Verify(ctx, nil)
		wantCode(t, err, hfgate.ENOTFOUND)
		_, err = mustRepo(t, hfcache.Cache{Dir: filepath.Join(t.TempDir(), "x")}, "", "org/other").Verify(ctx, nil)
		wantCode(t, err, hfgate.ENOTFOUND)
	})
}

// flip inverts one byte of a file.
func flip(tb testing.TB, p string, at int) {
	tb.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	b[at] ^= 0xff
	if err := os.WriteFile(p, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func TestVerifyLargeFileStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 24 MiB")
	}
	// A blob of several hash chunks, checked against a hash computed here.
	content := make([]byte, 24<<20+123)
	for i := range content {
		content[i] = byte(i * 7)
	}
	c := hfcache.Cache{Dir: t.TempDir()}
	r := mustRepo(t, c, "", "org/big")
	download(t, r, commitMain, "big.bin", content, lfsETag(content))
	var updates int
	problems, err := r.Verify(context.Background(), func(hfcache.VerifyProgress) { updates++ })
	if err != nil || len(problems) != 0 {
		t.Fatalf("Verify = %v, %v", problems, err)
	}
	if updates < 25 { // one per MiB read, at least
		t.Errorf("%d progress updates for a 24 MiB blob, want one per chunk", updates)
	}
}

// BenchmarkVerify measures rehashing speed (SHA-256 of one 64 MiB blob,
// mostly from the page cache).
func BenchmarkVerify(b *testing.B) {
	content := make([]byte, 64<<20)
	for i := range content {
		content[i] = byte(i)
	}
	r := mustRepo(b, hfcache.Cache{Dir: b.TempDir()}, "", "org/big")
	download(b, r, commitMain, "big.bin", content, lfsETag(content))
	b.SetBytes(int64(len(content)))
	for b.Loop() {
		if problems, err := r.Verify(context.Background(), nil); err != nil || len(problems) != 0 {
			b.Fatal(problems, err)
		}
	}
}
