package proxy_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/proxy"
)

// fileCase is a file of hubsim's catalog and the URL path clients use.
type fileCase struct {
	name, repo, path, urlPath string
}

var files = []fileCase{
	{"small file", hubsim.RepoTiny, "README.md", "/" + hubsim.RepoTiny + "/resolve/main/README.md"},
	{"LFS file", hubsim.RepoTiny, "tiny-llama-Q2_K.gguf", "/" + hubsim.RepoTiny + "/resolve/main/tiny-llama-Q2_K.gguf"},
	{"Xet-backed LFS file", hubsim.RepoXet, "xet-llama-Q4_K_M.gguf", "/" + hubsim.RepoXet + "/resolve/main/xet-llama-Q4_K_M.gguf"},
	{"dataset LFS file", "datasets/" + hubsim.DatasetTiny, "data/train-00000-of-00001.parquet",
		"/datasets/" + hubsim.DatasetTiny + "/resolve/main/data/train-00000-of-00001.parquet"},
	{"space file", "spaces/" + hubsim.SpaceDemo, "app.py", "/spaces/" + hubsim.SpaceDemo + "/resolve/main/app.py"},
}

// stat returns what hubsim's catalog says of f.
func stat(t *testing.T, e *env, f fileCase) hubsim.FileInfo {
	t.Helper()
	fi, err := e.hub.Catalog().Stat(f.repo, "main", f.path)
	if err != nil {
		t.Fatalf("Stat(%s, %s): %v", f.repo, f.path, err)
	}
	return fi
}

// TestFileHead: the gateway answers a HEAD 200 itself, with every header
// huggingface_hub reads from the first answer, and nothing of Xet.
func TestFileHead(t *testing.T) {
	modes(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, append(opts, withPolicy(everyoneEverything()))...)
		for _, f := range files {
			t.Run(f.name, func(t *testing.T) {
				fi := stat(t, e, f)
				resp := e.do(http.MethodHead, f.urlPath, "bob", http.Header{"Accept-Encoding": {"identity"}}, nil)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("HEAD %s = %d, want 200", f.urlPath, resp.StatusCode)
				}
				want := map[string]string{
					"X-Repo-Commit":  fi.Commit,
					"ETag":           `"` + fi.ETag + `"`,
					"X-Linked-Etag":  `"` + fi.ETag + `"`,
					"X-Linked-Size":  strconv.FormatInt(fi.Size, 10),
					"Content-Length": strconv.FormatInt(fi.Size, 10),
					"Accept-Ranges":  "bytes",
				}
				for k, v := range want {
					if got := resp.Header.Get(k); got != v {
						t.Errorf("%s = %q, want %q", k, got, v)
					}
				}
				noXet(t, resp.Header)
			})
		}
	})
}

// noXet fails the test when h offers Xet to a client.
func noXet(t *testing.T, h http.Header) {
	t.Helper()
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "x-xet-") {
			t.Errorf("header %s passed", k)
		}
	}
	if strings.Contains(strings.ToLower(h.Get("Link")), "xet-") {
		t.Errorf("Link %q offers Xet", h.Get("Link"))
	}
	if h.Get("Location") != "" {
		t.Errorf("the client was redirected to %q", h.Get("Location"))
	}
}

// TestFileGet: GET streams exactly the file, whole or ranged, never
// compressed, from the gateway itself.
func TestFileGet(t *testing.T) {
	modes(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, append(opts, withPolicy(everyoneEverything()))...)
		for _, f := range files {
			t.Run(f.name, func(t *testing.T) {
				fi := stat(t, e, f)
				content := catalogBytes(t, e, f)
				ranges := []struct {
					header     string
					start, end int64
				}{
					{"", 0, fi.Size},
					{"bytes=0-0", 0, 1},
					{"bytes=10-", 10, fi.Size},
					{"bytes=-20", fi.Size - 20, fi.Size},
					{"bytes=5-14", 5, 15},
				}
				for _, r := range ranges {
					h := http.Header{"Accept-Encoding": {"gzip"}} // never honoured for files
					if r.header != "" {
						h.Set("Range", r.header)
					}
					resp, body := e.get(f.urlPath, "bob", h)
					wantStatus := http.StatusPartialContent
					if r.header == "" {
						wantStatus = http.StatusOK
					}
					if resp.StatusCode != wantStatus {
						t.Fatalf("GET %s Range %q = %d, want %d", f.urlPath, r.header, resp.StatusCode, wantStatus)
					}
					if !bytes.Equal(body, content[r.start:r.end]) {
						t.Fatalf("GET %s Range %q: %d bytes that are not the file's [%d, %d)", f.urlPath, r.header, len(body), r.start, r.end)
					}
					if r.header != "" {
						want := "bytes " + strconv.FormatInt(r.start, 10) + "-" + strconv.FormatInt(r.end-1, 10) + "/" + strconv.FormatInt(fi.Size, 10)
						if got := resp.Header.Get("Content-Range"); got != want {
							t.Errorf("Content-Range = %q, want %q", got, want)
						}
					}
					if resp.Header.Get("Content-Encoding") != "" || resp.Uncompressed {
						t.Errorf("the answer is compressed")
					}
					if resp.Header.Get("ETag") != `"`+fi.ETag+`"` || resp.Header.Get("X-Repo-Commit") != fi.Commit {
						t.Errorf("ETag %q, X-Repo-Commit %q", resp.Header.Get("ETag"), resp.Header.Get("X-Repo-Commit"))
					}
					noXet(t, resp.Header)
				}

				resp, body := e.get(f.urlPath, "bob", http.Header{"Range": {"bytes=" + strconv.FormatInt(fi.Size, 10) + "-"}})
				if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable || resp.Header.Get("Content-Range") != "bytes */"+strconv.FormatInt(fi.Size, 10) {
					t.Errorf("a range past the end = %d, Content-Range %q %s; want 416", resp.StatusCode, resp.Header.Get("Content-Range"), body)
				}
			})
		}
	})
}

// catalogBytes returns the content of f from hubsim's catalog.
func catalogBytes(t *testing.T, e *env, f fileCase) []byte {
	t.Helper()
	r, _, err := e.hub.Catalog().Open(f.repo, "main", f.path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestXetClientGetsPlainHTTP: @huggingface/hub's request for a Xet file's
// info (Range 0-0 with the Xet file-info Accept type) gets a plain 206.
func TestXetClientGetsPlainHTTP(t *testing.T) {
	modes(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		f := files[2]
		fi := stat(t, e, f)
		resp, body := e.get(f.urlPath, "bob", http.Header{"Range": {"bytes=0-0"}, "Accept": {"application/vnd.xet-fileinfo+json, */*"}})
		if resp.StatusCode != http.StatusPartialContent || len(body) != 1 || body[0] != 'G' {
			t.Fatalf("GET with the Xet Accept = %d %q, want 206 with the first byte", resp.StatusCode, body)
		}
		if got, want := resp.Header.Get("Content-Range"), "bytes 0-0/"+strconv.FormatInt(fi.Size, 10); got != want {
			t.Errorf("Content-Range = %q, want %q", got, want)
		}
		noXet(t, resp.Header)

		resp, _ = e.get("/api/models/"+hubsim.RepoXet+"/xet-read-token/"+fi.Commit, "alice", nil)
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("X-Error-Code") == "" {
			t.Errorf("xet-read-token = %d %q, want 404 with an X-Error-Code", resp.StatusCode, resp.Header.Get("X-Error-Code"))
		}
		if n := e.hub.Counters().Route(hubsim.RouteXetReadToken).Requests; n != 0 {
			t.Errorf("%d xet-read-token requests reached the Hub", n)
		}
	})
}

// TestRawFile: raw serves an LFS file's pointer, as the Hub does.
func TestRawFile(t *testing.T) {
	modes(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		fi := stat(t, e, files[1])
		resp, body := e.get("/"+hubsim.RepoTiny+"/raw/main/"+files[1].path, "bob", nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "oid sha256:"+fi.SHA256) {
			t.Fatalf("raw = %d %q, want the LFS pointer", resp.StatusCode, body)
		}
	})
}

// TestCredentials: the Hub sees each caller's own HF token and never a
// gateway token; the CDN sees no credential (hubsim's CDN refuses any).
func TestCredentials(t *testing.T) {
	modes(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		e.get("/api/models/"+hubsim.RepoTiny, "alice", nil)
		e.get(files[1].urlPath, "bob", nil)
		e.get("/api/models/"+hubsim.RepoTiny+"/tree/main", "", nil)
		resp, body := e.get(files[2].urlPath, "alice", nil)
		if resp.StatusCode != http.StatusOK || len(body) != int(stat(t, e, files[2]).Size) {
			t.Fatalf("GET %s = %d, %d bytes", files[2].urlPath, resp.StatusCode, len(body))
		}
		seen := e.front.headers()
		if len(seen) < 4 {
			t.Fatalf("%d requests reached the Hub, want at least 4", len(seen))
		}
		allowed := map[string]bool{"": true, "Bearer " + e.users["alice"].up: true, "Bearer " + e.users["bob"].up: true}
		for _, h := range seen {
			if !allowed[h.Get("Authorization")] {
				t.Errorf("the Hub received Authorization %q", h.Get("Authorization"))
			}
			for _, u := range e.users {
				for k, vs := range h {
					if strings.Contains(strings.Join(vs, " "), u.gw) {
						t.Errorf("the Hub received %s's gateway token in %s", u.p.Username, k)
					}
				}
			}
			if h.Get("Cookie") != "" {
				t.Errorf("the Hub received a cookie")
			}
		}

		// A gateway token in the query is not passed on.
		resp, _ = e.get("/api/models/"+hubsim.RepoTiny+"?token="+e.users["bob"].gw, "bob", nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a request with its token in the query = %d, want 400", resp.StatusCode)
		}
	})
}

// TestResume: a CDN transfer cut part-way is resumed where it stopped; the
// client gets the whole file in one answer.
func TestResume(t *testing.T) {
	modes(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, append(opts, withProxy(func(c *proxy.Config) { c.Retry.Base = time.Millisecond }))...)
		f := files[1]
		content := catalogBytes(t, e, f)
		if err := e.hub.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, Times: 2, CutAfterBytes: 100_000}); err != nil {
			t.Fatal(err)
		}
		resp, body := e.get(f.urlPath, "bob", nil)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, content) {
			t.Fatalf("GET after two cuts = %d, %d bytes of %d", resp.StatusCode, len(body), len(content))
		}
		// Direct, one transfer and its two resumptions; cached, the fill's
		// parallel parts, two of them resumed.
		cdn := e.hub.Counters().Hosts[hubsim.HostCDN]
		if (e.cache == nil && cdn.Requests != 3) || cdn.Bytes > int64(len(content))+1000 {
			t.Errorf("the CDN served %d requests and %d bytes for a %d-byte file cut twice", cdn.Requests, cdn.Bytes, len(content))
		}
		if end := e.endOf(resp); end.Outcome != hfgate.AuditComplete || end.Bytes != int64(len(content)) {
			t.Errorf("audit end = %s %d bytes, want a complete end of %d", end.Outcome, end.Bytes, len(content))
		}
	})
}

// TestCutForGood: a transfer that cannot be finished cuts the client's
// connection before the end, and the audit log says error.
func TestCutForGood(t *testing.T) {
	modes(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, append(opts, withProxy(func(c *proxy.Config) { c.Retry.Base = time.Millisecond; c.Resumes = 2 }))...)
		f := files[1]
		fi := stat(t, e, f)
		// The first transfer is cut; every later one fails.
		if err := e.hub.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, Times: 1, CutAfterBytes: 50_000},
			hubsim.FaultRule{Host: hubsim.HostCDN, Status: http.StatusServiceUnavailable}); err != nil {
			t.Fatal(err)
		}
		resp := e.do(http.MethodGet, f.urlPath, "bob", nil, nil)
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if e.cache != nil && resp.StatusCode >= 500 {
			return // the fill failed before its first byte: an error, no file
		}
		if err == nil || n >= fi.Size {
			t.Fatalf("read %d of %d bytes, error %v; want the connection cut", n, fi.Size, err)
		}
		if end := e.endOf(resp); end.Outcome != hfgate.AuditError || end.Bytes != n {
			t.Errorf("audit end = %s with %d bytes, want error with %d", end.Outcome, end.Bytes, n)
		}
	})
}

// TestStalledTransfer: a CDN that stops sending is dropped after the idle
// timeout and resumed.
func TestStalledTransfer(t *testing.T) {
	modesWith(t, blobcache.Config{StallTimeout: 200 * time.Millisecond}, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, append(opts, withProxy(func(c *proxy.Config) {
			c.IdleTimeout = 200 * time.Millisecond
			c.Retry.Base = time.Millisecond
		}))...)
		f := files[1]
		content := catalogBytes(t, e, f)
		// 1 byte per second: the first read has data, the next stalls.
		if err := e.hub.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, Times: 1, BandwidthPerConn: 1}); err != nil {
			t.Fatal(err)
		}
		resp, body := e.get(f.urlPath, "bob", nil)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, content) {
			t.Fatalf("GET after a stall = %d, %d bytes of %d", resp.StatusCode, len(body), len(content))
		}
	})
}

// TestTooLargeForPlainHTTP: a file larger than MaxFileSize is refused with
// a message that says why, before any byte is fetched.
func TestTooLargeForPlainHTTP(t *testing.T) {
	modes(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, append(opts, withProxy(func(c *proxy.Config) { c.MaxFileSize = 1 << 20 }))...)
		f := files[1]
		for _, method := range []string{http.MethodHead, http.MethodGet} {
			resp := e.do(method, f.urlPath, "bob", nil, nil)
			resp.Body.Close()
			msg := resp.Header.Get("X-Error-Message")
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(msg, "plain HTTP") {
				t.Errorf("%s of a %d-byte file with a 1 MiB limit = %d %q", method, stat(t, e, f).Size, resp.StatusCode, msg)
			}
		}
		if n := e.hub.Counters().Hosts[hubsim.HostCDN].Requests; n != 0 {
			t.Errorf("%d requests reached the CDN", n)
		}
	})
}

// TestExpiredRedirect: when the CDN refuses the signed URL (expired), the
// proxy asks the Hub for a new one, without a Range.
func TestExpiredRedirect(t *testing.T) {
	modes(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, opts...)
		f := files[1]
		content := catalogBytes(t, e, f)
		if err := e.hub.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, Times: 1, Status: http.StatusForbidden}); err != nil {
			t.Fatal(err)
		}
		resp, body := e.get(f.urlPath, "bob", http.Header{"Range": {"bytes=1000-"}})
		if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, content[1000:]) {
			t.Fatalf("GET after an expired URL = %d, %d bytes", resp.StatusCode, len(body))
		}
		for _, h := range e.front.headers() {
			if h.Get("Range") != "" {
				t.Errorf("the Hub was asked with Range %q", h.Get("Range"))
			}
		}
		// Cached, each part of the fill asks the Hub for its own URL.
		if n := e.hub.Counters().Route(hubsim.RouteResolve).Requests; e.cache == nil && n != 2 {
			t.Errorf("%d resolve requests, want 2 (the first and the renewal)", n)
		}
	})
}

// TestSmallFileHash: a small file served whole is recorded with its
// SHA-256, computed as it streams; an LFS file with the Hub's.
func TestSmallFileHash(t *testing.T) {
	modes(t, func(t *testing.T, opts ...envOption) {
		e := newEnv(t, append(opts, withPolicy(everyoneEverything()))...)
		for _, f := range files[:2] {
			content := catalogBytes(t, e, f)
			resp, _ := e.get(f.urlPath, "bob", nil)
			sum := sha256.Sum256(content)
			if end := e.endOf(resp); end.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("%s: audit sha256 = %q, want %x", f.name, end.SHA256, sum)
			}
		}
	})
}

// modes runs test without the cache and with it: what clients see must be
// the same.
func modes(t *testing.T, test func(t *testing.T, opts ...envOption)) {
	modesWith(t, blobcache.Config{}, test)
}

// modesWith is modes with the cache configured by cfg (see withCache).
func modesWith(t *testing.T, cfg blobcache.Config, test func(t *testing.T, opts ...envOption)) {
	t.Run("direct", func(t *testing.T) { test(t) })
	t.Run("cached", func(t *testing.T) { test(t, withCache(cfg)) })
}
