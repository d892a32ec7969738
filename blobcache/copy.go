package blobcache

import (
	"io"

	"github.com/hfgate/hfgate"
)

// WriteRange writes the n bytes at off to w, waiting for them as ReadAt
// does, and returns how many it wrote. The bytes go from the file to w by
// io.Copy over an *os.File, so a w that can take a file (an
// http.ResponseWriter over TCP, a net.TCPConn, an *os.File) gets them by
// sendfile or copy_file_range, without passing through user space.
//
// An error that is not w's means the bytes already written must not be
// trusted (see Reader).
func (r *Reader) WriteRange(w io.Writer, off, n int64) (int64, error) {
	if off < 0 || n < 0 || off+n > r.size {
		return 0, hfgate.Errorf(hfgate.EINVALID, "range %d+%d is outside the blob of %d bytes", off, n, r.size)
	}
	var done int64
	for done < n {
		k, err := r.avail(off + done)
		if err != nil {
			return done, err
		}
		k = min(k, n-done)
		if _, err := r.file.Seek(off+done, io.SeekStart); err != nil {
			return done, hfgate.WrapError(hfgate.EINTERNAL, err, "cannot read the cached blob")
		}
		m, err := io.Copy(w, &io.LimitedReader{R: r.file, N: k})
		done += m
		r.c.served(r, int(m))
		if err != nil {
			return done, err
		}
		if m < k {
			return done, hfgate.WrapError(hfgate.EINTERNAL, io.ErrUnexpectedEOF, "the cached blob is shorter than its size")
		}
	}
	return done, nil
}

// WriteTo writes the blob from the current offset to its end to w, as
// WriteRange does, and moves the offset past what it wrote.
func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	if r.pos >= r.size {
		return 0, nil
	}
	n, err := r.WriteRange(w, r.pos, r.size-r.pos)
	r.pos += n
	return n, err
}
