package hfcache

import (
	"context"
	"fmt"
	"math"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

// Metadata is what huggingface_hub records about a file downloaded into a
// LocalDir: the commit and ETag it was downloaded at, and when the record
// was written. The file is three lines, "<commit>\n<etag>\n<unix time>\n",
// the time a decimal number of seconds as Python's str(time.time()) prints
// it.
type Metadata struct {
	Commit    string
	ETag      string
	Timestamp time.Time
}

// ReadMetadata returns file's metadata, or nil with no error when there is
// none or it cannot be trusted, exactly when huggingface_hub would ignore it:
// the file itself is missing, or was modified more than a second after the
// metadata was written. Unreadable metadata is removed, as huggingface_hub
// removes it.
func (d LocalDir) ReadMetadata(file string) (*Metadata, error) {
	if err := d.check(file); err != nil {
		return nil, err
	}
	var md *Metadata
	err := d.withRoot(false, func(root *os.Root) error {
		b, err := readSmall(root, metaRel(file), maxSmallFile)
		if err != nil {
			return err
		}
		md = parseMetadata(string(b))
		if md == nil {
			return root.Remove(metaRel(file))
		}
		fi, err := root.Stat(file)
		if err != nil || !fi.Mode().IsRegular() || fi.ModTime().Add(-time.Second).After(md.Timestamp) {
			md = nil
		}
		return nil
	})
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read metadata of %s: %w", file, err)
	}
	return md, nil
}

func parseMetadata(s string) *Metadata {
	lines := strings.Split(s, "\n")
	if len(lines) < 3 {
		return nil
	}
	secs, err := strconv.ParseFloat(strings.TrimSpace(lines[2]), 64)
	if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) {
		return nil
	}
	return &Metadata{
		Commit: strings.TrimSpace(lines[0]),
		ETag:   strings.TrimSpace(lines[1]),
		// Python's time.time() has microseconds at best; rounding to them
		// turns 1712656091.123 back into exactly .123000.
		Timestamp: time.UnixMicro(int64(math.Round(secs * 1e6))),
	}
}

// WriteMetadata records that file is at commit with the given ETag, stamped
// with the current time. The time must come from the same clock as the
// file's modification time, which is why it is not configurable: a
// timestamp older than the file makes every tool distrust the record.
func (d LocalDir) WriteMetadata(file, commit, etag string) error {
	if err := d.checkEntry(file, commit, etag); err != nil {
		return err
	}
	data := commit + "\n" + etag + "\n" + pyTime(time.Now()) + "\n"
	rel := metaRel(file)
	return d.withRoot(true, func(root *os.Root) error {
		if err := mkdirAll(root, path.Dir(rel)); err != nil {
			return err
		}
		if err := ensureGitignore(root); err != nil {
			return err
		}
		if err := writeFileAtomic(root, path.Dir(rel), rel, []byte(data)); err != nil {
			return fmt.Errorf("write metadata of %s: %w", file, err)
		}
		return nil
	})
}

// checkEntry checks the names a metadata record is made of.
func (d LocalDir) checkEntry(file, commit, etag string) error {
	if err := d.check(file); err != nil {
		return err
	}
	if err := checkCommit(commit); err != nil {
		return err
	}
	return checkETag(etag)
}

// pyTime formats t as Python's str(time.time()) does: the shortest decimal
// that reads back as the same float, always with a fractional part.
func pyTime(t time.Time) string {
	s := strconv.FormatFloat(float64(t.UnixMicro())/1e6, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// UpToDate reports whether DIR/<file> already holds the content with the
// given ETag, deciding as huggingface_hub does: trusted metadata with the
// same ETag says so; without metadata, the file is hashed (huggingface_hub
// hashes only SHA-256 ETags; hfgate checks git blob ids too). When the file
// is current, the metadata is (re)written with commit, so the next check is
// instant. Hashing streams and stops with ctx's error when ctx ends.
func (d LocalDir) UpToDate(ctx context.Context, file, etag, commit string) (bool, error) {
	md, err := d.ReadMetadata(file)
	if err != nil {
		return false, err
	}
	switch {
	case md != nil && md.ETag != etag:
		return false, nil
	case md != nil && md.Commit == commit:
		return true, nil
	case md == nil:
		same, err := d.hashMatches(ctx, file, etag)
		if !same || err != nil {
			return false, err
		}
	}
	return true, d.WriteMetadata(file, commit, etag)
}

func (d LocalDir) hashMatches(ctx context.Context, file, etag string) (bool, error) {
	var same bool
	err := d.withRoot(false, func(root *os.Root) error {
		f, err := root.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return err
		}
		sum, ok, err := hashReader(ctx, f, etag, fi.Size(), nil)
		same = ok && err == nil && sum == etag
		return err
	})
	if isNotExist(err) {
		return false, nil
	}
	return same, err
}

// Publish places a finished, verified download src at DIR/<file>
// atomically (sync, chmod as for a new file in that folder, rename, sync
// the folder), replacing an older version in one step, and then writes its
// metadata. src must be inside DIR, normally IncompletePath(file, etag).
func (d LocalDir) Publish(file, commit, etag, src string) error {
	if err := d.checkEntry(file, commit, etag); err != nil {
		return err
	}
	srcRel, err := relInside(d.Root, src)
	if err != nil {
		return err
	}
	err = d.withRoot(true, func(root *os.Root) error {
		dir := path.Dir(file)
		if err := mkdirAll(root, dir); err != nil {
			return err
		}
		if err := finishFile(root, srcRel, dir); err != nil {
			return err
		}
		if err := root.Rename(srcRel, file); err != nil {
			return err
		}
		return syncDir(root, dir)
	})
	if err != nil {
		return fmt.Errorf("publish %s: %w", file, err)
	}
	return d.WriteMetadata(file, commit, etag)
}
