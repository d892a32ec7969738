package fit_test

import (
	"context"
	"io"
	"sync/atomic"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/hubsim"
)

// hubOpener opens files of repo at rev on a hubsim through hfhub, counting
// the bytes the readers fetch.
type hubOpener struct {
	c       *hfhub.Client
	repo    hfgate.RepoID
	rev     string
	fetched atomic.Int64
	opened  atomic.Int64
}

func (o *hubOpener) open(ctx context.Context, path string) (io.ReaderAt, error) {
	meta, err := o.c.FileMetadata(ctx, o.repo, o.rev, path)
	if err != nil {
		return nil, err
	}
	o.opened.Add(1)
	return &countingReader{r: o.c.ReaderAt(ctx, meta), n: &o.fetched}, nil
}

type countingReader struct {
	r io.ReaderAt
	n *atomic.Int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// analyzeRepo lists a hubsim repo's files and analyses them.
func analyzeRepo(t *testing.T, s *hubsim.Server, repo string, opts fit.Options) ([]fit.Entry, *hfgate.Model, *hubOpener) {
	t.Helper()
	ctx := context.Background()
	c := &hfhub.Client{Endpoint: s.URL()}
	m, err := c.ModelInfo(ctx, hfgate.RepoID(repo), "", hfgate.WithBlobs())
	if err != nil {
		t.Fatalf("ModelInfo(%s): %v", repo, err)
	}
	o := &hubOpener{c: c, repo: m.ID, rev: m.SHA}
	entries, err := fit.Analyze(ctx, o.open, m.Files, opts)
	if err != nil {
		t.Fatalf("Analyze(%s): %v", repo, err)
	}
	return entries, m, o
}

// entryAt returns the entry for path, failing the test if there is none.
func entryAt(t *testing.T, entries []fit.Entry, path string) fit.Entry {
	t.Helper()
	for _, e := range entries {
		if e.Path == path {
			return e
		}
	}
	t.Fatalf("no entry for %s in %d entries", path, len(entries))
	return fit.Entry{}
}
