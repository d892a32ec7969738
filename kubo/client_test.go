package kubo_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/hfgate/hfgate/kubo/kubotest"
)

// These tests run against a real Kubo daemon (see kubotest).

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	r.Read(b)
	return b
}

func TestAddMatchesIPFSAdd(t *testing.T) {
	node := kubotest.Start(t)
	c := node.Client()
	ctx := context.Background()
	tests := []struct {
		name string
		size int
	}{
		{"empty", 0},
		{"one byte", 1},
		{"one chunk exactly", 256 << 10},
		{"several chunks", 3<<20 + 7},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := randomBytes(tt.size, uint64(i))
			var last atomic.Int64
			cid, err := c.Add(ctx, "org/repo/model.gguf", bytes.NewReader(data), int64(len(data)), func(sent int64) { last.Store(sent) })
			if err != nil {
				t.Fatal(err)
			}
			want := node.IPFS(t, data, "add", "--only-hash", "--cid-version=1", "--raw-leaves", "--quiet")
			if cid != want {
				t.Fatalf("Add CID %s, ipfs add --only-hash %s", cid, want)
			}
			if got := last.Load(); got != int64(tt.size) {
				t.Errorf("last progress %d, want %d", got, tt.size)
			}
			if !slices.Contains(node.Pins(t), cid) {
				t.Errorf("ipfs pin ls does not list %s", cid)
			}
			if pinned, err := c.Pinned(ctx, cid); err != nil || !pinned {
				t.Errorf("Pinned(%s) = %v, %v; want true", cid, pinned, err)
			}
			if got, want := sha256.Sum256(node.Output(t, nil, "cat", cid)), sha256.Sum256(data); got != want {
				t.Errorf("ipfs cat %s: sha256 %x, want %x", cid, got, want)
			}
		})
	}
}

func TestAddNamesThePin(t *testing.T) {
	node := kubotest.Start(t)
	cid, err := node.Client().Add(context.Background(), "org/repo/sub/model.gguf", bytes.NewReader([]byte("gguf")), 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := node.IPFS(t, nil, "pin", "ls", "--names", "--type=recursive", cid), cid+" recursive org/repo/sub/model.gguf"; got != want {
		t.Errorf("ipfs pin ls --names: %q, want %q", got, want)
	}
}

func TestUnpin(t *testing.T) {
	node := kubotest.Start(t)
	c := node.Client()
	ctx := context.Background()
	cid, err := c.Add(ctx, "a.bin", bytes.NewReader([]byte("hello")), 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	if removed, err := c.Unpin(ctx, cid); err != nil || !removed {
		t.Fatalf("Unpin = %v, %v; want true", removed, err)
	}
	if pinned, err := c.Pinned(ctx, cid); err != nil || pinned {
		t.Fatalf("Pinned after Unpin = %v, %v; want false", pinned, err)
	}
	if slices.Contains(node.Pins(t), cid) {
		t.Fatalf("ipfs pin ls still lists %s", cid)
	}
	if removed, err := c.Unpin(ctx, cid); err != nil || removed {
		t.Fatalf("second Unpin = %v, %v; want false, nil", removed, err)
	}
}

func TestVersion(t *testing.T) {
	node := kubotest.Start(t)
	v, err := node.Client().Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := node.IPFS(t, nil, "version", "--number"); v != want {
		t.Errorf("Version = %q, ipfs version --number %q", v, want)
	}
}
