package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrUnsafe is wrapped by every refusal: the path is a symbolic link, not a
// regular file, or a file with other hard links.
var ErrUnsafe = errors.New("not a plain file: refusing to follow or overwrite it")

// OpenFile is os.OpenFile for a file in a folder others may write to: it
// refuses, with an error wrapping ErrUnsafe, a path whose last component is
// a symbolic link, or that is not a regular file with exactly one link.
// With O_CREATE a missing file is created, never through a link; O_TRUNC
// truncates only once the file passed the checks.
func OpenFile(path string, flag int, perm fs.FileMode) (*os.File, error) {
	f, err := openFile(path, flag&^os.O_TRUNC, perm)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = check(path, fi)
	}
	if err == nil && flag&os.O_TRUNC != 0 {
		err = f.Truncate(0)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ReadFile reads the file at path with OpenFile's checks, failing when it
// holds more than max bytes: what a journal or metadata file of a few
// kilobytes needs, with no way for a planted /dev/zero link or a huge file
// to use up memory.
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("read %s: larger than %d bytes", path, max)
	}
	return b, nil
}

// Check returns an error wrapping ErrUnsafe unless fi, the result of Stat
// or Lstat of path, is a regular file with at most one link.
func Check(path string, fi fs.FileInfo) error { return check(path, fi) }

func check(path string, fi fs.FileInfo) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("a symbolic link: %w", ErrUnsafe)}
	case !fi.Mode().IsRegular():
		return &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("not a regular file: %w", ErrUnsafe)}
	case links(fi) > 1:
		return &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("a file with other hard links: %w", ErrUnsafe)}
	}
	return nil
}
