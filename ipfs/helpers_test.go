package ipfs_test

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/ipfs"
	"github.com/hfgate/hfgate/kubo/kubotest"
)

const commitMain = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// gitBlobID is the ETag of a file stored without LFS.
func gitBlobID(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// cached publishes content as file of repo at commitMain (refs/main), the
// way a download does, with an LFS (SHA-256) or a git blob ETag, and
// returns the blob's path.
func cached(t testing.TB, c hfcache.Cache, repo, file string, content []byte, lfs bool) string {
	t.Helper()
	r, err := c.Repo(hfgate.RepoTypeModel, hfgate.RepoID(repo))
	if err != nil {
		t.Fatal(err)
	}
	etag := gitBlobID(content)
	if lfs {
		etag = sha256Hex(content)
	}
	tmp, err := r.IncompletePath(etag)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.Publish(commitMain, file, etag, tmp); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteRef("main", commitMain); err != nil {
		t.Fatal(err)
	}
	blob, _ := r.BlobPath(etag)
	return blob
}

// setup starts a node and returns a Pinner on it with an empty cache.
func setup(t *testing.T) (*ipfs.Pinner, *kubotest.Node) {
	t.Helper()
	node := kubotest.Start(t)
	return &ipfs.Pinner{Node: node.Client(), Cache: hfcache.Cache{Dir: t.TempDir()}}, node
}

// events records what a Pin reports.
type events struct {
	mu   sync.Mutex
	list []ipfs.Event
}

func (e *events) Report(ev ipfs.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
}

func (e *events) kinds() []ipfs.EventKind {
	e.mu.Lock()
	defer e.mu.Unlock()
	var kinds []ipfs.EventKind
	for _, ev := range e.list {
		if len(kinds) == 0 || kinds[len(kinds)-1] != ev.Kind {
			kinds = append(kinds, ev.Kind) // progress events collapse into one
		}
	}
	return kinds
}

// records returns the pins recorded in p's cache.
func records(t *testing.T, p *ipfs.Pinner) []ipfs.Pin {
	t.Helper()
	pins, warnings, err := p.List(t.Context(), "")
	if err != nil || len(warnings) > 0 {
		t.Fatalf("List: %v, warnings %v", err, warnings)
	}
	return pins
}

// noNewPins fails unless the node's recursive pins are exactly before.
func noNewPins(t *testing.T, node *kubotest.Node, before []string) {
	t.Helper()
	if after := node.Pins(t); !slices.Equal(after, before) {
		t.Fatalf("pins changed from %v to %v", before, after)
	}
}

// hfcacheIn returns an empty cache in a temporary directory.
func hfcacheIn(t testing.TB) hfcache.Cache { return hfcache.Cache{Dir: t.TempDir()} }
