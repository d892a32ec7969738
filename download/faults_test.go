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

// The tiny Q8_0 file (about 6 MB) is large enough for helper connections
// with the test Downloader (over loopback one connection is fast enough, so
// none open); "sequential" forbids them where a test needs one request per
// attempt.
const q8 = "tiny-llama-Q8_0.gguf"

// faultCase downloads file from tiny with rules installed and checks the
// outcome: a verified file (wantCode "") or an error of wantCode with
// nothing published.
func faultCase(t *testing.T, file string, sequential bool, wantCode string, rules ...hubsim.FaultRule) (*recorder, *hubsim.Server) {
	t.Helper()
	sim := hubsimtest.Start(t, hubsim.Options{})
	want := stat(t, sim, tiny, "main", file) // before faults: Stat reads no HTTP, but keep it first
	if err := sim.SetFaults(rules...); err != nil {
		t.Fatal(err)
	}
	d := newDownloader(t, sim)
	if sequential {
		d.ParallelMin = 1 << 40
	}
	var rec recorder
	res, err := d.Download(context.Background(), download.Request{Repo: tiny, Files: []string{file}}, &rec)
	if wantCode == "" {
		if err != nil {
			t.Fatalf("err=%v, want success", err)
		}
		if got := sha256File(t, res[0].Path); got != want.SHA256 {
			t.Fatalf("sha256=%s, want %s", got, want.SHA256)
		}
		verifyRepo(t, d.Cache, tiny)
		rec.checkLifecycle(t, file, download.FileDone)
		return &rec, sim
	}
	if code := hfgate.ErrorCode(err); code != wantCode {
		t.Fatalf("err=%v (%s), want %s", err, code, wantCode)
	}
	noBlob(t, d.Cache, tiny, want.ETag)
	repo, _ := d.Cache.Repo(hfgate.RepoTypeModel, tiny)
	if p, _ := repo.SnapshotPath(want.Commit, file); fileExists(p) {
		t.Fatalf("%s is in the snapshot after a failed download", file)
	}
	rec.checkLifecycle(t, file, download.FileError)
	return &rec, sim
}

func fileExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func TestDownloadFaults(t *testing.T) {
	t.Run("cuts resume from the offset", func(t *testing.T) {
		rec, sim := faultCase(t, q8, false, "", hubsim.FaultRule{Host: hubsim.HostCDN, CutAfterBytes: 300_000, Times: 3})
		size := stat(t, sim, tiny, "main", q8).Size
		if served := sim.Counters().Hosts[hubsim.HostCDN].Bytes; served != size {
			t.Errorf("CDN served %d bytes for a %d-byte file: cut parts must resume, not restart", served, size)
		}
		for _, e := range rec.retries(q8) {
			if e.Reason != download.RetryTransient || e.Err == nil {
				t.Errorf("retry after a cut: reason %q, err %v; want transient with the error", e.Reason, e.Err)
			}
		}
		if len(rec.retries(q8)) == 0 {
			t.Error("no retry event")
		}
		for _, e := range rec.events {
			if e.Kind == download.FileRetry && (hfgate.ErrorCode(e.Err) != hfgate.EUNAVAILABLE || !strings.Contains(hfgate.ErrorMessage(e.Err), "connection")) {
				t.Errorf("retry event says %q (%s), want the connection named in words", hfgate.ErrorMessage(e.Err), hfgate.ErrorCode(e.Err))
			}
		}
	})
	t.Run("a sequential cut resumes too", func(t *testing.T) {
		_, sim := faultCase(t, q8, true, "", hubsim.FaultRule{Host: hubsim.HostCDN, CutAfterBytes: 1_000_000, Times: 2})
		if served, size := sim.Counters().Hosts[hubsim.HostCDN].Bytes, stat(t, sim, tiny, "main", q8).Size; served != size {
			t.Errorf("CDN served %d bytes, want %d", served, size)
		}
	})
	t.Run("429 honours Retry-After", func(t *testing.T) {
		rec, _ := faultCase(t, q8, true, "", hubsim.FaultRule{Host: hubsim.HostCDN, Status: 429, RetryAfter: time.Second, Times: 1})
		var waits []time.Duration
		for _, e := range rec.events {
			if e.Kind == download.FileRetry {
				waits = append(waits, e.Wait)
			}
		}
		if len(waits) != 1 || waits[0] != time.Second {
			t.Fatalf("retry waits %v, want one of 1s (the Retry-After)", waits)
		}
	})
	t.Run("5xx on the CDN and the Hub are retried", func(t *testing.T) {
		faultCase(t, q8, false, "",
			hubsim.FaultRule{Host: hubsim.HostHub, Status: 503, Times: 2},
			hubsim.FaultRule{Host: hubsim.HostCDN, Status: 500, Times: 3})
	})
	t.Run("5xx for good: unavailable, nothing published", func(t *testing.T) {
		rec, _ := faultCase(t, q8, false, hfgate.EUNAVAILABLE, hubsim.FaultRule{Host: hubsim.HostCDN, Status: 502})
		if last := rec.events[len(rec.events)-1].Err; hfgate.ErrorAction(last) != hfgate.ActionResume {
			t.Errorf("error %v does not say what to do (action %q, want resume)", last, hfgate.ErrorAction(last))
		}
	})
	t.Run("a corrupt byte is fetched again and verified", func(t *testing.T) {
		rec, sim := faultCase(t, q8, true, "", hubsim.FaultRule{Host: hubsim.HostCDN, Corrupt: true, CorruptAt: 4_000_000, Times: 1})
		if n := sim.Counters().Hosts[hubsim.HostCDN].Requests; n != 2 {
			t.Errorf("CDN requests=%d, want 2 (the corrupt transfer and one more)", n)
		}
		checkCorruptRetry(t, rec)
	})
	t.Run("always corrupt: integrity error, nothing left", func(t *testing.T) {
		rec, _ := faultCase(t, q8, false, hfgate.EINTEGRITY, hubsim.FaultRule{Host: hubsim.HostCDN, Corrupt: true, CorruptAt: 123})
		checkCorruptRetry(t, rec)
		if last := rec.events[len(rec.events)-1]; hfgate.ErrorAction(last.Err) != hfgate.ActionResume {
			t.Errorf("final error %q does not say what to do (action %q, want resume)", hfgate.ErrorMessage(last.Err), hfgate.ErrorAction(last.Err))
		}
	})
	t.Run("Range ignored restarts cleanly", func(t *testing.T) {
		faultCase(t, q8, false, "", hubsim.FaultRule{Host: hubsim.HostCDN, IgnoreRange: true})
	})
	t.Run("a regular file through the Hub with faults", func(t *testing.T) {
		faultCase(t, readme, false, "", hubsim.FaultRule{Host: hubsim.HostHub, PathPrefix: "/" + tiny + "/resolve/", CutAfterBytes: 100, Times: 1})
	})
}

// A partial file left by an earlier run is resumed, even when the server
// then ignores Range: it starts over and ends verified.
func TestDownloadResumesPartial(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		sim := hubsimtest.Start(t, hubsim.Options{})
		fi := stat(t, sim, tiny, "main", q8)
		d := newDownloader(t, sim)
		d.ParallelMin = 1 << 40
		r, _, _ := sim.Catalog().Open(tiny, "main", q8)
		prefix := make([]byte, 2_500_000)
		if _, err := r.Read(prefix); err != nil {
			t.Fatal(err)
		}
		repo, _ := d.Cache.Repo(hfgate.RepoTypeModel, tiny)
		inc, _ := repo.IncompletePath(fi.ETag)
		if err := os.WriteFile(inc, prefix, 0o644); err != nil {
			t.Fatal(err)
		}
		sim.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, IgnoreRange: ignore})
		var rec recorder
		if _, err := d.Download(context.Background(), download.Request{Repo: tiny, Files: []string{q8}}, &rec); err != nil {
			t.Fatal(err)
		}
		verifyRepo(t, d.Cache, tiny)
		served := sim.Counters().Hosts[hubsim.HostCDN].Bytes
		switch want := fi.Size - int64(len(prefix)); {
		case !ignore && served != want:
			t.Errorf("served %d bytes, want the %d missing", served, want)
		case ignore && (served < fi.Size || served >= 2*fi.Size):
			// The whole file once, plus what the refused 200 had pushed
			// into the socket before it was closed.
			t.Errorf("range ignored: served %d bytes, want the whole %d and less than twice that", served, fi.Size)
		}
		if !ignore && rec.events[len(rec.events)-1].Resumed != int64(len(prefix)) {
			t.Errorf("done event Resumed=%d, want %d", rec.events[len(rec.events)-1].Resumed, len(prefix))
		}
	}
}

// An expired signed URL is asked for again, once.
func TestDownloadRefreshesExpiredURL(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	d := newDownloader(t, sim)
	d.ParallelMin = 1 << 40
	// Cut the first transfer; before the retry, move the clock past the
	// URL's lifetime, so the retry meets "Request has expired".
	sim.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, CutAfterBytes: 1_000_000, Times: 1})
	var advanced bool
	rep := download.ReporterFunc(func(e download.Event) {
		if e.Kind == download.FileRetry && !advanced {
			advanced = true
			sim.Advance(hubsim.CDNURLTTL + time.Minute)
		}
	})
	res, err := d.Download(context.Background(), download.Request{Repo: tiny, Files: []string{q8}}, rep)
	if err != nil {
		t.Fatal(err)
	}
	verifyRepo(t, d.Cache, tiny)
	if c := sim.Counters(); c.Route(hubsim.RouteResolve).Requests != 2 {
		t.Errorf("resolve requests=%d, want 2 (the first and one refresh)", c.Route(hubsim.RouteResolve).Requests)
	}
	if filepath.Base(res[0].Path) != q8 {
		t.Errorf("path %s", res[0].Path)
	}
}

// checkCorruptRetry fails unless q8 got exactly one retry, for the hash
// mismatch, that says the file is being fetched again from the start and
// does not ask the user to act.
func checkCorruptRetry(t *testing.T, rec *recorder) {
	t.Helper()
	r := rec.retries(q8)
	if len(r) != 1 {
		t.Fatalf("%d retry events, want one for the hash mismatch", len(r))
	}
	msg := hfgate.ErrorMessage(r[0].Err)
	if r[0].Reason != download.RetryCorrupt || hfgate.ErrorCode(r[0].Err) != hfgate.EINTEGRITY || r[0].Done != 0 {
		t.Errorf("retry: reason %q, code %q, done %d; want corrupt, EINTEGRITY, 0", r[0].Reason, hfgate.ErrorCode(r[0].Err), r[0].Done)
	}
	if !strings.Contains(msg, "downloading the file again") || strings.Contains(msg, "run the command again") {
		t.Errorf("retry message %q: want it to say the file is downloaded again, not to ask for a rerun", msg)
	}
}
