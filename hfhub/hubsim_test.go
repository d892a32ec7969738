package hfhub_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/internal/retry"
)

// simClient starts hubsim and returns a client of it signed in as user
// ("" for anonymous).
func simClient(t *testing.T, s *hubsim.Server, user string) *hfhub.Client {
	t.Helper()
	c := &hfhub.Client{Endpoint: s.URL(), Retry: retry.Policy{Attempts: 4, Base: time.Millisecond, Max: 5 * time.Millisecond, MaxRetryAfter: 5 * time.Millisecond}}
	if user != "" {
		tok, err := s.MintToken(user, "read")
		if err != nil {
			t.Fatal(err)
		}
		c.Token = func(context.Context) (string, error) { return tok, nil }
	}
	return c
}

func wantCode(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	if got := hfgate.ErrorCode(err); got != code {
		t.Fatalf("err = %v (code %q), want code %q", err, got, code)
	}
	for _, p := range parts {
		if msg := hfgate.ErrorMessage(err); !strings.Contains(msg, p) {
			t.Errorf("message %q does not contain %q", msg, p)
		}
	}
}

// TestHubsimSearch searches "coder" GGUF repos by downloads, page by page
// (3 per page) to the end, and checks the result against the catalog.
func TestHubsimSearch(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	cat, err := hubsim.BuiltinCatalog()
	if err != nil {
		t.Fatal(err)
	}
	wantFor := func(member bool) []string {
		var repos []*hubsim.Repo
		for _, r := range cat.Repos {
			if strings.Contains(strings.ToLower(r.ID), "coder") && slices.Contains(r.Tags, "gguf") && !r.Disabled &&
				(!r.Private || member && strings.HasPrefix(r.ID, hubsim.OrgAcme+"/")) {
				repos = append(repos, r)
			}
		}
		slices.SortStableFunc(repos, func(a, b *hubsim.Repo) int {
			if a.Downloads != b.Downloads {
				return int(b.Downloads - a.Downloads)
			}
			return strings.Compare(a.ID, b.ID)
		})
		var ids []string
		for _, r := range repos {
			ids = append(ids, r.ID)
		}
		return ids
	}
	q := hfgate.SearchQuery{Search: "coder", Library: "gguf", Sort: hfgate.SortDownloads, Limit: 3}
	for _, tt := range []struct {
		user   string
		member bool
	}{{"", false}, {hubsim.UserBob, false}, {hubsim.UserAlice, true}} {
		t.Run("as "+tt.user, func(t *testing.T) {
			c := simClient(t, s, tt.user)
			s.ResetCounters()
			var ids []string
			pages := 0
			for cursor := ""; ; pages++ {
				models, next, err := c.SearchPage(context.Background(), q, cursor)
				if err != nil {
					t.Fatalf("SearchPage: %v", err)
				}
				for _, m := range models {
					ids = append(ids, string(m.ID))
					if m.Downloads == 0 || m.CreatedAt.IsZero() || !slices.Contains(m.Tags, "gguf") {
						t.Errorf("%s lacks expanded fields: %+v", m.ID, m)
					}
				}
				if next == "" {
					break
				}
				cursor = next
			}
			want := wantFor(tt.member)
			if !slices.Equal(ids, want) {
				t.Errorf("ids\n got %v\nwant %v", ids, want)
			}
			if n := s.Counters().Route(hubsim.RouteSearch).Requests; n != int64(pages+1) || pages < 2 {
				t.Errorf("%d search requests for %d pages", n, pages+1)
			}

			// Search with a Limit stops without an extra page.
			s.ResetCounters()
			lq := q
			lq.Limit = 4
			var got []string
			for m, err := range c.Search(context.Background(), lq) {
				if err != nil {
					t.Fatalf("Search: %v", err)
				}
				got = append(got, string(m.ID))
			}
			if !slices.Equal(got, want[:4]) {
				t.Errorf("Search(Limit 4) = %v, want %v", got, want[:4])
			}
			if n := s.Counters().Route(hubsim.RouteSearch).Requests; n != 1 {
				t.Errorf("Search(Limit 4) made %d requests, want 1", n)
			}
		})
	}
}

func TestHubsimSearchRetriesRateLimit(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	if err := s.SetFaults(hubsim.FaultRule{Host: hubsim.HostHub, PathPrefix: "/api/models", Times: 2, Status: 429, RetryAfter: time.Second}); err != nil {
		t.Fatal(err)
	}
	c := simClient(t, s, "")
	n := 0
	for _, err := range c.Search(context.Background(), hfgate.SearchQuery{Search: "coder", Limit: 5}) {
		if err != nil {
			t.Fatalf("Search: %v", err)
		}
		n++
	}
	if n != 5 {
		t.Errorf("%d results, want 5", n)
	}
	if rc := s.Counters().Route(hubsim.RouteSearch); rc.Requests != 3 || rc.Faulted != 2 {
		t.Errorf("search counters %+v, want 3 requests, 2 faulted", rc)
	}
}

// TestHubsimFiles checks model info, tree and file metadata against each
// other and the catalog, for a small and an LFS file.
func TestHubsimFiles(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	c := simClient(t, s, hubsim.UserBob)
	ctx := context.Background()
	m, err := c.ModelInfo(ctx, hubsim.RepoTiny, "", hfgate.WithBlobs())
	if err != nil {
		t.Fatalf("ModelInfo: %v", err)
	}
	if m.ID != hubsim.RepoTiny || !hfgate.IsCommitHash(m.SHA) || m.GGUF == nil || m.GGUF.Parameters == 0 || len(m.Files) < 3 {
		t.Fatalf("model %+v", m)
	}
	tree, err := c.Tree(ctx, hubsim.RepoTiny, "", "", true)
	if err != nil {
		t.Fatalf("Tree: %v", err)
	}
	if !slices.EqualFunc(m.Files, tree, func(a, b hfgate.RepoFile) bool {
		return a.Path == b.Path && a.Size == b.Size && a.BlobID == b.BlobID && (a.LFS == nil) == (b.LFS == nil) &&
			(a.LFS == nil || *a.LFS == *b.LFS)
	}) {
		t.Errorf("siblings and tree differ:\n%+v\n%+v", m.Files, tree)
	}
	var small, lfs int
	for _, f := range tree {
		want, err := s.Catalog().Stat(hubsim.RepoTiny, "", f.Path)
		if err != nil {
			t.Fatal(err)
		}
		meta, err := c.FileMetadata(ctx, hubsim.RepoTiny, "", f.Path)
		if err != nil {
			t.Fatalf("FileMetadata(%s): %v", f.Path, err)
		}
		if meta.ETag != want.ETag || meta.Size != want.Size || meta.Commit != m.SHA || f.Size != want.Size {
			t.Errorf("%s: metadata %+v, tree %+v, want %+v", f.Path, meta, f, want)
		}
		if want.LFS {
			lfs++
			if f.LFS == nil || f.LFS.SHA256 != want.SHA256 || !meta.IsLFS() || !strings.HasPrefix(meta.Location, s.CDNURL()+"/") {
				t.Errorf("%s: LFS %+v, location %s", f.Path, f.LFS, meta.Location)
			}
		} else {
			small++
			if meta.Location != c.ResolveURL(hubsim.RepoTiny, "main", f.Path) || f.BlobID != meta.ETag {
				t.Errorf("%s: location %s, blob %s, etag %s", f.Path, meta.Location, f.BlobID, meta.ETag)
			}
		}
	}
	if small == 0 || lfs == 0 {
		t.Errorf("%d small and %d LFS files; want both kinds", small, lfs)
	}

	bench, err := c.Tree(ctx, hubsim.RepoBenchmark, "main", "small", false)
	if err != nil || len(bench) != 50 {
		t.Errorf("Tree(small) = %d entries, %v; want 50", len(bench), err)
	}
}

// TestHubsimRevisions reads a tag and a PR ref (escaped as refs%2Fpr%2F1).
func TestHubsimRevisions(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	c := simClient(t, s, "")
	ctx := context.Background()
	for _, rev := range []string{hubsim.TagTinyV1, "refs/pr/1"} {
		m, err := c.ModelInfo(ctx, hubsim.RepoTiny, rev)
		if err != nil {
			t.Fatalf("ModelInfo(%s): %v", rev, err)
		}
		hasF16 := slices.ContainsFunc(m.Files, func(f hfgate.RepoFile) bool { return f.Path == "tiny-llama-F16.gguf" })
		if hasF16 != (rev == "refs/pr/1") {
			t.Errorf("%s: F16 file present = %v", rev, hasF16)
		}
		meta, err := c.FileMetadata(ctx, hubsim.RepoTiny, rev, "README.md")
		if err != nil || meta.Commit != m.SHA {
			t.Errorf("FileMetadata(%s) = %+v, %v; want commit %s", rev, meta, err, m.SHA)
		}
	}
}

// TestHubsimGetRange fetches LFS bytes through the Hub's redirect to the
// CDN, which refuses any request carrying Authorization.
func TestHubsimGetRange(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	c := simClient(t, s, hubsim.UserAlice)
	ctx := context.Background()
	const file = "tiny-llama-Q4_K_M.gguf"
	want, size, err := s.Catalog().Open(hubsim.RepoTiny, "", file)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 4096)
	if _, err := io.ReadFull(want, head); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{c.ResolveURL(hubsim.RepoTiny, "main", file), mustMeta(t, c, hubsim.RepoTiny, file).Location} {
		resp, err := c.GetRange(ctx, u, 0, 4095)
		if err != nil {
			t.Fatalf("GetRange: %v", err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, head) || !bytes.HasPrefix(got, []byte("GGUF")) {
			t.Errorf("GetRange: %s, %d bytes, %v", resp.Status, len(got), err)
		}
		if cr := resp.Header.Get("Content-Range"); cr != "bytes 0-4095/"+strconv.FormatInt(size, 10) {
			t.Errorf("Content-Range %q", cr)
		}
	}

	r := c.ReaderAt(ctx, mustMeta(t, c, hubsim.RepoTiny, file))
	tail := make([]byte, 100)
	n, err := r.ReadAt(tail, size-60)
	if n != 60 || err != io.EOF {
		t.Errorf("ReadAt at the end = %d, %v; want 60, EOF", n, err)
	}
	if _, err := want.Seek(size-60, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	wantTail, _ := io.ReadAll(want)
	if !bytes.Equal(tail[:n], wantTail) || r.Fetched() != 60 || r.Requests() != 1 {
		t.Errorf("tail differs, or Fetched %d, Requests %d", r.Fetched(), r.Requests())
	}
}

func mustMeta(t *testing.T, c *hfhub.Client, repo hfgate.RepoID, path string) *hfgate.FileMetadata {
	t.Helper()
	meta, err := c.FileMetadata(context.Background(), repo, "", path)
	if err != nil {
		t.Fatalf("FileMetadata(%s, %s): %v", repo, path, err)
	}
	return meta
}
