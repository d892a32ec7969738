package download

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
)

// Partial describes a download left unfinished in a cache: the
// .incomplete file at path, as hfcache.Report.Incomplete lists them. It
// returns the blob's ETag (from the file name), the bytes known to be on
// disk and, when a journal of a parallel download says, the file's size
// (else 0). ok is false when path is no .incomplete file of a blob. Front
// ends use it to list interrupted downloads after a restart; a Download of
// the same file resumes from these bytes.
func Partial(path string) (etag string, done, size int64, ok bool) {
	base := filepath.Base(path)
	etag, found := strings.CutSuffix(base, ".incomplete")
	if !found || etag == "" {
		return "", 0, 0, false
	}
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return "", 0, 0, false
	}
	done = fi.Size() // a sequential download: the prefix on disk
	if data, err := os.ReadFile(journalPath(path)); err == nil && len(data) < 1<<20 {
		var j journal
		if json.Unmarshal(data, &j) == nil && j.ETag == etag && j.valid(etag, j.Size) {
			return etag, j.done(), j.Size, true
		}
	}
	return etag, done, 0, true
}
