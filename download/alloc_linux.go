package download

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

func allocate(file *os.File, off, n int64, keepSize bool) error {
	mode := uint32(0)
	if keepSize {
		mode = unix.FALLOC_FL_KEEP_SIZE
	}
	for {
		err := unix.Fallocate(int(file.Fd()), mode, off, n)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EINVAL):
			return errNoAllocate
		default:
			return err
		}
	}
}

func freeSpace(dir string) (uint64, bool) {
	var st unix.Statfs_t
	if unix.Statfs(dir, &st) != nil {
		return 0, false
	}
	return st.Bavail * uint64(st.Bsize), true
}

// flushRange asks the kernel to start writing [off, off+n) of file to disk
// now, so that the fsync before publishing finds little left to write. It
// may block while the disk is busy. Errors are ignored: it is only a hint.
func flushRange(file *os.File, off, n int64) {
	unix.SyncFileRange(int(file.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}

// copyRange copies n bytes at off from src to the same offset of dst,
// inside the kernel when it can.
func copyRange(dst, src *os.File, off, n int64) error {
	roff, woff := off, off
	for n > 0 {
		k, err := unix.CopyFileRange(int(src.Fd()), &roff, int(dst.Fd()), &woff, int(min(n, 1<<30)), 0)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EXDEV), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EINVAL), errors.Is(err, unix.EOPNOTSUPP):
			return copyRangeIO(dst, src, roff, n)
		case err != nil:
			return err
		case k == 0:
			return io.ErrUnexpectedEOF // the parts file is shorter than its journal said
		}
		n -= int64(k)
	}
	return nil
}

// punchHole frees the disk blocks of [off, off+n) of file, keeping its
// size. Errors are ignored: the space is freed anyway when the download
// finishes.
func punchHole(file *os.File, off, n int64) {
	unix.Fallocate(int(file.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, n)
}
