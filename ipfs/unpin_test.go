package ipfs_test

import (
	"os"
	"slices"
	"testing"

	"github.com/hfgate/hfgate"
)

func TestUnpin(t *testing.T) {
	p, node := setup(t)
	same := randomBytes(2<<20, 5)
	cached(t, p.Cache, "org/model", "m.gguf", same, true)
	cached(t, p.Cache, "org/fork", "copy.gguf", same, true) // the same content in another repo
	cached(t, p.Cache, "org/model", "other.gguf", randomBytes(1<<20, 6), true)
	ctx := t.Context()
	for _, f := range [][2]string{{"org/model", "m.gguf"}, {"org/fork", "copy.gguf"}, {"org/model", "other.gguf"}} {
		if _, err := p.Pin(ctx, hfgate.RepoID(f[0]), "", f[1], nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(records(t, p)); n != 3 {
		t.Fatalf("%d records, want 3", n)
	}

	// org/fork's record still needs the CID: the node keeps it.
	pin, err := p.Unpin(ctx, "org/model", "", "m.gguf")
	if err != nil {
		t.Fatal(err)
	}
	if !pin.Kept || !slices.Contains(node.Pins(t), pin.CID) {
		t.Fatalf("Unpin of a CID another record uses: %+v, node pins %v; want it kept", pin, node.Pins(t))
	}
	if _, err := p.Unpin(ctx, "org/model", "", "m.gguf"); hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
		t.Fatalf("second Unpin: %v, want ENOTFOUND", err)
	}

	// The last record of the CID: the node's pin goes too.
	pin2, err := p.Unpin(ctx, "org/fork", "", "copy.gguf")
	if err != nil {
		t.Fatal(err)
	}
	if pin2.Kept || pin2.CID != pin.CID || slices.Contains(node.Pins(t), pin.CID) {
		t.Fatalf("Unpin of the last record: %+v, node pins %v; want it unpinned", pin2, node.Pins(t))
	}

	// A file removed from the cache is still found by its record.
	r, _ := p.Cache.Repo(hfgate.RepoTypeModel, "org/model")
	snap, _ := r.SnapshotPath(commitMain, "other.gguf")
	if err := os.Remove(snap); err != nil {
		t.Fatal(err)
	}
	recs := records(t, p)
	if len(recs) != 1 || recs[0].Path != "" {
		t.Fatalf("List after removing the file: %+v; want its record with no path", recs)
	}
	if _, err := p.Unpin(ctx, "org/model", "", "other.gguf"); err != nil {
		t.Fatal(err)
	}
	if recs := records(t, p); len(recs) != 0 || len(node.Pins(t)) != 1 { // the repository's empty folder, pinned by ipfs init
		t.Fatalf("after the last Unpin: records %+v, node pins %v", recs, node.Pins(t))
	}
}

// TestUnpinNoNode keeps the record when the node cannot be reached.
func TestUnpinNoNode(t *testing.T) {
	p, node := setup(t)
	cached(t, p.Cache, "org/model", "m.gguf", []byte("gguf"), true)
	if _, err := p.Pin(t.Context(), "org/model", "", "m.gguf", nil); err != nil {
		t.Fatal(err)
	}
	node.Kill(t)
	if _, err := p.Unpin(t.Context(), "org/model", "", "m.gguf"); hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
		t.Fatalf("Unpin with the node gone: %v, want EUNAVAILABLE", err)
	}
	if n := len(records(t, p)); n != 1 {
		t.Fatalf("%d records after a failed Unpin, want 1", n)
	}
}
