package blobcache

import (
	"slices"
	"time"
)

// Stats is a snapshot of a Cache for metrics and the admin pages. The
// counters run from Open.
type Stats struct {
	Size    int64 // bytes of complete blobs plus the full size of partial ones
	MaxSize int64 // Config.MaxSize (0: no bound)
	Blobs   int   // complete blobs
	Partial int   // partial fills, running or stopped
	Fills   int   // running fills

	Hits   int64 // Opens that found every byte verified (Reader.Cached)
	Joins  int64 // Opens that joined a fill still fetching or verifying
	Misses int64 // Opens that started a fill

	BytesServed   int64 // bytes handed to Readers
	BytesFromHits int64 // of which, bytes read by Readers of hits
	BytesUpstream int64 // bytes fetched from upstream

	Evictions    int64 // blobs evicted to make room
	EvictedBytes int64

	FillsDone         int64 // fills that published a verified blob
	FillsFailed       int64 // fills that ended without one
	IntegrityFailures int64 // transfers that failed verification
	Retries           int64 // upstream streams asked again
}

// BytesSaved returns the bytes served that upstream did not have to send:
// BytesServed - BytesUpstream, or 0.
func (s Stats) BytesSaved() int64 { return max(s.BytesServed-s.BytesUpstream, 0) }

// Entry describes one blob the cache holds.
type Entry struct {
	Key      Key
	Size     int64
	Name     string    // Blob.Name it was first opened with ("" if none)
	Complete bool      // verified and published
	Filled   int64     // bytes on disk of a partial blob; Size when complete
	Filling  bool      // a fill is running
	Readers  int       // open Readers
	Waiting  int       // reads waiting for bytes a fill has not fetched yet
	LastUsed time.Time // last Open or completion
}

// Stats returns the current figures.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	s := Stats{Size: c.size, MaxSize: c.cfg.MaxSize}
	for _, e := range c.entries {
		switch {
		case e.complete:
			s.Blobs++
		default:
			s.Partial++
		}
		if e.fill != nil {
			s.Fills++
		}
	}
	c.mu.Unlock()
	st := &c.st
	s.Hits, s.Joins, s.Misses = st.hits.Load(), st.joins.Load(), st.misses.Load()
	s.BytesServed, s.BytesFromHits, s.BytesUpstream = st.served.Load(), st.servedHit.Load(), st.upstream.Load()
	s.Evictions, s.EvictedBytes = st.evictions.Load(), st.evictedBytes.Load()
	s.FillsDone, s.FillsFailed = st.fillsDone.Load(), st.fillsFailed.Load()
	s.IntegrityFailures, s.Retries = st.integrityFailures.Load(), st.retries.Load()
	return s
}

// Stat describes the blob of k, if the cache holds it (complete or not).
func (c *Cache) Stat(k Key) (Entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[k]
	if e == nil {
		return Entry{}, false
	}
	return c.describeLocked(e), true
}

// List describes every blob, most recently used first.
func (c *Cache) List() []Entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Entry, 0, len(c.entries))
	for el := c.lru.Front(); el != nil; el = el.Next() {
		out = append(out, c.describeLocked(el.Value.(*entry)))
	}
	return out
}

// Largest describes the n largest blobs, largest first.
func (c *Cache) Largest(n int) []Entry {
	all := c.List()
	slices.SortStableFunc(all, func(a, b Entry) int { return int(min(max(b.Size-a.Size, -1), 1)) })
	return all[:min(n, len(all))]
}

func (c *Cache) describeLocked(e *entry) Entry {
	d := Entry{Key: e.key, Size: e.size, Name: e.name, Complete: e.complete, Filling: e.fill != nil, Readers: e.refs, LastUsed: e.used}
	switch {
	case e.complete:
		d.Filled = e.size
	case e.fill != nil:
		e.fill.mu.Lock()
		if e.fill.j != nil {
			d.Filled = e.fill.j.done()
		}
		for _, n := range e.fill.wants {
			d.Waiting += n
		}
		e.fill.mu.Unlock()
	default:
		d.Filled = e.filled
	}
	return d
}

// served counts n bytes handed out by r.
func (c *Cache) served(r *Reader, n int) {
	if n <= 0 {
		return
	}
	c.st.served.Add(int64(n))
	if r.hit {
		c.st.servedHit.Add(int64(n))
	}
}
