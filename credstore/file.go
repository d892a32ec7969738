package credstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/hfgate/hfgate"
)

// The fallback file is a JSON object mapping keys (see account) to
// credentials, mode 0600 in a 0700 directory. It is replaced atomically
// (temp file + fsync + rename) under a file lock, so readers never see a
// partial file and two processes saving different endpoints lose nothing.

// readFile returns the entries of the fallback file at path; a missing file
// has none. With strict set, a file that others may read is refused with an
// actionable EINVALID error instead of being used.
func readFile(path string, strict bool) (map[string]*hfgate.Credential, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]*hfgate.Credential{}, nil
	}
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "cannot open %s; check its permissions", path)
	}
	defer f.Close()
	if strict {
		if err := checkMode(f); err != nil {
			return nil, err
		}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "cannot read %s", path)
	}
	entries := map[string]*hfgate.Credential{}
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, safeJSONError(err),
			"%s is damaged: delete it, then sign in again", path)
	}
	return entries, nil
}

// checkMode refuses a file whose permission bits let anyone but the owner in.
// Windows has no such bits (Go reports 0666), so the check is skipped there;
// the file then inherits the ACL of the user's profile directory.
func checkMode(f *os.File) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, "cannot check %s", f.Name())
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return hfgate.Errorf(hfgate.EINVALID,
			"refusing to use %s: its mode %04o lets other users read your tokens; run: chmod 600 %s "+
				"(and sign in again if others may have read it)", f.Name(), perm, f.Name())
	}
	return nil
}

// writeAtomic writes data to path through a 0600 temp file in the same
// directory (created 0700 if missing), fsyncs it and renames it over path.
// On error the temp file is removed and path is untouched.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := privateDir(dir); err != nil {
		return fmt.Errorf("create directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp") // created 0600
	if err != nil {
		return fmt.Errorf("create temp file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("chmod temp file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write temp file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync temp file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close temp file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename temp file: %w", err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable. It is best effort: some systems
// (Windows, some network file systems) cannot sync a directory, and the
// rename has already happened, so there is nothing to undo on failure.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// safeJSONError keeps the position of a JSON syntax error but drops its text,
// which quotes the offending character (possibly a character of a token).
func safeJSONError(err error) error {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Errorf("invalid JSON at byte %d", se.Offset)
	}
	return errors.New("unexpected JSON structure")
}

// privateDir creates dir with mode 0700, or tightens an existing dir that
// others may read or enter to 0700: it holds credentials and their locks,
// and MkdirAll alone leaves an existing directory as it is.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return os.Chmod(dir, 0o700)
	}
	return nil
}
