package blobcache_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// BenchmarkColdFill compares a client that downloads the 2 GiB blob from
// hubsim's CDN directly with one that downloads it through a loopback
// HTTP server serving it from an empty cache (Open, Wait, WriteRange: the
// gateway's path, without its policy and audit). Both clients read the body
// 1 MiB at a time and count it, as curl does; the cache's copy is checked
// by the cache itself (the blob is published only if it hashes to its key)
// and each run checks that it was. It reports the time to the first byte
// and the whole time.
func BenchmarkColdFill(b *testing.B) {
	if testing.Short() {
		b.Skip("moves 2 GiB per run")
	}
	benchCold(b, bench, bench2G, 0)
}

// BenchmarkColdFillCapped is BenchmarkColdFill with the ~380 MiB Qwen
// 0.5B Q4_K_M file behind a CDN that caps every connection at 40 MB/s
// (hubsim's bandwidthPerConn), as a far-away CDN does: the client alone
// gets one connection's speed; the cache fills over several.
func BenchmarkColdFillCapped(b *testing.B) {
	if testing.Short() {
		b.Skip("moves 380 MiB per run")
	}
	benchCold(b, qwen05, qwenQ4, 40e6)
}

func benchCold(b *testing.B, repo, file string, capPerConn int64) {
	blob, up := simProcess(b, repo, file, capPerConn)
	var cache *blobcache.Cache
	url := startServer(b, func(w http.ResponseWriter, req *http.Request) {
		serveBlob(w, req, cache, blob, up)
	})
	run := func(b *testing.B, url string, before, after func()) {
		b.SetBytes(blob.Size)
		var ttfb time.Duration
		for b.Loop() {
			b.StopTimer()
			before()
			b.StartTimer()
			ttfb += download(b, url, blob.Size)
			b.StopTimer()
			after()
			b.StartTimer()
		}
		b.ReportMetric(float64(ttfb.Microseconds())/1000/float64(b.N), "ms-ttfb")
	}
	b.Run("direct", func(b *testing.B) { run(b, up.url, func() {}, func() {}) })
	b.Run("cache", func(b *testing.B) {
		dir := b.TempDir()
		before := func() {
			os.RemoveAll(dir)
			var err error
			if cache, err = blobcache.Open(context.Background(), blobcache.Config{Dir: dir}); err != nil {
				b.Fatal(err)
			}
		}
		after := func() {
			waitComplete(b, cache, blob.Key)
			cache.Close()
		}
		run(b, url, before, after)
	})
}

// simProcess starts hubsim in a process of its own (this test binary,
// run again), as the Hub is elsewhere for a gateway, so that generating
// the file does not take this process's CPUs. It returns the blob of the
// file and an upstream for it; capPerConn > 0 caps every CDN connection.
func simProcess(b *testing.B, repo, file string, capPerConn int64) (blobcache.Blob, *rangeUpstream) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestSimProcess$")
	cmd.Env = append(os.Environ(), "BLOBCACHE_SIM_PROCESS="+repo+":"+file+":"+strconv.FormatInt(capPerConn, 10))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	var info struct {
		URL, Key string
		Size     int64
	}
	if err := json.NewDecoder(stdout).Decode(&info); err != nil {
		b.Fatalf("hubsim process: %v", err)
	}
	return blobcache.Blob{Key: blobcache.Key(info.Key), Size: info.Size}, &rangeUpstream{url: info.URL}
}

// TestSimProcess is not a test: it is the hubsim process of simProcess,
// which prints a file's blob and CDN URL and serves until stdin closes.
func TestSimProcess(t *testing.T) {
	args := strings.Split(os.Getenv("BLOBCACHE_SIM_PROCESS"), ":")
	if len(args) != 3 {
		t.Skip("helper process of the benchmarks")
	}
	sim := hubsimtest.Start(t, hubsim.Options{})
	b, up := fileOf(t, sim, args[0], args[1])
	if bw, _ := strconv.ParseInt(args[2], 10, 64); bw > 0 {
		sim.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, BandwidthPerConn: bw})
	}
	json.NewEncoder(os.Stdout).Encode(map[string]any{"URL": up.url, "Key": b.Key, "Size": b.Size})
	io.Copy(io.Discard, os.Stdin)
}

// serveBlob answers a GET with the whole blob from c, as the gateway does:
// the status line only once the first byte is there.
func serveBlob(w http.ResponseWriter, req *http.Request, c *blobcache.Cache, b blobcache.Blob, up blobcache.Upstream) {
	r, err := c.Open(req.Context(), b, up)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer r.Close()
	if err := r.Wait(0); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Length", strconv.FormatInt(b.Size, 10))
	r.WriteRange(w, 0, b.Size)
}

// startServer serves h on a loopback port until the benchmark ends.
func startServer(b *testing.B, h http.HandlerFunc) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/"
}

// download GETs url, reads the body, checks its length, and returns the
// time to its first byte.
func download(b *testing.B, url string, size int64) (ttfb time.Duration) {
	start := time.Now()
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 1<<20)
	var n int64
	for {
		k, err := resp.Body.Read(buf)
		if k > 0 && n == 0 {
			ttfb = time.Since(start)
		}
		n += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	if n != size {
		b.Fatalf("read %d of %d bytes", n, size)
	}
	return ttfb
}

// BenchmarkSHA256 is one core's SHA-256 speed: a cold fill cannot hand out
// its last byte before it has hashed the whole blob, so on a link faster
// than this, size / this speed is the floor of BenchmarkColdFill/cache.
func BenchmarkSHA256(b *testing.B) {
	buf := make([]byte, 1<<20)
	h := sha256.New()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		h.Write(buf)
	}
}
