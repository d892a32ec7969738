package download_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

const (
	tiny   = hubsim.RepoTiny
	q4     = "tiny-llama-Q4_K_M.gguf"
	readme = "README.md"
)

func sha256File(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestDownloadSingleFile(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	d := newDownloader(t, sim)
	var rec recorder
	res, err := d.Download(context.Background(), download.Request{Repo: tiny, Files: []string{q4}}, &rec)
	if err != nil {
		t.Fatal(err)
	}
	want := stat(t, sim, tiny, "main", q4)
	if len(res) != 1 {
		t.Fatalf("results=%d, want 1", len(res))
	}
	r := res[0]
	if r.File != q4 || r.Size != want.Size || r.Commit != want.Commit || r.ETag != want.SHA256 || r.Cached {
		t.Fatalf("result=%+v, want file %s size %d commit %s etag %s, not cached", r, q4, want.Size, want.Commit, want.SHA256)
	}
	if got := sha256File(t, r.Path); got != want.SHA256 {
		t.Fatalf("sha256 of %s = %s, want %s", r.Path, got, want.SHA256)
	}
	repo, _ := d.Cache.Repo(hfgate.RepoTypeModel, tiny)
	if snap, _ := repo.SnapshotPath(want.Commit, q4); r.Path != snap {
		t.Fatalf("path=%s, want the snapshot link %s", r.Path, snap)
	}
	if commit, err := repo.ReadRef("main"); err != nil || commit != want.Commit {
		t.Fatalf("refs/main=%q,%v, want %s", commit, err, want.Commit)
	}
	verifyRepo(t, d.Cache, tiny)
	rec.checkLifecycle(t, q4, download.FileDone)
	if !rec.has(q4, download.FileProgress) {
		t.Error("no progress event")
	}
}

func TestDownloadSnapshotIncludeExclude(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	d := newDownloader(t, sim)
	var rec recorder
	res, err := d.Download(context.Background(), download.Request{
		Repo: tiny, Include: []string{"*.gguf", "README.md"}, Exclude: []string{"*Q8_0*"},
	}, &rec)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res {
		got = append(got, r.File)
		rec.checkLifecycle(t, r.File, download.FileDone)
	}
	want := []string{"README.md", "tiny-llama-Q2_K.gguf", "tiny-llama-Q4_K_M.gguf"}
	if !slices.Equal(got, want) {
		t.Fatalf("files=%v, want %v", got, want)
	}
	verifyRepo(t, d.Cache, tiny)
	_, err = d.Download(context.Background(), download.Request{Repo: tiny, Include: []string{"*.safetensors"}}, nil)
	if hfgate.ErrorCode(err) != hfgate.ENOTFOUND || !strings.Contains(hfgate.ErrorMessage(err), `(include "*.safetensors")`) {
		t.Fatalf("patterns matching nothing: err=%v, want ENOTFOUND naming the pattern", err)
	}
	// README.md is a regular file: its blob is named by the git blob id.
	if fi := stat(t, sim, tiny, "main", readme); res[0].ETag != fi.BlobID || fi.LFS {
		t.Fatalf("README etag=%s, want blob id %s", res[0].ETag, fi.BlobID)
	}
}

func TestDownloadCachedSecondRun(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	d := newDownloader(t, sim)
	req := download.Request{Repo: tiny, Include: []string{"*Q2_K*", "README.md"}}
	if _, err := d.Download(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	sim.ResetCounters()
	for _, req := range []download.Request{req, {Repo: tiny, Files: []string{"tiny-llama-Q2_K.gguf"}}} {
		res, err := d.Download(context.Background(), req, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if !r.Cached {
				t.Errorf("%s: Cached=false on the second run", r.File)
			}
		}
	}
	c := sim.Counters()
	if n := c.Hosts[hubsim.HostCDN].Requests; n != 0 {
		t.Fatalf("second run made %d CDN requests, want 0", n)
	}
	if n := c.Route(hubsim.RouteResolve).Requests; n != 1 {
		t.Fatalf("second runs made %d resolve requests, want 1 (the explicit file's metadata)", n)
	}
}

func TestDownloadOffline(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	d := newDownloader(t, sim)
	if _, err := d.Download(context.Background(), download.Request{Repo: tiny, Files: []string{q4}}, nil); err != nil {
		t.Fatal(err)
	}
	sim.ResetCounters()
	off := &download.Downloader{Cache: d.Cache, Offline: true}
	var rec recorder
	res, err := off.Download(context.Background(), download.Request{Repo: tiny, Files: []string{q4}}, &rec)
	if err != nil {
		t.Fatal(err)
	}
	if want := stat(t, sim, tiny, "main", q4); !res[0].Cached || res[0].Size != want.Size || res[0].ETag != want.SHA256 || res[0].Commit != want.Commit {
		t.Fatalf("offline result=%+v", res[0])
	}
	rec.checkLifecycle(t, q4, download.FileDone)
	res, err = off.Download(context.Background(), download.Request{Repo: tiny}, nil)
	if err != nil || len(res) != 1 || res[0].File != q4 {
		t.Fatalf("offline snapshot=%v,%v, want just %s", res, err, q4)
	}

	_, err = off.Download(context.Background(), download.Request{Repo: tiny, Files: []string{"tiny-llama-Q8_0.gguf"}}, &rec)
	if hfgate.ErrorCode(err) != hfgate.ENOTFOUND || !strings.Contains(hfgate.ErrorMessage(err), "HF_HUB_OFFLINE") {
		t.Fatalf("offline miss: %v, want ENOTFOUND mentioning HF_HUB_OFFLINE", err)
	}
	rec.checkLifecycle(t, "tiny-llama-Q8_0.gguf", download.FileError)
	_, err = off.Download(context.Background(), download.Request{Repo: hubsim.RepoBenchmark}, nil)
	if hfgate.ErrorCode(err) != hfgate.ENOTFOUND || !strings.Contains(hfgate.ErrorMessage(err), "HF_HUB_OFFLINE") {
		t.Fatalf("offline snapshot miss: %v, want ENOTFOUND mentioning HF_HUB_OFFLINE", err)
	}
	if c := sim.Counters(); c.Hosts[hubsim.HostHub].Requests+c.Hosts[hubsim.HostCDN].Requests != 0 {
		t.Fatalf("offline downloads made requests: %+v", c.Hosts)
	}
}

func TestDownloadEntryNotFound(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	d := newDownloader(t, sim)
	var rec recorder
	for _, files := range [][]string{{"nope.gguf"}, {readme, "nope.gguf"}} {
		res, err := d.Download(context.Background(), download.Request{Repo: tiny, Files: files}, &rec)
		if hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
			t.Fatalf("%v: err=%v, want ENOTFOUND", files, err)
		}
		if msg := hfgate.ErrorMessage(err); !strings.Contains(msg, "nope.gguf") || !strings.Contains(msg, tiny) {
			t.Fatalf("message %q does not name the file and the repo", msg)
		}
		if len(res) != len(files)-1 {
			t.Fatalf("%v: %d results, want the %d files that exist", files, len(res), len(files)-1)
		}
		rec.checkLifecycle(t, "nope.gguf", download.FileError)
		rec.events = nil
	}
	repo, _ := d.Cache.Repo(hfgate.RepoTypeModel, tiny)
	commit := stat(t, sim, tiny, "main", readme).Commit
	if !repo.NoExist(commit, "nope.gguf") {
		t.Fatal(".no_exist marker not written")
	}
}

func TestDownloadAccessErrors(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	gatedFile := "config.json"
	for _, tt := range []struct {
		name, user string
		repo       hfgate.RepoID
		rev        string
		code       string
		says       string
		action     string
	}{
		{"gated anonymous", "", hubsim.RepoGated, "", hfgate.EUNAUTHORIZED, "signed-in users may ask for access", hfgate.ActionSignIn},
		{"gated not granted", "bob", hubsim.RepoGated, "", hfgate.EGATED, sim.URL() + "/" + hubsim.RepoGated, hfgate.ActionRequestAccess},
		{"private anonymous", "", hubsim.RepoPrivate, "", hfgate.ENOTFOUND, "signed-in user", hfgate.ActionSignIn},
		{"no such repo", "", "nobody/nothing", "", hfgate.ENOTFOUND, "nobody/nothing", hfgate.ActionSignIn}, // the Hub hides private repos so
		{"no such revision", "", tiny, "v9", hfgate.ENOTFOUND, "v9", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := newDownloader(t, sim)
			d.Hub = newClient(t, sim, tt.user)
			for _, files := range [][]string{nil, {gatedFile}} {
				rec := &recorder{}
				_, err := d.Download(context.Background(), download.Request{Repo: tt.repo, Revision: tt.rev, Files: files}, rec)
				if hfgate.ErrorCode(err) != tt.code || !strings.Contains(hfgate.ErrorMessage(err), tt.says) || hfgate.ErrorAction(err) != tt.action {
					t.Errorf("files %v: err=%v (%s, %q), want %s saying %q, action %q", files, err, hfgate.ErrorCode(err), hfgate.ErrorAction(err), tt.code, tt.says, tt.action)
				}
				// One error for the whole request, before any file starts.
				if n := len(rec.events); n != 0 {
					t.Errorf("files %v: %d file events (first %+v), want none", files, n, rec.events[0])
				}
			}
		})
	}
	t.Run("gated granted", func(t *testing.T) {
		d := newDownloader(t, sim)
		d.Hub = newClient(t, sim, "alice")
		if _, err := d.Download(context.Background(), download.Request{Repo: hubsim.RepoGated, Files: []string{gatedFile}}, nil); err != nil {
			t.Fatal(err)
		}
		verifyRepo(t, d.Cache, hubsim.RepoGated)
	})
	t.Run("bad repo id", func(t *testing.T) {
		d := newDownloader(t, sim)
		if _, err := d.Download(context.Background(), download.Request{Repo: "a/b/c"}, nil); hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Fatalf("err=%v, want EINVALID", err)
		}
	})
}

func TestDownloadLocalDir(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	d := newDownloader(t, sim)
	dir := t.TempDir()
	req := download.Request{Repo: tiny, Include: []string{"*Q2_K*", readme}, LocalDir: dir}
	res, err := d.Download(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	ld := hfcache.LocalDir{Root: dir}
	for _, r := range res {
		want := stat(t, sim, tiny, "main", r.File)
		if r.Path != filepath.Join(dir, r.File) {
			t.Errorf("path=%s, want %s", r.Path, filepath.Join(dir, r.File))
		}
		if fi, err := os.Lstat(r.Path); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s is not a plain file: %v", r.Path, err)
		}
		if got := sha256File(t, r.Path); got != want.SHA256 {
			t.Errorf("%s: sha256 %s, want %s", r.File, got, want.SHA256)
		}
		md, err := ld.ReadMetadata(r.File)
		if err != nil || md == nil || md.Commit != want.Commit || md.ETag != want.ETag {
			t.Errorf("metadata of %s = %+v, %v", r.File, md, err)
		}
	}
	if entries, _ := os.ReadDir(d.Cache.Dir); len(entries) != 0 {
		t.Errorf("local-dir download wrote to the cache: %v", entries)
	}
	sim.ResetCounters()
	res, err = d.Download(context.Background(), req, nil)
	if err != nil || len(res) != 2 || !res[0].Cached || !res[1].Cached {
		t.Fatalf("second local-dir run: %+v, %v; want both cached", res, err)
	}
	if n := sim.Counters().Hosts[hubsim.HostCDN].Requests; n != 0 {
		t.Fatalf("second local-dir run made %d CDN requests", n)
	}
	off := &download.Downloader{Offline: true}
	if res, err := off.Download(context.Background(), download.Request{Repo: tiny, LocalDir: dir}, nil); err != nil || len(res) != 2 {
		t.Fatalf("offline local dir: %v, %v", res, err)
	}
}

// evilHub lists files whose paths would escape the cache. Only ModelInfo
// is implemented: nothing else may be called for such paths.
type evilHub struct{ hfgate.Hub }

func (evilHub) ModelInfo(context.Context, hfgate.RepoID, string, ...hfgate.InfoOption) (*hfgate.Model, error) {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	return &hfgate.Model{ID: "evil/repo", SHA: sha, Files: []hfgate.RepoFile{
		{Path: "../../../escape.txt", BlobID: sha, Size: 1},
		{Path: "/etc/passwd", BlobID: sha, Size: 1},
	}}, nil
}

func TestDownloadRefusesUnsafeServerPaths(t *testing.T) {
	dir := t.TempDir()
	d := &download.Downloader{Hub: evilHub{}, Cache: hfcache.Cache{Dir: filepath.Join(dir, "hub")}}
	var rec recorder
	_, err := d.Download(context.Background(), download.Request{Repo: "evil/repo"}, &rec)
	if hfgate.ErrorCode(err) != hfgate.EINVALID || !strings.Contains(hfgate.ErrorMessage(err), "refusing file path") {
		t.Fatalf("err=%v, want EINVALID refusing the paths", err)
	}
	rec.checkLifecycle(t, "../../../escape.txt", download.FileError)
	rec.checkLifecycle(t, "/etc/passwd", download.FileError)
	if fileExists(filepath.Join(dir, "escape.txt")) {
		t.Fatal("a file was written outside the cache")
	}
}
