package download_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// slowCDN caps every CDN connection so that a second downloader arrives
// while the first is still fetching.
var slowCDN = hubsim.FaultRule{Host: hubsim.HostCDN, BandwidthPerConn: 2 << 20}

func TestDownloadTwoDownloadersOneBlob(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	fi := stat(t, sim, tiny, "main", q8)
	sim.SetFaults(slowCDN)
	d1, d2 := newDownloader(t, sim), newDownloader(t, sim)
	d2.Cache = d1.Cache
	req := download.Request{Repo: tiny, Files: []string{q8}}

	started := make(chan struct{})
	var once sync.Once
	first := make(chan error, 1)
	go func() {
		_, err := d1.Download(context.Background(), req, download.ReporterFunc(func(e download.Event) {
			if e.Kind == download.FileProgress && e.Done > 0 {
				once.Do(func() { close(started) })
			}
		}))
		first <- err
	}()
	<-started
	var rec recorder
	res, err := d2.Download(context.Background(), req, &rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if !rec.has(q8, download.FileWaiting) || !res[0].Cached {
		t.Fatalf("second downloader: events %v, cached %v; want it to wait and use the first one's blob", rec.kinds(q8), res[0].Cached)
	}
	// One fetch, not two; a connection whose range a helper took over may
	// have been sent a little more than it read.
	if served := sim.Counters().Hosts[hubsim.HostCDN].Bytes; served < fi.Size || served > fi.Size+fi.Size/4 {
		t.Fatalf("CDN served %d bytes, want %d: one fetch", served, fi.Size)
	}
	verifyRepo(t, d1.Cache, tiny)
}

// childReport is what a helper process prints.
type childReport struct {
	Waited    bool   `json:"waited"`
	Cached    bool   `json:"cached"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	Published bool   `json:"published"` // the file is in blobs/ or snapshots/
}

// TestChildProcess is not a test: it is the helper process the tests below
// start (the test binary, run again), downloading one file with the
// settings in its environment and printing a childReport.
func TestChildProcess(t *testing.T) {
	if os.Getenv("HFGATE_CHILD_ENDPOINT") == "" {
		t.Skip("helper process of TestDownloadTwoProcesses and TestDownloadDiskFull")
	}
	repo, file := hfgate.RepoID(os.Getenv("HFGATE_CHILD_REPO")), os.Getenv("HFGATE_CHILD_FILE")
	d := &download.Downloader{
		Hub:      &hfhub.Client{Endpoint: os.Getenv("HFGATE_CHILD_ENDPOINT")},
		Cache:    hfcache.Cache{Dir: os.Getenv("HFGATE_CHILD_CACHE")},
		LockPoll: 10 * time.Millisecond,
	}
	var rec recorder
	res, err := d.Download(context.Background(), download.Request{Repo: repo, Files: []string{file}}, &rec)
	out := childReport{Waited: rec.has(file, download.FileWaiting), Code: hfgate.ErrorCode(err), Message: hfgate.ErrorMessage(err)}
	if err == nil {
		out.Cached = res[0].Cached
	}
	// Look for anything that looks complete, here, where the cache is
	// visible (a private tmpfs vanishes with this process).
	r, _ := d.Cache.Repo(hfgate.RepoTypeModel, repo)
	blobs, _ := filepath.Glob(filepath.Join(r.Path(), "blobs", "*"))
	for _, b := range blobs {
		if filepath.Ext(b) == "" {
			out.Published = true
		}
	}
	snaps, _ := filepath.Glob(filepath.Join(r.Path(), "snapshots", "*", file))
	out.Published = out.Published || len(snaps) > 0
	json.NewEncoder(os.Stdout).Encode(out)
}

// child returns the command that runs TestChildProcess, prefixed by
// wrapper (e.g. unshare).
func child(t *testing.T, sim *hubsim.Server, cacheDir string, repo hfgate.RepoID, file string, wrapper ...string) *exec.Cmd {
	args := append(wrapper, os.Args[0], "-test.run=^TestChildProcess$", "-test.v=false")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(),
		"HFGATE_CHILD_ENDPOINT="+sim.URL(), "HFGATE_CHILD_CACHE="+cacheDir,
		"HFGATE_CHILD_REPO="+string(repo), "HFGATE_CHILD_FILE="+file)
	return cmd
}

func parseChild(t *testing.T, out []byte) childReport {
	t.Helper()
	line, _, _ := bytes.Cut(out, []byte("\n"))
	var r childReport
	if err := json.Unmarshal(line, &r); err != nil {
		t.Fatalf("helper process printed %q: %v", out, err)
	}
	return r
}

func TestDownloadTwoProcesses(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	fi := stat(t, sim, tiny, "main", q8)
	sim.SetFaults(slowCDN)
	cache := hfcache.Cache{Dir: t.TempDir()}
	var outs [2]bytes.Buffer
	var cmds [2]*exec.Cmd
	for i := range cmds {
		cmds[i] = child(t, sim, cache.Dir, tiny, q8)
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
	}
	if err := cmds[0].Start(); err != nil {
		t.Fatal(err)
	}
	// Start the second once the first is transferring.
	for sim.Counters().Hosts[hubsim.HostCDN].Bytes == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmds[1].Start(); err != nil {
		t.Fatal(err)
	}
	var reports [2]childReport
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("helper %d: %v\n%s", i, err, outs[i].String())
		}
		reports[i] = parseChild(t, outs[i].Bytes())
		if reports[i].Code != "" {
			t.Fatalf("helper %d failed: %+v", i, reports[i])
		}
	}
	if reports[0].Cached || !reports[1].Waited || !reports[1].Cached {
		t.Fatalf("reports %+v: want the first to fetch and the second to wait and use its blob", reports)
	}
	if served := sim.Counters().Hosts[hubsim.HostCDN].Bytes; served != fi.Size {
		t.Fatalf("CDN served %d bytes, want %d: one fetch for two processes", served, fi.Size)
	}
	verifyRepo(t, cache, tiny)
}

func TestDownloadDiskFull(t *testing.T) {
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare is not installed: cannot mount a small tmpfs to fill")
	}
	if err := exec.Command("unshare", "-rm", "true").Run(); err != nil {
		t.Skipf("unshare -rm does not work here (%v): cannot mount a small tmpfs to fill", err)
	}
	sim := hubsimtest.Start(t, hubsim.Options{})
	const repo, file = "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
	dir := t.TempDir()
	mount := fmt.Sprintf(`mount -t tmpfs -o size=20m tmpfs %q && exec "$@"`, dir)
	cmd := child(t, sim, filepath.Join(dir, "hub"), repo, file, "unshare", "-rm", "sh", "-c", mount, "sh")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	r := parseChild(t, out)
	if r.Code != hfgate.ENOSPACE || r.Published {
		t.Fatalf("report %+v: want ENOSPACE and nothing published", r)
	}
	if !bytes.Contains([]byte(r.Message), []byte("not enough disk space")) {
		t.Fatalf("message %q does not say the disk is full", r.Message)
	}
}
