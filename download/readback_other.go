//go:build !linux

package download

import (
	"hash"
	"io"
	"os"
)

// hashRange feeds h the n bytes of file at off.
func hashRange(h hash.Hash, file *os.File, off, n int64, buf []byte) (int64, error) {
	return io.CopyBuffer(h, io.NewSectionReader(file, off, n), buf)
}
