package blobcache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/internal/safefile"
)

// Files and folders the cache makes are private to its user.
const (
	dirMode  = 0o700
	fileMode = 0o600
)

// makeDir makes the folder path (one level) if missing and checks that it
// is a real folder, not a symlink planted in its place: the cache never
// follows a link it did not make.
func makeDir(path string) error {
	err := os.Mkdir(path, dirMode)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("make cache folder: %w", err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("make cache folder: %w", err)
	}
	if !fi.IsDir() {
		return hfgate.Errorf(hfgate.EINTERNAL, "%s is not a folder (a symlink or file is in the way); the cache will not use it", path)
	}
	return nil
}

// openFile opens the regular file path without following a symlink in its
// last element (internal/safefile, on every platform).
func openFile(path string, flag int) (*os.File, error) {
	return safefile.OpenFile(path, flag, fileMode)
}

// openDir opens the folder path for listing, refusing a symlink in its
// place.
func openDir(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, &fs.PathError{Op: "open", Path: path, Err: errors.New("not a folder (a symlink or file is in the way)")}
	}
	return os.Open(path)
}

// createFile creates path, which must not exist yet (not even as a link).
func createFile(path string) (*os.File, error) {
	return openFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL)
}

// writeAtomic replaces path with data: a new file in the same folder
// (path + ".tmp" + random), written, synced if sync, then renamed over
// path. Nothing is left behind on failure; removeTemps cleans up after a
// process that died in the middle.
func writeAtomic(path string, data []byte, sync bool) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	_, err = tmp.Write(data)
	if err == nil && sync {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// writeError turns a failed write into a user-safe error: a full disk or
// quota is ENOSPACE, anything else an internal error.
func writeError(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return hfgate.WrapError(hfgate.ENOSPACE, err, "the cache disk is full").WithAction(hfgate.ActionFreeSpace)
	}
	return hfgate.WrapError(hfgate.EINTERNAL, err, "writing to the cache failed")
}

// removeTemps removes what writeAtomic left for path when a process died
// before the rename.
func removeTemps(path string) {
	matches, _ := filepath.Glob(path + ".tmp*")
	for _, m := range matches {
		os.Remove(m) // a link is removed, never followed
	}
}
