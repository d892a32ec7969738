package hfcache

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/hfgate/hfgate"
)

// localMeta is where huggingface_hub keeps its bookkeeping inside a
// --local-dir folder; it writes a .gitignore of "*" there.
const localMeta = ".cache/huggingface"

// LocalDir is a plain folder filled with real files (no symlinks, no
// blobs/), as `hf download --local-dir DIR` fills it. Beside each file it
// keeps huggingface_hub's metadata, so either tool knows a file is up to
// date without downloading it again:
//
//	DIR/<file>                                               the file itself
//	DIR/.cache/huggingface/.gitignore                        "*"
//	DIR/.cache/huggingface/download/<file>.metadata          commit, etag, timestamp lines
//	DIR/.cache/huggingface/download/<file>.lock              file lock
//	DIR/.cache/huggingface/download/<dir>/<hash>.<etag>.incomplete
//
// where <hash> is the URL-safe base64 of the SHA-1 of "<basename>.metadata"
// (huggingface_hub's _short_hash, which keeps long names under the file
// name limit).
//
// The zero LocalDir has no Root and fails every method with EINVALID. File
// paths are repository paths, checked with hfgate.ValidateRepoPath; paths
// inside .cache/huggingface are refused, as they would overwrite the
// metadata. A LocalDir is safe for concurrent use.
type LocalDir struct {
	Root string // the folder; created on the first write
}

// FilePath returns DIR/<file>.
func (d LocalDir) FilePath(file string) (string, error) {
	if err := d.check(file); err != nil {
		return "", err
	}
	return d.abs(file), nil
}

// MetadataPath returns DIR/.cache/huggingface/download/<file>.metadata.
func (d LocalDir) MetadataPath(file string) (string, error) {
	if err := d.check(file); err != nil {
		return "", err
	}
	return d.abs(metaRel(file)), nil
}

// LockPath returns DIR/.cache/huggingface/download/<file>.lock, the lock
// huggingface_hub takes while it downloads or writes metadata for file,
// after creating its folder and the .gitignore.
func (d LocalDir) LockPath(file string) (string, error) {
	if err := d.check(file); err != nil {
		return "", err
	}
	rel := strings.TrimSuffix(metaRel(file), ".metadata") + ".lock"
	return d.abs(rel), d.prepare(rel)
}

// IncompletePath returns the partial download of file with the given ETag,
// named as huggingface_hub names it so either tool resumes the other's,
// after creating its folder and the .gitignore.
func (d LocalDir) IncompletePath(file, etag string) (string, error) {
	if err := d.check(file); err != nil {
		return "", err
	}
	if err := checkETag(etag); err != nil {
		return "", err
	}
	meta := metaRel(file)
	sum := sha1.Sum([]byte(path.Base(meta)))
	rel := path.Join(path.Dir(meta), base64.URLEncoding.EncodeToString(sum[:])+"."+etag+".incomplete")
	return d.abs(rel), d.prepare(rel)
}

func metaRel(file string) string { return path.Join(localMeta, "download", file+".metadata") }

func (d LocalDir) check(file string) error {
	if d.Root == "" {
		return hfgate.Errorf(hfgate.EINVALID, "no local directory given")
	}
	if err := hfgate.ValidateRepoPath(file); err != nil {
		return err
	}
	if file == ".cache" || file == localMeta || strings.HasPrefix(file, localMeta+"/") {
		return hfgate.Errorf(hfgate.EINVALID, "refusing file path %q: it would overwrite hfgate's download metadata in %s", file, localMeta)
	}
	return nil
}

func (d LocalDir) abs(rel string) string { return joinRel(d.Root, rel) }

// prepare creates the folder of rel and the metadata .gitignore.
func (d LocalDir) prepare(rel string) error {
	return d.withRoot(true, func(root *os.Root) error {
		if err := mkdirAll(root, path.Dir(rel)); err != nil {
			return err
		}
		return ensureGitignore(root)
	})
}

// ensureGitignore writes .cache/huggingface/.gitignore ("*") if it is not
// there, so that the metadata never lands in a git repository.
func ensureGitignore(root *os.Root) error {
	name := path.Join(localMeta, ".gitignore")
	if _, err := root.Lstat(name); err == nil {
		return nil
	}
	if err := writeFileAtomic(root, localMeta, name, []byte("*")); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

func (d LocalDir) withRoot(create bool, fn func(*os.Root) error) error {
	if d.Root == "" {
		return hfgate.Errorf(hfgate.EINVALID, "no local directory given")
	}
	root, err := openRoot(d.Root, create)
	if err != nil {
		return err
	}
	defer root.Close()
	return fn(root)
}
