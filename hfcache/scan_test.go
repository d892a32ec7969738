package hfcache_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

// summary renders the parts of a Report that do not depend on the machine.
func summary(rep *hfcache.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "size=%d\n", rep.Size)
	for _, r := range rep.Repos {
		fmt.Fprintf(&b, "%s %s size=%d files=%d refs=%v\n", r.Type, r.ID, r.Size, r.Files, r.Refs)
		for _, rev := range r.Revisions {
			fmt.Fprintf(&b, "  %s size=%d refs=%v\n", rev.Commit[:4], rev.Size, rev.Refs)
			for _, f := range rev.Files {
				fmt.Fprintf(&b, "    %s %d %s\n", f.Path, f.Size, filepath.Base(f.BlobPath)[:8])
			}
		}
	}
	for _, f := range rep.Incomplete {
		fmt.Fprintf(&b, "incomplete %s %d\n", filepath.Base(f.Path)[:8], f.Size)
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(&b, "warning %s: %s\n", strings.TrimPrefix(filepath.ToSlash(w.Path), filepath.ToSlash(rep.Dir)+"/"), w.Message)
	}
	return b.String()
}

func TestScan(t *testing.T) {
	dir := newFixture(t)
	h := hfTree{t, dir}
	m := "models--org--model"
	h.write(m+"/blobs/"+lfsETag([]byte("partial"))+".incomplete", []byte("part"))
	h.write(m+"/snapshots/.DS_Store", nil)
	h.write(".DS_Store", nil)
	h.write("CACHEDIR.TAG", []byte("Signature: 8a477f597d28d172789f06886806bc55"))
	rep, err := hfcache.Cache{Dir: dir}.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ln := func(b []byte) int { return len(b) }
	r, c, w := gitETag(readmeMain)[:8], gitETag(config)[:8], lfsETag(weights)[:8]
	want := fmt.Sprintf(`size=%d
dataset org/data size=%d files=1 refs=[main]
  cccc size=%d refs=[main]
    data/train.csv %d %s
model org/model size=%d files=4 refs=[main refs/pr/1]
  aaaa size=%d refs=[main]
    README.md %d %s
    model.gguf %d %s
    sub/dir/config.json %d %s
  bbbb size=%d refs=[refs/pr/1]
    README.md %d %s
    model.gguf %d %s
    same/as-model.gguf %d %s
incomplete %s 4
`,
		ln(rows)+ln(readmeMain)+ln(readmePR)+ln(weights)+ln(config),
		ln(rows), ln(rows), ln(rows), gitETag(rows)[:8],
		ln(readmeMain)+ln(readmePR)+ln(weights)+ln(config),
		ln(readmeMain)+ln(weights)+ln(config), ln(readmeMain), r, ln(weights), w, ln(config), c,
		ln(readmePR)+ln(weights), ln(readmePR), gitETag(readmePR)[:8], ln(weights), w, ln(weights), w,
		lfsETag([]byte("partial"))[:8])
	if got := summary(rep); got != want {
		t.Errorf("Scan:\n%s\nwant:\n%s", got, want)
	}
	model := rep.Repos[1]
	if model.Path != filepath.Join(dir, m) || model.LastModified.IsZero() || model.LastAccessed.IsZero() {
		t.Errorf("repo path %q, times %v %v", model.Path, model.LastModified, model.LastAccessed)
	}
	f := model.Revisions[0].Files[2]
	if f.LocalPath != filepath.Join(dir, m, "snapshots", commitMain, "sub", "dir", "config.json") ||
		f.BlobPath != filepath.Join(dir, m, "blobs", gitETag(config)) {
		t.Errorf("file paths %q -> %q", f.LocalPath, f.BlobPath)
	}
}

func TestScanTimes(t *testing.T) {
	dir := newFixture(t)
	blob := filepath.Join(dir, "models--org--model", "blobs", lfsETag(weights))
	at, mt := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(2029, 6, 7, 8, 9, 10, 0, time.UTC)
	if err := os.Chtimes(blob, at, mt); err != nil {
		t.Fatal(err)
	}
	rep, err := hfcache.Cache{Dir: dir}.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	model := rep.Repos[1]
	if !model.LastModified.Equal(mt) {
		t.Errorf("LastModified = %v, want the newest blob's mtime %v", model.LastModified, mt)
	}
	if !model.LastAccessed.Equal(at) {
		t.Errorf("LastAccessed = %v, want the newest blob's atime %v", model.LastAccessed, at)
	}
	if rev := model.Revisions[1]; !rev.LastModified.Equal(mt) {
		t.Errorf("revision LastModified = %v, want %v", rev.LastModified, mt)
	}
}

func TestScanWarnings(t *testing.T) {
	dir := newFixture(t)
	h := hfTree{t, dir}
	m := "models--org--model"
	h.link(m, commitMain, "broken.bin", lfsETag([]byte("gone")))
	h.ref(m, "stale", commitNone)
	h.write("version.txt", []byte("1"))
	h.write("not-a-repo/x", nil)
	h.write("models--bad--id--x/snapshots/x", nil)
	h.write("models--nosnapshots/blobs/x", nil)
	h.write(m+"/snapshots/stray-file", nil)
	rep, err := hfcache.Cache{Dir: dir}.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range rep.Warnings {
		got = append(got, strings.TrimPrefix(filepath.ToSlash(w.Path), filepath.ToSlash(dir)+"/"))
	}
	slices.Sort(got)
	want := []string{
		"models--bad--id--x",
		"models--nosnapshots",
		m + "/refs/stale",
		m + "/snapshots/" + commitMain + "/broken.bin",
		m + "/snapshots/stray-file",
		"not-a-repo",
		"version.txt",
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings on %q\nwant %q\n%s", got, want, summary(rep))
	}
	// The damaged repository is still listed, without the broken file.
	if len(rep.Repos) != 2 || len(rep.Repos[1].Revisions[0].Files) != 3 {
		t.Errorf("repos after warnings:\n%s", summary(rep))
	}
}

func TestScanEmpty(t *testing.T) {
	rep, err := hfcache.Cache{Dir: filepath.Join(t.TempDir(), "none")}.Scan(context.Background())
	if err != nil || len(rep.Repos) != 0 {
		t.Fatalf("Scan of a missing cache = %+v, %v; want an empty report", rep, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (hfcache.Cache{Dir: newFixture(t)}).Scan(ctx); err != context.Canceled {
		t.Fatalf("Scan with a canceled context: %v", err)
	}
	if _, err := (hfcache.Cache{}).Scan(context.Background()); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Fatalf("zero Cache: %v", err)
	}
}

// A cache path through a regular file fails with a message that names the
// folder and says what to do, not with the raw system call.
func TestScanFolderNotADirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(file, "hub")
	_, err := hfcache.Cache{Dir: dir}.Scan(context.Background())
	msg := hfgate.ErrorMessage(err)
	if !strings.HasPrefix(msg, "cannot open the folder "+dir+": ") || hfgate.ErrorAction(err) != hfgate.ActionChooseFolder || strings.Contains(msg, "open directory") {
		t.Errorf("Scan: %q (%v)", msg, err)
	}
	repo, err := hfcache.Cache{Dir: dir}.Repo(hfgate.RepoTypeModel, "a/b")
	if err != nil {
		t.Fatal(err)
	}
	tmp, err := repo.IncompletePath("0123456789abcdef0123456789abcdef01234567")
	if err == nil {
		err = repo.Publish("0123456789abcdef0123456789abcdef01234567", "f", "0123456789abcdef0123456789abcdef01234567", tmp)
	}
	if msg := hfgate.ErrorMessage(err); !strings.HasPrefix(msg, "cannot create the folder "+dir+": ") {
		t.Errorf("writing: %q (%v)", msg, err)
	}
}
