package gguf

import (
	"context"
	"errors"
	"io"
)

// chunkReader reads a file sequentially through an io.ReaderAt in large
// chunks, so that a ReaderAt backed by HTTP Range requests is asked a few
// times for megabytes rather than thousands of times for a few bytes.
//
// It keeps only the unread tail of the last chunk: the parser copies out
// what it keeps, so memory stays at about one chunk whatever the header size.
type chunkReader struct {
	ctx      context.Context
	r        io.ReaderAt
	size     int64 // file size, or -1 when unknown
	limit    int64 // never read at or beyond this offset (Options.MaxHeaderSize)
	chunk    int   // size of the next read; doubles up to maxChunk
	maxChunk int

	buf   []byte // file bytes [start, start+len(buf))
	start int64
	off   int  // read position within buf
	eof   bool // the reader returned io.EOF at start+len(buf)
}

// pos returns the file offset of the next unread byte.
func (c *chunkReader) pos() int64 { return c.start + int64(c.off) }

// next returns the next n bytes and advances past them. The slice is valid
// only until the next call.
func (c *chunkReader) next(n int) ([]byte, error) {
	if len(c.buf)-c.off < n {
		if err := c.fill(n); err != nil {
			return nil, err
		}
	}
	p := c.buf[c.off : c.off+n]
	c.off += n
	return p, nil
}

// fill makes at least n unread bytes available, reading one chunk (or more
// when n is larger) after the buffered bytes.
func (c *chunkReader) fill(n int) error {
	if err := c.ctx.Err(); err != nil {
		return readerError(c.ctx, c.pos(), err)
	}
	pos := c.pos()
	if pos+int64(n) > c.limit {
		return overLimit(pos, "the header is larger than %d bytes", c.limit)
	}
	have := len(c.buf) - c.off
	end := c.start + int64(len(c.buf)) // where the next read starts
	if c.eof {
		return truncated(end)
	}
	want := max(n-have, c.chunk)
	readEnd := min(end+int64(want), c.limit)
	if c.size >= 0 {
		readEnd = min(readEnd, c.size)
	}
	if readEnd-pos < int64(n) {
		return truncated(readEnd)
	}

	// Move the unread tail to the front of a buffer big enough for the read,
	// reusing the old one when it is.
	total := have + int(readEnd-end)
	buf := c.buf
	if cap(buf) < total {
		buf = make([]byte, total)
	}
	buf = buf[:total]
	copy(buf, c.buf[c.off:])
	c.buf, c.start, c.off = buf, pos, 0
	got, err := c.r.ReadAt(buf[have:], end)
	if got < len(buf)-have || err != nil {
		if !errors.Is(err, io.EOF) {
			if err == nil {
				err = io.ErrNoProgress // a ReaderAt that breaks its contract
			}
			return readerError(c.ctx, end+int64(got), err)
		}
		c.eof = got < len(buf)-have
		c.buf = buf[:have+got]
		if got < n-have {
			return truncated(end + int64(got))
		}
	}
	c.chunk = min(2*c.chunk, c.maxChunk)
	return nil
}
