package blobcache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/hfgate/hfgate"
)

// fill fetches one blob from upstream into fill/<key>, verifies it and
// publishes it into blobs/, while any number of Readers read what has
// arrived. It runs in its own goroutine under the cache's context, so no
// single reader's request ends it.
//
// A fill has generations: when the whole blob fails verification, the data
// file is removed, every reader of that generation gets the integrity error,
// and the next generation fetches the blob again into a new file. Readers
// never mix bytes of two generations: each reads its own descriptor of its
// generation's file.
type fill struct {
	c      *Cache
	e      *entry
	blob   Blob
	up     Upstream
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{} // closed when the fill is over

	mu       sync.Mutex // guards everything below
	gen      int        // current generation, from 1
	genErr   error      // why the previous generation was dropped
	file     *os.File   // data file of the current generation (writers)
	path     string     // where readers open it: fill/<key>, then blobs/...
	j        *journal   // progress of the current generation; nil until ready
	verified bool       // the whole blob matched its key: the last byte may go out
	err      error      // the fill failed (final); nil while running or on success
	over     bool
	changed  chan struct{} // closed and replaced on every change
	wants    map[int64]int // offsets readers wait for -> how many
	wantWake chan struct{} // signaled when a reader starts waiting (see nextWanted)
	stopping bool          // stop was called: new Opens wait for done
	kept     bool          // the fill failed but left a resumable partial
}

func newFill(c *Cache, e *entry, b Blob, up Upstream) *fill {
	f := &fill{c: c, e: e, blob: b, up: up, done: make(chan struct{}), gen: 1,
		changed: make(chan struct{}), wants: map[int64]int{}, wantWake: make(chan struct{}, 1)}
	f.ctx, f.cancel = context.WithCancelCause(c.ctx)
	return f
}

// broadcastLocked wakes every reader waiting for a change.
func (f *fill) broadcastLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// stop cancels the fill with cause, which its readers get.
func (f *fill) stop(cause error) {
	f.c.mu.Lock()
	f.stopping = true
	f.c.mu.Unlock()
	f.cancel(cause)
}

// run is the fill's goroutine.
func (f *fill) run() {
	defer close(f.done)
	err := f.attempts()
	switch {
	case err == nil:
	case f.c.ctx.Err() != nil:
		err = errClosed
	case f.ctx.Err() != nil:
		err = context.Cause(f.ctx) // stopped: idle, or removed
	}
	f.c.finish(f, err)
}

// attempts fetches the blob, once more after each failed verification, up
// to FillAttempts times.
func (f *fill) attempts() error {
	for attempt := 1; ; attempt++ {
		if err := f.prepare(attempt == 1); err != nil {
			return err
		}
		err := f.transfer()
		if err == nil {
			if err := f.publish(); err != nil {
				f.removeFiles()
				return err
			}
			return nil
		}
		f.file.Close()
		var ie *integrityError
		if !errors.As(err, &ie) {
			f.kept = true // the journal keeps every finished byte
			return err
		}
		f.c.st.integrityFailures.Add(1)
		failure := hfgate.WrapError(hfgate.EINTEGRITY, ie, "the blob failed verification (a byte was corrupted in transit)").WithAction(hfgate.ActionRetry)
		f.discard(failure)
		if attempt >= f.c.cfg.FillAttempts {
			return hfgate.WrapError(hfgate.EINTEGRITY, ie, "the blob failed verification %d times", attempt).WithAction(hfgate.ActionRetry)
		}
		f.c.cfg.Logger.Warn("blobcache: fill failed verification; fetching it again", "key", f.blob.Key, "attempt", attempt)
	}
}

// prepare opens the data file of a new generation: the partial file an
// earlier fill left, if resume and its journal describes it, else a new
// empty file.
func (f *fill) prepare(resume bool) error {
	path := fillPath(f.c.dir, f.blob.Key)
	jpath := journalPath(path)
	var j *journal
	var file *os.File
	if resume {
		j, _ = loadJournal(jpath, f.blob)
	}
	if j != nil {
		var err error
		file, err = openFile(path, os.O_RDWR)
		if err != nil {
			j = nil
		} else if fi, err := file.Stat(); err != nil || !fi.Mode().IsRegular() || fi.Size() != f.blob.Size {
			file.Close()
			j = nil
		}
	}
	if j == nil {
		os.Remove(jpath)
		os.Remove(path) // a link in the way is removed, never followed
		var err error
		if file, err = createFile(path); err != nil {
			return writeError(err)
		}
		if err := file.Truncate(f.blob.Size); err != nil {
			file.Close()
			os.Remove(path)
			return writeError(err)
		}
		j = newJournal(f.blob, f.c.cfg.partSize(f.blob.Size))
		if err := j.save(jpath); err != nil {
			file.Close()
			os.Remove(path)
			return writeError(err)
		}
	}
	f.mu.Lock()
	f.file, f.path, f.j = file, path, j
	f.broadcastLocked()
	f.mu.Unlock()
	return nil
}

// removeFiles removes the partial data and its journal.
func (f *fill) removeFiles() {
	path := fillPath(f.c.dir, f.blob.Key)
	os.Remove(journalPath(path))
	os.Remove(path)
}

// discard drops the current generation after a failed verification: its
// readers get why, and its data is removed so nothing corrupt is resumed.
func (f *fill) discard(why error) {
	f.removeFiles()
	f.mu.Lock()
	f.genErr = why
	f.j = nil
	f.gen++ // readers of the dropped generation see a new one and fail
	f.broadcastLocked()
	f.mu.Unlock()
}

// publish moves the verified data file into blobs/.
func (f *fill) publish() error {
	defer f.file.Close()
	if err := f.file.Sync(); err != nil {
		return writeError(err)
	}
	c := f.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.fanDirLocked(f.blob.Key); err != nil {
		return err
	}
	dst := blobPath(c.dir, f.blob.Key)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.Rename(f.path, dst); err != nil {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "cannot publish the blob")
	}
	os.Remove(journalPath(f.path))
	f.path = dst
	return nil
}

// integrityError is a hash or size mismatch of a finished transfer.
type integrityError struct{ got, want string }

func (e *integrityError) Error() string {
	return fmt.Sprintf("content hash is %s, want %s", e.got, e.want)
}
