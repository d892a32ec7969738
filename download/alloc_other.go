//go:build !linux

package download

import "os"

// allocate is not available here; reserve falls back to extending the file.
func allocate(*os.File, int64, int64, bool) error { return errNoAllocate }

// freeSpace is unknown here; a full disk is still reported when a write fails.
func freeSpace(string) (uint64, bool) { return 0, false }

// flushRange is a hint this platform does without.
func flushRange(*os.File, int64, int64) {}

// copyRange copies n bytes at off from src to the same offset of dst.
func copyRange(dst, src *os.File, off, n int64) error { return copyRangeIO(dst, src, off, n) }

// punchHole is a hint this platform does without: the parts file goes
// when the download finishes.
func punchHole(*os.File, int64, int64) {}
