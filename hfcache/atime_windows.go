package hfcache

import (
	"io/fs"
	"syscall"
	"time"
)

// accessTime returns a file's last access time, or its modification time
// when the FileInfo carries no attribute data.
func accessTime(fi fs.FileInfo) time.Time {
	if d, ok := fi.Sys().(*syscall.Win32FileAttributeData); ok {
		return time.Unix(0, d.LastAccessTime.Nanoseconds())
	}
	return fi.ModTime()
}
