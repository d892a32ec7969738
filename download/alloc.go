package download

import (
	"errors"
	"fmt"
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
		"not enough disk space in %s: the download needs %s more and %s is free; free some space (for example with \"hfgate cache rm\") or choose another cache with HF_HUB_CACHE, then run the command again: finished bytes are kept",
		filepath.Dir(path), fmtBytes(need), fmtBytes(free))
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
// waits seconds for all of it at once.
const writebackEvery = 32 << 20

// writeback starts writing a file's finished prefix to disk as it grows.
// Not safe for concurrent use.
type writeback struct {
	file *os.File
	done int64 // bytes handed to the kernel
}

// upTo says the first off bytes are final.
func (w *writeback) upTo(off int64) {
	if off-w.done >= writebackEvery {
		startWriteback(w.file, w.done, off-w.done)
		w.done = off
	}
}
