package hfcache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/hfgate/hfgate"
)

// ReadRef returns the commit that refs/<rev> records: what rev (a branch,
// a tag or "refs/pr/1") resolved to when a file was last downloaded at it.
// It fails with ENOTFOUND when the ref is not cached, and with EINVALID for a
// rev that could name a path outside refs/. Whitespace around the commit is
// ignored (the official tools write none).
func (r Repo) ReadRef(rev string) (string, error) {
	if err := checkRev(rev); err != nil {
		return "", err
	}
	var commit string
	err := r.withRoot(false, func(root *os.Root) error {
		name := path.Join(r.folder, "refs", rev)
		if fi, err := root.Stat(name); err == nil && fi.IsDir() {
			return fs.ErrNotExist // refs/refs/ holds PR refs; "refs" itself is no ref
		}
		b, err := readSmall(root, name, maxSmallFile)
		if err != nil {
			return err
		}
		commit = strings.TrimSpace(string(b))
		return nil
	})
	switch {
	case isNotExist(err):
		return "", hfgate.WrapError(hfgate.ENOTFOUND, err, "%s %s has no cached revision %s", r.Type, r.ID, rev)
	case err != nil:
		return "", fmt.Errorf("read ref %s: %w", rev, err)
	case !hfgate.IsCommitHash(commit):
		return "", fmt.Errorf("read ref %s of %s: %q is not a commit id (damaged cache entry)", rev, r.ID, commit)
	}
	return commit, nil
}

// WriteRef records in refs/<rev> that rev resolves to commit, with no
// trailing newline, atomically. Like huggingface_hub it does nothing when rev
// is the commit itself or the ref already holds it, so a read-only cache
// that is up to date causes no error.
func (r Repo) WriteRef(rev, commit string) error {
	if err := checkCommit(commit); err != nil {
		return err
	}
	if rev == commit {
		return nil
	}
	if err := checkRev(rev); err != nil {
		return err
	}
	if old, err := r.ReadRef(rev); err == nil && old == commit {
		return nil
	}
	name := path.Join(r.folder, "refs", rev)
	return r.withRoot(true, func(root *os.Root) error {
		if err := r.prepare(root); err != nil {
			return err
		}
		if err := mkdirAll(root, path.Dir(name)); err != nil {
			return err
		}
		if err := writeFileAtomic(root, r.folder, name, []byte(commit)); err != nil {
			return fmt.Errorf("write ref %s: %w", rev, err)
		}
		return nil
	})
}

// Resolve returns the commit rev stands for in the cache: rev itself when it
// is a 40-hex commit id, else ReadRef(rev). "" means "main".
func (r Repo) Resolve(rev string) (string, error) {
	if rev == "" {
		rev = hfgate.DefaultRevision
	}
	if hfgate.IsCommitHash(rev) {
		return rev, r.check()
	}
	return r.ReadRef(rev)
}

// MarkNoExist records that file does not exist at commit by creating the
// empty file .no_exist/<commit>/<file>, as huggingface_hub does on a 404
// (EntryNotFound), so that later lookups need no network call.
func (r Repo) MarkNoExist(commit, file string) error {
	rel, err := r.noExistRel(commit, file)
	if err != nil {
		return err
	}
	return r.withRoot(true, func(root *os.Root) error {
		if err := mkdirAll(root, path.Dir(rel)); err != nil {
			return err
		}
		if _, err := root.Lstat(rel); err == nil {
			return nil // marked already (or something else is there: leave it)
		}
		// O_EXCL: never create the marker through a planted link.
		f, err := root.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("mark %s as missing: %w", file, err)
		}
		return f.Close()
	})
}

// NoExist reports whether MarkNoExist (or huggingface_hub) recorded that
// file does not exist at commit. It is false for invalid arguments.
func (r Repo) NoExist(commit, file string) bool {
	rel, err := r.noExistRel(commit, file)
	if err != nil {
		return false
	}
	found := false
	r.withRoot(false, func(root *os.Root) error {
		fi, err := root.Stat(rel)
		found = err == nil && fi.Mode().IsRegular()
		return nil
	})
	return found
}

func (r Repo) noExistRel(commit, p string) (string, error) {
	return r.commitRel(".no_exist", commit, p)
}
