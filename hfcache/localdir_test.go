package hfcache_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

func TestLocalDirPaths(t *testing.T) {
	root := t.TempDir()
	d := hfcache.LocalDir{Root: root}
	etag := lfsETag(weights)
	join := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }
	for _, tt := range []struct {
		name string
		got  func() (string, error)
		want string
	}{
		{"FilePath", func() (string, error) { return d.FilePath("sub/model.gguf") }, "sub/model.gguf"},
		{"MetadataPath", func() (string, error) { return d.MetadataPath("sub/model.gguf") }, ".cache/huggingface/download/sub/model.gguf.metadata"},
		{"LockPath", func() (string, error) { return d.LockPath("sub/model.gguf") }, ".cache/huggingface/download/sub/model.gguf.lock"},
		// The hashes were computed with Python:
		// base64.urlsafe_b64encode(hashlib.sha1(b"model.gguf.metadata").digest())
		{"IncompletePath", func() (string, error) { return d.IncompletePath("sub/model.gguf", etag) },
			".cache/huggingface/download/sub/oXa0XAG8ZeXAcRMIPdQRwbfnQrg=." + etag + ".incomplete"},
		{"IncompletePath top level", func() (string, error) { return d.IncompletePath("config.json", gitETag(config)) },
			".cache/huggingface/download/8_PA_wEVGiVa2goH2H4KQOQpvVY=." + gitETag(config) + ".incomplete"},
	} {
		got, err := tt.got()
		if err != nil || got != join(tt.want) {
			t.Errorf("%s = %q, %v; want %q", tt.name, got, err, join(tt.want))
		}
	}
	if b, err := os.ReadFile(join(".cache/huggingface/.gitignore")); err != nil || string(b) != "*" {
		t.Errorf(".gitignore = %q, %v; want \"*\"", b, err)
	}
	for _, bad := range []string{"../x", "/x", ".cache/huggingface/download/x.metadata", ".cache/huggingface", ".cache"} {
		if _, err := d.FilePath(bad); hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("FilePath(%q): %v, want EINVALID", bad, err)
		}
	}
	if _, err := (hfcache.LocalDir{}).FilePath("x"); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Errorf("zero LocalDir: %v", err)
	}
}

func TestLocalDirPublishAndMetadata(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	d := hfcache.LocalDir{Root: root}
	etag := lfsETag(weights)

	inc, err := d.IncompletePath("sub/model.gguf", etag)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(inc, weights, 0o600)
	if err := d.Publish("sub/model.gguf", commitMain, etag, inc); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "sub", "model.gguf")); err != nil || string(b) != string(weights) {
		t.Fatalf("published file: %d bytes, %v", len(b), err)
	}
	if _, err := os.Stat(inc); !os.IsNotExist(err) {
		t.Fatalf("incomplete file still there: %v", err)
	}
	// The metadata file is huggingface_hub's three lines.
	raw, err := os.ReadFile(filepath.Join(root, ".cache", "huggingface", "download", "sub", "model.gguf.metadata"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^` + commitMain + `\n` + etag + `\n\d{10}\.\d+\n$`).Match(raw) {
		t.Fatalf("metadata file %q", raw)
	}
	md, err := d.ReadMetadata("sub/model.gguf")
	if err != nil || md == nil || md.Commit != commitMain || md.ETag != etag || time.Since(md.Timestamp) > time.Minute {
		t.Fatalf("ReadMetadata = %+v, %v", md, err)
	}

	for _, tt := range []struct {
		name         string
		etag, commit string
		want         bool
	}{
		{"same", etag, commitMain, true},
		{"same etag, newer commit", etag, commitPR, true},
		{"other etag", lfsETag(readmeMain), commitPR, false},
	} {
		if got, err := d.UpToDate(ctx, "sub/model.gguf", tt.etag, tt.commit); err != nil || got != tt.want {
			t.Errorf("UpToDate %s = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	if md, _ := d.ReadMetadata("sub/model.gguf"); md == nil || md.Commit != commitPR {
		t.Errorf("metadata not moved to the newer commit: %+v", md)
	}
	if up, _ := d.UpToDate(ctx, "absent.bin", etag, commitMain); up {
		t.Error("UpToDate of a missing file")
	}
}

func TestLocalDirMetadataWrittenByPython(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	d := hfcache.LocalDir{Root: root}
	h := hfTree{t, root}
	h.write("config.json", config)
	meta := ".cache/huggingface/download/config.json.metadata"
	// Exactly what huggingface_hub writes: f"{commit}\n{etag}\n{time.time()}\n".
	h.write(meta, []byte(commitMain+"\n"+gitETag(config)+"\n1712656091.123\n"))
	file := filepath.Join(root, "config.json")
	written := time.Unix(1712656091, 123e6)

	os.Chtimes(file, written, written.Add(900*time.Millisecond)) // within the second huggingface_hub allows
	md, err := d.ReadMetadata("config.json")
	if err != nil || md == nil || md.Commit != commitMain || md.ETag != gitETag(config) || !md.Timestamp.Equal(written) {
		t.Fatalf("ReadMetadata = %+v, %v", md, err)
	}

	os.Chtimes(file, written, written.Add(5*time.Second)) // changed after the record
	if md, err := d.ReadMetadata("config.json"); err != nil || md != nil {
		t.Fatalf("stale metadata trusted: %+v, %v", md, err)
	}
	// Without trusted metadata the file is hashed: same content, up to date.
	if up, err := d.UpToDate(ctx, "config.json", gitETag(config), commitPR); err != nil || !up {
		t.Fatalf("UpToDate after hashing = %v, %v", up, err)
	}
	// A changed file is not.
	h.write("config.json", []byte(`{"n_layers": 3}`))
	os.Remove(filepath.Join(root, filepath.FromSlash(meta)))
	if up, err := d.UpToDate(ctx, "config.json", gitETag(config), commitPR); err != nil || up {
		t.Fatalf("UpToDate of a changed file = %v, %v", up, err)
	}
	// Damaged metadata is ignored and removed, as huggingface_hub does.
	h.write(meta, []byte("garbage"))
	if md, err := d.ReadMetadata("config.json"); err != nil || md != nil {
		t.Fatalf("ReadMetadata of garbage = %+v, %v", md, err)
	}
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(meta))); !os.IsNotExist(err) {
		t.Fatalf("damaged metadata kept: %v", err)
	}
}
