package ipfs_test

import (
	"crypto/sha256"
	"errors"
	"net"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/ipfs"
	"github.com/hfgate/hfgate/kubo"
)

// These tests pin files of a real cache on a real Kubo node (kubotest).

func TestPin(t *testing.T) {
	p, node := setup(t)
	p.Now = func() time.Time { return time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC) }
	tests := []struct {
		name, file string
		content    []byte
		lfs        bool
	}{
		{"LFS file of several chunks", "model-Q4_K_M.gguf", randomBytes(9<<20+3, 1), true},
		{"git blob in a folder", "sub/config.json", []byte(`{"n_layers": 2}`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cached(t, p.Cache, "org/model", tt.file, tt.content, tt.lfs)
			var ev events
			pin, err := p.Pin(t.Context(), "org/model", "", tt.file, &ev)
			if err != nil {
				t.Fatal(err)
			}
			if want := node.IPFS(t, tt.content, "add", "--only-hash", "--cid-version=1", "--raw-leaves", "--quiet"); pin.CID != want {
				t.Fatalf("CID %s, ipfs add --only-hash says %s", pin.CID, want)
			}
			if !slices.Contains(node.Pins(t), pin.CID) {
				t.Fatalf("ipfs pin ls does not list %s", pin.CID)
			}
			if got, want := sha256.Sum256(node.Output(t, nil, "cat", pin.CID)), sha256.Sum256(tt.content); got != want {
				t.Fatalf("ipfs cat %s: sha256 %x, want %x", pin.CID, got, want)
			}
			if pin.SHA256 != sha256Hex(tt.content) || pin.Size != int64(len(tt.content)) || pin.Commit != commitMain || pin.Cached {
				t.Errorf("Pin = %+v", pin)
			}
			if got, want := ev.kinds(), []ipfs.EventKind{ipfs.AddStart, ipfs.AddProgress, ipfs.AddDone}; !slices.Equal(got, want) {
				t.Errorf("events %v, want %v", got, want)
			}

			// Recorded beside the cache entry, and not added again.
			rec := *pin
			rec.Cached = false
			if !slices.Contains(records(t, p), rec) {
				t.Fatalf("List = %+v, does not hold %+v", records(t, p), rec)
			}
			var again events
			pin2, err := p.Pin(t.Context(), "org/model", commitMain, tt.file, &again)
			if err != nil {
				t.Fatal(err)
			}
			if !pin2.Cached || pin2.CID != pin.CID {
				t.Errorf("second Pin = %+v, want the same CID, cached", pin2)
			}
			if got, want := again.kinds(), []ipfs.EventKind{ipfs.AddStart, ipfs.AddDone}; !slices.Equal(got, want) {
				t.Errorf("second Pin sent the file again: events %v, want %v", got, want)
			}
		})
	}
}

// TestPinAgainWhenUnpinned adds a recorded file again when the node no
// longer pins its CID (unpinned by hand, or another node).
func TestPinAgainWhenUnpinned(t *testing.T) {
	p, node := setup(t)
	cached(t, p.Cache, "org/model", "m.gguf", randomBytes(1<<20, 2), true)
	pin, err := p.Pin(t.Context(), "org/model", "", "m.gguf", nil)
	if err != nil {
		t.Fatal(err)
	}
	node.IPFS(t, nil, "pin", "rm", pin.CID)
	again, err := p.Pin(t.Context(), "org/model", "", "m.gguf", nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Cached || again.CID != pin.CID || !slices.Contains(node.Pins(t), pin.CID) {
		t.Fatalf("Pin after ipfs pin rm = %+v; want it added and pinned again", again)
	}
}

// TestPinChangedFile changes a blob after it was downloaded and verified:
// nothing is pinned and nothing recorded.
func TestPinChangedFile(t *testing.T) {
	p, node := setup(t)
	before := node.Pins(t)
	content := randomBytes(5<<20, 3)
	tests := []struct {
		name   string
		change func([]byte) []byte
	}{
		{"one byte flipped", func(b []byte) []byte { b = slices.Clone(b); b[len(b)/2] ^= 1; return b }},
		{"grown", func(b []byte) []byte { return append(slices.Clone(b), 'x') }},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blob := cached(t, p.Cache, "org/model", "m.gguf", content, true)
			if err := os.WriteFile(blob, tt.change(content), 0o644); err != nil {
				t.Fatal(err)
			}
			pin, err := p.Pin(t.Context(), "org/model", "", "m.gguf", nil)
			if hfgate.ErrorCode(err) != hfgate.EINTEGRITY {
				t.Fatalf("Pin of a changed file = %+v, %v; want EINTEGRITY", pin, err)
			}
			noNewPins(t, node, before)
			if recs := records(t, p); len(recs) != 0 {
				t.Fatalf("recorded %+v", recs)
			}
		})
	}
}

func TestPinNoNode(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	p := &ipfs.Pinner{Node: &kubo.Client{API: &url.URL{Scheme: "http", Host: l.Addr().String()}}, Cache: hfcacheIn(t)}
	cached(t, p.Cache, "org/model", "m.gguf", []byte("gguf"), true)
	var ev events
	_, err = p.Pin(t.Context(), "org/model", "", "m.gguf", &ev)
	if !errors.Is(err, hfgate.ErrNoIPFSNode) {
		t.Fatalf("Pin with no node: %v; want ErrNoIPFSNode", err)
	}
	if kinds := ev.kinds(); kinds[len(kinds)-1] != ipfs.AddError {
		t.Errorf("events %v do not end in an error", kinds)
	}
	if recs := records(t, p); len(recs) != 0 {
		t.Fatalf("recorded %+v", recs)
	}
}

// TestPinNodeKilledMidAdd kills the daemon when the first 4 MiB of the
// file are sent: the progress event is reported from the goroutine that
// sends, so the rest waits until the node is dead.
func TestPinNodeKilledMidAdd(t *testing.T) {
	p, node := setup(t)
	before := node.Pins(t)
	cached(t, p.Cache, "org/model", "m.gguf", randomBytes(16<<20, 4), true)
	killed := false
	_, err := p.Pin(t.Context(), "org/model", "", "m.gguf", ipfs.ReporterFunc(func(e ipfs.Event) {
		if e.Kind == ipfs.AddProgress && !killed {
			killed = true
			node.Kill(t)
		}
	}))
	if !killed {
		t.Fatal("no progress event came before the end")
	}
	if hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
		t.Fatalf("Pin with the node killed mid-add: %v; want EUNAVAILABLE", err)
	}
	if recs := records(t, p); len(recs) != 0 {
		t.Fatalf("recorded %+v", recs)
	}
	noNewPins(t, node, before) // read from the repository, the daemon being gone
}

func TestPinNotCached(t *testing.T) {
	p, _ := setup(t)
	cached(t, p.Cache, "org/model", "m.gguf", []byte("gguf"), true)
	for _, tt := range []struct{ repo, rev, file, code string }{
		{"org/model", "", "other.gguf", hfgate.ENOTFOUND},
		{"org/model", "v2", "m.gguf", hfgate.ENOTFOUND},
		{"org/other", "", "m.gguf", hfgate.ENOTFOUND},
		{"org/model", "", "../m.gguf", hfgate.EINVALID},
	} {
		if _, err := p.Pin(t.Context(), hfgate.RepoID(tt.repo), tt.rev, tt.file, nil); hfgate.ErrorCode(err) != tt.code {
			t.Errorf("Pin(%s, %q, %s): %v, want %s", tt.repo, tt.rev, tt.file, err, tt.code)
		}
	}
}
