package proxy_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubsim"
)

const (
	qwen05 = "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF"
	qwenQ4 = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf" // 397,800,160 bytes
)

// readSum reads a response body whole and returns its SHA-256 and length.
func readSum(resp *http.Response) (string, int64, error) {
	defer resp.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// TestCacheEightClients: 8 clients start the same cold ~380 MB file at
// once through the proxy; the CDN sends it once (at most 1.02x its size),
// every client gets the Hub's bytes, and a ninth is served from the cache.
func TestCacheEightClients(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 9 x 400 MB")
	}
	e := newEnv(t, withPolicy(everyoneEverything()), withCache(blobcache.Config{
		FillConns: 8, MinPartSize: 8 << 20, MaxPartSize: 64 << 20, ParallelMin: 16 << 20}))
	fi, err := e.hub.Catalog().Stat(qwen05, "main", qwenQ4)
	if err != nil {
		t.Fatal(err)
	}
	path := "/" + qwen05 + "/resolve/main/" + qwenQ4
	e.hub.ResetCounters()
	const clients = 8
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			<-start
			resp := e.do(http.MethodGet, path, "bob", nil, nil)
			sum, n, err := readSum(resp)
			if err != nil || resp.StatusCode != http.StatusOK || n != fi.Size || sum != fi.SHA256 {
				t.Errorf("client %d: %d, %d of %d bytes, sha256 %s, %v", i, resp.StatusCode, n, fi.Size, sum, err)
			}
		})
	}
	close(start)
	wg.Wait()
	served := e.hub.Counters().Hosts[hubsim.HostCDN].Bytes
	if served > fi.Size+fi.Size/50 {
		t.Errorf("the CDN served %d bytes for a %d-byte file (%.3fx), want at most 1.02x", served, fi.Size, float64(served)/float64(fi.Size))
	}
	st := e.cache.Stats()
	if st.Misses != 1 || st.Hits+st.Joins != clients-1 {
		t.Errorf("misses %d, joins %d, hits %d: want one fill for %d clients", st.Misses, st.Joins, st.Hits, clients)
	}
	t.Logf("the CDN served %d bytes for %d (%.4fx) to %d clients", served, fi.Size, float64(served)/float64(fi.Size), clients)

	resp := e.do(http.MethodGet, path, "alice", nil, nil)
	if sum, n, err := readSum(resp); err != nil || sum != fi.SHA256 || n != fi.Size {
		t.Fatalf("a later client: %d bytes, %v", n, err)
	}
	if end := e.endOf(resp); end.Source != hfgate.AuditFromCache || end.Outcome != hfgate.AuditComplete {
		t.Errorf("a later client's audit end: source %q, outcome %q; want cache, complete", end.Source, end.Outcome)
	}
	if n := e.hub.Counters().Hosts[hubsim.HostCDN].Bytes; n != served {
		t.Errorf("a later client cost the CDN %d more bytes", n-served)
	}
}

// TestCacheCutFill: a fill whose transfer is cut half-way resumes where
// it stopped (the CDN sends the file about once), the client gets the
// whole file, and the blob is kept verified; a transfer corrupted every
// time never completes a client's download nor enters the cache.
func TestCacheCutFill(t *testing.T) {
	const file = "tiny-llama-Q8_0.gguf"
	one := blobcache.Config{FillConns: 1, MinPartSize: 64 << 20, MaxPartSize: 64 << 20, ParallelMin: 64 << 20, FillAttempts: 2}
	path := "/" + hubsim.RepoTiny + "/resolve/main/" + file

	t.Run("cut", func(t *testing.T) {
		e := newEnv(t, withPolicy(everyoneEverything()), withCache(one))
		fi, _ := e.hub.Catalog().Stat(hubsim.RepoTiny, "main", file)
		if err := e.hub.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, Times: 1, CutAfterBytes: fi.Size / 2}); err != nil {
			t.Fatal(err)
		}
		resp := e.do(http.MethodGet, path, "bob", nil, nil)
		if sum, n, err := readSum(resp); err != nil || sum != fi.SHA256 || n != fi.Size {
			t.Fatalf("after a cut half-way: %d of %d bytes, %v", n, fi.Size, err)
		}
		cdn := e.hub.Counters().Hosts[hubsim.HostCDN]
		if cdn.Requests != 2 || cdn.Bytes > fi.Size+64<<10 {
			t.Errorf("the CDN served %d requests, %d bytes for a %d-byte file cut once", cdn.Requests, cdn.Bytes, fi.Size)
		}
		key, _ := blobcache.ParseKey(fi.SHA256)
		waitComplete(t, e.cache, key)
		st := e.cache.Stats()
		if st.FillsDone != 1 || st.Retries < 1 || st.IntegrityFailures != 0 {
			t.Errorf("cache stats %+v: want one fill done after a retry", st)
		}
	})

	t.Run("corrupt", func(t *testing.T) {
		e := newEnv(t, withPolicy(everyoneEverything()), withCache(one))
		fi, _ := e.hub.Catalog().Stat(hubsim.RepoTiny, "main", file)
		if err := e.hub.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, Corrupt: true, CorruptAt: fi.Size / 2}); err != nil {
			t.Fatal(err)
		}
		resp := e.do(http.MethodGet, path, "bob", nil, nil)
		if _, n, err := readSum(resp); err == nil || n >= fi.Size {
			t.Fatalf("a corrupt fill gave the client %d of %d bytes, error %v; want the connection cut", n, fi.Size, err)
		}
		key, _ := blobcache.ParseKey(fi.SHA256)
		if en, ok := e.cache.Stat(key); ok && en.Complete {
			t.Errorf("a corrupt fill is in the cache as complete")
		}
		if st := e.cache.Stats(); st.IntegrityFailures < 1 || st.FillsDone != 0 {
			t.Errorf("cache stats %+v: want integrity failures and no fill done", st)
		}
	})
}

// waitComplete waits until the cache has published k: the last byte is
// released to readers once verified, the rename follows.
func waitComplete(t *testing.T, c *blobcache.Cache, k blobcache.Key) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		en, ok := c.Stat(k)
		if ok && en.Complete {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the blob is not kept complete: %+v", en)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
