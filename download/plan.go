package download

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
)

// plan is what one Download will fetch: the commit the revision resolved
// to and the files.
type plan struct {
	req    Request
	target target
	commit string // "" offline in a LocalDir
	files  []planned
}

// planned is one file to fetch. A snapshot listing gives etag and size up
// front; an explicit file learns them from its metadata, fetched by the
// worker (meta), except the first, which resolved the commit.
type planned struct {
	path string
	etag string
	size int64
	meta *hfgate.FileMetadata
	err  error // the file is already known to fail
}

// plan resolves the revision and lists the files of req.
func (d *Downloader) plan(ctx context.Context, req Request, t target) (*plan, error) {
	p := &plan{req: req, target: t}
	switch {
	case d.Offline && len(req.Files) == 0:
		return p, d.planOfflineSnapshot(p)
	case d.Offline:
		for _, f := range dedupe(req.Files) {
			p.files = append(p.files, planned{path: f})
		}
		return p, nil
	case len(req.Files) == 0:
		return p, d.planSnapshot(ctx, p)
	}
	return p, d.planFiles(ctx, p)
}

// planFiles resolves the first file, which gives the commit every other
// file is then fetched at, as snapshot_download pins it.
func (d *Downloader) planFiles(ctx context.Context, p *plan) error {
	files := dedupe(p.req.Files)
	for _, f := range files {
		p.files = append(p.files, planned{path: f})
	}
	first := &p.files[0]
	meta, err := d.Hub.FileMetadata(ctx, p.req.Repo, p.req.Revision, first.path)
	if commit, ok := entryNotFoundCommit(err); ok {
		p.commit = commit
		first.err = p.missing(first.path, err)
	} else if err != nil {
		return err
	} else {
		p.commit = meta.Commit
		first.meta = meta
	}
	return p.target.resolved(p.req.Revision, p.commit)
}

// missing records that file does not exist at the plan's commit and
// returns the error saying so.
func (p *plan) missing(file string, err error) error {
	p.target.notFound(p.commit, file)
	return hfgate.WrapError(hfgate.ENOTFOUND, err,
		"%s is not in %s at revision %s: check the name", file, p.req.Repo, p.req.Revision).WithAction(hfgate.ActionListFiles)
}

// planSnapshot lists every file of the revision with its size and ETag
// (model info with blobs=true, or the recursive tree for huge repos) and
// keeps those the patterns select.
func (d *Downloader) planSnapshot(ctx context.Context, p *plan) error {
	m, err := d.Hub.ModelInfo(ctx, p.req.Repo, p.req.Revision, hfgate.WithBlobs())
	if err != nil {
		return err
	}
	if !hfgate.IsCommitHash(m.SHA) {
		return hfgate.Errorf(hfgate.EUNAVAILABLE, "the Hub did not say which commit %s of %s is; is HF_ENDPOINT a Hugging Face Hub?", p.req.Revision, p.req.Repo)
	}
	p.commit = m.SHA
	files := m.Files
	if len(files) == 0 {
		// huggingface_hub lists the tree when siblings are left out (very
		// large repositories).
		if files, err = d.Hub.Tree(ctx, p.req.Repo, p.commit, "", true); err != nil {
			return err
		}
	}
	for _, f := range files {
		if f.IsDir || !Selected(f.Path, p.req.Include, p.req.Exclude) {
			continue
		}
		pf := planned{path: f.Path, etag: f.BlobID, size: f.Size}
		if f.LFS != nil {
			pf.etag, pf.size = f.LFS.SHA256, f.LFS.Size
		}
		p.files = append(p.files, pf)
	}
	if len(p.files) == 0 && len(files) > 0 {
		return hfgate.Errorf(hfgate.ENOTFOUND, "no file of %s at revision %s matches the patterns (%s): check them",
			p.req.Repo, p.req.Revision, describePatterns(p.req.Include, p.req.Exclude)).WithAction(hfgate.ActionListFiles)
	}
	slices.SortFunc(p.files, func(a, b planned) int { return strings.Compare(a.path, b.path) })
	if m.IsGated() && len(p.files) > 0 {
		// A gated repo lists its files to anyone; fetching them needs the
		// grant. Ask for one file now, so that a missing sign-in or grant is
		// one error before any file starts, not one per file.
		first := &p.files[0]
		meta, err := d.Hub.FileMetadata(ctx, p.req.Repo, p.commit, first.path)
		switch hfgate.ErrorCode(err) {
		case "":
			first.meta = meta
		case hfgate.EUNAUTHORIZED, hfgate.EGATED, hfgate.EFORBIDDEN:
			return err
		}
	}
	return p.target.resolved(p.req.Revision, p.commit)
}

// planOfflineSnapshot lists the files cached for the revision.
func (d *Downloader) planOfflineSnapshot(p *plan) error {
	dir, commit, err := p.target.listDir(p.req.Revision)
	if err != nil {
		return err
	}
	p.commit = commit
	files, err := listFiles(dir)
	if err != nil {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "list %s", dir)
	}
	for _, f := range files {
		if Selected(f, p.req.Include, p.req.Exclude) {
			p.files = append(p.files, planned{path: f})
		}
	}
	return nil
}

func dedupe(files []string) []string {
	var out []string
	for _, f := range files {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// entryNotFoundCommit returns the commit at which the Hub said a file is
// missing (hfhub.HTTPError implements the method), so that the .no_exist
// marker goes under the right snapshot.
func entryNotFoundCommit(err error) (commit string, ok bool) {
	var e interface{ EntryNotFoundCommit() (string, bool) }
	if errors.As(err, &e) {
		return e.EntryNotFoundCommit()
	}
	return "", false
}

// describePatterns names the patterns that were given, as in
// `include "*.gguf", "README.md"; exclude "*Q8_0*"`.
func describePatterns(include, exclude []string) string {
	var parts []string
	for _, l := range []struct {
		name string
		pats []string
	}{{"include", include}, {"exclude", exclude}} {
		if len(l.pats) == 0 {
			continue
		}
		quoted := make([]string, len(l.pats))
		for i, pat := range l.pats {
			quoted[i] = strconv.Quote(pat)
		}
		parts = append(parts, l.name+" "+strings.Join(quoted, ", "))
	}
	return strings.Join(parts, "; ")
}
