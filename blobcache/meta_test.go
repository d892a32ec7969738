package blobcache_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/blobcache"
)

// manualClock is a clock the test moves.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *manualClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const (
	commitA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	commitB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// TestRevisions: a branch's commit is fresh for RevisionTTL and kept, as
// stale, after that and after a restart; a commit id is fresh forever.
func TestRevisions(t *testing.T) {
	clock := &manualClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg := testConfig(t)
	cfg.Now = clock.now
	cfg.Meta.RevisionTTL = time.Minute
	c := openCache(t, cfg)
	m := c.Meta()
	repo := hfgate.RepoID("acme/model")
	for _, put := range [][2]string{{"main", commitA}, {"main", commitB}, {commitA, commitA}, {"v1.0", commitA}} {
		if err := m.PutRevision(hfgate.RepoTypeModel, repo, put[0], put[1]); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string, rev, wantCommit string, wantFresh, wantOK bool) {
		t.Helper()
		commit, fresh, ok := m.Revision(hfgate.RepoTypeModel, repo, rev)
		if commit != wantCommit || fresh != wantFresh || ok != wantOK {
			t.Errorf("%s: Revision(%s) = %q, fresh %v, ok %v; want %q, %v, %v", when, rev, commit, fresh, ok, wantCommit, wantFresh, wantOK)
		}
	}
	check("at once", "main", commitB, true, true)
	check("at once", "dev", "", false, false)
	if _, _, ok := m.Revision(hfgate.RepoTypeDataset, repo, "main"); ok {
		t.Error("a model's revision is found for a dataset of the same name")
	}
	clock.add(2 * time.Minute)
	check("after the TTL", "main", commitB, false, true)
	check("after the TTL", commitA, commitA, true, true)

	c.Close()
	c = openCache(t, cfg)
	m = c.Meta()
	check("after a restart", "main", commitB, false, true)
	check("after a restart", "v1.0", commitA, false, true)
	check("after a restart", commitA, commitA, true, true)

	for _, bad := range []struct{ rev, commit string }{{"main", "short"}, {"../x", commitA}, {"main", strings.ToUpper(commitA)}} {
		if err := m.PutRevision(hfgate.RepoTypeModel, repo, bad.rev, bad.commit); hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("PutRevision(%q, %q) = %v, want EINVALID", bad.rev, bad.commit, err)
		}
	}
	if err := m.PutRevision(hfgate.RepoTypeModel, "bad//repo", "main", commitA); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Errorf("PutRevision with a bad repo id: %v, want EINVALID", err)
	}
}

// TestRevisionsBounded: the revision log stays bounded in entries and on
// disk however often revisions are stored, and a torn last line (a kill
// in the middle of a write) loses only that line.
func TestRevisionsBounded(t *testing.T) {
	cfg := testConfig(t)
	cfg.Meta.MaxRevisions = 10
	c := openCache(t, cfg)
	m := c.Meta()
	for i := range 500 {
		if err := m.PutRevision(hfgate.RepoTypeModel, hfgate.RepoID(fmt.Sprintf("acme/m%d", i%40)), "main", commitA); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, ok := m.Revision(hfgate.RepoTypeModel, "acme/m0", "main"); ok {
		t.Error("an old revision beyond MaxRevisions is still kept")
	}
	if _, _, ok := m.Revision(hfgate.RepoTypeModel, "acme/m19", "main"); !ok {
		t.Error("the last stored revision is missing")
	}
	log := filepath.Join(cfg.Dir, "meta", "revisions")
	fi, err := os.Stat(log)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 20<<10 {
		t.Errorf("the revision log has %d bytes for 10 revisions", fi.Size())
	}
	c.Close()
	f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"type":"model","repo":"acme/torn","rev":"main","commit":"aaaa`)
	f.Close()
	c = openCache(t, cfg)
	if _, _, ok := c.Meta().Revision(hfgate.RepoTypeModel, "acme/m19", "main"); !ok {
		t.Error("a torn line lost the lines before it")
	}
}

// TestDocs: documents by commit survive a restart, are bounded in bytes
// (least recently used go first), and a damaged file is a miss.
func TestDocs(t *testing.T) {
	cfg := testConfig(t)
	cfg.Meta.MaxDocBytes = 3500 // three documents of 900 bytes and a header
	cfg.Meta.MaxDoc = 1500
	c := openCache(t, cfg)
	m := c.Meta()
	key := func(kind string) blobcache.DocKey {
		return blobcache.DocKey{Type: hfgate.RepoTypeModel, Repo: "acme/model", Commit: commitA, Kind: kind}
	}
	body := func(kind string) []byte { return bytes.Repeat([]byte(kind[:1]), 900) }
	for _, kind := range []string{"tree", "paths-info:1", "model-info"} {
		if err := m.PutDoc(key(kind), body(kind)); err != nil {
			t.Fatal(err)
		}
	}
	if got, ok := m.Doc(key("tree")); !ok || !bytes.Equal(got, body("tree")) {
		t.Fatalf("Doc(tree) = %d bytes, %v", len(got), ok)
	}
	if err := m.PutDoc(key("x-big"), make([]byte, 1600)); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Errorf("PutDoc over MaxDoc: %v, want EINVALID", err)
	}
	if err := m.PutDoc(blobcache.DocKey{Type: hfgate.RepoTypeModel, Repo: "acme/model", Commit: "main", Kind: "tree"}, nil); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Errorf("PutDoc by branch name: %v, want EINVALID", err)
	}
	// A fourth document makes room by dropping the least recently used:
	// paths-info (tree was just read).
	if err := m.PutDoc(key("refs"), body("refs")); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Doc(key("paths-info:1")); ok {
		t.Error("the least recently used document was kept beyond MaxDocBytes")
	}

	if st := m.Stats(); st.Docs != 3 || st.DocBytes > cfg.Meta.MaxDocBytes || st.DocBytes < 3*900 {
		t.Errorf("Stats() = %+v, want 3 documents of 900 bytes and a header each", st)
	}

	c.Close()
	c = openCache(t, cfg)
	m = c.Meta()
	for _, kind := range []string{"tree", "model-info", "refs"} {
		if got, ok := m.Doc(key(kind)); !ok || !bytes.Equal(got, body(kind)) {
			t.Errorf("after a restart, Doc(%s) = %d bytes, %v", kind, len(got), ok)
		}
	}
	// Damage every document: each becomes a miss, not wrong bytes.
	files, _ := filepath.Glob(filepath.Join(cfg.Dir, "meta", "docs", "*"))
	for _, f := range files {
		os.WriteFile(f, []byte(`{"type":"model","repo":"other/repo","commit":"`+commitA+`","kind":"tree"}`+"\nxx"), 0o600)
	}
	if got, ok := m.Doc(key("tree")); ok {
		t.Errorf("a document whose header names another key was served: %q", got)
	}
}

// TestMetaAfterClose: the metadata cache refuses writes once closed.
func TestMetaAfterClose(t *testing.T) {
	c, err := blobcache.Open(context.Background(), testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	m := c.Meta()
	c.Close()
	if err := m.PutRevision(hfgate.RepoTypeModel, "acme/model", "main", commitA); err == nil {
		t.Error("PutRevision after Close succeeded")
	}
	if err := m.PutDoc(blobcache.DocKey{Type: hfgate.RepoTypeModel, Repo: "acme/model", Commit: commitA, Kind: "tree"}, []byte("[]")); err == nil {
		t.Error("PutDoc after Close succeeded")
	}
}
