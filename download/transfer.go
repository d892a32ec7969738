package download

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
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

	hash *hasher

	mu      sync.Mutex
	segs    []*segment // sorted, tiling [prefix, size) and maybe some before
	prefix  int64      // length of inc
	unsaved int64      // parts bytes since the journal was last saved
	resumeJ bool       // an earlier run used helpers

	// The head alone touches these: whether helpers were considered, and
	// what it streamed so far to decide.
	decided     bool
	streamStart time.Time
	streamed    int64

	saveMu  sync.Mutex
	punched int64 // parts bytes below this were punched out

	headWake, saveWake chan struct{}
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
	probeTime   = 100 * time.Millisecond
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
	t := &transfer{f: f, inc: inc, headWake: make(chan struct{}, 1), saveWake: make(chan struct{}, 1)}
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
	t.hash = newHasher(h, t.inc)
	t.hash.ranged(bg, 0, t.prefix) // what an earlier run left
	hashDone := make(chan error, 1)
	go func() { hashDone <- t.hash.run(bg, f.size, f.bufSize) }()
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
		err = t.hash.flush(bg)
	}
	if err == nil {
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

func wake(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
