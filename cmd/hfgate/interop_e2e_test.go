package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gofrs/flock"

	"github.com/hfgate/hfgate/hubsim"
)

// These tests put hfgate beside another tool on one cache, as in issue 9:
// whatever hfgate leaves behind, a tool that trusts blobs/<etag>.incomplete
// as a prefix must end with a correct blob, and a link planted by another
// user of the cache must not make hfgate write through it.

// resumeLikeHuggingfaceHub does to a file's blobs/<etag>.incomplete what
// huggingface_hub's hf_hub_download does (file_download.py:
// _download_to_tmp_and_move, http_get): under .locks/<folder>/<etag>.lock
// it opens the file for appending, resumes from its length with
// Range: bytes=<length>- (a file longer than the size is deleted first),
// checks the final length, and moves the file to blobs/<etag> without
// hashing it; then it links the snapshot and writes refs/main.
func (e *e2e) resumeLikeHuggingfaceHub(repo, file string) {
	e.t.Helper()
	fi := e.stat(repo, file)
	r := e.cacheRepo(repo)
	lockPath, _ := r.LockPath(fi.ETag)
	lk := flock.New(lockPath)
	if err := lk.Lock(); err != nil {
		e.t.Fatal(err)
	}
	defer lk.Unlock()
	inc, _ := r.IncompletePath(fi.ETag)
	if st, err := os.Stat(inc); err == nil && st.Size() > fi.Size {
		os.Remove(inc)
	}
	f, err := os.OpenFile(inc, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		e.t.Fatal(err)
	}
	st, _ := f.Stat()
	if have := st.Size(); have < fi.Size {
		url, err := e.hub.CDNFileURL(repo, "main", file)
		if err != nil {
			e.t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			e.t.Fatal(err)
		}
		_, err = io.Copy(f, resp.Body)
		resp.Body.Close()
		if err != nil {
			e.t.Fatal(err)
		}
	}
	if st, _ := f.Stat(); st.Size() != fi.Size {
		e.t.Fatalf("consistency check failed: %d bytes, want %d", st.Size(), fi.Size)
	}
	f.Close()
	blob, _ := r.BlobPath(fi.ETag)
	if err := os.Rename(inc, blob); err != nil {
		e.t.Fatal(err)
	}
	if err := r.Link(fi.Commit, file, fi.ETag); err != nil {
		e.t.Fatal(err)
	}
	if err := r.WriteRef("main", fi.Commit); err != nil {
		e.t.Fatal(err)
	}
}

// isPrefix reports whether path holds the first bytes of repo's file.
func (e *e2e) isPrefix(path, repo, file string) (n int64, ok bool) {
	e.t.Helper()
	got, err := os.Open(path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer got.Close()
	want, _, err := e.hub.Catalog().Open(repo, "main", file)
	if err != nil {
		e.t.Fatal(err)
	}
	a, b := make([]byte, 1<<20), make([]byte, 1<<20)
	for {
		k, err := io.ReadFull(got, a)
		if k > 0 {
			if _, err := io.ReadFull(want, b[:k]); err != nil || !bytes.Equal(a[:k], b[:k]) {
				return n, false
			}
			n += int64(k)
		}
		if err != nil {
			return n, true
		}
	}
}

func sha256Of(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil))
}

// kill -9 of a download with helper connections, then huggingface_hub on
// the same file: it finds a prefix, resumes it, and publishes a correct
// blob; hfgate then finds the file in the cache and cleans up after itself.
func TestE2EKilledParallelDownloadThenPrefixResumingClient(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	fi := e.stat(bigRepo, bigFile)
	// Capped connections: one is too slow for the file, so helpers open.
	e.hub.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, BandwidthPerConn: 8 << 20})
	if r := e.startAndStop(syscall.SIGKILL, fi.Size, "download", bigRepo, bigFile); r.code != -1 {
		t.Fatalf("after SIGKILL: exit %d, want killed", r.code)
	}
	e.hub.ClearFaults()
	r := e.cacheRepo(bigRepo)
	inc, _ := r.IncompletePath(fi.ETag)
	parts := strings.TrimSuffix(inc, ".incomplete") + ".hfgate-parts"
	if st, err := os.Stat(parts); err != nil || st.Size() == 0 {
		t.Fatalf("no parts file after the kill (%v): the download did not use helper connections", err)
	}
	n, ok := e.isPrefix(inc, bigRepo, bigFile)
	if !ok {
		t.Fatalf("blobs/<etag>.incomplete is not a prefix of the file (differs within its first %d bytes)", n)
	}
	t.Logf("killed with %d bytes in the .incomplete prefix, of %d", n, fi.Size)

	e.resumeLikeHuggingfaceHub(bigRepo, bigFile)
	blob, _ := r.BlobPath(fi.ETag)
	if got := sha256Of(t, blob); got != fi.ETag {
		t.Fatalf("the prefix-resuming client published a blob that hashes to %s, not its name %s", got, fi.ETag)
	}
	out := e.mustRun("", "download", bigRepo, bigFile)
	if !strings.Contains(out.stderr, "already in the cache") {
		t.Fatalf("hfgate fetched the file again:\n%s", out.stderr)
	}
	if _, err := os.Lstat(parts); !os.IsNotExist(err) {
		t.Error("hfgate left its parts file beside the finished blob")
	}
	e.verify(bigRepo, false)
}

// A link planted where hfgate writes (by another user of a shared cache)
// is refused, and the file it points to is left as it was.
func TestE2EPlantedLinkRefused(t *testing.T) {
	const file = "tiny-llama-Q2_K.gguf"
	for _, where := range []string{"incomplete", "lock"} {
		t.Run(where, func(t *testing.T) {
			e := newE2E(t, hubsim.Options{})
			fi := e.stat(hubsim.RepoTiny, file)
			r := e.cacheRepo(hubsim.RepoTiny)
			path, _ := r.IncompletePath(fi.ETag)
			if where == "lock" {
				path, _ = r.LockPath(fi.ETag)
			}
			victim := filepath.Join(e.home, "victim.txt")
			os.WriteFile(victim, []byte("precious"), 0o600)
			if err := os.Symlink(victim, path); err != nil {
				t.Fatal(err)
			}
			res := e.run("", "download", hubsim.RepoTiny, file)
			if res.code != exitUsage || !strings.Contains(res.stderr, "not a plain file") {
				t.Fatalf("exit %d, want %d and a refusal:\n%s", res.code, exitUsage, res.stderr)
			}
			if b, _ := os.ReadFile(victim); string(b) != "precious" {
				t.Fatalf("the link's target now holds %d bytes", len(b))
			}
			if blob, _ := r.BlobPath(fi.ETag); fileExistsE2E(blob) {
				t.Fatal("a blob was published")
			}
		})
	}
}

func fileExistsE2E(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// A file whose ETag is no hash is refused, saying how to download it
// anyway; with --unverified it is downloaded, its size checked.
func TestE2EUnverifiableETag(t *testing.T) {
	const file = "tiny-llama-Q2_K.gguf"
	e := newE2E(t, hubsim.Options{})
	e.hub.SetFaults(hubsim.FaultRule{Host: hubsim.HostHub, PathPrefix: "/" + hubsim.RepoTiny + "/resolve/",
		Headers: map[string]string{"X-Linked-Etag": `"v2-opaque-etag"`}})
	r := e.run("", "download", hubsim.RepoTiny, file)
	if r.code != exitIntegrity || !strings.Contains(r.stderr, "cannot be verified") || !strings.Contains(r.stderr, "--unverified") {
		t.Fatalf("exit %d, want %d, saying it cannot be verified and how to go on:\n%s", r.code, exitIntegrity, r.stderr)
	}
	if n := e.cdnBytes(); n != 0 {
		t.Fatalf("%d bytes fetched for a file refused as unverifiable", n)
	}
	r = e.mustRun("", "download", hubsim.RepoTiny, file, "--unverified")
	if got := sha256Of(t, strings.TrimSpace(r.stdout)); got != e.stat(hubsim.RepoTiny, file).SHA256 {
		t.Fatalf("--unverified download: sha256 %s, want the file", got)
	}
}
