package hfcache

import (
	"fmt"
	"io/fs"
	"os"

	"github.com/hfgate/hfgate"
)

// Lookup finds file of the repository at rev ("" means main) in the cache
// alone, with no network call: what hfgate does when HF_HUB_OFFLINE=1, and
// what huggingface_hub's try_to_load_from_cache does. rev is resolved
// through refs/ unless it is a 40-hex commit id, then
// snapshots/<commit>/<file> must exist and lead to a blob that exists (a
// link or, on filesystems without links, a copy).
//
// It returns the snapshot path, the one other tools return too. Errors are
// *hfgate.Error: ENOTFOUND when the revision or file is not cached, was
// recorded as missing (.no_exist), or its blob is gone; EINVALID for an
// invalid rev or file. A snapshot entry whose links lead outside the cache
// is refused with an error, never followed.
func (r Repo) Lookup(rev, file string) (string, error) {
	if rev == "" {
		rev = hfgate.DefaultRevision
	}
	if err := r.check(); err != nil {
		return "", err
	}
	if err := hfgate.ValidateRepoPath(file); err != nil {
		return "", err
	}
	if !hfgate.IsCommitHash(rev) {
		if err := checkRev(rev); err != nil {
			return "", err
		}
	}
	commit, err := r.Resolve(rev)
	if hfgate.ErrorCode(err) == hfgate.ENOTFOUND {
		return "", hfgate.WrapError(hfgate.ENOTFOUND, err,
			"%s %s is not in the cache at revision %s (offline mode): run without HF_HUB_OFFLINE=1 to download it", r.Type, r.ID, rev)
	}
	if err != nil {
		return "", err
	}
	if r.NoExist(commit, file) {
		return "", hfgate.Errorf(hfgate.ENOTFOUND,
			"%s does not exist in %s %s at revision %s (remembered from an earlier download); check the file name", file, r.Type, r.ID, rev)
	}
	rel, err := r.snapshotRel(commit, file)
	if err != nil {
		return "", err
	}
	err = r.withRoot(false, func(root *os.Root) error {
		fi, err := root.Stat(rel) // follows links, but never out of the cache
		if err == nil && !fi.Mode().IsRegular() {
			err = fs.ErrNotExist
		}
		if err == nil {
			return nil
		}
		if _, lerr := root.Lstat(rel); lerr == nil && isNotExist(err) {
			return hfgate.WrapError(hfgate.ENOTFOUND, err,
				"the cached copy of %s in %s %s is damaged (its blob is missing): run without HF_HUB_OFFLINE=1 to download it again", file, r.Type, r.ID)
		}
		if isNotExist(err) {
			return hfgate.WrapError(hfgate.ENOTFOUND, err,
				"%s of %s %s is not in the cache at revision %s (offline mode): run without HF_HUB_OFFLINE=1 to download it", file, r.Type, r.ID, rev)
		}
		return fmt.Errorf("look up %s in the cache: %w", file, err)
	})
	if isNotExist(err) && hfgate.ErrorCode(err) != hfgate.ENOTFOUND { // no cache directory at all
		err = hfgate.WrapError(hfgate.ENOTFOUND, err,
			"%s %s is not in the cache at revision %s (offline mode): run without HF_HUB_OFFLINE=1 to download it", r.Type, r.ID, rev)
	}
	if err != nil {
		return "", err
	}
	return r.abs(rel), nil
}
