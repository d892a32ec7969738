package download

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	stallAt     int64 // -1: off; a response covering this offset stops sending there
	stallLeft   int   // how many responses still stall
	bps         int64 // > 0: every response sends at most this many bytes per second
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
	fs := &fileServer{t: t, content: content, corruptAt: -1, stallAt: -1, cutOnce: map[int64]int64{}}
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
	stall := fs.stallAt >= start && fs.stallAt < end && fs.stallLeft > 0
	if stall {
		fs.stallLeft--
	}
	fs.mu.Unlock()

	if stall {
		// Headers and the bytes before stallAt, then nothing until the
		// client gives up.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		n, _ := w.Write(body[:fs.stallAt-start])
		w.(http.Flusher).Flush()
		fs.mu.Lock()
		fs.bytesServed += int64(n)
		fs.mu.Unlock()
		<-r.Context().Done()
		return
	}

	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	fs.mu.Lock()
	bps := fs.bps
	fs.mu.Unlock()
	chunk := limit
	if bps > 0 {
		chunk = max(bps/50, 1) // 20 ms worth
	}
	for sent := int64(0); sent < limit; {
		n, err := w.Write(body[sent:min(sent+chunk, limit)])
		sent += int64(n)
		fs.mu.Lock()
		fs.bytesServed += int64(n)
		fs.mu.Unlock()
		if err != nil {
			return
		}
		if bps > 0 {
			w.(http.Flusher).Flush()
			time.Sleep(20 * time.Millisecond)
		}
	}
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
	conns   int
	chunk   int64
	etag    string
	helpers bool // open helper connections at once, whatever the speed
}

func newTestFetch(t *testing.T, fs *fileServer, o fetchOpts) *fetch {
	t.Helper()
	if o.conns == 0 {
		o.conns = 4
	}
	if o.chunk == 0 {
		o.chunk = 64 << 10
	}
	if o.etag == "" {
		o.etag = fs.sha256()
	}
	f := &fetch{
		get:         testGetter{client: fs.srv.Client()},
		url:         func(context.Context, bool) (string, error) { return fs.srv.URL + "/file", nil },
		etag:        o.etag,
		size:        int64(len(fs.content)),
		files:       newPartialFiles(filepath.Join(t.TempDir(), o.etag+".incomplete")),
		conns:       make(chan struct{}, o.conns),
		chunk:       o.chunk,
		parallelMin: 2 * o.chunk,
		probe:       time.Hour,
		worth:       time.Hour,
		bufSize:     16 << 10,
		idle:        time.Minute,
		retry:       retry.Policy{Attempts: 4, Base: time.Millisecond, Max: 2 * time.Millisecond},
		now:         time.Now,
		onProg:      func(int64) {},
		onRetry:     func(RetryReason, error, time.Duration) {},
	}
	if o.helpers {
		f.probe, f.worth = 0, 0
	}
	return f
}

// mustMatch fails unless the .incomplete file holds exactly want and no
// other file of the download is left.
func (f *fetch) mustMatch(t *testing.T, want []byte) {
	t.Helper()
	got, err := os.ReadFile(f.files.incomplete)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("file content differs from the served content (%d vs %d bytes)", len(got), len(want))
	}
	for _, p := range []string{f.files.parts, f.files.journal, f.files.legacy} {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Fatalf("%s left behind after success: %v", filepath.Base(p), err)
		}
	}
}

// onDisk returns the .incomplete file and what the journal says the parts
// file holds beyond it.
func (f *fetch) onDisk(t *testing.T) (prefix []byte, inParts int64) {
	t.Helper()
	prefix, err := os.ReadFile(f.files.incomplete)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	j, err := loadJournal(f.files.journal, f.etag, f.size)
	if err != nil {
		t.Fatal(err)
	}
	return prefix, partsBytes(j.tile(int64(len(prefix)), f.size), int64(len(prefix)))
}

func TestFetchOneStreamGitSHA1(t *testing.T) {
	fs := newFileServer(t, 50_000)
	f := newTestFetch(t, fs, fetchOpts{etag: fs.gitSHA1(), chunk: 1 << 20})
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

// A file big enough for helpers, whose one connection would take too
// long, comes over several connections; the head still writes it in order.
func TestFetchWithHelpers(t *testing.T) {
	fs := newFileServer(t, 1<<20+12345)
	fs.bps = 4 << 20 // a quarter of a second on one connection
	f := newTestFetch(t, fs, fetchOpts{helpers: true})
	var last atomic.Int64
	f.onProg = func(d int64) { last.Store(d) }
	if err := f.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustMatch(t, fs.content)
	req, served := fs.served()
	if req < 3 {
		t.Errorf("requests=%d, want the head's and helpers'", req)
	}
	// A connection whose range a helper took over stops reading early;
	// what the server had already sent on it is lost, no more.
	if served < f.size || served > f.size+int64(req)*(1<<20) {
		t.Errorf("bytes served=%d for a %d-byte file in %d requests", served, f.size, req)
	}
	if last.Load() != f.size {
		t.Errorf("last progress=%d, want %d", last.Load(), f.size)
	}
}

// Whenever a fetch with helpers stops, the .incomplete file is a prefix of
// the content, as huggingface_hub expects when it resumes it by length, and
// the out-of-order bytes are in the parts file, kept for the next run.
func TestFetchIncompleteIsAlwaysAPrefix(t *testing.T) {
	fs := newFileServer(t, 3<<20)
	fs.bps = 16 << 20
	for _, stopAt := range []int64{100_000, 1 << 20, 2 << 20, 3<<20 - 1000} {
		f := newTestFetch(t, fs, fetchOpts{helpers: true, conns: 6})
		ctx, cancel := context.WithCancel(context.Background())
		var stopped atomic.Bool
		f.onProg = func(d int64) {
			if d >= stopAt && !stopped.Load() {
				stopped.Store(true)
				cancel()
			}
		}
		err := f.run(ctx)
		cancel()
		if err == nil {
			continue // finished before the cancel took
		}
		prefix, inParts := f.onDisk(t)
		if !bytes.Equal(prefix, fs.content[:len(prefix)]) {
			t.Fatalf("stopped at %d: the .incomplete file (%d bytes) is not a prefix of the content", stopAt, len(prefix))
		}
		if kept := int64(len(prefix)) + inParts; kept < stopAt-int64(f.bufSize)*int64(cap(f.conns)) {
			t.Errorf("stopped at %d: kept %d bytes", stopAt, kept)
		}
		// A prefix-resuming tool (huggingface_hub) finishes it correctly.
		resumeLikeHuggingfaceHub(t, fs, f.files.incomplete)
		if got, _ := os.ReadFile(f.files.incomplete); !bytes.Equal(got, fs.content) {
			t.Fatalf("stopped at %d: a prefix-resuming client made a file that is not the content", stopAt)
		}
	}
}

// resumeLikeHuggingfaceHub does what huggingface_hub's
// _download_to_tmp_and_move and http_get do with an .incomplete file:
// open it for appending, resume from its length with Range: bytes=N-, and
// trust the length, hashing nothing.
func resumeLikeHuggingfaceHub(t *testing.T, fs *fileServer, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	if st.Size() == int64(len(fs.content)) {
		return // complete by its length: moved into place as it is
	}
	req, _ := http.NewRequest(http.MethodGet, fs.srv.URL+"/file", nil)
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-", st.Size()))
	resp, err := fs.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		t.Fatal(err)
	}
}

func TestFetchResumesAfterCuts(t *testing.T) {
	fs := newFileServer(t, 600_000)
	fs.cutOnce[0] = 10_000
	f := newTestFetch(t, fs, fetchOpts{chunk: 1 << 20})
	var retries atomic.Int32
	f.onRetry = func(RetryReason, error, time.Duration) { retries.Add(1) }
	if err := f.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustMatch(t, fs.content)
	if _, served := fs.served(); served != int64(len(fs.content)) {
		t.Errorf("bytes served=%d, want %d: a cut stream must resume, not restart", served, len(fs.content))
	}
	if retries.Load() != 1 || fs.ranges[1] != "bytes=10000-599999" {
		t.Errorf("retries=%d, ranges %q; want one retry from byte 10000", retries.Load(), fs.ranges)
	}
}

func TestFetchRetriesStatusesThenGivesUp(t *testing.T) {
	fs := newFileServer(t, 30_000)
	fs.statusQueue = []int{429, 503}
	f := newTestFetch(t, fs, fetchOpts{chunk: 1 << 20})
	if err := f.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustMatch(t, fs.content)

	fs.statusQueue = []int{500, 500, 500, 500, 500}
	f = newTestFetch(t, fs, fetchOpts{chunk: 1 << 20})
	err := f.run(context.Background())
	if code := hfgate.ErrorCode(err); code != hfgate.EUNAVAILABLE {
		t.Fatalf("after 4 failures: err=%v (code %q), want EUNAVAILABLE", err, code)
	}
}

// A connection that stops sending, or sends next to nothing, is cut and
// retried; one that never recovers ends in a clear error.
func TestFetchStall(t *testing.T) {
	fs := newFileServer(t, 200_000)
	fs.stallAt, fs.stallLeft = 50_000, 1
	f := newTestFetch(t, fs, fetchOpts{chunk: 1 << 20})
	f.idle = 100 * time.Millisecond
	var reasons []string
	f.onRetry = func(_ RetryReason, err error, _ time.Duration) { reasons = append(reasons, hfgate.ErrorMessage(err)) }
	if err := f.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustMatch(t, fs.content)
	if len(reasons) != 1 || !strings.Contains(reasons[0], "stopped sending") {
		t.Errorf("retries %q, want one saying the server stopped sending", reasons)
	}

	fs.stallAt, fs.stallLeft = 0, 100
	f = newTestFetch(t, fs, fetchOpts{chunk: 1 << 20})
	f.idle = 50 * time.Millisecond
	err := f.run(context.Background())
	if code := hfgate.ErrorCode(err); code != hfgate.EUNAVAILABLE || !strings.Contains(hfgate.ErrorMessage(err), "stopped sending") {
		t.Fatalf("err=%v (code %q), want EUNAVAILABLE saying the server stopped sending", err, code)
	}
}

func TestFetchRangeIgnoredStartsOver(t *testing.T) {
	for _, helpers := range []bool{false, true} {
		fs := newFileServer(t, 400_000)
		f := newTestFetch(t, fs, fetchOpts{helpers: helpers})
		os.WriteFile(f.files.incomplete, fs.content[:1000], 0o644) // a resume the server will not honour
		fs.ignoreRange = true
		if err := f.run(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.mustMatch(t, fs.content)
	}
}

func TestFetchCorruptByte(t *testing.T) {
	t.Run("once: refetched and verified", func(t *testing.T) {
		fs := newFileServer(t, 300_000)
		fs.corruptAt, fs.corruptLeft = 200_000, 1
		f := newTestFetch(t, fs, fetchOpts{helpers: true})
		if err := f.run(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.mustMatch(t, fs.content)
	})
	t.Run("always: integrity error, nothing left", func(t *testing.T) {
		fs := newFileServer(t, 300_000)
		fs.corruptAt, fs.corruptLeft = 5, 100
		f := newTestFetch(t, fs, fetchOpts{helpers: true})
		err := f.run(context.Background())
		if code := hfgate.ErrorCode(err); code != hfgate.EINTEGRITY {
			t.Fatalf("err=%v, want EINTEGRITY", err)
		}
		for _, p := range []string{f.files.incomplete, f.files.parts, f.files.journal} {
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Errorf("%s left behind after a hash mismatch", filepath.Base(p))
			}
		}
	})
}

func TestFetchCanceledThenResumed(t *testing.T) {
	fs := newFileServer(t, 2<<20)
	fs.bps = 8 << 20 // slow enough for the helpers to get ahead of the head
	f := newTestFetch(t, fs, fetchOpts{conns: 3, helpers: true})
	ctx, cancel := context.WithCancel(context.Background())
	var resuming atomic.Bool // set, not reassigned: callbacks may still be running
	f.onProg = func(d int64) {
		if fi, err := os.Stat(f.files.parts); d > 1<<20 && err == nil && fi.Size() > 0 && !resuming.Load() {
			cancel() // some bytes arrived out of order
		}
	}
	if err := f.run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err=%v, want context.Canceled", err)
	}
	prefix, inParts := f.onDisk(t)
	kept := int64(len(prefix)) + inParts
	if kept < 1<<20 {
		t.Fatalf("kept %d bytes (%d in the parts file), want the 1 MiB done before cancel", kept, inParts)
	}
	_, before := fs.served()
	fs.bps = 0

	resuming.Store(true)
	if err := f.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustMatch(t, fs.content)
	if _, after := fs.served(); after-before > f.size-kept+int64(cap(f.conns))*(1<<20) {
		t.Errorf("resume fetched %d bytes, want about the %d missing", after-before, f.size-kept)
	}
	if f.resumed != kept {
		t.Errorf("resumed=%d, want %d", f.resumed, kept)
	}
}

func TestFetchResumesForeignPrefix(t *testing.T) {
	// huggingface_hub leaves a contiguous .incomplete; it is kept.
	for _, helpers := range []bool{false, true} {
		fs := newFileServer(t, 200_000)
		f := newTestFetch(t, fs, fetchOpts{chunk: 32 << 10, helpers: helpers})
		if err := os.WriteFile(f.files.incomplete, fs.content[:70_000], 0o644); err != nil {
			t.Fatal(err)
		}
		if err := f.run(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.mustMatch(t, fs.content)
		if _, served := fs.served(); served < 130_000 || served > 130_000+int64(cap(f.conns))*(64<<10) {
			t.Errorf("helpers %v: served %d bytes, want about the 130000 missing", helpers, served)
		}
	}
}

// A parts file from a parallel run, with the .incomplete prefix grown past
// it by another tool, is used where it still adds something.
func TestFetchPrefixGrownPastJournal(t *testing.T) {
	fs := newFileServer(t, 400_000)
	f := newTestFetch(t, fs, fetchOpts{})
	j := &journal{Version: journalVersion, ETag: f.etag, Size: f.size, Segments: []*segment{
		{Start: 0, End: 100_000, Done: 0},
		{Start: 100_000, End: 300_000, Done: 250_000},
		{Start: 300_000, End: 400_000, Done: 300_000},
	}}
	parts := make([]byte, f.size)
	copy(parts[100_000:250_000], fs.content[100_000:250_000])
	os.WriteFile(f.files.parts, parts, 0o644)
	j.save(f.files.journal)
	os.WriteFile(f.files.incomplete, fs.content[:180_000], 0o644)
	if err := f.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustMatch(t, fs.content)
	if _, served := fs.served(); served != 150_000 {
		t.Errorf("served %d bytes, want the 150000 neither file had", served)
	}
}

// A parallel download of an earlier hfgate build (a full-size .incomplete
// with a journal beside it) is carried over, not taken as a prefix.
func TestFetchMigratesLegacyLayout(t *testing.T) {
	fs := newFileServer(t, 300_000)
	f := newTestFetch(t, fs, fetchOpts{})
	old := make([]byte, f.size)
	copy(old[:50_000], fs.content[:50_000])
	copy(old[150_000:200_000], fs.content[150_000:200_000])
	os.WriteFile(f.files.incomplete, old, 0o644)
	os.WriteFile(f.files.legacy, []byte(fmt.Sprintf(`{"version":1,"etag":%q,"size":%d,"parts":[{"start":0,"end":150000,"done":50000},{"start":150000,"end":300000,"done":200000}]}`, f.etag, f.size)), 0o644)
	if err := f.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mustMatch(t, fs.content)
	if _, served := fs.served(); served != 200_000 {
		t.Errorf("served %d bytes, want the 200000 the old download lacked", served)
	}
}

func TestFetchSizeMismatch(t *testing.T) {
	fs := newFileServer(t, 10_000)
	f := newTestFetch(t, fs, fetchOpts{chunk: 1 << 20})
	f.size = 12_000 // the Hub said something else
	err := f.run(context.Background())
	if code := hfgate.ErrorCode(err); code != hfgate.EINTEGRITY {
		t.Fatalf("err=%v, want EINTEGRITY", err)
	}
}

// Links planted in a shared folder where the files of a download go are
// refused, and what they point to is left alone.
func TestFetchRefusesPlantedLinks(t *testing.T) {
	for _, which := range []string{"incomplete", "parts", "journal"} {
		t.Run(which, func(t *testing.T) {
			fs := newFileServer(t, 300_000)
			f := newTestFetch(t, fs, fetchOpts{helpers: true})
			victim := filepath.Join(t.TempDir(), "victim")
			os.WriteFile(victim, []byte("precious"), 0o600)
			path := map[string]string{"incomplete": f.files.incomplete, "parts": f.files.parts, "journal": f.files.journal}[which]
			if which == "parts" {
				(&journal{Version: journalVersion, ETag: f.etag, Size: f.size, Segments: []*segment{{Start: 0, End: f.size}}}).save(f.files.journal)
			}
			if err := os.Symlink(victim, path); err != nil {
				t.Fatal(err)
			}
			err := f.run(context.Background())
			if b, _ := os.ReadFile(victim); string(b) != "precious" {
				t.Fatalf("the link's target now holds %d bytes", len(b))
			}
			if hfgate.ErrorCode(err) != hfgate.EINVALID || !strings.Contains(hfgate.ErrorMessage(err), "not a plain file") {
				t.Fatalf("err=%v, want EINVALID saying it is not a plain file", err)
			}
		})
	}
}

func TestJournal(t *testing.T) {
	j := &journal{Version: journalVersion, ETag: "e", Size: 100, Prefix: 10, Segments: []*segment{
		{Start: 0, End: 40, Done: 30}, {Start: 40, End: 70, Done: 60}, {Start: 80, End: 100, Done: 90},
	}}
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
	os.WriteFile(path, []byte(`{"version":2,"etag":"e","size":100,"segments":[{"start":0,"end":60,"done":70}]}`), 0o644)
	if got, _ := loadJournal(path, "e", 100); got != nil {
		t.Error("a journal with done past end was accepted")
	}
	for _, tt := range []struct {
		from int64
		want string
	}{
		// Parts bytes count above max(from, Prefix) only.
		{0, "[0,10)0 [10,40)30 [40,70)60 [70,80)70 [80,100)90"},
		{35, "[35,40)35 [40,70)60 [70,80)70 [80,100)90"},
		{65, "[65,70)65 [70,80)70 [80,100)90"},
		{95, "[95,100)95"},
	} {
		var got []string
		for _, s := range j.tile(tt.from, 100) {
			got = append(got, fmt.Sprintf("[%d,%d)%d", s.Start, s.End, s.Done))
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("tile(%d) = %s, want %s", tt.from, strings.Join(got, " "), tt.want)
		}
	}
	if got := (*journal)(nil).tile(5, 20); len(got) != 1 || got[0].Start != 5 || got[0].Done != 5 {
		t.Errorf("tile of no journal = %v", got)
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

// A journal whose parts file is gone (or a stale one of another run) must
// neither count its segments as done nor throw the .incomplete prefix away.
func TestFetchStaleJournalKeepsPrefix(t *testing.T) {
	fs := newFileServer(t, 1<<20)
	f := newTestFetch(t, fs, fetchOpts{conns: 2})
	j := &journal{Version: journalVersion, ETag: f.etag, Size: f.size, Segments: []*segment{{Start: 0, End: f.size, Done: f.size}}}
	if err := j.save(f.files.journal); err != nil {
		t.Fatal(err)
	}
	const prefix = 300_000
	if err := os.WriteFile(f.files.incomplete, fs.content[:prefix], 0o644); err != nil {
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

// Partial reads what an unfinished download left: the prefix, and what the
// journal records beyond it in the parts file.
func TestPartial(t *testing.T) {
	fs := newFileServer(t, 400_000)
	f := newTestFetch(t, fs, fetchOpts{})
	os.WriteFile(f.files.incomplete, fs.content[:100_000], 0o644)
	if etag, done, size, ok := Partial(f.files.incomplete); !ok || etag != f.etag || done != 100_000 || size != 0 {
		t.Fatalf("prefix only: %q %d %d %v", etag, done, size, ok)
	}
	(&journal{Version: journalVersion, ETag: f.etag, Size: f.size, Segments: []*segment{
		{Start: 0, End: 200_000, Done: 0}, {Start: 200_000, End: 400_000, Done: 250_000}}}).save(f.files.journal)
	os.WriteFile(f.files.parts, make([]byte, f.size), 0o644)
	if _, done, size, ok := Partial(f.files.incomplete); !ok || done != 150_000 || size != f.size {
		t.Fatalf("with parts: done %d size %d ok %v, want 150000 of %d", done, size, ok, f.size)
	}
	if _, _, _, ok := Partial(f.files.parts); ok {
		t.Fatal("Partial took the parts file for a partial download")
	}
}
