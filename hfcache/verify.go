package hfcache

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hfgate/hfgate"
)

// ProblemKind classifies what Verify found wrong.
type ProblemKind string

// The kinds of Problem.
const (
	ProblemMismatch     ProblemKind = "mismatch"      // a blob's content does not hash to its name
	ProblemMissingBlob  ProblemKind = "missing-blob"  // a snapshot link names a blob that is not there
	ProblemDanglingLink ProblemKind = "dangling-link" // a snapshot link leads nowhere, or out of the cache
	ProblemIncomplete   ProblemKind = "incomplete"    // a partial download was left behind
)

// Problem is one damaged entry of a repository.
type Problem struct {
	Kind    ProblemKind
	Path    string // the local file with the problem
	Message string // what is wrong and what to do, safe to show
}

// VerifyProgress is how far Verify got, passed to its progress callback
// before each blob and after each chunk read.
type VerifyProgress struct {
	Path       string // the blob being hashed
	Bytes      int64  // bytes hashed so far, over all blobs
	TotalBytes int64
	Files      int // blobs finished
	TotalFiles int
}

// Verify rehashes every blob of the repository and checks every snapshot
// link. A blob named by a 64-hex ETag must have that SHA-256; one named by a
// 40-hex ETag must have that git blob id (SHA-1 of "blob <size>\x00" +
// content); blobs with other names cannot be checked and are skipped, as
// are copies in snapshots (no symlink support), whose ETag is not known.
// Partial downloads are reported as ProblemIncomplete.
//
// Hashing streams each file in 1 MiB chunks, so memory does not grow with
// file size, and stops with ctx's error when ctx ends. progress, if not nil,
// is called from Verify's goroutine. Verify changes nothing on disk. It
// fails with ENOTFOUND when the repository is not cached.
func (r Repo) Verify(ctx context.Context, progress func(VerifyProgress)) ([]Problem, error) {
	var problems []Problem
	err := r.withRoot(false, func(root *os.Root) error {
		if fi, err := root.Lstat(r.folder); err != nil || !fi.IsDir() {
			return hfgate.WrapError(hfgate.ENOTFOUND, err, "%s %s is not in the cache", r.Type, r.ID)
		}
		var err error
		problems, err = r.verifyBlobs(ctx, root, progress)
		if err != nil {
			return err
		}
		problems = append(problems, r.verifyLinks(root)...)
		return nil
	})
	if isNotExist(err) && hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
		err = hfgate.WrapError(hfgate.ENOTFOUND, err, "%s %s is not in the cache", r.Type, r.ID)
	}
	if err != nil {
		return nil, err
	}
	slices.SortFunc(problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Kind, b.Kind))
	})
	return problems, nil
}

type blobToCheck struct {
	name string
	size int64
}

// verifyBlobs hashes every checkable blob and lists partial downloads.
func (r Repo) verifyBlobs(ctx context.Context, root *os.Root, progress func(VerifyProgress)) ([]Problem, error) {
	dir := path.Join(r.folder, "blobs")
	entries, err := fs.ReadDir(root.FS(), dir)
	if err != nil && !isNotExist(err) {
		return nil, fmt.Errorf("read blobs: %w", err)
	}
	var problems []Problem
	var todo []blobToCheck
	var total int64
	for _, e := range entries {
		name := e.Name()
		if IsPartial(name) {
			problems = append(problems, Problem{Kind: ProblemIncomplete, Path: r.abs(path.Join(dir, name)),
				Message: "a download was interrupted here; download the file again to resume it, or remove the repository to free the space"})
			continue
		}
		fi, err := root.Stat(path.Join(dir, name))
		if _, ok := ContentHash(name, 0); !ok || err != nil || !fi.Mode().IsRegular() {
			continue
		}
		todo = append(todo, blobToCheck{name, fi.Size()})
		total += fi.Size()
	}
	report := func(p VerifyProgress) {
		if progress != nil {
			p.TotalBytes, p.TotalFiles = total, len(todo)
			progress(p)
		}
	}
	var done int64
	for i, b := range todo {
		rel := path.Join(dir, b.name)
		report(VerifyProgress{Path: r.abs(rel), Bytes: done, Files: i})
		sum, err := hashBlob(ctx, root, rel, b, func(n int64) {
			report(VerifyProgress{Path: r.abs(rel), Bytes: done + n, Files: i})
		})
		if err != nil {
			return nil, err
		}
		done += b.size
		if sum != b.name {
			problems = append(problems, Problem{Kind: ProblemMismatch, Path: r.abs(rel),
				Message: fmt.Sprintf("the content is damaged: it hashes to %s, not %s; remove this revision and download it again", sum, b.name)})
		}
	}
	report(VerifyProgress{Bytes: done, Files: len(todo)})
	return problems, nil
}

func hashBlob(ctx context.Context, root *os.Root, rel string, b blobToCheck, onBytes func(int64)) (string, error) {
	f, err := root.Open(rel)
	if err != nil {
		return "", fmt.Errorf("verify blob: %w", err)
	}
	defer f.Close()
	sum, _, err := hashReader(ctx, f, b.name, b.size, onBytes)
	if err != nil && ctx.Err() == nil {
		err = fmt.Errorf("verify blob %s: %w", b.name, err)
	}
	return sum, err
}

// verifyLinks checks that every snapshot link leads to an existing file.
func (r Repo) verifyLinks(root *os.Root) []Problem {
	var problems []Problem
	fsys := root.FS()
	blobs := path.Join(r.folder, "blobs") + "/"
	fs.WalkDir(fsys, path.Join(r.folder, "snapshots"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		if _, _, problem := resolveEntry(fsys, p, d); problem == "" {
			return nil
		}
		target, _ := fs.ReadLink(fsys, p)
		blob := path.Join(path.Dir(p), filepath.ToSlash(target))
		if strings.HasPrefix(blob, blobs) && !strings.Contains(blob[len(blobs):], "/") {
			if _, err := root.Lstat(blob); isNotExist(err) {
				problems = append(problems, Problem{Kind: ProblemMissingBlob, Path: r.abs(p),
					Message: fmt.Sprintf("its blob %s is missing; download the file again", path.Base(blob))})
				return nil
			}
		}
		problems = append(problems, Problem{Kind: ProblemDanglingLink, Path: r.abs(p),
			Message: fmt.Sprintf("the link to %s leads nowhere in the cache; download the file again", target)})
		return nil
	})
	return problems
}
