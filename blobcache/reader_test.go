package blobcache_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// want returns bytes [off, off+n) of a catalog file.
func want(t *testing.T, sim *hubsim.Server, file string, off, n int64) []byte {
	t.Helper()
	rs, _, err := sim.Catalog().Open(tiny, "main", file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rs.Seek(off, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(rs, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRangeWhileFilling: with the fill held at a point, a range inside
// what has arrived is served at once; a range beyond it is not Ready and is
// served once the fill gets there; the last byte waits for verification.
func TestRangeWhileFilling(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	c := openCache(t, testConfig(t))
	b, up := fileOf(t, sim, tiny, tinyQ8)
	held := b.Size / 2
	v := newValve(up, held)
	r, err := c.Open(context.Background(), b, v)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	waitFor(t, "the fill to reach the valve", func() bool { return r.Ready(0) == held })

	// Inside: served with the fill held, so it cannot have waited for it.
	got := make([]byte, 4096)
	if _, err := r.ReadAt(got, held-5000); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want(t, sim, tinyQ8, held-5000, 4096)) {
		t.Fatal("a range inside the filled part has the wrong bytes")
	}
	var sink bytes.Buffer
	if n, err := r.WriteRange(&sink, 100, 1000); err != nil || n != 1000 || !bytes.Equal(sink.Bytes(), want(t, sim, tinyQ8, 100, 1000)) {
		t.Fatalf("WriteRange inside the filled part: %d bytes, %v", n, err)
	}
	// Beyond: not ready; a read waits and gets the right bytes later.
	if n := r.Ready(held + 10); n != 0 {
		t.Fatalf("Ready beyond the fill = %d, want 0", n)
	}
	done := make(chan error, 1)
	far := make([]byte, 4096)
	go func() { _, err := r.ReadAt(far, b.Size-int64(len(far))); done <- err }()
	v.open()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(far, want(t, sim, tinyQ8, b.Size-int64(len(far)), int64(len(far)))) {
		t.Fatal("the range at the end has the wrong bytes")
	}
	if err := r.Wait(b.Size - 1); err != nil {
		t.Fatal(err)
	}
	if n := r.Ready(b.Size - 1); n != 1 {
		t.Fatalf("Ready(last byte) after verification = %d, want 1", n)
	}
}

// TestReaderInterfaces: Read, Seek, ReadAt and WriteTo of a hit agree with
// the file, at the edges too.
func TestReaderInterfaces(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	c := openCache(t, testConfig(t))
	b, up := fileOf(t, sim, tiny, tinyQ2)
	if err := c.Warm(context.Background(), b, up); err != nil {
		t.Fatal(err)
	}
	r, err := c.Open(context.Background(), b, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Size() != b.Size || !r.Cached() {
		t.Fatalf("Size %d, Cached %v", r.Size(), r.Cached())
	}
	for _, tt := range []struct {
		name string
		off  int64
		n    int
		err  error
	}{
		{"start", 0, 100, nil},
		{"middle", b.Size / 2, 70000, nil},
		{"to the end", b.Size - 10, 10, nil},
		{"past the end", b.Size - 10, 20, io.EOF},
		{"at the end", b.Size, 1, io.EOF},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := make([]byte, tt.n)
			n, err := r.ReadAt(p, tt.off)
			wantN := min(int64(tt.n), b.Size-tt.off)
			if err != tt.err || int64(n) != wantN || !bytes.Equal(p[:n], want(t, sim, tinyQ2, tt.off, wantN)) {
				t.Fatalf("ReadAt(%d bytes at %d) = %d, %v; want %d, %v", tt.n, tt.off, n, err, wantN, tt.err)
			}
		})
	}
	if _, err := r.Seek(-100, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	var tail bytes.Buffer
	if n, err := r.WriteTo(&tail); err != nil || n != 100 || !bytes.Equal(tail.Bytes(), want(t, sim, tinyQ2, b.Size-100, 100)) {
		t.Fatalf("WriteTo after Seek(-100, end) = %d, %v", n, err)
	}
	if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("Read at the end = %d, %v", n, err)
	}
	if _, err := r.WriteRange(io.Discard, b.Size-1, 2); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Fatalf("WriteRange past the end: %v, want EINVALID", err)
	}
}

// TestEmptyBlob: a file of no bytes fills and reads as empty.
func TestEmptyBlob(t *testing.T) {
	c := openCache(t, testConfig(t))
	sum := sha256.Sum256(nil)
	b := blobcache.Blob{Key: blobcache.Key(hex.EncodeToString(sum[:])), Size: 0}
	never := blobcache.UpstreamFunc(func(context.Context, int64, int64) (io.ReadCloser, error) {
		t.Error("an empty blob needs no upstream request")
		return nil, io.EOF
	})
	if err := c.Warm(context.Background(), b, never); err != nil {
		t.Fatal(err)
	}
	waitComplete(t, c, b.Key)
	r, err := c.Open(context.Background(), b, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n, err := r.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Fatalf("Read = %d, %v; want 0, EOF", n, err)
	}
}

// TestOpenErrors: what Open and reads say when they cannot serve.
func TestOpenErrors(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	c := openCache(t, testConfig(t))
	ctx := context.Background()
	b, up := fileOf(t, sim, tiny, tinyQ2)

	if _, err := c.Open(ctx, b, nil); hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
		t.Errorf("Open of an uncached blob with no upstream: %v, want ENOTFOUND", err)
	}
	if _, err := c.Open(ctx, blobcache.Blob{Key: "ABC", Size: 1}, up); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Errorf("Open with a bad key: %v, want EINVALID", err)
	}
	if err := c.Warm(ctx, b, up); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Open(ctx, blobcache.Blob{Key: b.Key, Size: b.Size + 1}, up); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Errorf("Open with the wrong size: %v, want EINVALID", err)
	}

	// An upstream that refuses: the fill fails at once with its code, and
	// Wait says so before any byte is sent.
	q8, q8up := fileOf(t, sim, tiny, tinyQ8)
	sim.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, Status: 404})
	r, err := c.Open(ctx, q8, q8up)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Wait(0); hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
		t.Errorf("Wait on a fill upstream refuses: %v, want ENOTFOUND", err)
	}
	if _, err := r.Read(make([]byte, 10)); hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
		t.Errorf("Read: %v, want ENOTFOUND", err)
	}

	// Upstream down for longer than the retries: EUNAVAILABLE.
	sim.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, Status: 503})
	if err := c.Warm(ctx, q8, q8up); hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE || hfgate.ErrorAction(err) != hfgate.ActionRetry {
		t.Errorf("Warm with upstream answering 503: %v (action %q), want EUNAVAILABLE, retry", err, hfgate.ErrorAction(err))
	}

	c.Close()
	if _, err := c.Open(ctx, b, nil); hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
		t.Errorf("Open after Close: %v, want EUNAVAILABLE", err)
	}
}

// TestIdleFillStops: once no reader is left, a fill stops after IdleFill,
// keeping its bytes; the next Open resumes it.
func TestIdleFillStops(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	cfg := testConfig(t)
	cfg.IdleFill = -1 // at once
	c := openCache(t, cfg)
	b, up := fileOf(t, sim, tiny, tinyQ8)
	v := newValve(up, b.Size/2)
	r, err := c.Open(context.Background(), b, v)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "half the file", func() bool { return r.Ready(0) == b.Size/2 })
	r.Close()
	waitFor(t, "the fill to stop", func() bool { e, _ := c.Stat(b.Key); return !e.Filling })
	e, ok := c.Stat(b.Key)
	if !ok || e.Complete || e.Filled < b.Size/4 {
		t.Fatalf("a stopped fill: %+v, %v; want a partial blob", e, ok)
	}
	use(t, c, sim, tinyQ8, up)
}

// streamGate is an Upstream that lets the first pass streams through and
// holds the others until open.
type streamGate struct {
	up   blobcache.Upstream
	mu   chan struct{}
	pass int
	ch   chan struct{}
}

func (g *streamGate) Fetch(ctx context.Context, start, end int64) (io.ReadCloser, error) {
	g.mu <- struct{}{}
	g.pass--
	hold := g.pass < 0
	<-g.mu
	if hold {
		select {
		case <-g.ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return g.up.Fetch(ctx, start, end)
}

// TestWaitedPartFirst: with one stream, the part a reader waits for is
// fetched before the parts in between.
func TestWaitedPartFirst(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	cfg := testConfig(t)
	cfg.FillConns = 1
	c := openCache(t, cfg)
	b, up := fileOf(t, sim, tiny, tinyQ8)
	first := newValve(up, 1000) // the first part stops after 1000 bytes ...
	gate := &streamGate{up: first, mu: make(chan struct{}, 1), pass: 2, ch: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // fail, not hang
	defer cancel()
	r, err := c.Open(ctx, b, gate)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	waitFor(t, "the first part to start", func() bool { return r.Ready(0) == 1000 })
	got := make([]byte, 100)
	off := b.Size - 1000
	done := make(chan error, 1)
	go func() { _, err := r.ReadAt(got, off); done <- err }()
	waitFor(t, "the reader to wait", func() bool { e, _ := c.Stat(b.Key); return e.Waiting == 1 })
	first.open() // ... and ends; the second and last stream allowed must be the reader's part
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want(t, sim, tinyQ8, off, 100)) {
		t.Fatal("wrong bytes at the end")
	}
	close(gate.ch)
	if sum, _, err := sumOf(r); err != nil || sum != sha256Of(t, sim, tiny, tinyQ8) {
		t.Fatalf("sha256 %s, err %v", sum, err)
	}
}

// TestConcurrentRanges: many readers read random ranges, with ReadAt and
// WriteRange, while a fill in parallel parts is under way; every byte
// matches the file.
func TestConcurrentRanges(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	c := openCache(t, testConfig(t))
	b, up := fileOf(t, sim, tiny, tinyQ8)
	whole := want(t, sim, tinyQ8, 0, b.Size)
	sim.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, BandwidthPerConn: 4 << 20})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			r, err := c.Open(context.Background(), b, up)
			if err != nil {
				t.Error(err)
				return
			}
			defer r.Close()
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			for range 20 {
				off := rng.Int64N(b.Size)
				n := min(rng.Int64N(256<<10)+1, b.Size-off)
				var got []byte
				if i%2 == 0 {
					got = make([]byte, n)
					_, err = r.ReadAt(got, off)
				} else {
					var buf bytes.Buffer
					_, err = r.WriteRange(&buf, off, n)
					got = buf.Bytes()
				}
				if err != nil {
					t.Errorf("reader %d: %d bytes at %d: %v", i, n, off, err)
					return
				}
				if !bytes.Equal(got, whole[off:off+n]) {
					t.Errorf("reader %d: %d bytes at %d differ from the file", i, n, off)
					return
				}
			}
		})
	}
	wg.Wait()
	if st := c.Stats(); st.Misses != 1 {
		t.Errorf("%d fills for 16 readers, want 1", st.Misses)
	}
}

// TestResumeInTheMiddle: a reader that starts far into a cold blob (a
// client resuming a download) gets its bytes from a stream of its own
// while the stream from the start, which holds the only part, is held;
// the parts still add up to about one copy of the file.
func TestResumeInTheMiddle(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	cfg := testConfig(t)
	cfg.FillConns, cfg.ParallelMin = 1, 1<<30 // one part, one stream
	c := openCache(t, cfg)
	b, up := fileOf(t, sim, tiny, tinyQ8)
	release, asked := make(chan struct{}), make(chan struct{})
	held := blobcache.UpstreamFunc(func(ctx context.Context, start, end int64) (io.ReadCloser, error) {
		if start == 0 {
			close(asked)
			select {
			case <-release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return up.Fetch(ctx, start, end)
	})
	sim.ResetCounters()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // fail, not hang
	defer cancel()
	r, err := c.Open(ctx, b, held)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	<-asked // the only part is taken by the stream from the start
	off := b.Size - 5000
	got := make([]byte, 4000)
	if _, err := r.ReadAt(got, off); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want(t, sim, tinyQ8, off, int64(len(got)))) {
		t.Fatal("wrong bytes in the middle")
	}
	close(release)
	if sum, _, err := sumOf(r); err != nil || sum != sha256Of(t, sim, tiny, tinyQ8) {
		t.Fatalf("sha256 %s, err %v", sum, err)
	}
	// The stream from the start stops at the split; what the CDN had
	// already sent past it is all that is fetched twice.
	if served := cdnBytes(sim); served > b.Size+b.Size/4 {
		t.Errorf("the CDN served %d bytes for a %d-byte file", served, b.Size)
	}
}
