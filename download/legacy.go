package download

import (
	"encoding/json"
	"os"

	"github.com/hfgate/hfgate/internal/safefile"
)

// migrateLegacy turns a parallel download left by an earlier hfgate build
// into today's layout. Those builds preallocated <etag>.incomplete to the
// full size and wrote parts anywhere in it, with a journal in
// <etag>.incomplete.parts: a file huggingface_hub would resume from its
// length, that is take as complete. The file becomes the parts file, the
// journal is carried over, and the .incomplete file is gone until the head
// has a prefix to put in it. A journal that does not describe this
// download is dropped, and the .incomplete file taken as the prefix it then
// is.
func (f *fetch) migrateLegacy() error {
	b, err := safefile.ReadFile(f.files.legacy, maxJournal)
	if err != nil {
		return nil // none, or unreadable: nothing to carry over
	}
	defer os.Remove(f.files.legacy)
	var old struct {
		Version int        `json:"version"`
		ETag    string     `json:"etag"`
		Size    int64      `json:"size"`
		Parts   []*segment `json:"parts"`
	}
	j := &journal{Version: journalVersion, ETag: f.etag, Size: f.size}
	if json.Unmarshal(b, &old) != nil || old.Version != 1 || old.ETag != f.etag || old.Size != f.size || exists(f.files.parts) {
		return nil
	}
	j.Segments = old.Parts
	fi, err := os.Lstat(f.files.incomplete)
	if err != nil || fi.Size() != f.size || !j.valid(f.etag, f.size) || safefile.Check(f.files.incomplete, fi) != nil {
		return nil
	}
	if err := os.Rename(f.files.incomplete, f.files.parts); err != nil {
		return nil
	}
	return j.save(f.files.journal)
}
