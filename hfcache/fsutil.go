package hfcache

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"runtime"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/internal/safefile"
)

// openRoot opens dir as an os.Root, through which no path and no symlink
// can reach outside dir, creating dir first if create is set.
func openRoot(dir string, create bool) (*os.Root, error) {
	if create {
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return nil, folderError("create", dir, err)
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, folderError("open", dir, err)
	}
	return root, nil
}

// folderError says which folder could not be created or opened and why, in
// words a user can act on; errors.Is still sees the cause.
func folderError(verb, dir string, err error) error {
	reason := err
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		reason = pe.Err
	}
	return hfgate.WrapError(hfgate.EINTERNAL, err,
		"cannot %s the folder %s: %v", verb, dir, reason).WithAction(hfgate.ActionChooseFolder)
}

// mkdirAll creates dir (slash-separated, relative to root) with mode 0777
// less the umask, as Python's os.makedirs does.
func mkdirAll(root *os.Root, dir string) error {
	if err := root.MkdirAll(dir, 0o777); err != nil {
		return fmt.Errorf("create directory: %w", err)
	}
	return nil
}

// tmpName returns a fresh name for a temporary file in dir. The names begin
// with "tmp_" like huggingface_hub's own temporary files, and are only ever
// made directly in a repository folder or a metadata folder, where no
// scanner looks for refs, snapshots or blobs.
func tmpName(dir string) string {
	return path.Join(dir, "tmp_"+rand.Text())
}

// writeFileAtomic writes data to name through a temporary file in tmpDir
// (same filesystem), synced and renamed, so readers see the old content or
// the new, never a mix, and then syncs name's folder. The temporary file is
// removed on any failure.
func writeFileAtomic(root *os.Root, tmpDir, name string, data []byte) error {
	if err := writeAtomic(root, tmpDir, name, bytes.NewReader(data)); err != nil {
		return err
	}
	return syncDir(root, path.Dir(name))
}

// writeAtomic copies r to name through a temporary file in tmpDir, synced
// and renamed; it does not sync name's folder. The temporary file is removed
// on any failure.
func writeAtomic(root *os.Root, tmpDir, name string, r io.Reader) (err error) {
	tmp := tmpName(tmpDir)
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			root.Remove(tmp)
		}
	}()
	if _, err := io.Copy(f, r); err != nil {
		return fmt.Errorf("write temporary file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync temporary file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close temporary file: %w", err)
	}
	if err := root.Rename(tmp, name); err != nil {
		return fmt.Errorf("rename temporary file: %w", err)
	}
	return nil
}

// syncDir makes a rename in dir durable. Windows cannot sync a directory
// (and does not need to), so there it does nothing.
func syncDir(root *os.Root, dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := root.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}

// newFileMode returns the permissions a file created in dir gets: 0666
// less the umask (and less whatever a default ACL takes away). Go, like
// Python, cannot read the umask without changing it for every thread, so
// huggingface_hub's trick is used: create a file and look.
func newFileMode(root *os.Root, dir string) (fs.FileMode, error) {
	probe := tmpName(dir)
	f, err := root.OpenFile(probe, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return 0, fmt.Errorf("probe file mode: %w", err)
	}
	fi, statErr := f.Stat()
	f.Close()
	root.Remove(probe)
	if statErr != nil {
		return 0, fmt.Errorf("probe file mode: %w", statErr)
	}
	return fi.Mode().Perm(), nil
}

// finishFile prepares a finished download for publishing: it must be a
// regular file with one link, never a symbolic link (another user of a
// shared cache may have planted one in its place), it is synced, and it gets
// the mode a new file in modeDir would get, so that a cache shared through
// group permissions stays shared (huggingface_hub issues #1141, #1215). A
// failed chmod is ignored, as huggingface_hub ignores it: some filesystems
// do not support it, and the file is still correct.
func finishFile(root *os.Root, name, modeDir string) error {
	fi, err := root.Lstat(name)
	if err != nil {
		return fmt.Errorf("finished download: %w", err)
	}
	if err := safefile.Check(name, fi); err != nil {
		return fmt.Errorf("finished download: %w", err)
	}
	f, err := root.OpenFile(name, os.O_RDWR, 0) // Windows syncs only what it may write
	if err != nil {
		return fmt.Errorf("open finished download: %w", err)
	}
	defer f.Close()
	if opened, err := f.Stat(); err != nil || !os.SameFile(fi, opened) {
		return fmt.Errorf("finished download %s: replaced while being published: %w", name, safefile.ErrUnsafe)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync finished download: %w", err)
	}
	if mode, err := newFileMode(root, modeDir); err == nil {
		_ = f.Chmod(mode)
	}
	return nil
}

// maxSmallFile bounds what readSmall reads: refs are 40 bytes, metadata
// files a few hundred.
const maxSmallFile = 64 << 10

// errTooLarge is a bookkeeping file larger than it may be.
var errTooLarge = errors.New("larger than a bookkeeping file may be")

// readSmall reads a small bookkeeping file (a ref, a metadata or IPFS
// record) through root: never through a symbolic link (an error wrapping
// safefile.ErrUnsafe), and never more than max bytes (errTooLarge), so that
// a link or a huge file planted in its place cannot make hfgate read a
// model into memory.
func readSmall(root *os.Root, name string, max int64) ([]byte, error) {
	fi, err := root.Lstat(name)
	if err != nil {
		return nil, err
	}
	if err := safefile.Check(name, fi); err != nil {
		return nil, err
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if opened, err := f.Stat(); err != nil || !os.SameFile(fi, opened) {
		return nil, fmt.Errorf("%s: replaced while being read: %w", name, safefile.ErrUnsafe)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(b)) > max {
		err = fmt.Errorf("%s: %w (%d bytes)", name, errTooLarge, max)
	}
	return b, err
}

// copyFileAtomic copies src to dst (both relative to root) through a
// temporary file in tmpDir.
func copyFileAtomic(root *os.Root, src, tmpDir, dst string) error {
	in, err := root.Open(src)
	if err != nil {
		return fmt.Errorf("open blob: %w", err)
	}
	defer in.Close()
	return writeAtomic(root, tmpDir, dst, in)
}
