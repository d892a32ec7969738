package download

import (
	"context"
	"fmt"
	"hash"
	"os"
)

// hasher computes the content hash of the .incomplete file as the head
// appends to it, on its own goroutine (another core, when there is one).
// The head hands it, in file order, copies of the bytes it just wrote,
// still hot in the CPU's cache, and ranges of the file to read back
// (what an earlier run left, and what the head copied from the parts file).
// Copies go through a few staging buffers: when they are all waiting to be
// hashed, the head waits. So when bytes arrive faster than one core hashes
// them, the head keeps the hasher's pace instead of running ahead and
// leaving it alone at the end with a backlog.
type hasher struct {
	h     hash.Hash // nil: nothing is hashed (an ETag that names no hash)
	file  *os.File
	queue chan hashItem
	free  chan []byte // staging buffers for the head to fill

	stage []byte // the head's: the buffer being filled
}

// hashItem is bytes to hash: a staging buffer, returned to free once
// hashed, or n bytes at off read back from the file.
type hashItem struct {
	buf    []byte
	off, n int64
}

// Staging: hashStages buffers of hashStage bytes.
const (
	hashStage  = 1 << 20
	hashStages = 8
)

func newHasher(h hash.Hash, file *os.File) *hasher {
	hs := &hasher{h: h, file: file, queue: make(chan hashItem, 2*hashStages), free: make(chan []byte, hashStages)}
	if h != nil {
		for range hashStages {
			hs.free <- make([]byte, 0, hashStage)
		}
	}
	return hs
}

// run hashes what the head hands over until size bytes are hashed.
func (hs *hasher) run(ctx context.Context, size int64, bufSize int) error {
	if hs.h == nil {
		return nil
	}
	buf := make([]byte, bufSize)
	for hashed := int64(0); hashed < size; {
		var it hashItem
		select {
		case <-ctx.Done():
			return ctx.Err()
		case it = <-hs.queue:
		}
		if it.buf != nil {
			hs.h.Write(it.buf)
			hashed += int64(len(it.buf))
			hs.free <- it.buf[:0]
			continue
		}
		n, err := hashRange(hs.h, hs.file, it.off, it.n, buf)
		hashed += n
		if err != nil {
			return fmt.Errorf("read back partial download: %w", err)
		}
	}
	return nil
}

// copied hands over a copy of p, just written at the end of the prefix
// (the head only). It waits while every staging buffer is full.
func (hs *hasher) copied(ctx context.Context, p []byte) error {
	if hs.h == nil {
		return nil
	}
	for len(p) > 0 {
		if hs.stage == nil {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case hs.stage = <-hs.free:
			}
		}
		k := copy(hs.stage[len(hs.stage):cap(hs.stage)], p)
		hs.stage, p = hs.stage[:len(hs.stage)+k], p[k:]
		if len(hs.stage) == cap(hs.stage) {
			if err := hs.flush(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// ranged hands over n bytes of the file at off (the head only), after what
// it copied before.
func (hs *hasher) ranged(ctx context.Context, off, n int64) error {
	if hs.h == nil || n == 0 {
		return nil
	}
	if err := hs.flush(ctx); err != nil {
		return err
	}
	return hs.send(ctx, hashItem{off: off, n: n})
}

// flush hands over the staging buffer being filled (the head only).
func (hs *hasher) flush(ctx context.Context) error {
	if hs.h == nil || len(hs.stage) == 0 {
		return nil
	}
	b := hs.stage
	hs.stage = nil
	return hs.send(ctx, hashItem{buf: b})
}

func (hs *hasher) send(ctx context.Context, it hashItem) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case hs.queue <- it:
		return nil
	}
}
