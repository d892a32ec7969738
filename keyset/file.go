package keyset

import (
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/hfgate/hfgate"
)

// maxFile bounds a key file: a few thousand keys at most.
const maxFile = 1 << 20

// ReadFile reads a key set from the file at path (see Parse). The file
// must be a regular file (a symbolic link to one, as Kubernetes mounts
// secrets, is followed) that no group or other user may read or write:
// anything else is EINVALID, so keys readable by others are never used.
func ReadFile(path string) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, hfgate.WrapError(hfgate.EINVALID, err, "key file %s does not exist", path)
		}
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "cannot open key file %s", path)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "cannot read key file %s", path)
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxFile {
		return nil, hfgate.Errorf(hfgate.EINVALID, "key file %s is not a small regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, hfgate.Errorf(hfgate.EINVALID, "key file %s has mode %04o: other users may read it; make it 0600", path, perm)
	}
	text, err := io.ReadAll(io.LimitReader(f, maxFile))
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "cannot read key file %s", path)
	}
	s, err := Parse(string(text))
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "key file %s", path)
	}
	return s, nil
}

// WriteFile writes lines (key-set lines, the current key first) to a new
// key file at path, mode 0600. It refuses to replace an existing file.
func WriteFile(path string, lines ...string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, "cannot create key file %s", path)
	}
	for _, l := range lines {
		if _, err = f.WriteString(l + "\n"); err != nil {
			break
		}
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return hfgate.WrapError(hfgate.EINVALID, err, "cannot write key file %s", path)
	}
	return nil
}
