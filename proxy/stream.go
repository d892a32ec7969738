package proxy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
)

// errIdle cancels a transfer whose upstream sent nothing for IdleTimeout.
var errIdle = errors.New("the upstream transfer stalled")

// serveFile answers a GET of f: the requested range, fetched from the Hub
// (a small file, which it sent already) or its CDN (an LFS file), with an
// audit intent before the first byte and an end after the last.
func (x *exchange) serveFile(ctx context.Context, f *upstreamFile) {
	start, end, partial, ok := parseRange(x.r.Header.Get("Range"), f.size)
	if !ok {
		x.unsatisfiable(f)
		return
	}
	src := x.newRemoteFile(f)
	body := f.body // a small file's, from its start: the transfer skips to the range
	if body == nil {
		var err error
		if body, err = src.Fetch(ctx, start, end); err != nil {
			x.answerError(err)
			return
		}
	}

	intent := x.event(hfgate.AuditKindIntent)
	x.describe(intent, f)
	intent.Source = hfgate.AuditFromHub
	if x.record(intent) != nil {
		body.Close()
		x.writeError(errAuditDown)
		return
	}
	x.writeFileHeader(f, start, end, partial)

	var sum hash.Hash
	if !f.lfs && start == 0 && end == f.size {
		sum = sha256.New() // a small file, whole: its SHA-256 is cheap and the log wants it
	}
	t := transfer{x: x, src: src, pos: start, end: end, sum: sum}
	if f.body != nil {
		t.skip = start
	}
	outcome, err := t.run(ctx, body)
	x.p.m.bytes.WithLabelValues(string(hfgate.AuditFromHub)).Add(float64(t.pos - start))

	ev := x.event(hfgate.AuditKindEnd)
	x.describe(ev, f)
	ev.Source, ev.Status, ev.Bytes, ev.Outcome = hfgate.AuditFromHub, x.status, t.pos-start, outcome
	if sum != nil && outcome == hfgate.AuditComplete {
		ev.SHA256 = hex.EncodeToString(sum.Sum(nil))
	}
	if err != nil {
		ev.Detail = map[string]string{"error": hfgate.ErrorMessage(err)}
		if outcome == hfgate.AuditError {
			x.p.cfg.Logger.LogAttrs(ctx, slogWarn, "proxy: file transfer failed", attrRequest(x), attrError(err))
		}
	}
	x.record(ev) // the bytes are gone: a failure is counted and logged
	if outcome != hfgate.AuditComplete {
		// Whatever the client got is not the whole answer: cut its
		// connection (HTTP/1) or reset its stream (HTTP/2) rather than end
		// the response as if it were.
		panic(http.ErrAbortHandler)
	}
}

// parseRange reads a Range header for a file of size bytes: the bytes
// [start, end) to send and whether that is a part (206). A missing,
// malformed or multi-range header means the whole file (RFC 9110 lets a
// server ignore it); ok is false for a range that is not satisfiable (416).
func parseRange(v string, size int64) (start, end int64, partial, ok bool) {
	spec, found := strings.CutPrefix(v, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, size, false, true
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, size, false, true
	}
	if a == "" { // the last b bytes
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			return 0, size, false, true
		}
		if n == 0 || size == 0 {
			return 0, 0, false, false
		}
		return max(size-n, 0), size, true, true
	}
	first, err := strconv.ParseInt(a, 10, 64)
	if err != nil || first < 0 {
		return 0, size, false, true
	}
	last := size - 1
	if b != "" {
		if last, err = strconv.ParseInt(b, 10, 64); err != nil || last < first {
			return 0, size, false, true
		}
		last = min(last, size-1)
	}
	if first >= size {
		return 0, 0, false, false
	}
	return first, last + 1, true, true
}

// fetcher gets the bytes [start, end) of a file again, to resume a cut
// transfer. It has the method set of blobcache.Upstream, so that the
// cache fills from the same code.
type fetcher interface {
	Fetch(ctx context.Context, start, end int64) (io.ReadCloser, error)
}

// copyBufs are the buffers of file transfers.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// transfer copies [pos, end) of a file to the client, resuming from src
// where upstream stopped.
type transfer struct {
	x        *exchange
	src      fetcher // nil: no resume
	pos, end int64
	skip     int64     // bytes of the first body before pos (a small file's body starts at 0)
	sum      hash.Hash // gets every byte sent, when set
}

// run copies from body (and later from src), closing what it opened. The
// outcome is complete, canceled (the client went away) or error (upstream
// failed for good), with the error.
func (t *transfer) run(ctx context.Context, body io.ReadCloser) (hfgate.AuditOutcome, error) {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	tries := 0
	for {
		from := t.pos
		var upErr error
		if body == nil {
			t.skip = 0 // a new stream starts at pos
			body, upErr = t.src.Fetch(ctx, t.pos, t.end)
		}
		if body != nil {
			var clientErr error
			clientErr, upErr = t.copy(ctx, body, *bp)
			body.Close()
			body = nil
			switch {
			case clientErr != nil:
				return hfgate.AuditCanceled, clientErr
			case t.pos == t.end:
				return hfgate.AuditComplete, nil
			case upErr == nil:
				upErr = io.ErrUnexpectedEOF
			}
		}
		if ctx.Err() != nil {
			return hfgate.AuditCanceled, ctx.Err()
		}
		t.x.p.m.upstreamFails.WithLabelValues(string(t.x.rt.Action), "cut").Inc()
		if t.pos > from {
			tries = 0 // tries count from the last byte that arrived
		}
		if t.src == nil || tries >= t.x.p.cfg.Resumes {
			var he *hubError
			if errors.As(upErr, &he) {
				return hfgate.AuditError, upErr
			}
			return hfgate.AuditError, upstreamError(t.x.p.upstream.Host, upErr)
		}
		tries++
		select {
		case <-time.After(t.x.p.cfg.Retry.Delay(tries, 0)):
		case <-ctx.Done():
			return hfgate.AuditCanceled, ctx.Err()
		}
	}
}

// copy sends body to the client until end, an error on either side, or
// IdleTimeout without a byte from upstream.
func (t *transfer) copy(ctx context.Context, body io.Reader, buf []byte) (clientErr, upErr error) {
	idle := t.x.p.cfg.IdleTimeout
	stalled, done := make(chan struct{}), make(chan struct{})
	timer := time.AfterFunc(idle, func() { close(stalled) })
	defer timer.Stop()
	defer close(done)
	if c, ok := body.(io.Closer); ok {
		// A stalled read returns only once its body is closed.
		go func() {
			select {
			case <-stalled:
				c.Close()
			case <-done:
			}
		}()
	}
	for t.pos < t.end {
		want := t.end - t.pos
		if t.skip > 0 {
			want = t.skip
		}
		n, err := body.Read(buf[:min(int64(len(buf)), want)])
		if n > 0 {
			if !timer.Stop() {
				return nil, errIdle
			}
			timer.Reset(idle)
			if t.skip > 0 {
				t.skip -= int64(n)
				continue
			}
			if t.sum != nil {
				t.sum.Write(buf[:n])
			}
			if _, werr := t.x.w.Write(buf[:n]); werr != nil {
				return werr, nil
			}
			t.pos += int64(n)
		}
		if err != nil {
			select {
			case <-stalled:
				return nil, errIdle
			default:
			}
			if err == io.EOF {
				return nil, nil
			}
			return nil, err
		}
	}
	return nil, nil
}

// writeFileHeader sends the headers of f's bytes [start, end): 200, or
// 206 with Content-Range when the client asked for a range.
func (x *exchange) writeFileHeader(f *upstreamFile, start, end int64, partial bool) {
	x.fileHeaders(f)
	h := x.w.Header()
	h.Set("Content-Length", strconv.FormatInt(end-start, 10))
	x.status = http.StatusOK
	if partial {
		x.status = http.StatusPartialContent
		h.Set("Content-Range", contentRange(start, end, f.size))
	}
	x.w.WriteHeader(x.status)
}
