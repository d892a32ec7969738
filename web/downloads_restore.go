package web

import (
	"cmp"
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
	"github.com/hfgate/hfgate/hfcache"
)

// maxRestored is how many finished files Restore lists: the most recent.
const maxRestored = MaxDownloads / 2

// Restore fills an empty list from the cache when the app starts, so that
// the downloads survive a restart: the files of the cache's model
// repositories, newest first (at most maxRestored), as done, and the
// downloads left unfinished (blobs/*.incomplete, with their journals) as
// interrupted, to be resumed. Restored downloads belong to the owner of
// the cache, whoever signs in. It fails only when the cache cannot be read
// at all.
func (d *Downloads) Restore(ctx context.Context, c hfcache.Cache) error {
	rep, err := c.Scan(ctx)
	if err != nil {
		return err
	}
	var done, partial []*transfer
	for _, r := range rep.Repos {
		if r.Type != hfgate.RepoTypeModel {
			continue
		}
		for _, rev := range r.Revisions {
			revision := rev.Commit
			if len(rev.Refs) > 0 {
				revision = rev.Refs[0]
			}
			for _, f := range rev.Files {
				done = append(done, &transfer{Transfer: Transfer{
					Repo: string(r.ID), Revision: revision, File: f.Path, State: StateDone, Size: f.Size, Done: f.Size,
					LocalPath: f.LocalPath, Finished: f.LastModified, Restored: true,
				}, owner: hfgate.Anonymous})
			}
		}
	}
	for _, inc := range rep.Incomplete {
		i := slices.IndexFunc(rep.Repos, func(r hfcache.CachedRepo) bool {
			return r.Type == hfgate.RepoTypeModel && strings.HasPrefix(inc.Path, r.Path+string(filepath.Separator))
		})
		etag, have, size, ok := download.Partial(inc.Path)
		if i < 0 || !ok {
			continue
		}
		partial = append(partial, &transfer{Transfer: Transfer{
			Repo: string(rep.Repos[i].ID), Revision: hfgate.DefaultRevision, State: StateInterrupted,
			Size: size, Done: have, Restored: true,
		}, owner: hfgate.Anonymous, etag: etag})
	}
	slices.SortFunc(done, func(a, b *transfer) int {
		return cmp.Or(a.Finished.Compare(b.Finished), cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.File, b.File))
	})
	done = done[max(0, len(done)-maxRestored):]
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.list) > 0 {
		return nil
	}
	for _, t := range append(done, partial...) {
		d.nextID++
		t.ID = strconv.Itoa(d.nextID)
		d.list = append(d.list, t)
	}
	return nil
}

// setFile names the file of an interrupted download once its blob is
// found in the repository's listing.
func (d *Downloads) setFile(id, etag, file string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, t := range d.list {
		if t.ID == id && t.etag == etag && t.File == "" {
			t.File, t.etag = file, ""
		}
	}
}

// findInterrupted finds which file an interrupted download was, by its
// blob's name in the repository's listing on the default branch, so that
// it can be resumed. A download that is not one, or whose blob is no
// longer listed, is left as it is (Resume then says so).
func (s *Server) findInterrupted(ctx context.Context, d *Downloads, id string) {
	d.mu.Lock()
	t := d.find(id, hfgate.PrincipalFrom(ctx))
	var repo, etag string
	if t != nil && t.File == "" && t.etag != "" {
		repo, etag = t.Repo, t.etag
	}
	d.mu.Unlock()
	if etag == "" {
		return
	}
	m, err := s.Hub.ModelInfo(ctx, hfgate.RepoID(repo), "", hfgate.WithBlobs())
	if err != nil {
		return
	}
	for _, f := range m.Files {
		if f.BlobID == etag || f.LFS != nil && f.LFS.SHA256 == etag {
			d.setFile(id, etag, f.Path)
			return
		}
	}
}
