package blobcache_test

import (
	"context"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// TestEvictionKeepsLimitSparesOpen: making room evicts the least recently
// used blob that no reader holds, never one that is open, and the cache
// never holds more than MaxSize; a blob that cannot fit is refused with
// ENOSPACE.
func TestEvictionKeepsLimitSparesOpen(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	q2, q2up := fileOf(t, sim, tiny, tinyQ2) // 3.0 MB
	q4, q4up := fileOf(t, sim, tiny, tinyQ4) // 3.8 MB
	q8, q8up := fileOf(t, sim, tiny, tinyQ8) // 5.8 MB
	cfg := testConfig(t)
	cfg.MaxSize = 10 << 20
	cfg.Now = tickClock()
	c := openCache(t, cfg)
	ctx := context.Background()
	checkLimit := func() {
		t.Helper()
		if st := c.Stats(); st.Size > cfg.MaxSize {
			t.Fatalf("the cache holds %d bytes, over its limit of %d", st.Size, cfg.MaxSize)
		}
	}

	held, err := c.Open(ctx, q2, q2up) // the oldest blob, and kept open
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := c.Warm(ctx, q2, q2up); err != nil {
		t.Fatal(err)
	}
	if err := c.Warm(ctx, q4, q4up); err != nil {
		t.Fatal(err)
	}
	checkLimit()
	if err := c.Warm(ctx, q8, q8up); err != nil { // needs Q4's room: Q2 is older but open
		t.Fatal(err)
	}
	checkLimit()
	if _, ok := c.Stat(q4.Key); ok {
		t.Errorf("Q4 was kept; want it evicted to make room")
	}
	if e, ok := c.Stat(q2.Key); !ok || !e.Complete {
		t.Fatalf("the open blob Q2 was evicted")
	}
	if sum, _, err := sumOf(held); err != nil || sum != sha256Of(t, sim, tiny, tinyQ2) {
		t.Fatalf("the open reader of Q2: sha256 %s, err %v", sum, err)
	}

	held8, err := c.Open(ctx, q8, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held8.Close()
	if _, err := c.Open(ctx, q4, q4up); hfgate.ErrorCode(err) != hfgate.ENOSPACE {
		t.Fatalf("Open of Q4 with every other blob open: %v, want ENOSPACE", err)
	}
	big := blobcache.Blob{Key: q4.Key, Size: cfg.MaxSize + 1}
	if _, err := c.Open(ctx, big, q4up); hfgate.ErrorCode(err) != hfgate.ENOSPACE {
		t.Fatalf("Open of a blob over the limit: %v, want ENOSPACE", err)
	}
	checkLimit()

	held.Close() // Q2 may go now
	if err := c.Warm(ctx, q4, q4up); err != nil {
		t.Fatal(err)
	}
	checkLimit()
	if _, ok := c.Stat(q2.Key); ok {
		t.Errorf("Q2 was kept after it was closed; want it evicted for Q4")
	}
	if st := c.Stats(); st.Evictions != 2 || st.Blobs != 2 {
		t.Errorf("stats %+v: want 2 evictions and 2 blobs", st)
	}
}

// TestRemove removes a complete blob (its open reader keeps reading) and a
// running fill (its reader gets an error).
func TestRemove(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	c := openCache(t, testConfig(t))
	ctx := context.Background()
	q2, q2up := fileOf(t, sim, tiny, tinyQ2)
	if err := c.Warm(ctx, q2, q2up); err != nil {
		t.Fatal(err)
	}
	r, err := c.Open(ctx, q2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := c.Remove(q2.Key); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Stat(q2.Key); ok {
		t.Fatal("Stat finds a removed blob")
	}
	if sum, _, err := sumOf(r); err != nil || sum != sha256Of(t, sim, tiny, tinyQ2) {
		t.Fatalf("a reader opened before Remove: sha256 %s, err %v", sum, err)
	}

	q8, q8up := fileOf(t, sim, tiny, tinyQ8)
	v := newValve(q8up, q8.Size/2)
	fr, err := c.Open(ctx, q8, v)
	if err != nil {
		t.Fatal(err)
	}
	defer fr.Close()
	if err := c.Remove(q8.Key); err != nil {
		t.Fatal(err)
	}
	if n, err := readUntilError(fr); err == nil || n >= q8.Size {
		t.Fatalf("the reader of a removed fill read %d bytes, err %v; want an error", n, err)
	}
	if st := c.Stats(); st.Size != 0 || st.Blobs+st.Partial != 0 {
		t.Errorf("stats after removing everything: %+v", st)
	}
	if err := c.Remove("nothex"); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Errorf("Remove of a bad key: %v, want EINVALID", err)
	}
}
