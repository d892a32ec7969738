package blobcache_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/internal/retry"
)

// Files of the built-in catalog the tests use.
const (
	tiny    = hubsim.RepoTiny
	tinyQ8  = "tiny-llama-Q8_0.gguf"   // about 6 MB, LFS
	tinyQ2  = "tiny-llama-Q2_K.gguf"   // about 3 MB, LFS
	tinyQ4  = "tiny-llama-Q4_K_M.gguf" // LFS
	readme  = "README.md"              // small, in git: a SHA-1 key
	qwen05  = "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF"
	qwenQ4  = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf" // 397,800,160 bytes
	bench   = hubsim.RepoBenchmark
	bench2G = "blob-2GiB.bin"
)

// fastRetry keeps fault tests quick.
var fastRetry = retry.Policy{Attempts: 6, Base: time.Millisecond, Max: 5 * time.Millisecond, MaxRetryAfter: time.Second}

// testConfig is a cache config with parts small enough that the tiny
// files go in several parallel parts.
func testConfig(t testing.TB) blobcache.Config {
	return blobcache.Config{
		Dir:         t.TempDir(),
		FillConns:   4,
		MinPartSize: 256 << 10,
		MaxPartSize: 1 << 20,
		ParallelMin: 512 << 10,
		Retry:       fastRetry,
	}
}

// openCache opens a cache and closes it at the end of the test.
func openCache(t testing.TB, cfg blobcache.Config) *blobcache.Cache {
	t.Helper()
	c, err := blobcache.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// rangeUpstream GETs byte ranges of a file URL of hubsim (its CDN for LFS
// files, the resolve URL for small ones), as the gateway's upstream does:
// it accepts only 206 with exactly the range asked for.
type rangeUpstream struct {
	url    string
	client *http.Client
}

func (u *rangeUpstream) Fetch(ctx context.Context, start, end int64) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", start, end-1))
	client := u.client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusPartialContent {
		resp.Body.Close()
		code := hfgate.EUNAVAILABLE
		switch resp.StatusCode {
		case http.StatusNotFound:
			code = hfgate.ENOTFOUND
		case http.StatusUnauthorized:
			code = hfgate.EUNAUTHORIZED
		case http.StatusForbidden:
			code = hfgate.EFORBIDDEN
		}
		return nil, hfgate.Errorf(code, "upstream answered %s", resp.Status)
	}
	want := fmt.Sprintf("bytes %d-%d/", start, end-1)
	if cr := resp.Header.Get("Content-Range"); !strings.HasPrefix(cr, want) {
		resp.Body.Close()
		return nil, hfgate.Errorf(hfgate.EUNAVAILABLE, "upstream sent the range %q", cr)
	}
	return resp.Body, nil
}

// fileOf returns the blob of a catalog file and an upstream for it.
func fileOf(t testing.TB, sim *hubsim.Server, repo, file string) (blobcache.Blob, *rangeUpstream) {
	t.Helper()
	fi, err := sim.Catalog().Stat(repo, "main", file)
	if err != nil {
		t.Fatal(err)
	}
	u := sim.ResolveURL(repo, "main", file)
	if fi.LFS {
		if u, err = sim.CDNFileURL(repo, "main", file); err != nil {
			t.Fatal(err)
		}
	}
	return blobcache.Blob{Key: blobcache.Key(fi.ETag), Size: fi.Size, Name: repo + "@main/" + file}, &rangeUpstream{url: u}
}

// sumOf reads r to the end and returns the hex SHA-256 of what it read.
func sumOf(r io.Reader) (string, int64, error) {
	h := sha256.New()
	n, err := io.CopyBuffer(h, r, make([]byte, 1<<20))
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// sha256Of returns the hex SHA-256 of a catalog file.
func sha256Of(t testing.TB, sim *hubsim.Server, repo, file string) string {
	t.Helper()
	fi, err := sim.Catalog().Stat(repo, "main", file)
	if err != nil {
		t.Fatal(err)
	}
	return fi.SHA256
}

// cdnBytes returns the body bytes hubsim's CDN has sent.
func cdnBytes(sim *hubsim.Server) int64 { return sim.Counters().Hosts[hubsim.HostCDN].Bytes }

// valve is an Upstream that passes another one's bytes until a stream
// reaches offset at, then holds every stream there until open is called:
// the test decides how far a fill can get.
type valve struct {
	up   blobcache.Upstream
	at   int64
	once sync.Once
	ch   chan struct{}
}

func newValve(up blobcache.Upstream, at int64) *valve {
	return &valve{up: up, at: at, ch: make(chan struct{})}
}

func (v *valve) open() { v.once.Do(func() { close(v.ch) }) }

func (v *valve) Fetch(ctx context.Context, start, end int64) (io.ReadCloser, error) {
	rc, err := v.up.Fetch(ctx, start, end)
	if err != nil {
		return nil, err
	}
	return &valveBody{ReadCloser: rc, v: v, ctx: ctx, pos: start}, nil
}

type valveBody struct {
	io.ReadCloser
	v   *valve
	ctx context.Context
	pos int64
}

func (b *valveBody) Read(p []byte) (int, error) {
	if b.pos+int64(len(p)) > b.v.at {
		if b.pos >= b.v.at {
			select {
			case <-b.v.ch:
			case <-b.ctx.Done():
				return 0, b.ctx.Err()
			}
		} else {
			select {
			case <-b.v.ch:
			default:
				p = p[:b.v.at-b.pos]
			}
		}
	}
	n, err := b.ReadCloser.Read(p)
	b.pos += int64(n)
	return n, err
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitComplete waits until the blob of k is complete: a reader may get the
// last, verified byte a moment before the fill publishes the blob.
func waitComplete(t testing.TB, c *blobcache.Cache, k blobcache.Key) {
	t.Helper()
	waitFor(t, "the blob to be published", func() bool {
		e, ok := c.Stat(k)
		return ok && e.Complete && !e.Filling
	})
}
