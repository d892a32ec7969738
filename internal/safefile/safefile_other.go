//go:build !unix

package safefile

import (
	"io/fs"
	"os"
)

// NoFollow is 0 here: this platform has no O_NOFOLLOW. Check the opened
// file with Check.
const NoFollow = 0

// openFile examines path with Lstat, then opens it: a link swapped in
// between is caught by OpenFile's check of the open file only if it leads
// to something that is not a regular file (see the package comment).
func openFile(path string, flag int, perm fs.FileMode) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil {
		if err := check(path, fi); err != nil {
			return nil, err
		}
	}
	return os.OpenFile(path, flag, perm)
}

func links(fs.FileInfo) uint64 { return 1 }
