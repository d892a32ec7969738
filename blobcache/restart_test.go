package blobcache_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// tickClock is a clock that moves one second per reading, so that the
// order of uses never depends on the timer's resolution.
func tickClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// use opens the blob of file, reads it all, checks it and closes it.
func use(t *testing.T, c *blobcache.Cache, sim *hubsim.Server, file string, up blobcache.Upstream) {
	t.Helper()
	b, fileUp := fileOf(t, sim, tiny, file)
	if up == nil && fileUp != nil {
		up = fileUp
	}
	r, err := c.Open(context.Background(), b, up)
	if err != nil {
		t.Fatalf("open %s: %v", file, err)
	}
	defer r.Close()
	if sum, _, err := sumOf(r); err != nil || sum != sha256Of(t, sim, tiny, file) {
		t.Fatalf("read %s: sha256 %s, err %v", file, sum, err)
	}
	waitComplete(t, c, b.Key)
}

// TestRestartKeepsBlobsAndOrder: a new Cache over the same directory has
// every blob, serves them with no upstream, and remembers which was used
// last, with or without the index snapshot.
func TestRestartKeepsBlobsAndOrder(t *testing.T) {
	for _, keepIndex := range []bool{true, false} {
		t.Run("index="+strconv.FormatBool(keepIndex), func(t *testing.T) {
			sim := hubsimtest.Start(t, hubsim.Options{})
			cfg := testConfig(t)
			cfg.Now = tickClock()
			c := openCache(t, cfg)
			for _, f := range []string{tinyQ2, tinyQ4, readme, tinyQ2} { // Q4 is now the least recently used
				use(t, c, sim, f, nil)
			}
			before := c.Stats()
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			if !keepIndex {
				if err := os.Remove(filepath.Join(cfg.Dir, "index")); err != nil {
					t.Fatal(err)
				}
			}

			sim.Close() // nothing may come from upstream now
			q8, _ := fileOf(t, sim, tiny, tinyQ8)
			q4, _ := fileOf(t, sim, tiny, tinyQ4)
			c2 := openCache(t, cfg)
			if st := c2.Stats(); st.Blobs != 3 || st.Size != before.Size {
				t.Fatalf("after restart: %d blobs, %d bytes; want 3 blobs, %d bytes", st.Blobs, st.Size, before.Size)
			}
			for _, f := range []string{readme, tinyQ2} {
				b, _ := fileOf(t, sim, tiny, f)
				r, err := c2.Open(context.Background(), b, nil)
				if err != nil {
					t.Fatalf("open %s from the cache alone: %v", f, err)
				}
				sum, _, err := sumOf(r)
				r.Close()
				if err != nil || sum != sha256Of(t, sim, tiny, f) || !r.Cached() {
					t.Fatalf("%s: sha256 %s, err %v, cached %v", f, sum, err, r.Cached())
				}
			}
			if !keepIndex {
				return // file times decide the order then, and names are lost
			}
			for _, e := range c2.List() {
				if want := tiny + "@main/"; !strings.HasPrefix(e.Name, want) {
					t.Errorf("blob %s is named %q after the restart, want %s...", e.Key, e.Name, want)
				}
			}
			// Making room for Q8 must evict Q4, the least recently used.
			c2.Close()
			cfg.MaxSize = before.Size - q4.Size + q8.Size
			c3 := openCache(t, cfg)
			sim2 := hubsimtest.Start(t, hubsim.Options{})
			use(t, c3, sim2, tinyQ8, nil)
			if _, ok := c3.Stat(q4.Key); ok {
				t.Errorf("Q4, the least recently used blob, was kept; %+v", c3.List())
			}
			if st := c3.Stats(); st.Blobs != 3 || st.Size > cfg.MaxSize {
				t.Errorf("stats %+v: want 3 blobs within %d bytes", st, cfg.MaxSize)
			}
		})
	}
}

// TestCloseDuringFillResumes: closing the cache in the middle of a fill
// leaves nothing that looks complete; the next Cache resumes the fill and
// the upstream sends the file about once in all.
func TestCloseDuringFillResumes(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	cfg := testConfig(t)
	c := openCache(t, cfg)
	b, up := fileOf(t, sim, tiny, tinyQ8)
	v := newValve(up, b.Size/2)
	sim.ResetCounters()
	r, err := c.Open(context.Background(), b, v)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "half the file", func() bool { e, _ := c.Stat(b.Key); return e.Filled >= b.Size/2 })
	c.Close()
	if n, err := readUntilError(r); err == nil || n >= b.Size {
		t.Fatalf("a reader of a fill the cache stopped read %d bytes, err %v", n, err)
	}
	r.Close()
	if matches, _ := filepath.Glob(filepath.Join(cfg.Dir, "blobs", "*", "*", "*")); len(matches) > 0 {
		t.Fatalf("something looks complete: %v", matches)
	}

	c2 := openCache(t, cfg)
	e, ok := c2.Stat(b.Key)
	if !ok || e.Complete || e.Filled < b.Size/4 {
		t.Fatalf("after restart: %+v, %v; want a partial blob with the first half kept", e, ok)
	}
	use(t, c2, sim, tinyQ8, up)
	if served := cdnBytes(sim); served > b.Size+b.Size/4 {
		t.Errorf("the CDN served %d bytes for a %d-byte file over both runs", served, b.Size)
	}
}

// TestKill9DuringFill kills (SIGKILL) a process in the middle of a fill.
// The next Cache over its directory sees a partial blob, never a complete
// one, and resumes it.
func TestKill9DuringFill(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	cfg := testConfig(t)
	b, up := fileOf(t, sim, tiny, tinyQ8)
	sim.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, BandwidthPerConn: 512 << 10})
	sim.ResetCounters()

	cmd := exec.Command(os.Args[0], "-test.run=^TestChildFill$", "-test.v")
	cmd.Env = append(os.Environ(),
		"BLOBCACHE_CHILD_DIR="+cfg.Dir, "BLOBCACHE_CHILD_URL="+up.url,
		"BLOBCACHE_CHILD_KEY="+string(b.Key), "BLOBCACHE_CHILD_SIZE="+strconv.FormatInt(b.Size, 10))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the child to fetch half the file", func() bool { return cdnBytes(sim) >= b.Size/2 })
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	sim.ClearFaults()

	if matches, _ := filepath.Glob(filepath.Join(cfg.Dir, "blobs", "*", "*", "*")); len(matches) > 0 {
		t.Fatalf("a killed fill left something that looks complete: %v", matches)
	}
	c := openCache(t, cfg)
	e, ok := c.Stat(b.Key)
	if !ok || e.Complete || e.Filled == 0 {
		t.Fatalf("after kill -9: %+v, %v; want a partial blob with bytes kept", e, ok)
	}
	killed := cdnBytes(sim)
	use(t, c, sim, tinyQ8, up)
	total := cdnBytes(sim)
	t.Logf("child fetched %d bytes (journal kept %d); resume fetched %d; %.3fx the file in all", killed, e.Filled, total-killed, float64(total)/float64(b.Size))
	if total-killed > b.Size-e.Filled+b.Size/10 {
		t.Errorf("the resume fetched %d bytes; the journal kept %d of %d", total-killed, e.Filled, b.Size)
	}
}

// TestChildFill is not a test: it is the process TestKill9DuringFill
// starts and kills, warming one blob into the directory it is given.
func TestChildFill(t *testing.T) {
	dir := os.Getenv("BLOBCACHE_CHILD_DIR")
	if dir == "" {
		t.Skip("helper process of TestKill9DuringFill")
	}
	size, _ := strconv.ParseInt(os.Getenv("BLOBCACHE_CHILD_SIZE"), 10, 64)
	cfg := testConfig(t)
	cfg.Dir = dir
	c, err := blobcache.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	b := blobcache.Blob{Key: blobcache.Key(os.Getenv("BLOBCACHE_CHILD_KEY")), Size: size}
	if err := c.Warm(context.Background(), b, &rangeUpstream{url: os.Getenv("BLOBCACHE_CHILD_URL")}); err != nil {
		t.Fatal(err)
	}
	t.Fatal("the fill finished before the parent killed this process")
}

// TestLeftoversRemoved: what a process killed at the wrong moment leaves
// (temporary files, partial data without a journal) is removed on Open;
// a partial fill with its journal is kept.
func TestLeftoversRemoved(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	cfg := testConfig(t)
	c := openCache(t, cfg)
	b, up := fileOf(t, sim, tiny, tinyQ8)
	v := newValve(up, b.Size/2)
	r, err := c.Open(context.Background(), b, v)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "half the file", func() bool { return r.Ready(0) == b.Size/2 })
	c.Close()
	r.Close()
	q2, _ := fileOf(t, sim, tiny, tinyQ2)
	leftovers := []string{
		"index.tmp123",
		"meta/revisions.tmp9",
		"meta/docs/" + string(q2.Key) + ".tmp7",
		"fill/" + string(q2.Key), // data without a journal
		"fill/" + string(b.Key) + ".journal.tmp5",
	}
	for _, f := range leftovers {
		if err := os.WriteFile(filepath.Join(cfg.Dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c = openCache(t, cfg)
	for _, f := range leftovers {
		if _, err := os.Lstat(filepath.Join(cfg.Dir, f)); err == nil {
			t.Errorf("%s was left", f)
		}
	}
	if e, ok := c.Stat(b.Key); !ok || e.Complete || e.Filled == 0 {
		t.Errorf("the partial fill: %+v, %v; want it kept", e, ok)
	}
}
