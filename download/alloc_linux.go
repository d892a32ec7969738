package download

import (
	"errors"
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
