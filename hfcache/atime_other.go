//go:build !linux && !darwin && !windows

package hfcache

import (
	"io/fs"
	"time"
)

// accessTime returns the modification time: on this system hfcache does not
// read access times.
func accessTime(fi fs.FileInfo) time.Time { return fi.ModTime() }
