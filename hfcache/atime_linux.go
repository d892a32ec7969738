package hfcache

import (
	"io/fs"
	"syscall"
	"time"
)

// accessTime returns a file's last access time (st_atim), or its
// modification time when the FileInfo carries no stat data.
func accessTime(fi fs.FileInfo) time.Time {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Atim.Unix())
	}
	return fi.ModTime()
}
