package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/hfgate/hfgate/hfcache"
)

// sequential streams the file in one connection, appending to the
// .incomplete file exactly as huggingface_hub does (resume from its length
// with Range: bytes=N-), so a partial file left by either tool is resumed by
// the other. The hash is computed as the bytes arrive.
func (f *fetch) sequential(ctx context.Context) error {
	file, have, err := openPartial(f.path)
	if err != nil {
		return err
	}
	defer file.Close()
	if have > f.size {
		have = 0 // not a prefix of this file
	}
	if err := file.Truncate(have); err != nil {
		return fmt.Errorf("truncate partial download: %w", err)
	}
	if err := reserve(file, have, f.size-have, true); err != nil {
		return err
	}
	h, _ := hfcache.ContentHash(f.etag, f.size)
	if h != nil && have > 0 {
		// Hash what an earlier run left before appending to it.
		if _, err := io.Copy(h, io.NewSectionReader(file, 0, have)); err != nil {
			return fmt.Errorf("read partial download: %w", err)
		}
	}
	f.resumed = have
	f.done.Store(have)
	f.onProg(have)

	wb := startWriteback(file, have)
	defer wb.stop()
	sink := func(p []byte, off int64) error {
		if _, err := file.WriteAt(p, off); err != nil {
			return writeError(err, f.path, f.size)
		}
		wb.upTo(off + int64(len(p)))
		if h != nil {
			h.Write(p)
		}
		f.onProg(f.done.Add(int64(len(p))))
		return nil
	}
	for {
		err := f.acquire(ctx)
		if err == nil {
			err = f.fetchRange(ctx, f.done.Load(), f.size, sink)
			f.release()
		}
		if !errors.Is(err, errRangeIgnored) {
			if err != nil {
				return err
			}
			break
		}
		// The server sends the whole file whatever we ask: start over from
		// byte 0, which needs no Range header.
		if err := file.Truncate(0); err != nil {
			return fmt.Errorf("truncate partial download: %w", err)
		}
		h, _ = hfcache.ContentHash(f.etag, f.size)
		f.done.Store(0)
		f.onProg(0)
	}
	if err := file.Sync(); err != nil {
		return writeError(err, f.path, f.size)
	}
	return f.verify(h)
}

// openPartial opens (creating it if need be) the partial download at path
// for reading and writing, and returns its current size.
func openPartial(path string) (*os.File, int64, error) {
	file, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, 0, fmt.Errorf("open partial download: %w", err)
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, 0, err
	}
	return file, st.Size(), nil
}
