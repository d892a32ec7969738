package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// freshDir returns a new empty directory under the work directory.
func (b *bench) freshDir(name string) string {
	b.seq++
	dir := filepath.Join(b.work, fmt.Sprintf("%s-%03d", name, b.seq))
	if err := os.Mkdir(dir, 0o755); err != nil {
		panic(err) // the work directory was just made by us
	}
	return dir
}

// dropDir removes a directory the scenario wrote and waits for the disk to
// settle, so that one run's writeback does not slow the next.
func dropDir(dir string) {
	os.RemoveAll(dir)
	exec.Command("sync").Run()
}

// hfgateEnv is the environment of an hfgate command: an empty HF_HOME and
// the hubsim endpoint, no token.
func (b *bench) hfgateEnv(hfHome string) []string {
	return []string{"HF_HOME=" + hfHome, "HF_ENDPOINT=" + b.hs.hub, "XDG_CONFIG_HOME=" + filepath.Join(hfHome, "config")}
}

// resolveURL is the URL curl fetches: the Hub's resolve URL, which
// redirects to the CDN for LFS files (curl -L follows it).
func (b *bench) resolveURL(repo, path string) string {
	return b.hs.hub + "/" + repo + "/resolve/main/" + path
}

// cachedFile returns the path of repo's file in the snapshot of the
// huggingface_hub cache under hfHome.
func cachedFile(hfHome, repo, path string) (string, error) {
	pattern := filepath.Join(hfHome, "hub", "models--"+strings.ReplaceAll(repo, "/", "--"), "snapshots", "*", path)
	m, _ := filepath.Glob(pattern)
	if len(m) != 1 {
		return "", fmt.Errorf("want one %s, found %d", pattern, len(m))
	}
	return m[0], nil
}

// verify checks a downloaded file's size and sha256 against the LFS
// metadata of the Hub API. It runs outside any timing.
func (b *bench) verify(file, repo, path string) error {
	want, ok := b.lfs[repo+"/"+path]
	if !ok {
		return fmt.Errorf("no LFS metadata for %s/%s", repo, path)
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fmt.Errorf("read %s: %w", file, err)
	}
	if n != want.Size {
		return fmt.Errorf("%s: %d bytes, want %d", path, n, want.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want.SHA256 {
		return fmt.Errorf("%s: sha256 %s, want %s", path, got, want.SHA256)
	}
	return nil
}

// sha256Rate measures how fast this machine hashes with SHA-256 on one
// core right now (MB/s), the floor under any verified download's CPU time.
func sha256Rate() float64 {
	buf := make([]byte, 1<<20)
	h := sha256.New()
	start := time.Now()
	const n = 256
	for range n {
		h.Write(buf)
	}
	return mbps(n<<20, time.Since(start))
}
