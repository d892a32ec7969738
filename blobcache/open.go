package blobcache

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/hfgate/hfgate"
)

// Open returns a Reader over the blob b, at offset 0.
//
//   - A complete blob is a hit: the Reader reads the verified file and up is
//     not used (it may be nil). So is a blob whose fill has verified every
//     byte and is only publishing it.
//   - A blob being filled: the Reader reads the same fill, from the bytes
//     already there; nothing more is fetched.
//   - Otherwise a fill starts (resuming a partial one, if any) from up, in
//     parallel ranged parts, and the Reader streams its bytes as they
//     arrive. With a nil up, Open fails with ENOTFOUND instead: serve only
//     what is cached (when upstream is known to be down, say).
//
// ctx bounds the Reader's waits for bytes, not the fill: the fill goes on
// for the other readers, and for the cache for up to Config.IdleFill once
// every reader has gone. Close the Reader when done; an open Reader keeps
// its blob from eviction.
//
// Open fails with EINVALID for a bad key or a size that differs from the
// complete blob's, ENOSPACE when the blob cannot fit under MaxSize (what
// is held by open readers and running fills cannot be evicted), and
// EUNAVAILABLE once the cache is closed. Errors of the fill reach the
// Reader's reads (see Reader).
func (c *Cache) Open(ctx context.Context, b Blob, up Upstream) (*Reader, error) {
	if err := b.validate(); err != nil {
		return nil, err
	}
	for {
		r, wait, err := c.open(ctx, b, up)
		if wait == nil {
			return r, err
		}
		select { // a stopping fill of this blob must end before another starts
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (c *Cache) open(ctx context.Context, b Blob, up Upstream) (*Reader, <-chan struct{}, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, nil, errClosed
	}
	e := c.entries[b.Key]
	if e != nil && e.size != b.Size {
		if e.complete || e.fill != nil {
			return nil, nil, hfgate.Errorf(hfgate.EINVALID, "blob %s has %d bytes, not %d", b.Key, e.size, b.Size)
		}
		c.dropLocked(e) // a stale partial of another size
		e = nil
	}
	if e != nil && e.name == "" && b.Name != "" {
		e.name = b.name()
		c.dirty = true
	}
	switch {
	case e != nil && e.complete:
		file, err := openFile(blobPath(c.dir, b.Key), os.O_RDONLY)
		if errors.Is(err, fs.ErrNotExist) { // removed behind our back
			c.dropLocked(e)
			return c.startLocked(ctx, nil, b, up)
		}
		if err != nil {
			return nil, nil, hfgate.WrapError(hfgate.EINTERNAL, err, "cannot open the cached blob")
		}
		e.refs++
		c.touchLocked(e)
		c.st.hits.Add(1)
		return &Reader{c: c, e: e, ctx: ctx, size: b.Size, file: file, hit: true}, nil, nil
	case e != nil && e.fill != nil:
		if e.fill.stopping {
			return nil, e.fill.done, nil
		}
		r := c.attachLocked(ctx, e)
		e.fill.mu.Lock()
		r.hit = e.fill.verified // every byte is there and right: publishing is all that is left
		e.fill.mu.Unlock()
		if r.hit {
			c.st.hits.Add(1)
		} else {
			c.st.joins.Add(1)
		}
		return r, nil, nil
	}
	return c.startLocked(ctx, e, b, up)
}

// startLocked starts a fill of b (resuming the partial entry e, if not nil)
// and attaches a Reader to it.
func (c *Cache) startLocked(ctx context.Context, e *entry, b Blob, up Upstream) (*Reader, <-chan struct{}, error) {
	if up == nil {
		return nil, nil, hfgate.Errorf(hfgate.ENOTFOUND, "blob %s is not in the cache", b.Key)
	}
	if e == nil {
		if err := c.makeRoomLocked(b.Size); err != nil {
			return nil, nil, err
		}
		e = &entry{key: b.Key, size: b.Size, name: b.name()}
		c.addLocked(e)
	}
	c.st.misses.Add(1)
	e.fill = newFill(c, e, b, up)
	c.fills.Add(1)
	go func() {
		defer c.fills.Done()
		e.fill.run()
	}()
	return c.attachLocked(ctx, e), nil, nil
}

// attachLocked returns a new Reader of e's running fill.
func (c *Cache) attachLocked(ctx context.Context, e *entry) *Reader {
	e.refs++
	if e.idle != nil {
		e.idle.Stop()
		e.idle = nil
	}
	c.touchLocked(e)
	return &Reader{c: c, e: e, f: e.fill, ctx: ctx, size: e.size}
}

// finish records the end of f: its blob is complete (err == nil), partial
// (a resumable failure), or gone; then its readers learn the outcome.
func (c *Cache) finish(f *fill, err error) {
	c.mu.Lock()
	e := f.e
	e.fill = nil
	if e.idle != nil {
		e.idle.Stop()
		e.idle = nil
	}
	switch {
	case err == nil:
		e.complete = true
		c.touchLocked(e)
		c.st.fillsDone.Add(1)
	case f.kept:
		c.st.fillsFailed.Add(1)
		f.mu.Lock()
		if f.j != nil {
			e.filled = f.j.done()
		}
		f.mu.Unlock()
	default:
		c.st.fillsFailed.Add(1)
		if c.entries[e.key] == e {
			delete(c.entries, e.key)
			c.lru.Remove(e.elem)
			c.size -= e.size
			c.dirty = true
		}
	}
	c.mu.Unlock()
	if err != nil && f.ctx.Err() == nil {
		c.cfg.Logger.Warn("blobcache: fill failed", "key", f.blob.Key, "code", hfgate.ErrorCode(err), "err", logMessage(err))
	}
	f.mu.Lock()
	f.err, f.over = err, true
	f.broadcastLocked()
	f.mu.Unlock()
}

// release is called by Reader.Close.
func (c *Cache) release(e *entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.refs--
	f := e.fill
	if e.refs > 0 || f == nil {
		return
	}
	if c.cfg.IdleFill < 0 {
		f.stopping = true
		f.cancel(errIdle)
		return
	}
	e.idle = time.AfterFunc(c.cfg.IdleFill, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if e.refs == 0 && e.fill == f {
			f.stopping = true
			f.cancel(errIdle)
		}
	})
}

// errIdle stops a fill that has had no reader for IdleFill.
var errIdle = hfgate.Errorf(hfgate.ECANCELED, "the fill was stopped: no reader was left")

// Warm fills the blob b without a reader, returning once it is complete
// and verified (at once if it is already there), or with the fill's error.
// If ctx ends first, the fill goes on as after its last reader left.
func (c *Cache) Warm(ctx context.Context, b Blob, up Upstream) error {
	r, err := c.Open(ctx, b, up)
	if err != nil {
		return err
	}
	defer r.Close()
	return r.waitOver()
}
