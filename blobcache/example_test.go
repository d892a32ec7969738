package blobcache_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubsim"
)

// An HTTP handler serving a file from the cache, as the gateway's proxy
// does: the first request fills the cache from upstream while it streams,
// the second is a hit.
func Example() {
	sim, err := hubsim.New(hubsim.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if err := sim.Start("127.0.0.1:0", "127.0.0.1:0"); err != nil {
		log.Fatal(err)
	}
	defer sim.Close()
	dir, _ := os.MkdirTemp("", "blobcache-example-")
	defer os.RemoveAll(dir)

	c, err := blobcache.Open(context.Background(), blobcache.Config{Dir: dir, MaxSize: 1 << 30})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// What the proxy learns from the Hub's resolve answer: the blob's key
	// (X-Linked-Etag) and size (X-Linked-Size), and where to fetch it.
	fi, _ := sim.Catalog().Stat(hubsim.RepoTiny, "main", "tiny-llama-Q2_K.gguf")
	cdnURL, _ := sim.CDNFileURL(hubsim.RepoTiny, "main", "tiny-llama-Q2_K.gguf")
	blob := blobcache.Blob{Key: blobcache.Key(fi.ETag), Size: fi.Size}
	upstream := &rangeUpstream{url: cdnURL} // a ranged GET with the upstream credential

	handler := func(w http.ResponseWriter, req *http.Request) {
		r, err := c.Open(req.Context(), blob, upstream)
		if err != nil {
			http.Error(w, "cannot serve the file", http.StatusBadGateway)
			return
		}
		defer r.Close()
		if err := r.Wait(0); err != nil { // the fill failed before any byte
			http.Error(w, "cannot serve the file", http.StatusBadGateway)
			return
		}
		w.Header().Set("X-Cache", map[bool]string{true: "hit", false: "miss"}[r.Cached()])
		r.WriteRange(w, 0, r.Size()) // a failure here cuts the connection
	}
	srv := httptest.NewServer(http.HandlerFunc(handler))
	defer srv.Close()

	for range 2 {
		resp, err := http.Get(srv.URL)
		if err != nil {
			log.Fatal(err)
		}
		sum, n, _ := sumOf(resp.Body)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Println(resp.Header.Get("X-Cache"), n == fi.Size, sum == fi.SHA256)
	}
	// Output:
	// miss true true
	// hit true true
}
