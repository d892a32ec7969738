package hfcache

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/internal/safefile"
)

// IPFSRecord is hfgate's record that a blob of a repository was added to an
// IPFS node and pinned there. It is written only once the pin is confirmed.
//
// Records live in <repository folder>/.hfgate/ipfs/<etag>.json, one per
// blob, so that writers of different blobs never touch the same file.
// huggingface_hub, the hf CLI and @huggingface/hub read only refs/,
// snapshots/ and blobs/ of a repository folder, so they ignore the
// records; removing the repository removes them too.
type IPFSRecord struct {
	ETag     string    `json:"etag"`   // the blob's name
	SHA256   string    `json:"sha256"` // of the content, whatever the ETag
	Size     int64     `json:"size"`
	CID      string    `json:"cid"`
	File     string    `json:"file"`   // the repository path it was added as
	Commit   string    `json:"commit"` // the commit it was added at
	PinnedAt time.Time `json:"pinned_at"`
}

// ipfsDir is where a repository's records are, relative to its folder.
const ipfsDir = ".hfgate/ipfs"

// maxRecord bounds what is read of a record file; a record is ~400 bytes.
const maxRecord = 16 << 10

func (rec *IPFSRecord) validate() error {
	switch {
	case checkETag(rec.ETag) != nil:
		return errors.New("bad etag")
	case len(rec.SHA256) != 64 || !isLowerHex(rec.SHA256):
		return errors.New("bad sha256")
	case rec.Size < 0:
		return errors.New("bad size")
	case !hfgate.IsCID(rec.CID):
		return errors.New("bad cid")
	case hfgate.ValidateRepoPath(rec.File) != nil:
		return errors.New("bad file")
	case !hfgate.IsCommitHash(rec.Commit):
		return errors.New("bad commit")
	}
	return nil
}

// WriteIPFSRecord records rec, replacing the record of the same blob,
// atomically: readers see the old record or the new one. The record's
// folders are made as real folders and never followed if they are links.
func (r Repo) WriteIPFSRecord(rec IPFSRecord) error {
	if err := rec.validate(); err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, "invalid IPFS record for %s", rec.File)
	}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	dir := path.Join(r.folder, ipfsDir)
	return r.withRoot(true, func(root *os.Root) error {
		if err := r.prepare(root); err != nil {
			return err
		}
		if err := realDirs(root, r.folder, ipfsDir, true); err != nil {
			return err
		}
		if err := writeFileAtomic(root, dir, path.Join(dir, rec.ETag+".json"), append(data, '\n')); err != nil {
			return fmt.Errorf("write IPFS record of %s: %w", rec.File, err)
		}
		return nil
	})
}

// IPFSRecord returns the record of blob etag, or nil with no error when
// there is none (or it is not a valid record).
func (r Repo) IPFSRecord(etag string) (*IPFSRecord, error) {
	if err := checkETag(etag); err != nil {
		return nil, err
	}
	var rec *IPFSRecord
	err := r.withRoot(false, func(root *os.Root) error {
		if err := realDirs(root, r.folder, ipfsDir, false); err != nil {
			return err
		}
		var err error
		rec, err = readRecord(root, path.Join(r.folder, ipfsDir, etag+".json"))
		if rec != nil && rec.ETag != etag {
			rec = nil
		}
		return err
	})
	if isNotExist(err) {
		return nil, nil
	}
	return rec, err
}

// IPFSRecords returns the repository's valid records, sorted by file and
// commit, and the paths of record files that are not valid.
func (r Repo) IPFSRecords() (recs []IPFSRecord, invalid []string, err error) {
	err = r.withRoot(false, func(root *os.Root) error {
		recs, invalid = r.readRecords(root)
		return nil
	})
	if isNotExist(err) {
		err = nil
	}
	return recs, invalid, err
}

// readRecords reads every record of the repository; invalid holds the
// (absolute) paths of files that are not valid records.
func (r Repo) readRecords(root *os.Root) (recs []IPFSRecord, invalid []string) {
	if err := realDirs(root, r.folder, ipfsDir, false); err != nil {
		if !isNotExist(err) {
			invalid = append(invalid, r.abs(path.Join(r.folder, ipfsDir)))
		}
		return nil, invalid
	}
	dir := path.Join(r.folder, ipfsDir)
	entries, _ := fs.ReadDir(root.FS(), dir)
	for _, e := range entries {
		etag, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue // a temporary file of a writer
		}
		rec, err := readRecord(root, path.Join(dir, e.Name()))
		if err != nil || rec == nil || rec.ETag != etag {
			invalid = append(invalid, r.abs(path.Join(dir, e.Name())))
			continue
		}
		recs = append(recs, *rec)
	}
	slices.SortFunc(recs, func(a, b IPFSRecord) int {
		return strings.Compare(a.File+"\x00"+a.Commit, b.File+"\x00"+b.Commit)
	})
	return recs, invalid
}

// scanIPFS adds the records of the repository in folder to repo, and
// their CIDs to the files whose blob has one; invalid record files become
// warnings.
func (c Cache) scanIPFS(root *os.Root, folder string, repo *CachedRepo, rep *Report) {
	r := Repo{Type: repo.Type, ID: repo.ID, cache: c, folder: folder}
	recs, invalid := r.readRecords(root)
	for _, p := range invalid {
		rep.warn(p, "not a valid hfgate IPFS record")
	}
	repo.IPFS = recs
	cids := map[string]string{} // blob path -> CID
	for _, rec := range recs {
		cids[r.abs(path.Join(folder, "blobs", rec.ETag))] = rec.CID
	}
	for i := range repo.Revisions {
		for j := range repo.Revisions[i].Files {
			f := &repo.Revisions[i].Files[j]
			f.IPFSCID = cids[f.BlobPath]
		}
	}
}

// RemoveIPFSRecord removes the record of blob etag; none is not an error.
func (r Repo) RemoveIPFSRecord(etag string) error {
	if err := checkETag(etag); err != nil {
		return err
	}
	err := r.withRoot(false, func(root *os.Root) error {
		if err := realDirs(root, r.folder, ipfsDir, false); err != nil {
			return err
		}
		dir := path.Join(r.folder, ipfsDir)
		if err := root.Remove(path.Join(dir, etag+".json")); err != nil {
			return err
		}
		return syncDir(root, dir)
	})
	if err != nil && !isNotExist(err) {
		return fmt.Errorf("remove IPFS record %s: %w", etag, err)
	}
	return nil
}

// readRecord reads one record file, which must be a regular file, not a
// link (see readSmall). An invalid record is nil.
func readRecord(root *os.Root, name string) (*IPFSRecord, error) {
	b, err := readSmall(root, name, maxRecord)
	if errors.Is(err, safefile.ErrUnsafe) || errors.Is(err, errTooLarge) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rec IPFSRecord
	if json.Unmarshal(b, &rec) != nil || rec.validate() != nil {
		return nil, nil
	}
	return &rec, nil
}

// realDirs checks that each folder of rel (slash-separated, below base) is
// a real folder, not a link, creating the missing ones if create is set.
// It fails with fs.ErrNotExist when one is missing and create is not set.
func realDirs(root *os.Root, base, rel string, create bool) error {
	dir := base
	for _, name := range strings.Split(rel, "/") {
		dir = path.Join(dir, name)
		if create {
			if err := root.Mkdir(dir, 0o777); err != nil && !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("create directory: %w", err)
			}
		}
		fi, err := root.Lstat(dir)
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			return fmt.Errorf("%s: not a folder (links are not followed)", dir)
		}
	}
	return nil
}
