package blobcache

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"

	"github.com/hfgate/hfgate"
)

// Reader reads one blob: a complete, verified file (a hit), or a fill in
// progress, whose bytes it serves as they arrive and are safe to serve.
//
// While the blob is not verified, the last byte is held back: a Reader
// never hands out the final byte of an unverified file, so no client can
// receive a whole file before the cache knows it is right. Bytes before it
// are served as they arrive (a reader of a range that ends earlier gets
// them at once). If the fill's verification fails, every read of a Reader
// that has read from that transfer fails with an EINTEGRITY error, while
// the fill fetches the blob again for later Readers; if the fill fails, reads
// that need bytes it did not fetch fail with its error (ENOTFOUND,
// EUNAUTHORIZED, EUNAVAILABLE after retries...). A failed read means the
// bytes already handed out must not be trusted: an HTTP server cuts the
// connection.
//
// Reads wait for bytes for as long as the ctx given to Open lasts.
// ReadAt, Ready and Wait are safe for concurrent use; Read, Seek, WriteTo
// and WriteRange share the read offset and the descriptor's position, as
// an *os.File does, and are not.
type Reader struct {
	c    *Cache
	e    *entry
	f    *fill // nil for a hit
	ctx  context.Context
	size int64
	hit  bool
	pos  int64

	mu     sync.Mutex
	file   *os.File // this Reader's own descriptor; for a fill, opened on first use
	gen    int      // the fill generation file belongs to
	closed bool
}

// Size returns the blob's size.
func (r *Reader) Size() int64 { return r.size }

// Cached reports whether Open found every byte of the blob in the cache,
// verified: the Reader waits for nothing and no byte of it came from
// upstream after Open. An audit records such a read as served from the
// cache.
func (r *Reader) Cached() bool { return r.hit }

// Ready returns how many bytes from off can be read now without waiting: a
// caller serving a Range far beyond what a fill has reached may fetch that
// range from upstream itself rather than wait.
func (r *Reader) Ready(off int64) int64 {
	if off < 0 || off >= r.size {
		return 0
	}
	if r.f == nil {
		return r.size - off
	}
	f := r.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.j == nil || r.gen != 0 && r.gen != f.gen {
		return 0
	}
	return f.servableLocked(off)
}

// servableLocked returns the bytes from off that are on disk and may be
// served: never the last byte before verification.
func (f *fill) servableLocked(off int64) int64 {
	n := f.j.run(off)
	if !f.verified {
		n = min(n, f.blob.Size-1-off)
	}
	return max(n, 0)
}

// Wait blocks until the byte at off can be read, and returns the error a
// read would get instead. An HTTP server calls it before sending the status
// line, so that a fill that fails at once (the file is gone upstream, the
// Hub refuses the credential) is still answered with the right status.
func (r *Reader) Wait(off int64) error {
	if off < 0 || off >= r.size {
		return nil
	}
	_, err := r.avail(off)
	return err
}

// avail waits until bytes from off can be read from r.file and returns how
// many.
func (r *Reader) avail(off int64) (int64, error) {
	if r.f == nil {
		return r.size - off, nil
	}
	f := r.f
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		if r.gen != 0 && r.gen != f.gen {
			return 0, f.genErr
		}
		if f.j != nil {
			if n := f.servableLocked(off); n > 0 {
				if err := r.bindLocked(); err != nil {
					return 0, err
				}
				return n, nil
			}
		}
		if f.over {
			if f.err == nil { // on success every byte is servable
				return 0, hfgate.Errorf(hfgate.EINTERNAL, "blob cache: a finished fill has no bytes at %d", off)
			}
			return 0, f.err
		}
		ch := f.changed
		f.wants[off]++
		wake(f.wantWake)
		f.mu.Unlock()
		var err error
		select {
		case <-ch:
		case <-r.ctx.Done():
			err = r.ctx.Err()
		}
		f.mu.Lock()
		if f.wants[off]--; f.wants[off] == 0 {
			delete(f.wants, off)
		}
		if err != nil {
			return 0, err
		}
	}
}

// bindLocked opens r's own descriptor of the current generation's file.
// f.mu is held, so the path and the generation agree.
func (r *Reader) bindLocked() error {
	if r.gen != 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return os.ErrClosed
	}
	file, err := openFile(r.f.path, os.O_RDONLY)
	if err != nil {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "cannot open the blob being filled")
	}
	r.file, r.gen = file, r.f.gen
	return nil
}

// waitOver waits until the fill is over and returns its error.
func (r *Reader) waitOver() error {
	if r.f == nil {
		return nil
	}
	f := r.f
	f.mu.Lock()
	defer f.mu.Unlock()
	for !f.over {
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-r.ctx.Done():
			f.mu.Lock()
			return r.ctx.Err()
		}
		f.mu.Lock()
	}
	return f.err
}

// ReadAt reads len(p) bytes at off, waiting for them if the blob is being
// filled. It returns io.EOF when p reaches past the end.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, hfgate.Errorf(hfgate.EINVALID, "negative offset")
	}
	want := int(min(int64(len(p)), max(r.size-off, 0)))
	n := 0
	for n < want {
		k, err := r.avail(off + int64(n))
		if err != nil {
			return n, err
		}
		m, err := r.file.ReadAt(p[n:n+int(min(k, int64(want-n)))], off+int64(n))
		n += m
		r.c.served(r, m)
		if err != nil && !(errors.Is(err, io.EOF) && n == want) {
			return n, hfgate.WrapError(hfgate.EINTERNAL, err, "cannot read the cached blob")
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Read reads from the current offset what is there, waiting only for the
// first byte.
func (r *Reader) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	k, err := r.avail(r.pos)
	if err != nil {
		return 0, err
	}
	n, err := r.file.ReadAt(p[:min(int64(len(p)), k)], r.pos)
	r.pos += int64(n)
	r.c.served(r, n)
	if err != nil && !errors.Is(err, io.EOF) {
		return n, hfgate.WrapError(hfgate.EINTERNAL, err, "cannot read the cached blob")
	}
	return n, nil
}

// Seek sets the offset of Read and WriteTo, as io.Seeker.
func (r *Reader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, hfgate.Errorf(hfgate.EINVALID, "bad whence %d", whence)
	}
	if offset < 0 {
		return 0, hfgate.Errorf(hfgate.EINVALID, "negative offset")
	}
	r.pos = offset
	return offset, nil
}

// Close releases the blob. It is idempotent.
func (r *Reader) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	file := r.file
	r.mu.Unlock()
	if file != nil {
		file.Close()
	}
	r.c.release(r.e)
	return nil
}
