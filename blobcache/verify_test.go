package blobcache_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// readUntilError reads r to the end and returns how many bytes it got.
func readUntilError(r io.Reader) (int64, error) {
	n, err := io.CopyBuffer(io.Discard, r, make([]byte, 64<<10))
	return n, err
}

// TestCorruptByteRetried: the first transfer has a corrupt byte. No reader
// of it gets the file's last byte; each gets an EINTEGRITY error; the fill
// fetches the file again, and a later reader gets it right.
func TestCorruptByteRetried(t *testing.T) {
	for _, tt := range []struct {
		name   string
		parts  int64 // ParallelMin: 1<<30 for one stream
		offset func(size int64) int64
	}{
		{"parallel, byte near the start", 512 << 10, func(int64) int64 { return 1000 }},
		{"parallel, byte near the end", 512 << 10, func(size int64) int64 { return size - 2 }},
		{"one stream, last byte", 1 << 30, func(size int64) int64 { return size - 1 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sim := hubsimtest.Start(t, hubsim.Options{})
			cfg := testConfig(t)
			cfg.ParallelMin = tt.parts
			cfg.MinPartSize, cfg.MaxPartSize = 1<<20, 1<<20
			c := openCache(t, cfg)
			b, up := fileOf(t, sim, tiny, tinyQ2)
			v := newValve(up, b.Size-1) // hold the fill before its last byte ...
			// A rule applies to the next Times requests, whatever their
			// range: one per part makes the first transfer corrupt.
			requests := (b.Size + 1<<20 - 1) >> 20
			if tt.parts > b.Size {
				requests = 1
			}
			sim.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, Corrupt: true, CorruptAt: tt.offset(b.Size), Times: int(requests)})

			// ... so that every reader is attached to the corrupt transfer.
			var readers []*blobcache.Reader
			for range 3 {
				r, err := c.Open(context.Background(), b, v)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				readers = append(readers, r)
			}
			tail := make([]byte, 10)
			var wg sync.WaitGroup
			got := make([]int64, len(readers))
			errs := make([]error, len(readers)+1)
			for i, r := range readers {
				wg.Go(func() { got[i], errs[i] = readUntilError(r) })
			}
			waitFor(t, "the fill to reach the valve", func() bool { e, _ := c.Stat(b.Key); return e.Filled >= b.Size-1 })
			wg.Go(func() { _, errs[len(readers)] = readers[0].ReadAt(tail, b.Size-int64(len(tail))) })
			waitFor(t, "the tail read to wait", func() bool { e, _ := c.Stat(b.Key); return e.Waiting == len(readers)+1 })
			v.open()
			wg.Wait()
			for i, err := range errs {
				if hfgate.ErrorCode(err) != hfgate.EINTEGRITY {
					t.Errorf("reader %d: err %v, want an EINTEGRITY error", i, err)
				}
			}
			for i, n := range got {
				if n >= b.Size {
					t.Errorf("reader %d got all %d bytes of a corrupt transfer", i, n)
				}
			}

			waitComplete(t, c, b.Key)
			r, err := c.Open(context.Background(), b, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if sum, _, err := sumOf(r); err != nil || sum != sha256Of(t, sim, tiny, tinyQ2) {
				t.Fatalf("after the retry: sha256 %s, err %v", sum, err)
			}
			if st := c.Stats(); st.IntegrityFailures != 1 || st.FillsDone != 1 {
				t.Errorf("stats %+v: want one integrity failure and one fill done", st)
			}
		})
	}
}

// TestCorruptEveryTime: a file that arrives corrupt on every try fails
// after FillAttempts transfers; no reader ever gets its last byte, and
// nothing of it is left in the cache.
func TestCorruptEveryTime(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	cfg := testConfig(t)
	c := openCache(t, cfg)
	b, up := fileOf(t, sim, tiny, tinyQ2)
	sim.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, Corrupt: true, CorruptAt: b.Size / 2})
	sim.ResetCounters()

	r, err := c.Open(context.Background(), b, up)
	if err != nil {
		t.Fatal(err)
	}
	n, err := readUntilError(r)
	r.Close()
	if hfgate.ErrorCode(err) != hfgate.EINTEGRITY || n >= b.Size {
		t.Fatalf("read %d of %d bytes, err %v; want an EINTEGRITY error before the end", n, b.Size, err)
	}
	err = c.Warm(context.Background(), b, up)
	if hfgate.ErrorCode(err) != hfgate.EINTEGRITY {
		t.Fatalf("Warm: %v, want the fill's EINTEGRITY error", err)
	}
	waitFor(t, "the fill to give up", func() bool { _, ok := c.Stat(b.Key); return !ok })
	if st := c.Stats(); st.IntegrityFailures < int64(blobcache.DefaultFillAttempts) || st.Blobs != 0 || st.Size != 0 {
		t.Errorf("stats %+v: want %d integrity failures per fill and nothing kept", st, blobcache.DefaultFillAttempts)
	}
	for _, d := range []string{"blobs/sha256", "fill"} {
		filepath.WalkDir(filepath.Join(cfg.Dir, d), func(path string, de os.DirEntry, err error) error {
			if err == nil && !de.IsDir() {
				t.Errorf("left behind: %s", path)
			}
			return nil
		})
	}
	if _, err := c.Open(context.Background(), b, nil); !errors.Is(err, err) || hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
		t.Errorf("Open without upstream after the failure: %v, want ENOTFOUND", err)
	}
}
