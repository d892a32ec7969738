package download

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

// transfer is one run of a fetch. One worker, the head, appends the file
// in order to the .incomplete file, from the network or from the parts
// file, so that the .incomplete file is always a prefix of the content, as
// huggingface_hub expects of it. When one connection proves too slow for
// the file, helper connections fetch ranges further on into the parts file;
// the head moves their bytes over as it reaches them. A hasher follows the
// prefix, so the hash is ready moments after the last byte arrives.
type transfer struct {
	f     *fetch
	inc   *os.File // the prefix, appended to by the head only
	parts *os.File // helpers' bytes at their offsets; nil until a helper starts
	wb    *writeback
	g     *errgroup.Group
	gctx  context.Context

	mu       sync.Mutex
	segs     []*segment // sorted, tiling [prefix, size) and maybe some before
	prefix   int64      // length of inc
	unsaved  int64      // parts bytes since the journal was last saved
	resumeJ  bool       // an earlier run used helpers
	prefixAt atomic.Int64

	// The head alone touches these: whether helpers were considered, and
	// what it streamed so far to decide.
	decided     bool
	streamStart time.Time
	streamed    int64

	saveMu  sync.Mutex
	punched int64 // parts bytes below this were punched out

	hashWake, headWake, saveWake chan struct{}
}

// probeTime is how long the head streams before helpers are considered,
// and helperWorth how long the rest of the download must then promise to
// take on that one connection for helper connections to be opened. They
// cost requests and a copy of their bytes, which only pays when the
// connection, not the machine, limits the speed: behind a CDN's
// per-connection cap a multi-GB file would take minutes on one connection.
// When instead most reads find all they ask for already waiting (over
// loopback or a fast local link, the bytes arrive as fast as this machine
// can write and hash them), more connections would only compete for the
// same cores, and none are opened.
const (
	probeTime   = 500 * time.Millisecond
	helperWorth = 2 * time.Second
)

// promoteChunk is how much of the parts file the head copies at a time.
const promoteChunk = 8 << 20

// open prepares a run from what is on disk: the .incomplete prefix (of
// any tool), and the parts file with its journal when they still fit.
func (f *fetch) open() (*transfer, error) {
	if err := f.migrateLegacy(); err != nil {
		return nil, err
	}
	inc, err := f.files.open(f.files.incomplete, true)
	if err != nil {
		return nil, err
	}
	t := &transfer{f: f, inc: inc, hashWake: make(chan struct{}, 1), headWake: make(chan struct{}, 1), saveWake: make(chan struct{}, 1)}
	if err := t.load(); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

func (t *transfer) load() error {
	f := t.f
	fi, err := t.inc.Stat()
	if err != nil {
		return err
	}
	have := fi.Size()
	if have > f.size {
		// Not a prefix of this file: whatever it is, it is no use.
		if err := t.inc.Truncate(0); err != nil {
			return fmt.Errorf("truncate partial download: %w", err)
		}
		have = 0
	}
	j, err := loadJournal(f.files.journal, f.etag, f.size)
	if err != nil {
		return err
	}
	if j != nil {
		t.parts, err = f.files.open(f.files.parts, false)
		if errors.Is(err, fs.ErrNotExist) {
			j, err = nil, nil
		}
		if err != nil {
			return err
		}
	}
	if j == nil {
		f.files.removeSidecars()
	}
	t.segs = j.tile(have, f.size)
	t.prefix, t.punched, t.resumeJ = have, have, j != nil
	t.prefixAt.Store(have)
	if err := reserve(t.inc, have, f.size-have, true); err != nil {
		return err
	}
	f.resumed = have + partsBytes(t.segs, have)
	f.done.Store(f.resumed)
	f.onProg(f.resumed)
	return nil
}

func (t *transfer) close() {
	t.inc.Close()
	if t.parts != nil {
		t.parts.Close()
	}
}

// run fetches what is missing and verifies the whole file.
func (t *transfer) run(ctx context.Context) error {
	f := t.f
	bg, cancel := context.WithCancel(ctx)
	defer cancel()
	h, _ := hfcache.ContentHash(f.etag, f.size)
	hashDone := make(chan error, 1)
	go func() { hashDone <- t.followHash(bg, h) }()
	saverDone := make(chan struct{})
	go func() { defer close(saverDone); t.saver(bg) }()
	t.wb = startWriteback(t.inc, t.prefix)

	t.g, t.gctx = errgroup.WithContext(ctx)
	rest := f.size - t.prefix
	t.decided = rest < f.parallelMin || cap(f.conns) < 2
	if !t.decided && t.resumeJ {
		t.decided = true // helpers were worth it for this file before
		t.startHelpers()
	}
	t.g.Go(func() error { return t.head(t.gctx) })
	err := t.g.Wait()
	if err == nil {
		wake(t.hashWake)
		err = <-hashDone
	} else {
		cancel()
		<-hashDone // the hasher reads inc, which is closed after run
	}
	cancel()
	<-saverDone
	t.wb.stop()
	if err != nil {
		t.save() // keep every finished byte for the next run
		return err
	}
	if err := t.inc.Sync(); err != nil {
		return writeError(err, f.files.incomplete, f.size)
	}
	if h != nil {
		if got := sumHex(h); got != f.etag {
			f.reset()
			ie := &integrityError{detail: fmt.Sprintf("%s is %s, want %s", hashName(f.etag), got, f.etag)}
			return ie.failure("the partial file was removed").WithAction(hfgate.ActionResume)
		}
	}
	f.files.removeSidecars()
	return nil
}

// head appends the file to the .incomplete file in order: bytes a helper
// already put in the parts file are copied over, the rest is streamed.
func (t *transfer) head(ctx context.Context) error {
	for {
		t.mu.Lock()
		if t.prefix >= t.f.size {
			t.mu.Unlock()
			return nil
		}
		s := t.segAt(t.prefix)
		switch {
		case s.Done > t.prefix:
			from, n := t.prefix, min(s.Done-t.prefix, promoteChunk)
			t.mu.Unlock()
			if err := t.promote(from, n); err != nil {
				return err
			}
		case s.owner == none:
			s.owner = head
			t.mu.Unlock()
			err := t.stream(ctx, s, head)
			t.release(s)
			if err != nil {
				return err
			}
		default: // a helper fetches it and has not got further: wait for it
			t.mu.Unlock()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.headWake:
			}
		}
	}
}

// helper fetches ranges ahead of the head into the parts file until none
// is worth taking.
func (t *transfer) helper(ctx context.Context) error {
	for {
		t.mu.Lock()
		s := t.claim()
		var err error
		if s != nil && t.parts == nil {
			if t.parts, err = t.f.files.open(t.f.files.parts, true); err != nil {
				s.owner = none
			}
		}
		t.mu.Unlock()
		if s == nil || err != nil {
			return err
		}
		err = t.stream(ctx, s, helper)
		t.release(s)
		if err != nil {
			return err
		}
	}
}

func (t *transfer) release(s *segment) {
	t.mu.Lock()
	s.owner = none
	t.mu.Unlock()
	wake(t.headWake)
}

// stream fetches the rest of s over one connection, as worker who.
func (t *transfer) stream(ctx context.Context, s *segment, who worker) error {
	if err := t.f.acquire(ctx); err != nil {
		return err
	}
	defer t.f.release()
	t.mu.Lock()
	start := s.Done
	t.mu.Unlock()
	end := func() int64 {
		t.mu.Lock()
		defer t.mu.Unlock()
		return s.End
	}
	return t.f.fetchRange(ctx, start, end, func(p []byte, off int64) (int, error) { return t.write(s, who, p, off) })
}

// write puts bytes that arrived for s at off on disk, as far as s still
// reaches (a helper may have taken over its end), and returns how many.
func (t *transfer) write(s *segment, who worker, p []byte, off int64) (int, error) {
	t.mu.Lock()
	n := int(min(int64(len(p)), s.End-off))
	if n <= 0 || off != s.Done {
		t.mu.Unlock()
		return 0, nil
	}
	s.writing = off + int64(n) // a split never cuts below this
	file, path := t.parts, t.f.files.parts
	t.mu.Unlock()
	if who == head {
		file, path = t.inc, t.f.files.incomplete
	}
	if _, err := file.WriteAt(p[:n], off); err != nil {
		return 0, writeError(err, path, t.f.size)
	}
	t.mu.Lock()
	s.Done = off + int64(n)
	if who == head {
		t.prefix = s.Done
		t.prefixAt.Store(t.prefix)
	} else {
		t.unsaved += int64(n)
	}
	t.mu.Unlock()
	t.f.onProg(t.f.done.Add(int64(n)))
	if who == head {
		t.wb.upTo(off + int64(n))
		wake(t.hashWake)
		t.probe(n)
	} else {
		wake(t.headWake)
		wake(t.saveWake)
	}
	return n, nil
}

// promote copies n bytes at off from the parts file to the end of the
// .incomplete file (the head only).
func (t *transfer) promote(off, n int64) error {
	if err := copyRange(t.inc, t.parts, off, n); err != nil {
		return writeError(err, t.f.files.incomplete, t.f.size)
	}
	t.mu.Lock()
	t.prefix = off + n
	t.prefixAt.Store(t.prefix)
	t.mu.Unlock()
	t.wb.upTo(off + n)
	wake(t.hashWake)
	return nil
}

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

// followHash feeds h the .incomplete file's bytes in order as the prefix
// grows, until the whole file is hashed. A nil h (an ETag that names no
// hash, allowed unverified) hashes nothing.
func (t *transfer) followHash(ctx context.Context, h hash.Hash) error {
	if h == nil {
		return nil
	}
	buf := make([]byte, t.f.bufSize)
	var hashed int64
	for hashed < t.f.size {
		if c := t.prefixAt.Load(); c > hashed {
			n, err := hashRange(h, t.inc, hashed, c-hashed, buf)
			hashed += n
			if err != nil {
				return fmt.Errorf("read back partial download: %w", err)
			}
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.hashWake:
		}
	}
	return nil
}

func wake(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
