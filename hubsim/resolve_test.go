package hubsim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func readAllFile(tb testing.TB, s *Server, repo, rev, path string) []byte {
	tb.Helper()
	r, size, err := s.Catalog().Open(repo, rev, path)
	if err != nil {
		tb.Fatal(err)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestResolveRegularFile(t *testing.T) {
	s := startTest(t, Options{})
	want := readAllFile(t, s, RepoTiny, "", "README.md")
	re, _ := s.catalog.idx.lookupTyped(RepoTiny)
	for _, method := range []string{"GET", "HEAD"} {
		resp, body := do(t, method, s.ResolveURL(RepoTiny, "main", "README.md"), "")
		h := resp.Header
		if resp.StatusCode != 200 || h.Get("ETag") != `"`+gitSHA1(want)+`"` || h.Get("X-Repo-Commit") != re.main.id ||
			h.Get("Content-Length") != strconv.Itoa(len(want)) || h.Get("Accept-Ranges") != "bytes" {
			t.Errorf("%s: %d ETag %s X-Repo-Commit %s Content-Length %s Accept-Ranges %s", method, resp.StatusCode,
				h.Get("ETag"), h.Get("X-Repo-Commit"), h.Get("Content-Length"), h.Get("Accept-Ranges"))
		}
		if method == "GET" && string(body) != string(want) {
			t.Errorf("body %q, want %q", body, want)
		}
	}
	resp, body := do(t, "GET", s.ResolveURL(RepoTiny, "main", "README.md"), "", "Range", "bytes=4-9")
	if resp.StatusCode != 206 || string(body) != string(want[4:10]) || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 4-9/%d", len(want)) {
		t.Errorf("Range: %d %q %s", resp.StatusCode, body, resp.Header.Get("Content-Range"))
	}
	// The README at the v1.0 tag is another file, with its own commit.
	resp, body = do(t, "GET", s.ResolveURL(RepoTiny, TagTinyV1, "README.md"), "")
	if string(body) == string(want) || resp.Header.Get("X-Repo-Commit") != re.resolve(TagTinyV1).id {
		t.Errorf("README.md at v1.0: commit %s, same body %v", resp.Header.Get("X-Repo-Commit"), string(body) == string(want))
	}
	// Revalidation with the ETag.
	resp, _ = do(t, "GET", s.ResolveURL(RepoTiny, "main", "README.md"), "", "If-None-Match", `"`+gitSHA1(want)+`"`)
	if resp.StatusCode != 304 {
		t.Errorf("If-None-Match: %d, want 304", resp.StatusCode)
	}
}

func TestResolveLFSRedirectsToCDN(t *testing.T) {
	s := startTest(t, Options{})
	fi, err := s.Catalog().Stat(RepoTiny, "", "tiny-llama-Q4_K_M.gguf")
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"HEAD", "GET"} {
		resp, _ := do(t, method, s.ResolveURL(RepoTiny, "main", "tiny-llama-Q4_K_M.gguf"), mintToken(t, s, UserBob))
		h := resp.Header
		if resp.StatusCode != 302 || h.Get("X-Linked-Etag") != `"`+fi.SHA256+`"` || h.Get("X-Linked-Size") != strconv.FormatInt(fi.Size, 10) ||
			h.Get("X-Repo-Commit") != fi.Commit || !strings.HasPrefix(h.Get("Location"), s.CDNURL()+"/repos/") {
			t.Fatalf("%s: %d X-Linked-Etag %s X-Linked-Size %s X-Repo-Commit %s Location %s", method, resp.StatusCode,
				h.Get("X-Linked-Etag"), h.Get("X-Linked-Size"), h.Get("X-Repo-Commit"), h.Get("Location"))
		}
		loc, _ := url.Parse(h.Get("Location"))
		if loc.Query().Get("X-Amz-Expires") != "3600" || loc.Query().Get("X-Amz-Signature") == "" {
			t.Errorf("Location %s is not a presigned URL", loc)
		}
		// The client drops Authorization on the cross-host redirect.
		cresp, body := do(t, method, loc.String(), "")
		if cresp.StatusCode != 200 || cresp.Header.Get("Content-Length") != strconv.FormatInt(fi.Size, 10) {
			t.Fatalf("%s CDN: %d Content-Length %s", method, cresp.StatusCode, cresp.Header.Get("Content-Length"))
		}
		if method == "GET" {
			sum := sha256.Sum256(body)
			if hex.EncodeToString(sum[:]) != fi.SHA256 {
				t.Error("the CDN body does not hash to X-Linked-Etag")
			}
		}
	}
	// raw serves the LFS pointer.
	resp, body := do(t, "GET", s.URL()+"/"+RepoTiny+"/raw/main/tiny-llama-Q4_K_M.gguf", "")
	if resp.StatusCode != 200 || string(body) != lfsPointer(fi.SHA256, fi.Size) || resp.Header.Get("ETag") != `"`+fi.BlobID+`"` {
		t.Errorf("raw: %d %q", resp.StatusCode, body)
	}
	// An encoded slash in the path and a raw refs/pr/1 revision are understood.
	if resp, _ := do(t, "HEAD", s.URL()+"/"+RepoBenchmark+"/resolve/main/small%2Ffile-00.bin", ""); resp.StatusCode != 302 {
		t.Errorf("encoded path: %d", resp.StatusCode)
	}
	if resp, _ := do(t, "HEAD", s.URL()+"/"+RepoTiny+"/resolve/refs/pr/1/tiny-llama-F16.gguf", ""); resp.StatusCode != 302 {
		t.Errorf("refs/pr/1 unencoded: %d", resp.StatusCode)
	}
}

func TestCDN(t *testing.T) {
	s := startTest(t, Options{})
	fi, _ := s.Catalog().Stat(RepoBenchmark, "", "small/file-03.bin")
	want := readAllFile(t, s, RepoBenchmark, "", "small/file-03.bin")
	u, err := s.CDNFileURL(RepoBenchmark, "", "small/file-03.bin")
	if err != nil {
		t.Fatal(err)
	}
	size := fi.Size
	for _, tt := range []struct {
		rng          string
		status       int
		contentRange string
		lo, hi       int64
	}{
		{"", 200, "", 0, size},
		{"bytes=0-0", 206, fmt.Sprintf("bytes 0-0/%d", size), 0, 1},
		{"bytes=1000-1999", 206, fmt.Sprintf("bytes 1000-1999/%d", size), 1000, 2000},
		{"bytes=1048000-", 206, fmt.Sprintf("bytes 1048000-%d/%d", size-1, size), 1048000, size},
		{"bytes=-100", 206, fmt.Sprintf("bytes %d-%d/%d", size-100, size-1, size), size - 100, size},
		{fmt.Sprintf("bytes=%d-", size), 416, fmt.Sprintf("bytes */%d", size), 0, 0},
	} {
		var hdr []string
		if tt.rng != "" {
			hdr = []string{"Range", tt.rng}
		}
		resp, body := do(t, "GET", u, "", hdr...)
		if resp.StatusCode != tt.status || resp.Header.Get("Content-Range") != tt.contentRange {
			t.Errorf("Range %q: %d Content-Range %q, want %d %q", tt.rng, resp.StatusCode, resp.Header.Get("Content-Range"), tt.status, tt.contentRange)
			continue
		}
		if tt.status != 416 && string(body) != string(want[tt.lo:tt.hi]) {
			t.Errorf("Range %q: wrong bytes", tt.rng)
		}
		if tt.status == 200 && resp.Header.Get("ETag") != `"`+fi.SHA256+`"` {
			t.Errorf("ETag %s", resp.Header.Get("ETag"))
		}
	}
	if resp, _ := do(t, "HEAD", u, ""); resp.StatusCode != 200 || resp.Header.Get("Content-Length") != strconv.FormatInt(size, 10) {
		t.Errorf("HEAD: %d %s", resp.StatusCode, resp.Header.Get("Content-Length"))
	}

	resp, body := do(t, "GET", u, mintToken(t, s, UserAlice))
	if resp.StatusCode != 400 || !strings.Contains(string(body), "<Code>InvalidArgument</Code>") {
		t.Errorf("with Authorization: %d %s, want 400 InvalidArgument", resp.StatusCode, body)
	}
	tampered := strings.Replace(u, "X-Amz-Expires=3600", "X-Amz-Expires=99999", 1)
	if resp, body := do(t, "GET", tampered, ""); resp.StatusCode != 403 || !strings.Contains(string(body), "SignatureDoesNotMatch") {
		t.Errorf("tampered: %d %s", resp.StatusCode, body)
	}
	other := strings.Replace(u, fi.SHA256, strings.Repeat("0", 64), 1)
	if resp, _ := do(t, "GET", other, ""); resp.StatusCode != 403 {
		t.Errorf("another blob with this signature: %d, want 403", resp.StatusCode)
	}
	s.Advance(CDNURLTTL - time.Minute)
	if resp, _ := do(t, "GET", u, "", "Range", "bytes=0-0"); resp.StatusCode != 206 {
		t.Errorf("before expiry: %d", resp.StatusCode)
	}
	s.Advance(2 * time.Minute)
	if resp, body := do(t, "GET", u, ""); resp.StatusCode != 403 || !strings.Contains(string(body), "Request has expired") {
		t.Errorf("after expiry: %d %s", resp.StatusCode, body)
	}
}

// BenchmarkCDNThroughput downloads 256 MiB of blob-2GiB.bin per op over
// loopback through the CDN, counters and fault hooks included.
func BenchmarkCDNThroughput(b *testing.B) {
	s := startTest(b, Options{})
	u, err := s.CDNFileURL(RepoBenchmark, "", "blob-2GiB.bin")
	if err != nil {
		b.Fatal(err)
	}
	const chunk = 256 << 20
	b.SetBytes(chunk)
	buf := make([]byte, 1<<20)
	for i := 0; b.Loop(); i++ {
		off := int64(i%8) * chunk
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+chunk-1))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.CopyBuffer(io.Discard, resp.Body, buf); err != nil || n != chunk {
			b.Fatalf("read %d bytes: %v", n, err)
		}
		resp.Body.Close()
	}
}
