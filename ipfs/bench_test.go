package ipfs_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/ipfs"
	"github.com/hfgate/hfgate/kubo/kubotest"
)

// BenchmarkPin compares handing a 64 MiB cached file to a real node with
// Pinner.Pin (streamed, hashed against its name on the way) against the
// node's own command line, "ipfs add --cid-version=1 --raw-leaves", on the
// same blob. Each iteration unpins first, so that every add does the work.
//
//	HFGATE_IPFS_BIN=... go test -run '^$' -bench Pin -benchtime 5x ./ipfs/
func BenchmarkPin(b *testing.B) {
	const size = 64 << 20
	node := kubotest.Start(b)
	p := &ipfs.Pinner{Node: node.Client(), Cache: hfcacheIn(b)}
	blob := cached(b, p.Cache, "org/model", "m.gguf", randomBytes(size, 9), true)
	pin, err := p.Pin(b.Context(), "org/model", "", "m.gguf", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Pinner.Pin", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			b.StopTimer()
			node.IPFS(b, nil, "pin", "rm", pin.CID)
			b.StartTimer()
			if _, err := p.Pin(b.Context(), "org/model", "", "m.gguf", nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ipfs add", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			b.StopTimer()
			node.IPFS(b, nil, "pin", "rm", pin.CID)
			b.StartTimer()
			cmd := exec.Command(node.Bin, "add", "--cid-version=1", "--raw-leaves", "--quiet", blob)
			cmd.Env = node.Env()
			out, err := cmd.Output()
			if err != nil || strings.TrimSpace(string(out)) != pin.CID {
				b.Fatalf("ipfs add: %q, %v", out, err)
			}
		}
	})
}
