package download

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/internal/safefile"
)

// partialFiles names the files of one download in progress (see hfcache's
// IncompleteSuffix): the .incomplete file huggingface_hub also resumes,
// which only ever holds a contiguous prefix of the content, and hfgate's
// own parts file and journal for bytes that arrived out of order.
type partialFiles struct {
	incomplete string
	parts      string
	journal    string
	legacy     string // the journal of earlier hfgate builds
}

func newPartialFiles(incomplete string) partialFiles {
	base := strings.TrimSuffix(incomplete, hfcache.IncompleteSuffix)
	return partialFiles{
		incomplete: incomplete,
		parts:      base + hfcache.PartsSuffix,
		journal:    base + hfcache.JournalSuffix,
		legacy:     incomplete + ".parts",
	}
}

// open opens one of the files for reading and writing, creating it if
// create is set, never through a symbolic link and only if it is a plain
// file: in a cache shared by a group, another user could have planted a
// link to a file of yours there.
func (p partialFiles) open(path string, create bool) (*os.File, error) {
	flag := os.O_RDWR
	if create {
		flag |= os.O_CREATE
	}
	f, err := safefile.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, fileError(path, err)
	}
	return f, nil
}

// exists reports whether path is there (as anything).
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// removeSidecars removes hfgate's own files of the download (a symbolic
// link is removed, not followed). The .incomplete file stays.
func (p partialFiles) removeSidecars() {
	for _, path := range []string{p.parts, p.journal, p.legacy} {
		os.Remove(path)
	}
}

// removeAll removes every file of the download.
func (p partialFiles) removeAll() error {
	p.removeSidecars()
	if err := os.Remove(p.incomplete); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove partial download: %w", err)
	}
	return nil
}

// fileError words a refused or failed open of a file of the download.
func fileError(path string, err error) error {
	if errors.Is(err, safefile.ErrUnsafe) {
		return hfgate.WrapError(hfgate.EINVALID, err,
			"refusing to write %s: it is not a plain file (a symbolic or hard link, or a special file, perhaps placed there by another user of this folder)", path)
	}
	return fmt.Errorf("open partial download: %w", err)
}

// Partial describes a download left unfinished in a cache: the
// .incomplete file at path, as hfcache.Report.Incomplete lists them (ok is
// false for the other files it lists, hfgate's sidecars). It returns the
// blob's ETag (from the file name), the bytes known to be on disk (the
// .incomplete file's prefix and, as the journal of a parallel download
// says, the bytes beyond it in the parts file) and, when that journal says,
// the file's size (else 0). Front ends use it to list interrupted downloads
// after a restart; a Download of the same file resumes from these bytes.
func Partial(path string) (etag string, done, size int64, ok bool) {
	etag, found := strings.CutSuffix(filepath.Base(path), hfcache.IncompleteSuffix)
	if !found || etag == "" {
		return "", 0, 0, false
	}
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return "", 0, 0, false
	}
	done = fi.Size()
	files := newPartialFiles(path)
	var j journal
	b, err := safefile.ReadFile(files.journal, maxJournal)
	if err != nil || json.Unmarshal(b, &j) != nil || !j.valid(etag, j.Size) || done > j.Size || !exists(files.parts) {
		return etag, done, 0, true
	}
	return etag, done + partsBytes(j.tile(done, j.Size), done), j.Size, true
}
