package download_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// q2 is fetched on one connection by the test Downloader's settings.
const q2 = "tiny-llama-Q2_K.gguf"

func resolveRule(headers map[string]string) hubsim.FaultRule {
	return hubsim.FaultRule{Host: hubsim.HostHub, PathPrefix: "/" + tiny + "/resolve/", Headers: headers}
}

// A file whose ETag names no hash cannot be verified: it is refused before
// a byte is fetched, unless the caller allows unverified downloads, which
// then check its size.
func TestDownloadUnverifiableETag(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	sim.SetFaults(resolveRule(map[string]string{"X-Linked-Etag": `"v1-opaque"`}))
	d := newDownloader(t, sim)
	req := download.Request{Repo: tiny, Files: []string{q2}}
	_, err := d.Download(context.Background(), req, nil)
	if hfgate.ErrorCode(err) != hfgate.EINTEGRITY || !strings.Contains(hfgate.ErrorMessage(err), "cannot be verified") {
		t.Fatalf("err=%v, want EINTEGRITY saying it cannot be verified", err)
	}
	if n := sim.Counters().Hosts[hubsim.HostCDN].Requests; n != 0 {
		t.Fatalf("%d CDN requests for a file refused as unverifiable", n)
	}
	noBlob(t, d.Cache, tiny, "v1-opaque")

	d.AllowUnverified = true
	res, err := d.Download(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sha256File(t, res[0].Path), stat(t, sim, tiny, "main", q2).SHA256; got != want || res[0].ETag != "v1-opaque" {
		t.Fatalf("unverified download: etag %q, sha256 %s, want the file (%s)", res[0].ETag, got, want)
	}
}

// An absurd size is refused before anything is allocated for it.
func TestDownloadAbsurdSize(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	sim.SetFaults(resolveRule(map[string]string{"X-Linked-Size": "9000000000000000000"}))
	d := newDownloader(t, sim)
	_, err := d.Download(context.Background(), download.Request{Repo: tiny, Files: []string{q2}}, nil)
	if hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE || !strings.Contains(hfgate.ErrorMessage(err), "9000000000000000000") {
		t.Fatalf("err=%v, want EUNAVAILABLE naming the size", err)
	}
	blobs, _ := filepath.Glob(filepath.Join(d.Cache.Dir, "*", "blobs", "*"))
	if len(blobs) != 0 {
		t.Fatalf("files made for an absurd size: %v", blobs)
	}
}

// A server that stops sending, or trickles, is cut after ReadTimeout and
// retried; one that never recovers is reported, in bounded time.
func TestDownloadStallAndTrickle(t *testing.T) {
	for _, tt := range []struct {
		name string
		rule hubsim.FaultRule
		ok   bool
	}{
		{"stall once", hubsim.FaultRule{Host: hubsim.HostCDN, Stall: true, StallAfterBytes: 100_000, Times: 1}, true},
		{"stall for good", hubsim.FaultRule{Host: hubsim.HostCDN, Stall: true}, false},
		{"a few bytes, then a stall, for good", hubsim.FaultRule{Host: hubsim.HostCDN, Stall: true, StallAfterBytes: 10}, false},
		{"trickle", hubsim.FaultRule{Host: hubsim.HostCDN, BandwidthPerConn: 20}, false},
		{"no answer", hubsim.FaultRule{Host: hubsim.HostCDN, Latency: time.Hour}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sim := hubsimtest.Start(t, hubsim.Options{})
			sim.SetFaults(tt.rule)
			d := newDownloader(t, sim)
			d.ReadTimeout = 200 * time.Millisecond
			var rec recorder
			res, err := d.Download(context.Background(), download.Request{Repo: tiny, Files: []string{q2}}, &rec)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if sha256File(t, res[0].Path) != stat(t, sim, tiny, "main", q2).SHA256 {
					t.Fatal("the file does not verify")
				}
				if r := rec.retries(q2); len(r) != 1 || !strings.Contains(hfgate.ErrorMessage(r[0].Err), "stopped sending") {
					t.Fatalf("retries %v, want one saying the server stopped sending", r)
				}
				return
			}
			if hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE || !strings.Contains(hfgate.ErrorMessage(err), "stopped sending") {
				t.Fatalf("err=%v, want EUNAVAILABLE saying the server stopped sending", err)
			}
		})
	}
}

// Links planted in a shared cache where hfgate writes (the partial file,
// the lock) are refused, and their targets left alone.
func TestDownloadRefusesPlantedLinks(t *testing.T) {
	for _, where := range []string{"incomplete", "lock"} {
		t.Run(where, func(t *testing.T) {
			sim := hubsimtest.Start(t, hubsim.Options{})
			d := newDownloader(t, sim)
			fi := stat(t, sim, tiny, "main", q2)
			repo, _ := d.Cache.Repo(hfgate.RepoTypeModel, tiny)
			var path string
			if where == "incomplete" {
				path, _ = repo.IncompletePath(fi.ETag)
			} else {
				path, _ = repo.LockPath(fi.ETag)
			}
			victim := filepath.Join(t.TempDir(), "victim")
			os.WriteFile(victim, []byte("precious"), 0o600)
			if err := os.Symlink(victim, path); err != nil {
				t.Fatal(err)
			}
			_, err := d.Download(context.Background(), download.Request{Repo: tiny, Files: []string{q2}}, nil)
			if hfgate.ErrorCode(err) != hfgate.EINVALID || !strings.Contains(hfgate.ErrorMessage(err), "not a plain file") {
				t.Fatalf("err=%v, want EINVALID saying it is not a plain file", err)
			}
			if b, _ := os.ReadFile(victim); string(b) != "precious" {
				t.Fatalf("the link's target now holds %d bytes", len(b))
			}
			noBlob(t, d.Cache, tiny, fi.ETag)
		})
	}
}

// A blob of the wrong size (published by a tool that took a partial file's
// length for completeness) is not "already in the cache": it is fetched
// again and replaced. What a parallel download left beside a finished blob
// goes.
func TestDownloadReplacesWrongSizeBlobAndSweeps(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	d := newDownloader(t, sim)
	fi := stat(t, sim, tiny, "main", q2)
	repo, _ := d.Cache.Repo(hfgate.RepoTypeModel, tiny)
	inc, _ := repo.IncompletePath(fi.ETag)
	blob, _ := repo.BlobPath(fi.ETag)
	os.WriteFile(blob, []byte("short"), 0o644)
	base := strings.TrimSuffix(inc, ".incomplete")
	os.WriteFile(base+".hfgate-parts", []byte("stale"), 0o644)
	os.WriteFile(base+".hfgate-journal", []byte("{}"), 0o644)
	res, err := d.Download(context.Background(), download.Request{Repo: tiny, Files: []string{q2}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Cached || sha256File(t, res[0].Path) != fi.SHA256 {
		t.Fatalf("cached=%v: want the short blob fetched again", res[0].Cached)
	}
	os.WriteFile(base+".hfgate-parts", []byte("stale"), 0o644)
	if res, err = d.Download(context.Background(), download.Request{Repo: tiny, Files: []string{q2}}, nil); err != nil || !res[0].Cached {
		t.Fatalf("second run: %v, cached %v", err, res)
	}
	if fileExists(base + ".hfgate-parts") {
		t.Fatal("a parts file left beside a finished blob is still there")
	}
	verifyRepo(t, d.Cache, tiny)
}
