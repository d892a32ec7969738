package download

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/hfgate/hfgate"
)

// reserve makes sure n bytes from off can be written to file, so that a full
// disk is reported before the download starts instead of after minutes of
// transfer. keepSize reserves blocks without growing the file (for the
// append-only sequential mode, whose file length is its progress); otherwise
// the file is extended to off+n, as parallel parts write anywhere in it.
func reserve(file *os.File, off, n int64, keepSize bool) error {
	if n <= 0 {
		return nil
	}
	err := allocate(file, off, n, keepSize)
	if errors.Is(err, errNoAllocate) {
		// The filesystem cannot preallocate: check free space, then extend.
		if free, ok := freeSpace(filepath.Dir(file.Name())); ok && free < uint64(n) {
			return noSpace(file.Name(), n, int64(free))
		}
		if keepSize {
			return nil
		}
		err = file.Truncate(off + n)
	}
	if err != nil {
		return writeError(err, file.Name(), n)
	}
	return nil
}

// errNoAllocate means the filesystem does not support preallocation.
var errNoAllocate = errors.New("preallocation not supported")

// writeError turns a failed write into an actionable error: a full disk or
// quota is ENOSPACE, anything else an internal error naming the file.
func writeError(err error, path string, need int64) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		free, _ := freeSpace(filepath.Dir(path))
		return noSpace(path, need, int64(free))
	}
	return hfgate.WrapError(hfgate.EINTERNAL, err, "write %s", path)
}

func noSpace(path string, need, free int64) error {
	return hfgate.WrapError(hfgate.ENOSPACE, syscall.ENOSPC,
		"not enough disk space in %s: the download needs %s more and %s is free", filepath.Dir(path), fmtBytes(need), fmtBytes(free)).
		WithAction(hfgate.ActionFreeSpace)
}

// fmtBytes formats a size for error messages.
func fmtBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

// writebackEvery is how many finished bytes go to the disk at a time while
// a download runs. Without it the fsync before publishing a 2 GiB file
// waits for all of it at once; with it, the disk works while the network
// does.
const writebackEvery = 32 << 20

// writeback starts writing a file's finished prefix to disk as it grows,
// from its own goroutine, since flushRange blocks while the disk is busy
// and hashing must not wait for the disk. upTo is for one goroutine; call
// stop when done.
type writeback struct {
	file *os.File
	next chan int64 // the latest finished offset; holds at most one
	done chan struct{}
}

func startWriteback(file *os.File, from int64) *writeback {
	w := &writeback{file: file, next: make(chan int64, 1), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for off := range w.next {
			if off-from >= writebackEvery {
				flushRange(file, from, off-from)
				from = off
			}
		}
	}()
	return w
}

// upTo says the first off bytes are final. It never blocks.
func (w *writeback) upTo(off int64) {
	for {
		select {
		case w.next <- off:
			return
		default:
		}
		select {
		case <-w.next: // replace a stale offset
		default:
		}
	}
}

func (w *writeback) stop() {
	close(w.next)
	<-w.done
}

// copyRangeIO copies n bytes at off from src to the same offset of dst
// through a buffer.
func copyRangeIO(dst, src *os.File, off, n int64) error {
	_, err := io.CopyBuffer(io.NewOffsetWriter(dst, off), io.NewSectionReader(src, off, n), make([]byte, 1<<20))
	return err
}
