package blobcache_test

import (
	"context"
	"io"
	"sync"
	"testing"

	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// TestEightClientsOneUpstreamCopy is issue 15's first test: 8 clients start
// the same cold ~380 MB file at once; the upstream sends it once and each
// client gets every byte right.
func TestEightClientsOneUpstreamCopy(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 8 x 400 MB")
	}
	sim := hubsimtest.Start(t, hubsim.Options{})
	b, up := fileOf(t, sim, qwen05, qwenQ4)
	want := sha256Of(t, sim, qwen05, qwenQ4)
	c := openCache(t, blobcache.Config{Dir: t.TempDir()})
	sim.ResetCounters()

	const clients = 8
	start := make(chan struct{})
	sums := make([]string, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			<-start
			r, err := c.Open(context.Background(), b, up)
			if err != nil {
				errs[i] = err
				return
			}
			defer r.Close()
			var n int64
			sums[i], n, errs[i] = sumOf(r)
			if errs[i] == nil && n != b.Size {
				t.Errorf("client %d read %d bytes, want %d", i, n, b.Size)
			}
		})
	}
	close(start)
	wg.Wait()
	for i := range clients {
		if errs[i] != nil {
			t.Fatalf("client %d: %v", i, errs[i])
		}
		if sums[i] != want {
			t.Errorf("client %d got sha256 %s, want %s", i, sums[i], want)
		}
	}
	served := cdnBytes(sim)
	if limit := b.Size + b.Size/50; served > limit {
		t.Errorf("the CDN served %d bytes for a %d-byte file (%.3fx), want at most 1.02x", served, b.Size, float64(served)/float64(b.Size))
	}
	st := c.Stats()
	if st.Misses != 1 || st.Joins+st.Hits != clients-1 {
		t.Errorf("misses %d, joins %d, hits %d: want one fill for %d clients", st.Misses, st.Joins, st.Hits, clients)
	}
	waitComplete(t, c, b.Key)
	t.Logf("CDN served %d bytes for %d (%.4fx); %d bytes served to clients", served, b.Size, float64(served)/float64(b.Size), st.BytesServed)
}

// TestFillKinds fills an LFS file in parallel parts and a small git file
// (SHA-1 key) in one, each read by one client, then serves both as hits.
func TestFillKinds(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	c := openCache(t, testConfig(t))
	for _, file := range []string{tinyQ8, readme} {
		t.Run(file, func(t *testing.T) {
			b, up := fileOf(t, sim, tiny, file)
			want := sha256Of(t, sim, tiny, file)
			for i, wantHit := range []bool{false, true} {
				r, err := c.Open(context.Background(), b, up)
				if err != nil {
					t.Fatal(err)
				}
				got, n, err := sumOf(r)
				r.Close()
				if err != nil || got != want || n != b.Size {
					t.Fatalf("read %d: %d bytes, sha256 %s, err %v; want %d bytes, %s", i, n, got, err, b.Size, want)
				}
				waitComplete(t, c, b.Key)
				if r.Cached() != wantHit {
					t.Errorf("read %d: Cached()=%v, want %v", i, r.Cached(), wantHit)
				}
			}
		})
	}
	if st := c.Stats(); st.Blobs != 2 || st.Hits != 2 || st.Misses != 2 || st.FillsDone != 2 {
		t.Errorf("stats %+v: want 2 blobs, 2 hits, 2 misses, 2 fills done", st)
	}
}

// TestCutHalfwayResumed cuts the upstream connection half-way through the
// file: the fill asks again from where it stopped, verifies, and the
// upstream sends little more than the file.
func TestCutHalfwayResumed(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	cfg := testConfig(t)
	cfg.ParallelMin = 1 << 30 // one stream, so that the cut lands half-way
	c := openCache(t, cfg)
	b, up := fileOf(t, sim, tiny, tinyQ8)
	sim.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, CutAfterBytes: b.Size / 2, Times: 1})
	sim.ResetCounters()

	r, err := c.Open(context.Background(), b, up)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, _, err := sumOf(r)
	if err != nil || got != sha256Of(t, sim, tiny, tinyQ8) {
		t.Fatalf("sha256 %s, err %v", got, err)
	}
	waitComplete(t, c, b.Key)
	cdn := sim.Counters().Hosts[hubsim.HostCDN]
	if cdn.Requests != 2 || cdn.Bytes > b.Size+b.Size/100 {
		t.Errorf("CDN: %d requests, %d bytes for a %d-byte file; want 2 requests and about the file once", cdn.Requests, cdn.Bytes, b.Size)
	}
	if st := c.Stats(); st.Retries != 1 || st.FillsDone != 1 {
		t.Errorf("stats %+v: want one retry and one fill done", st)
	}
}

// TestFirstReaderLeavesFillGoesOn: the client that started a fill hangs
// up; another client that joined gets the whole, verified file, and the
// upstream sends it once.
func TestFirstReaderLeavesFillGoesOn(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	c := openCache(t, testConfig(t))
	b, up := fileOf(t, sim, tiny, tinyQ8)
	v := newValve(up, b.Size/3)
	sim.ResetCounters()

	ctx1, hangUp := context.WithCancel(context.Background())
	r1, err := c.Open(ctx1, b, v)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(r1, buf); err != nil {
		t.Fatal(err)
	}
	r2, err := c.Open(context.Background(), b, nil) // joins: needs no upstream
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	hangUp()
	if _, err := r1.Read(buf); err == nil {
		// The valve holds the fill at a third, so r1 may still read what
		// arrived; it must fail once it needs more.
		for err == nil {
			_, err = r1.Read(buf)
		}
	}
	r1.Close()
	v.open()
	got, n, err := sumOf(r2)
	if err != nil || n != b.Size || got != sha256Of(t, sim, tiny, tinyQ8) {
		t.Fatalf("second client: %d bytes, sha256 %s, err %v", n, got, err)
	}
	if served := cdnBytes(sim); served > b.Size+b.Size/100 {
		t.Errorf("CDN served %d bytes for a %d-byte file", served, b.Size)
	}
}

// TestStalledStreamRetried: a CDN answer that does not come within
// StallTimeout is dropped and asked again.
func TestStalledStreamRetried(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	cfg := testConfig(t)
	cfg.StallTimeout = 100e6 // 100 ms
	c := openCache(t, cfg)
	b, up := fileOf(t, sim, tiny, tinyQ2)
	sim.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, Latency: 30e9, Times: 1})
	if err := c.Warm(context.Background(), b, up); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.Retries < 1 || st.Blobs != 1 {
		t.Errorf("stats %+v: want a retry and the blob", st)
	}
}
