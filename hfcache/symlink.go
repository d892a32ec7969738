package hfcache

import (
	"os"
	"path/filepath"
	"sync"
)

// symlinkSupport remembers, per absolute cache directory, whether symbolic
// links can be made there. Like huggingface_hub's are_symlinks_supported
// it is probed once per directory per process: support depends on the
// mounted filesystem, not on the repository. It is a memo of a fact about
// the machine, not configuration, so it is package state.
var symlinkSupport sync.Map // string -> bool

// symlinks reports whether Link may make symbolic links, probing in the
// repository folder dir (relative to root) the first time.
func (c Cache) symlinks(root *os.Root, dir string) bool {
	if c.DisableSymlinks {
		return false
	}
	key, err := filepath.Abs(c.Dir)
	if err != nil {
		key = c.Dir
	}
	if ok, found := symlinkSupport.Load(key); found {
		return ok.(bool)
	}
	ok := probeSymlink(root, dir)
	symlinkSupport.Store(key, ok)
	return ok
}

// probeSymlink makes and removes a relative symbolic link in dir. Any
// failure, for whatever reason, counts as "not supported": the copy
// fallback then either works or reports the real problem.
func probeSymlink(root *os.Root, dir string) bool {
	if err := mkdirAll(root, dir); err != nil {
		return false
	}
	name := tmpName(dir)
	if err := root.Symlink(filepath.FromSlash("blobs/probe"), name); err != nil {
		return false
	}
	root.Remove(name)
	return true
}
