package download

import (
	"context"
	"fmt"
	"slices"
)

// probe decides once, after the head streamed for f.probe, whether helper
// connections are worth opening: whether the rest would take longer than
// f.worth at the speed seen so far while the connection, not this machine,
// is the limit (see helperWorth). f.worth 0 opens them whatever the speed.
func (t *transfer) probe(n int) {
	if t.decided {
		return
	}
	now := t.f.now()
	if t.streamStart.IsZero() {
		t.streamStart = now
		return // the first read says nothing about the speed
	}
	t.streamed += int64(n)
	elapsed := now.Sub(t.streamStart)
	if elapsed < t.f.probe {
		return
	}
	t.decided = true
	t.mu.Lock()
	rest := t.f.size - t.prefix - partsBytes(t.segs, t.prefix)
	t.mu.Unlock()
	perSecond := float64(t.streamed) / elapsed.Seconds()
	waiting := float64(t.f.fullReads.Load()) >= float64(t.f.reads.Load())/3
	if rest >= t.f.parallelMin && (t.f.worth == 0 || float64(rest) > perSecond*t.f.worth.Seconds() && !waiting) {
		t.startHelpers()
	}
}

func (t *transfer) startHelpers() {
	for range cap(t.f.conns) {
		t.g.Go(func() error { return t.helper(t.gctx) })
	}
}

// segAt returns the segment holding byte off. Call with mu held.
func (t *transfer) segAt(off int64) *segment {
	i, found := slices.BinarySearchFunc(t.segs, off, func(s *segment, off int64) int {
		switch {
		case s.End <= off:
			return -1
		case s.Start > off:
			return 1
		}
		return 0
	})
	if !found {
		panic(fmt.Sprintf("download: no segment holds byte %d", off))
	}
	return t.segs[i]
}

// claim gives a helper work, keeping the fetched bytes close behind the
// prefix, so that the head moves them over (and the hasher follows) as they
// arrive rather than all at the end: the next chunk nobody fetches after the
// head's segment; else the rest of a segment longer than two chunks (the
// head's first, whole-file one) is freed, but for one chunk, to be taken
// in chunks. Segments are never split finer: the connection fetching one
// has asked for all of it, and bytes already on their way would be fetched
// twice. Call with mu held.
func (t *transfer) claim() *segment {
	for {
		for i, s := range t.segs {
			if s.owner != none || s.Done >= s.End || s.Start <= t.prefix {
				continue
			}
			if cut := align(s.Done + t.f.chunk); cut < s.End {
				t.segs = slices.Insert(t.segs, i+1, &segment{Start: cut, End: s.End, Done: cut})
				s.End = cut
			}
			s.owner = helper
			return s
		}
		var big *segment
		var bigLeft int64
		for _, s := range t.segs {
			if left := s.End - max(s.Done, s.writing); s.owner != none && left > bigLeft {
				big, bigLeft = s, left
			}
		}
		if big == nil || bigLeft < 2*t.f.chunk {
			return nil
		}
		cut := align(big.End - bigLeft + t.f.chunk)
		if cut >= big.End {
			return nil
		}
		t.segs = slices.Insert(t.segs, slices.Index(t.segs, big)+1, &segment{Start: cut, End: big.End, Done: cut})
		big.End = cut
	}
}

// align rounds off up to a multiple of 64 KiB.
func align(off int64) int64 {
	const a = 64 << 10
	return (off + a - 1) / a * a
}

// saver saves the journal whenever helpers added journalEvery bytes.
func (t *transfer) saver(ctx context.Context) {
	every := t.f.journalEvery()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.saveWake:
		}
		t.mu.Lock()
		due := t.unsaved >= every
		t.mu.Unlock()
		if due {
			t.save()
		}
	}
}

// save writes the journal if there is a parts file, then punches out of
// the parts file what the .incomplete file now holds (see journal).
func (t *transfer) save() {
	t.saveMu.Lock()
	defer t.saveMu.Unlock()
	t.mu.Lock()
	if t.parts == nil {
		t.mu.Unlock()
		return
	}
	j := &journal{Version: journalVersion, ETag: t.f.etag, Size: t.f.size, Prefix: t.prefix, Segments: snapshot(t.segs)}
	t.unsaved = 0
	t.mu.Unlock()
	if j.save(t.f.files.journal) != nil {
		return
	}
	if j.Prefix > t.punched {
		punchHole(t.parts, t.punched, j.Prefix-t.punched)
		t.punched = j.Prefix
	}
}

// journalEvery is how much helper progress may go unrecorded in the
// journal. A kill loses at most this much plus what was in flight on the
// sockets; a save costs a small write and a rename. Files under 256 MiB
// record every 1/64 of their size (at least 1 MiB), so that a resume
// refetches at most about 2% of any file.
func (f *fetch) journalEvery() int64 { return min(4<<20, max(f.size/64, 1<<20)) }
