package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/hfgate/hfgate/bench/internal/report"
)

// Files of the built-in hubsim catalog the scenarios use.
const (
	benchRepo  = "hubsim/benchmark"
	bigFile    = "blob-2GiB.bin"
	capRepo    = "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF"
	capFile    = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf" // about 400 MB
	ggufRepo   = "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF"
	ggufFile   = "qwen2.5-coder-7b-instruct-q4_k_m.gguf"
	smallGlob  = "small/*"
	smallCount = 50
)

// bench is one benchmark run: a work directory, the built binary and a
// running hubsim.
type bench struct {
	cfg      config
	work     string // temporary; everything the run writes is under it
	home     string // $HOME of every measured command
	tmp      string // $TMPDIR of every measured command
	bin      string // the hfgate binary under test
	hs       *hubsimProc
	deadline time.Time
	seq      int
	// lfs maps "repo/path" to the file's size and sha256, from the Hub API.
	lfs map[string]lfsInfo
}

type lfsInfo struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

func (b *bench) logf(format string, args ...any) {
	fmt.Printf(format+"\n", args...)
}

// newBench builds hfgate from the module in the current directory and
// starts hubsim.
func newBench(ctx context.Context, cfg config) (*bench, error) {
	b := &bench{cfg: cfg, deadline: time.Now().Add(cfg.budget), lfs: map[string]lfsInfo{}}
	var err error
	if b.work, err = os.MkdirTemp("", "hfgate-bench-"); err != nil {
		return nil, err
	}
	b.home, b.tmp = filepath.Join(b.work, "home"), filepath.Join(b.work, "tmp")
	for _, d := range []string{b.home, b.tmp, filepath.Join(b.work, "logs")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	b.logf("# hfgate bench: %d repetition(s) per scenario, median reported; work dir %s", cfg.reps, b.work)
	b.logf("# machine: %s/%s, %d CPUs, %s; load average %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), report.LoadAvg())
	b.bin = filepath.Join(b.work, "hfgate")
	if err := b.build(ctx, b.bin, "./cmd/hfgate"); err != nil {
		b.close()
		return nil, err
	}
	argv := []string{b.bin, "hubsim", "--json", "--addr", "127.0.0.1:0", "--cdn-addr", "127.0.0.1:0"}
	if b.hs, err = startHubsim(ctx, argv, filepath.Join(b.work, "logs", "hubsim.log"), b.logf); err != nil {
		b.close()
		return nil, err
	}
	b.logf("# hubsim: hub %s, cdn %s", b.hs.hub, b.hs.cdn)
	for _, repo := range []string{benchRepo, capRepo, ggufRepo} {
		if err := b.loadLFS(ctx, repo); err != nil {
			b.close()
			return nil, err
		}
	}
	return b, nil
}

func (b *bench) build(ctx context.Context, out, pkg string) error {
	argv := []string{"go", "build", "-o", out, pkg}
	b.logf("$ %s", report.ShellJoin(argv))
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build %s: %w", pkg, err)
	}
	return nil
}

// loadLFS reads the sizes and sha256 of a repo's LFS files from
// /api/models/{repo}?blobs=true, outside any timing.
func (b *bench) loadLFS(ctx context.Context, repo string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.hs.hub+"/api/models/"+repo+"?blobs=true", nil)
	if err != nil {
		return err
	}
	resp, err := adminClient.Do(req)
	if err != nil {
		return fmt.Errorf("model info %s: %w", repo, err)
	}
	defer resp.Body.Close()
	var info struct {
		Siblings []struct {
			Rfilename string   `json:"rfilename"`
			LFS       *lfsInfo `json:"lfs"`
		} `json:"siblings"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		return fmt.Errorf("model info %s: %s: %w", repo, resp.Status, err)
	}
	for _, s := range info.Siblings {
		if s.LFS != nil {
			b.lfs[repo+"/"+s.Rfilename] = *s.LFS
		}
	}
	return nil
}

// close stops hubsim and removes the work directory (unless --keep).
func (b *bench) close() {
	if b.hs != nil {
		b.hs.stop()
	}
	if b.cfg.keep {
		b.logf("# kept %s", b.work)
		return
	}
	os.RemoveAll(b.work)
}
