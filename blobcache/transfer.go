package blobcache

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/internal/retry"
)

// bufSize is the read buffer of one upstream stream.
const bufSize = 256 << 10

// journalEvery is how much progress may go unrecorded in the journal: a
// kill loses at most this much per fill (plus what was in flight), about
// 1/64 of the blob, at least 1 MiB and at most 32 MiB. Saving more often
// costs a file write and a rename each time (512 of them for 2 GiB at
// 4 MiB: 5% of the fill's CPU time on loopback).
func journalEvery(size int64) int64 { return min(32<<20, max(size/64, 1<<20)) }

// transfer fetches the missing parts of the current generation over up to
// FillConns streams, hashing the contiguous prefix as it grows, and returns
// nil once the whole blob matches its key. On any other failure it saves
// the journal, so that every finished byte is kept for a resume.
func (f *fill) transfer() error {
	hashWake, saveWake := make(chan struct{}, 1), make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	hashed := make(chan error, 1)
	go func() { hashed <- f.follow(ctx, hashWake) }()
	saved := make(chan struct{})
	go func() { defer close(saved); f.saveLoop(ctx, saveWake) }()

	g, gctx := errgroup.WithContext(ctx)
	worker := func(next func() *part) func() error {
		return func() error {
			defer wake(f.wantWake) // the urgent worker ends when parts run out
			buf := make([]byte, bufSize)
			for p := next(); p != nil; p = next() {
				err := f.fetchPart(gctx, p, buf, hashWake, saveWake)
				f.mu.Lock()
				p.taken = false
				f.mu.Unlock()
				if err != nil {
					return err
				}
			}
			return nil
		}
	}
	for range min(f.c.cfg.FillConns, max(f.pending(), 1)) {
		g.Go(worker(f.next))
	}
	g.Go(worker(func() *part { return f.nextWanted(gctx) }))
	err := g.Wait()
	if err == nil {
		wake(hashWake)
		err = <-hashed
	} else {
		cancel()
		<-hashed
	}
	cancel()
	<-saved
	var ie *integrityError
	if err != nil && !errors.As(err, &ie) {
		f.mu.Lock()
		j := f.j.clone()
		f.mu.Unlock()
		j.save(journalPath(fillPath(f.c.dir, f.blob.Key)))
	}
	return err
}

func wake(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// fetchPart fetches the rest of p, retrying transient failures; attempts
// start over whenever bytes arrive.
func (f *fill) fetchPart(ctx context.Context, p *part, buf []byte, hashWake, saveWake chan struct{}) error {
	attempt := 1
	for {
		f.mu.Lock()
		before, left := p.Done, p.Done < p.End // Done changes only in this goroutine, End when a reader splits p
		f.mu.Unlock()
		if !left {
			return nil
		}
		err := f.stream(ctx, p, buf, hashWake, saveWake)
		if err == nil {
			continue
		}
		if p.Done > before {
			attempt = 1
		}
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case !retry.Transient(err):
			return err
		case !f.c.cfg.Retry.Retries(attempt):
			return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "fetching the blob from upstream failed %d times in a row", attempt).WithAction(hfgate.ActionRetry)
		}
		wait := f.c.cfg.Retry.Delay(attempt, retry.AfterOf(err))
		f.c.st.retries.Add(1)
		f.c.cfg.Logger.Info("blobcache: retrying upstream", "key", f.blob.Key, "offset", p.Done, "wait", wait, "err", logMessage(err))
		if err := retry.Sleep(ctx, wait); err != nil {
			return err
		}
		attempt++
	}
}

// stream makes one upstream request for the rest of p and writes what
// arrives. A stream that sends nothing for StallTimeout is dropped. When a
// reader splits p, the stream stops at p's new end.
func (f *fill) stream(ctx context.Context, p *part, buf []byte, hashWake, saveWake chan struct{}) error {
	if err := f.c.acquireConn(ctx); err != nil {
		return err
	}
	defer f.c.releaseConn()
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stall := time.AfterFunc(f.c.cfg.StallTimeout, func() { cancel(errStalled) })
	defer stall.Stop()
	stalled := func(err error) error {
		if ctx.Err() == nil && errors.Is(context.Cause(sctx), errStalled) {
			return hfgate.WrapError(hfgate.EUNAVAILABLE, errStalled, "no data from upstream for %s", f.c.cfg.StallTimeout)
		}
		return err
	}
	f.mu.Lock()
	done, end := p.Done, p.End
	f.mu.Unlock()
	rc, err := f.up.Fetch(sctx, done, end)
	if err != nil {
		return stalled(err)
	}
	defer rc.Close()
	for done < end {
		n, rerr := rc.Read(buf[:min(int64(len(buf)), end-done)])
		if n > 0 {
			stall.Reset(f.c.cfg.StallTimeout)
			// Bytes past a split point are the same bytes its new part
			// fetches: writing them twice is harmless.
			if _, err := f.file.WriteAt(buf[:n], done); err != nil {
				return writeError(err) // not EUNAVAILABLE: not retried
			}
			f.mu.Lock()
			done = min(done+int64(n), p.End)
			p.Done, end = done, p.End
			f.broadcastLocked()
			f.mu.Unlock()
			f.c.st.upstream.Add(int64(n))
			wake(hashWake)
			wake(saveWake)
		}
		if rerr == io.EOF && done < end {
			return hfgate.WrapError(hfgate.EUNAVAILABLE, io.ErrUnexpectedEOF, "the upstream connection closed early")
		}
		if rerr != nil && rerr != io.EOF {
			return stalled(rerr)
		}
	}
	return nil
}

// follow hashes the blob's bytes in order, as far as they are contiguous
// from 0, waking on wake, and compares the result with the key. It reads
// back what the streams wrote, from the page cache.
func (f *fill) follow(ctx context.Context, wake <-chan struct{}) error {
	h := f.blob.Key.newHash(f.blob.Size)
	buf := make([]byte, 1<<20)
	var hashed int64
	for hashed < f.blob.Size {
		f.mu.Lock()
		end := f.j.contiguous()
		f.mu.Unlock()
		if end > hashed {
			n, err := io.CopyBuffer(h, io.NewSectionReader(f.file, hashed, end-hashed), buf)
			hashed += n
			if err != nil {
				return hfgate.WrapError(hfgate.EINTERNAL, err, "cannot read back the blob")
			}
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != string(f.blob.Key) {
		return &integrityError{got: got, want: string(f.blob.Key)}
	}
	f.mu.Lock()
	f.verified = true
	f.broadcastLocked()
	f.mu.Unlock()
	return nil
}

// saveLoop saves the journal every journalEvery bytes of progress.
func (f *fill) saveLoop(ctx context.Context, wake <-chan struct{}) {
	path := journalPath(fillPath(f.c.dir, f.blob.Key))
	f.mu.Lock()
	saved := f.j.done()
	f.mu.Unlock()
	every := journalEvery(f.blob.Size)
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		}
		f.mu.Lock()
		var j *journal
		if f.j.done()-saved >= every {
			j = f.j.clone()
		}
		f.mu.Unlock()
		if j != nil && j.save(path) == nil {
			saved = j.done()
		}
	}
}

// acquireConn takes an upstream connection slot, or fails when ctx ends.
func (c *Cache) acquireConn(ctx context.Context) error {
	select {
	case c.conns <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Cache) releaseConn() { <-c.conns }
