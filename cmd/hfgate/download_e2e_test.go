package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/hubsim"
)

// These tests run the real hfgate binary (see e2e_helpers_test.go) against
// hubsim, each with its own HF_HOME.

// cacheRepo is repo's entry in this test's cache.
func (e *e2e) cacheRepo(repo string) hfcache.Repo {
	r, err := hfcache.Cache{Dir: filepath.Join(e.home, "hf", "hub")}.Repo(hfgate.RepoTypeModel, hfgate.RepoID(repo))
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// verify fails unless the cache entry of repo has no damaged blob or
// link, and, if complete, no partial download either.
func (e *e2e) verify(repo string, complete bool) {
	e.t.Helper()
	problems, err := e.cacheRepo(repo).Verify(context.Background(), nil)
	if err != nil && hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
		e.t.Fatal(err)
	}
	for _, p := range problems {
		if complete || p.Kind != hfcache.ProblemIncomplete {
			e.t.Errorf("cache problem: %s %s: %s", p.Kind, p.Path, p.Message)
		}
	}
}

func (e *e2e) cdnBytes() int64 { return e.hub.Counters().Hosts[hubsim.HostCDN].Bytes }

func (e *e2e) stat(repo, file string) hubsim.FileInfo {
	fi, err := e.hub.Catalog().Stat(repo, "main", file)
	if err != nil {
		e.t.Fatal(err)
	}
	return fi
}

func TestE2EDownloadTinyGGUF(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	const file = "tiny-llama-Q4_K_M.gguf"
	r := e.mustRun("", "download", hubsim.RepoTiny, file)
	want, _ := e.cacheRepo(hubsim.RepoTiny).SnapshotPath(e.stat(hubsim.RepoTiny, file).Commit, file)
	if strings.TrimSpace(r.stdout) != want {
		t.Fatalf("stdout %q, want %s", r.stdout, want)
	}
	e.verify(hubsim.RepoTiny, true)

	r = e.mustRun("", "download", hubsim.RepoTiny, "--include", "*.gguf", "--exclude", "*Q8*", "--json")
	done := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	var last jsonEvent
	for sc.Scan() {
		last = jsonEvent{}
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("--json line %q: %v", sc.Text(), err)
		}
		if last.Kind == "done" {
			done[last.File] = last.Cached
		}
	}
	if len(done) != 2 || !done[file] || done["tiny-llama-Q2_K.gguf"] {
		t.Fatalf("done events %v: want Q4_K_M cached and Q2_K fetched", done)
	}
	if last.Kind != "result" || len(last.Paths) != 1 || filepath.Dir(want) != last.Paths[0] {
		t.Fatalf("last line %+v, want the result with the snapshot dir", last)
	}
	e.verify(hubsim.RepoTiny, true)
}

// startAndStop starts a download and signals it once hubsim has served
// half of size, then waits for it to exit.
func (e *e2e) startAndStop(sig os.Signal, size int64, args ...string) result {
	e.t.Helper()
	p := e.start(args...)
	deadline := time.Now().Add(time.Minute)
	for e.cdnBytes() < size/2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	p.cmd.Process.Signal(sig)
	return e.wait(p)
}

// The ~400 MB file, with every CDN connection capped, is slow enough to
// be stopped halfway.
const (
	bigRepo = "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF"
	bigFile = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
)

func TestE2EKillResume(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	size := e.stat(bigRepo, bigFile).Size
	e.hub.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, BandwidthPerConn: 8 << 20})
	if r := e.startAndStop(syscall.SIGKILL, size, "download", bigRepo, bigFile); r.code != -1 {
		t.Fatalf("after SIGKILL: exit %d, want killed", r.code)
	}
	e.verify(bigRepo, false)
	e.hub.ClearFaults()
	e.mustRun("", "download", bigRepo, bigFile)
	e.verify(bigRepo, true)
	served := e.cdnBytes()
	t.Logf("served %d bytes over both runs for a %d-byte file: %.3fx", served, size, float64(served)/float64(size))
	if float64(served) > 1.05*float64(size) {
		t.Fatalf("served %d bytes over both runs for a %d-byte file: %.3fx, want <= 1.05x", served, size, float64(served)/float64(size))
	}
}

func TestE2EInterruptKeepsProgress(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	size := e.stat(bigRepo, bigFile).Size
	e.hub.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, BandwidthPerConn: 8 << 20})
	r := e.startAndStop(os.Interrupt, size, "download", bigRepo, bigFile)
	if r.code != exitCanceled || !strings.Contains(r.stderr, "run the same command again to resume") {
		t.Fatalf("after SIGINT: exit %d, want %d and how to resume", r.code, exitCanceled)
	}
	e.verify(bigRepo, false)
	e.hub.ClearFaults()
	e.mustRun("", "download", bigRepo, bigFile)
	e.verify(bigRepo, true)
	if served := e.cdnBytes(); float64(served) > 1.05*float64(size) {
		t.Fatalf("served %d bytes for %d after an interrupt and a resume", served, size)
	}
}

func TestE2ETwoProcessesOneFile(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	const file = "tiny-llama-Q8_0.gguf"
	size := e.stat(hubsim.RepoTiny, file).Size
	e.hub.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, BandwidthPerConn: 1 << 20})
	first := e.start("download", hubsim.RepoTiny, file)
	for e.cdnBytes() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	second := e.start("download", hubsim.RepoTiny, file)
	second.waitLine(t, "waiting for another hfgate")
	for i, r := range []result{e.wait(first), e.wait(second)} {
		if r.code != 0 {
			t.Fatalf("process %d: exit %d", i, r.code)
		}
	}
	if !strings.Contains(second.stderr.String(), "already in the cache") {
		t.Fatal("the second process did not use the first one's file")
	}
	if served := e.cdnBytes(); served != size {
		t.Fatalf("CDN served %d bytes for two processes, want %d", served, size)
	}
	e.verify(hubsim.RepoTiny, true)
}

func TestE2EFaults(t *testing.T) {
	const file = "tiny-llama-Q8_0.gguf"
	for _, tt := range []struct {
		name  string
		rules []hubsim.FaultRule
		code  int // 0: the download must succeed
	}{
		{"cut", []hubsim.FaultRule{{Host: hubsim.HostCDN, CutAfterBytes: 400_000, Times: 4}}, 0},
		{"429", []hubsim.FaultRule{{Host: hubsim.HostCDN, Status: 429, RetryAfter: time.Second, Times: 2}}, 0},
		{"5xx", []hubsim.FaultRule{{Host: hubsim.HostHub, Status: 503, Times: 1}, {Host: hubsim.HostCDN, Status: 500, Times: 2}}, 0},
		{"corrupt once", []hubsim.FaultRule{{Host: hubsim.HostCDN, Corrupt: true, CorruptAt: 5, Times: 1}}, 0},
		{"range ignored", []hubsim.FaultRule{{Host: hubsim.HostCDN, IgnoreRange: true}}, 0},
		{"always corrupt", []hubsim.FaultRule{{Host: hubsim.HostCDN, Corrupt: true, CorruptAt: 5}}, exitIntegrity},
		{"rate limited for good", []hubsim.FaultRule{{Host: hubsim.HostCDN, Status: 429}}, exitUnavailable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, hubsim.Options{})
			e.hub.SetFaults(tt.rules...)
			r := e.run("", "download", hubsim.RepoTiny, file)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d", r.code, tt.code)
			}
			e.verify(hubsim.RepoTiny, tt.code == 0)
			if tt.rules[0].Corrupt {
				// The hash mismatch is fetched again: say so, and do not ask
				// for a rerun while that is under way.
				retry := file + ": downloaded data failed verification: "
				if n := strings.Count(r.stderr, retry); n != 1 || !strings.Contains(r.stderr, "transit); downloading the file again\n") {
					t.Errorf("%d retry lines, want 1:\n%s", n, r.stderr)
				}
				if tt.code == 0 && strings.Contains(r.stderr, "run the same command again") {
					t.Errorf("a download that succeeded asks for a rerun:\n%s", r.stderr)
				}
			}
			if tt.code == 0 {
				return
			}
			if !strings.Contains(r.stderr, "run the same command again") && !strings.Contains(r.stderr, "try again") {
				t.Errorf("the error does not say what to do:\n%s", r.stderr)
			}
			if _, err := e.cacheRepo(hubsim.RepoTiny).Lookup("main", file); err == nil {
				t.Error("a failed download is in the cache")
			}
		})
	}
}
