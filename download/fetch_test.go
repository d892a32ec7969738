package download

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/internal/retry"
)

// fileServer serves one file with Range support and scripted faults.
type fileServer struct {
	t       *testing.T
	content []byte
	srv     *httptest.Server

	mu          sync.Mutex
	requests    int
	bytesServed int64
	cutOnce     map[int64]int64 // request start offset -> bytes to send before cutting, once
	cutAfter    int64           // every response: cut after this many bytes (0: off)
	statusQueue []int           // statuses to answer before serving normally
	ignoreRange bool
	corruptAt   int64 // -1: off
	corruptLeft int   // how many responses still get the corrupt byte
	ranges      []string
	active      int // handlers running
}

func newFileServer(t *testing.T, size int) *fileServer {
	t.Helper()
	content := make([]byte, size)
	r := rand.New(rand.NewPCG(uint64(size), 7))
	for i := range content {
		content[i] = byte(r.Uint32())
	}
	fs := &fileServer{t: t, content: content, corruptAt: -1, cutOnce: map[int64]int64{}}
	fs.srv = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.srv.Close)
	return fs
}

func (fs *fileServer) sha256() string {
	s := sha256.Sum256(fs.content)
	return hex.EncodeToString(s[:])
}

func (fs *fileServer) gitSHA1() string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(fs.content))
	h.Write(fs.content)
	return hex.EncodeToString(h.Sum(nil))
}

func (fs *fileServer) serve(w http.ResponseWriter, r *http.Request) {
	fs.mu.Lock()
	fs.active++
	defer func() { fs.mu.Lock(); fs.active--; fs.mu.Unlock() }()
	fs.requests++
	fs.ranges = append(fs.ranges, r.Header.Get("Range"))
	if len(fs.statusQueue) > 0 {
		status := fs.statusQueue[0]
		fs.statusQueue = fs.statusQueue[1:]
		fs.mu.Unlock()
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(status)
		return
	}
	start, end := int64(0), int64(len(fs.content))
	status := http.StatusOK
	if rh := r.Header.Get("Range"); rh != "" && !fs.ignoreRange {
		var a, b int64
		if n, _ := fmt.Sscanf(rh, "bytes=%d-%d", &a, &b); n == 2 {
			start, end = a, b+1
		} else if _, err := fmt.Sscanf(rh, "bytes=%d-", &a); err == nil {
			start = a
		}
		status = http.StatusPartialContent
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end-1, len(fs.content)))
	}
	body := bytes.Clone(fs.content[start:end])
	if fs.corruptAt >= start && fs.corruptAt < end && fs.corruptLeft > 0 {
		fs.corruptLeft--
		body[fs.corruptAt-start] ^= 0xff
	}
	limit := int64(len(body))
	if n, ok := fs.cutOnce[start]; ok {
		delete(fs.cutOnce, start)
		limit = n
	} else if fs.cutAfter > 0 {
		limit = min(limit, fs.cutAfter)
	}
	fs.mu.Unlock()

	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	n, _ := w.Write(body[:limit])
	fs.mu.Lock()
	fs.bytesServed += int64(n)
	fs.mu.Unlock()
	if limit < int64(len(body)) {
		w.(http.Flusher).Flush()    // the client gets every byte counted...
		panic(http.ErrAbortHandler) // ...then the connection is cut mid-body
	}
}

// served returns the counters once every response in flight has ended, so
// that bytes still being written for a canceled request are included. It
// closes the client connections so that such responses end promptly. (A
// WaitGroup cannot do this: Add in a handler may race with Wait.)
func (fs *fileServer) served() (requests int, bytes int64) {
	fs.srv.CloseClientConnections()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		fs.mu.Lock()
		if fs.active == 0 || time.Now().After(deadline) {
			defer fs.mu.Unlock()
			return fs.requests, fs.bytesServed
		}
		fs.mu.Unlock()
	}
}

// testGetter is a minimal RangeGetter: error statuses become hfgate errors
// the way hfhub maps them.
type testGetter struct{ client *http.Client }

type retryAfterError struct {
	err   *hfgate.Error
	after time.Duration
}

func (e *retryAfterError) Error() string             { return e.err.Error() }
func (e *retryAfterError) Unwrap() error             { return e.err }
func (e *retryAfterError) RetryAfter() time.Duration { return e.after }

func (g testGetter) GetRange(ctx context.Context, url string, start, end int64) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	switch {
	case start == 0 && end < 0:
	case end < 0:
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", start))
	default:
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", start, end))
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EUNAVAILABLE, err, "cannot reach server")
	}
	if resp.StatusCode < 400 {
		return resp, nil
	}
	resp.Body.Close()
	switch {
	case retry.RetryableStatus(resp.StatusCode):
		return nil, &retryAfterError{hfgate.Errorf(hfgate.EUNAVAILABLE, "server said %s", resp.Status), retry.RetryAfter(resp.Header, time.Now())}
	case resp.StatusCode == http.StatusForbidden:
		return nil, hfgate.Errorf(hfgate.EFORBIDDEN, "forbidden")
	default:
		return nil, hfgate.Errorf(hfgate.EINTERNAL, "status %s", resp.Status)
	}
}

type fetchOpts struct {
	conns    int
	partSize int64
	etag     string
}

func newTestFetch(t *testing.T, fs *fileServer, o fetchOpts) *fetch {
	t.Helper()
	if o.conns == 0 {
		o.conns = 4
	}
	if o.partSize == 0 {
		o.partSize = 64 << 10
	}
	if o.etag == "" {
		o.etag = fs.sha256()
	}
	return &fetch{
		get:         testGetter{client: fs.srv.Client()},
		url:         func(context.Context, bool) (string, error) { return fs.srv.URL + "/file", nil },
		etag:        o.etag,
		size:        int64(len(fs.content)),
		path:        filepath.Join(t.TempDir(), o.etag+".incomplete"),
		conns:       make(chan struct{}, o.conns),
		partSize:    o.partSize,
		parallelMin: 2 * o.partSize,
		bufSize:     16 << 10,
		retry:       retry.Policy{Attempts: 4, Base: time.Millisecond, Max: 2 * time.Millisecond},
		now:         time.Now,
		onProg:      func(int64) {},
		onRetry:     func(RetryReason, error, time.Duration) {},
	}
}

func (f *fetch) mustMatch(t *testing.T, want []byte) {
	t.Helper()
	got, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("file content differs from the served content (%d vs %d bytes)", len(got), len(want))
	}
	if _, err := os.Stat(journalPath(f.path)); !os.IsNotExist(err) {
		t.Fatalf("journal left behind after success: %v", err)
	}
}

func TestFetchSequentialGitSHA1(t *testing.T) {
	fs := newFileServer(t, 50_000)
	f := newTestFetch(t, fs, fetchOpts{etag: fs.gitSHA1(), partSize: 1 << 20})
	if err := f.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustMatch(t, fs.content)
	if req, _ := fs.served(); req != 1 {
		t.Errorf("requests=%d, want 1", req)
	}
	if fs.ranges[0] != "" {
		t.Errorf("a whole-file fetch sent Range %q, want none", fs.ranges[0])
	}
}

func TestFetchParallel(t *testing.T) {
	fs := newFileServer(t, 1<<20+12345)
	f := newTestFetch(t, fs, fetchOpts{})
	var last atomic.Int64
	f.onProg = func(d int64) { last.Store(d) }
	if err := f.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustMatch(t, fs.content)
	req, served := fs.served()
	if want := (len(fs.content) + 65535) / 65536; req != want {
		t.Errorf("requests=%d, want one per part (%d)", req, want)
	}
	if served != int64(len(fs.content)) {
		t.Errorf("bytes served=%d, want exactly %d", served, len(fs.content))
	}
	if last.Load() != int64(len(fs.content)) {
		t.Errorf("last progress=%d, want %d", last.Load(), len(fs.content))
	}
}

func TestFetchResumesAfterCuts(t *testing.T) {
	fs := newFileServer(t, 600_000)
	fs.cutOnce[0] = 10_000
	fs.cutOnce[3*65536] = 1
	f := newTestFetch(t, fs, fetchOpts{})
	var retries atomic.Int32
	f.onRetry = func(RetryReason, error, time.Duration) { retries.Add(1) }
	if err := f.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustMatch(t, fs.content)
	if _, served := fs.served(); served != int64(len(fs.content)) {
		t.Errorf("bytes served=%d, want %d: a cut part must resume, not restart", served, len(fs.content))
	}
	if retries.Load() != 2 {
		t.Errorf("retries=%d, want 2", retries.Load())
	}
}

func TestFetchSequentialResumesCut(t *testing.T) {
	fs := newFileServer(t, 100_000)
	fs.cutOnce[0] = 40_000
	f := newTestFetch(t, fs, fetchOpts{partSize: 1 << 20})
	if err := f.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustMatch(t, fs.content)
	if fs.ranges[1] != "bytes=40000-99999" {
		t.Errorf("resume asked %q, want bytes=40000-99999", fs.ranges[1])
	}
}

func TestFetchRetriesStatusesThenGivesUp(t *testing.T) {
	fs := newFileServer(t, 30_000)
	fs.statusQueue = []int{429, 503}
	f := newTestFetch(t, fs, fetchOpts{partSize: 1 << 20})
	if err := f.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustMatch(t, fs.content)

	fs.statusQueue = []int{500, 500, 500, 500, 500}
	f = newTestFetch(t, fs, fetchOpts{partSize: 1 << 20})
	err := f.run(context.Background())
	if code := hfgate.ErrorCode(err); code != hfgate.EUNAVAILABLE {
		t.Fatalf("after 4 failures: err=%v (code %q), want EUNAVAILABLE", err, code)
	}
}

func TestFetchRangeIgnoredFallsBackToSequential(t *testing.T) {
	fs := newFileServer(t, 400_000)
	fs.ignoreRange = true
	f := newTestFetch(t, fs, fetchOpts{})
	if err := f.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustMatch(t, fs.content)
}

func TestFetchCorruptByte(t *testing.T) {
	t.Run("once: refetched and verified", func(t *testing.T) {
		fs := newFileServer(t, 300_000)
		fs.corruptAt, fs.corruptLeft = 200_000, 1
		f := newTestFetch(t, fs, fetchOpts{})
		if err := f.run(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.mustMatch(t, fs.content)
	})
	t.Run("always: integrity error, nothing left", func(t *testing.T) {
		fs := newFileServer(t, 300_000)
		fs.corruptAt, fs.corruptLeft = 5, 100
		f := newTestFetch(t, fs, fetchOpts{})
		err := f.run(context.Background())
		if code := hfgate.ErrorCode(err); code != hfgate.EINTEGRITY {
			t.Fatalf("err=%v, want EINTEGRITY", err)
		}
		for _, p := range []string{f.path, journalPath(f.path)} {
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Errorf("%s left behind after a hash mismatch", filepath.Base(p))
			}
		}
	})
}

func TestFetchCanceledThenResumed(t *testing.T) {
	fs := newFileServer(t, 2<<20)
	f := newTestFetch(t, fs, fetchOpts{conns: 2})
	ctx, cancel := context.WithCancel(context.Background())
	var resuming atomic.Bool // set, not reassigned: callbacks may still be running
	f.onProg = func(d int64) {
		if d > 1<<20 && !resuming.Load() {
			cancel()
		}
	}
	if err := f.run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err=%v, want context.Canceled", err)
	}
	j, err := loadJournal(journalPath(f.path), f.etag, f.size)
	if err != nil || j == nil {
		t.Fatalf("no journal after cancel: %v", err)
	}
	kept := j.done()
	if kept < 1<<20 {
		t.Fatalf("journal keeps %d bytes, want at least the 1 MiB done before cancel", kept)
	}
	_, before := fs.served()

	resuming.Store(true)
	if err := f.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustMatch(t, fs.content)
	if _, after := fs.served(); after-before > f.size-kept {
		t.Errorf("resume fetched %d bytes, want at most the %d missing", after-before, f.size-kept)
	}
	if f.resumed != kept {
		t.Errorf("resumed=%d, want %d", f.resumed, kept)
	}
}

func TestFetchResumesForeignPrefix(t *testing.T) {
	// huggingface_hub leaves a contiguous .incomplete; both modes keep it.
	for _, partSize := range []int64{1 << 20, 32 << 10} {
		fs := newFileServer(t, 200_000)
		f := newTestFetch(t, fs, fetchOpts{partSize: partSize})
		if err := os.WriteFile(f.path, fs.content[:70_000], 0o644); err != nil {
			t.Fatal(err)
		}
		if err := f.run(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.mustMatch(t, fs.content)
		if _, served := fs.served(); served != 130_000 {
			t.Errorf("partSize %d: served %d bytes, want the 130000 missing", partSize, served)
		}
	}
}

func TestFetchSizeMismatch(t *testing.T) {
	fs := newFileServer(t, 10_000)
	f := newTestFetch(t, fs, fetchOpts{partSize: 1 << 20})
	f.size = 12_000 // the Hub said something else
	err := f.run(context.Background())
	if code := hfgate.ErrorCode(err); code != hfgate.EINTEGRITY {
		t.Fatalf("err=%v, want EINTEGRITY", err)
	}
}

func TestJournalValidation(t *testing.T) {
	j := newJournal("e", 100, 30, 45)
	if got, want := len(j.Parts), 4; got != want {
		t.Fatalf("parts=%d, want %d", got, want)
	}
	if j.done() != 45 || j.contiguous() != 45 {
		t.Fatalf("done=%d contiguous=%d, want 45", j.done(), j.contiguous())
	}
	path := filepath.Join(t.TempDir(), "j")
	if err := j.save(path); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		etag string
		size int64
		ok   bool
	}{{"e", 100, true}, {"other", 100, false}, {"e", 99, false}} {
		got, err := loadJournal(path, tt.etag, tt.size)
		if err != nil || (got != nil) != tt.ok {
			t.Errorf("loadJournal(%q,%d)=%v,%v, want ok=%v", tt.etag, tt.size, got, err, tt.ok)
		}
	}
	os.WriteFile(path, []byte(`{"version":1,"etag":"e","size":100,"parts":[{"start":0,"end":60,"done":70},{"start":60,"end":100,"done":60}]}`), 0o644)
	if got, _ := loadJournal(path, "e", 100); got != nil {
		t.Error("a journal with done past end was accepted")
	}
}

func TestWriteErrorNoSpace(t *testing.T) {
	err := writeError(fmt.Errorf("write: %w", errNoSpaceForTest), "/cache/blobs/x.incomplete", 5e9)
	if hfgate.ErrorCode(err) != hfgate.ENOSPACE {
		t.Fatalf("code=%q, want ENOSPACE", hfgate.ErrorCode(err))
	}
	if msg := hfgate.ErrorMessage(err); !bytes.Contains([]byte(msg), []byte("5.00 GB")) {
		t.Fatalf("message %q does not say how much is needed", msg)
	}
}

// A journal whose file was replaced by a shorter sequential prefix (say by
// huggingface_hub) must neither count the journal's parts as done nor throw
// the prefix away.
func TestFetchStaleJournalKeepsSequentialPrefix(t *testing.T) {
	fs := newFileServer(t, 1<<20)
	f := newTestFetch(t, fs, fetchOpts{conns: 2})
	j := newJournal(f.etag, f.size, f.partSize, 0)
	if err := j.save(journalPath(f.path)); err != nil {
		t.Fatal(err)
	}
	const prefix = 300_000
	if err := os.WriteFile(f.path, fs.content[:prefix], 0o644); err != nil {
		t.Fatal(err)
	}
	var retries atomic.Int32
	f.onRetry = func(RetryReason, error, time.Duration) { retries.Add(1) }
	if err := f.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustMatch(t, fs.content)
	if n := retries.Load(); n != 0 {
		t.Errorf("%d retries, want none", n)
	}
	if _, served := fs.served(); served != f.size-prefix {
		t.Errorf("served %d bytes, want the %d missing after the prefix", served, f.size-prefix)
	}
}
