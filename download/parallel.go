package download

import (
	"context"
	"fmt"
	"hash"
	"os"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/hfgate/hfgate/hfcache"
)

// journalEvery is how much progress may go unrecorded in the journal. A kill
// loses at most this much plus what was in flight on the sockets; a save
// costs a small write and a rename. Files under 256 MiB record every 1/64
// of their size (at least 1 MiB), so that a resume refetches at most about
// 2% of any file.
const journalEvery = 4 << 20

func (f *fetch) journalEvery() int64 { return min(journalEvery, max(f.size/64, 1<<20)) }

// parallel fetches the missing parts of the file over several connections at
// once, writing each at its offset. A journal records each part's progress
// for resuming. A hasher follows the contiguous prefix from byte 0, reading
// back what the parts wrote (from the page cache), so verification finishes
// moments after the last byte arrives instead of after a second full pass.
func (f *fetch) parallel(ctx context.Context, j *journal) error {
	jpath := journalPath(f.path)
	file, size, err := openPartial(f.path)
	if err != nil {
		return err
	}
	defer file.Close()
	if j != nil && size != f.size {
		// A parallel run grows the file to full size at once, so another
		// size means something else (a sequential run of ours or of
		// huggingface_hub) replaced the file behind the journal's back:
		// forget the journal and keep the file as a contiguous prefix.
		j = nil
	}
	if j == nil {
		// Keep a contiguous prefix left by a sequential run (ours or
		// huggingface_hub's). Record it before the file grows to full size,
		// so that a kill in between cannot make zeros look downloaded.
		have := size
		if have > f.size {
			have = 0
		}
		j = newJournal(f.etag, f.size, f.partSize, have)
		if err := j.save(jpath); err != nil {
			return err
		}
		if err := reserve(file, have, f.size-have, false); err != nil {
			return err
		}
	}
	f.resumed = j.done()
	f.done.Store(f.resumed)
	f.onProg(f.resumed)

	var mu sync.Mutex // guards the Done field of j's parts
	hashWake, saveWake := make(chan struct{}, 1), make(chan struct{}, 1)
	wake := func(c chan struct{}) {
		select {
		case c <- struct{}{}:
		default:
		}
	}
	snapshot := func() *journal {
		mu.Lock()
		defer mu.Unlock()
		return j.clone()
	}

	bg, bgCancel := context.WithCancel(ctx)
	defer bgCancel()
	hashDone := make(chan error, 1)
	h, _ := hfcache.ContentHash(f.etag, f.size)
	contiguous := func() int64 {
		mu.Lock()
		defer mu.Unlock()
		return j.contiguous()
	}
	go func() { hashDone <- f.followHash(bg, file, h, contiguous, hashWake) }()
	saverDone := make(chan struct{})
	saved, every := j.done(), f.journalEvery()
	go func() {
		defer close(saverDone)
		for {
			select {
			case <-bg.Done():
				return
			case <-saveWake:
			}
			if s := snapshot(); s.done()-saved >= every {
				if s.save(jpath) == nil {
					saved = s.done()
				}
			}
		}
	}()

	pending := j.pending()
	queue := make(chan *part, len(pending))
	for _, p := range pending {
		queue <- p
	}
	close(queue)
	g, gctx := errgroup.WithContext(ctx)
	for range min(len(pending), cap(f.conns)) {
		g.Go(func() error {
			for p := range queue {
				if err := f.acquire(gctx); err != nil {
					return err
				}
				mu.Lock()
				start := p.Done
				mu.Unlock()
				err := f.fetchRange(gctx, start, p.End, func(b []byte, off int64) error {
					if _, err := file.WriteAt(b, off); err != nil {
						return writeError(err, f.path, f.size)
					}
					mu.Lock()
					p.Done = off + int64(len(b))
					mu.Unlock()
					f.onProg(f.done.Add(int64(len(b))))
					wake(hashWake)
					wake(saveWake)
					return nil
				})
				f.release()
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	err = g.Wait()
	if err == nil {
		wake(hashWake)
		err = <-hashDone
	} else {
		bgCancel()
		<-hashDone // the hasher reads file, which is closed when we return
	}
	bgCancel()
	<-saverDone
	if err != nil {
		snapshot().save(jpath) // keep every finished byte for the next run
		return err
	}
	if err := file.Sync(); err != nil {
		return writeError(err, f.path, f.size)
	}
	if err := f.verify(h); err != nil {
		return err
	}
	os.Remove(jpath)
	return nil
}

// followHash feeds h the file's bytes in order, as far as contiguous() says
// they are on disk, waking on wake, until the whole file is hashed. What it
// has hashed starts going to the disk.
func (f *fetch) followHash(ctx context.Context, file *os.File, h hash.Hash, contiguous func() int64, wake <-chan struct{}) error {
	if h == nil {
		return nil
	}
	buf := make([]byte, f.bufSize)
	var hashed int64
	wb := startWriteback(file, 0)
	defer wb.stop()
	for hashed < f.size {
		if c := contiguous(); c > hashed {
			c = min(c, hashed+writebackEvery) // hand finished bytes to the disk as we go
			n, err := hashRange(h, file, hashed, c-hashed, buf)
			hashed += n
			wb.upTo(hashed)
			if err != nil {
				return fmt.Errorf("read back partial download: %w", err)
			}
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		}
	}
	return nil
}
