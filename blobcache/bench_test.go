package blobcache_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubsim"
)

// Benchmarks (not run by go test without -bench):
//
//	go test -run '^$' -bench . -benchtime 3x ./blobcache/
//
// They need about 5 GB of free space in the temporary folder.

// warm2G is one cache holding the 2 GiB blob, shared by the warm benchmarks.
var warm2G = sync.OnceValues(func() (*warmSetup, error) {
	sim, err := hubsim.New(hubsim.Options{})
	if err != nil {
		return nil, err
	}
	if err := sim.Start("127.0.0.1:0", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "blobcache-bench-")
	if err != nil {
		return nil, err
	}
	c, err := blobcache.Open(context.Background(), blobcache.Config{Dir: dir})
	if err != nil {
		return nil, err
	}
	fi, err := sim.Catalog().Stat(bench, "main", bench2G)
	if err != nil {
		return nil, err
	}
	url, err := sim.CDNFileURL(bench, "main", bench2G)
	if err != nil {
		return nil, err
	}
	b := blobcache.Blob{Key: blobcache.Key(fi.ETag), Size: fi.Size}
	if err := c.Warm(context.Background(), b, &rangeUpstream{url: url}); err != nil {
		return nil, err
	}
	sim.Close()
	// The plain file to compare with is the blob's own file: same bytes,
	// same page cache.
	plain := filepath.Join(dir, "blobs", "sha256", fi.ETag[:2], fi.ETag)
	return &warmSetup{dir: dir, c: c, b: b, plain: plain}, nil
})

type warmSetup struct {
	dir   string
	c     *blobcache.Cache
	b     blobcache.Blob
	plain string
}

// warmUsed says a benchmark made warm2G, for TestMain to remove it.
var warmUsed atomic.Bool

func setupWarm(b *testing.B) *warmSetup {
	b.Helper()
	if testing.Short() {
		b.Skip("needs a 2 GiB blob")
	}
	warmUsed.Store(true)
	s, err := warm2G()
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func TestMain(m *testing.M) {
	code := m.Run()
	if warmUsed.Load() {
		if s, err := warm2G(); err == nil {
			s.c.Close()
			os.RemoveAll(s.dir)
		}
	}
	os.Exit(code)
}

// BenchmarkWarmRead reads the cached 2 GiB blob through a Reader and the
// same file with os.File, 1 MiB at a time.
func BenchmarkWarmRead(b *testing.B) {
	s := setupWarm(b)
	open := map[string]func() (io.ReadCloser, error){
		"cache": func() (io.ReadCloser, error) { return s.c.Open(context.Background(), s.b, nil) },
		"plain": func() (io.ReadCloser, error) { return os.Open(s.plain) },
	}
	for _, name := range []string{"plain", "cache"} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(s.b.Size)
			buf := make([]byte, 1<<20)
			for b.Loop() {
				r, err := open[name]()
				if err != nil {
					b.Fatal(err)
				}
				var n int64
				for {
					k, err := r.Read(buf)
					n += int64(k)
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				r.Close()
				if n != s.b.Size {
					b.Fatalf("read %d bytes", n)
				}
			}
		})
	}
}

// BenchmarkWarmServeHTTP serves the cached 2 GiB blob over loopback HTTP
// as the gateway does (serveBlob), against http.ServeContent of the same
// file; the client reads the body as in BenchmarkColdFill.
func BenchmarkWarmServeHTTP(b *testing.B) {
	s := setupWarm(b)
	cacheURL := startServer(b, func(w http.ResponseWriter, req *http.Request) { serveBlob(w, req, s.c, s.b, nil) })
	plainURL := startServer(b, func(w http.ResponseWriter, req *http.Request) {
		f, err := os.Open(s.plain)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer f.Close()
		http.ServeContent(w, req, "", time.Time{}, f)
	})
	for _, tt := range []struct{ name, url string }{{"cache", cacheURL}, {"plain", plainURL}} {
		b.Run(tt.name, func(b *testing.B) {
			b.SetBytes(s.b.Size)
			for b.Loop() {
				download(b, tt.url, s.b.Size)
			}
		})
	}
}

// BenchmarkOpen100k opens a cache directory of 100,000 blobs, with the
// index snapshot and without it (every blob stat'ed).
func BenchmarkOpen100k(b *testing.B) {
	if testing.Short() {
		b.Skip("makes 100k files")
	}
	dir := b.TempDir()
	for i := range 100_000 {
		sum := sha256.Sum256([]byte(strconv.Itoa(i)))
		k := hex.EncodeToString(sum[:])
		p := filepath.Join(dir, "blobs", "sha256", k[:2], k)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte{1}, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	for _, snapshot := range []bool{true, false} {
		b.Run(fmt.Sprintf("snapshot=%v", snapshot), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				if !snapshot {
					os.Remove(filepath.Join(dir, "index"))
				} else if _, err := os.Stat(filepath.Join(dir, "index")); err != nil {
					c, _ := blobcache.Open(context.Background(), blobcache.Config{Dir: dir})
					c.Close() // writes the snapshot
				}
				b.StartTimer()
				c, err := blobcache.Open(context.Background(), blobcache.Config{Dir: dir})
				if err != nil {
					b.Fatal(err)
				}
				if st := c.Stats(); st.Blobs != 100_000 {
					b.Fatalf("%d blobs", st.Blobs)
				}
				b.StopTimer()
				c.Close()
				b.StartTimer()
			}
		})
	}
}
