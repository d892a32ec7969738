package hubsim

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// instrument wraps a host's handler with counters and fault injection. The
// /_hubsim/ admin routes pass through untouched and uncounted.
func (s *Server) instrument(host string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_hubsim/") {
			h.ServeHTTP(w, r)
			return
		}
		fs := s.hub.faults
		route := routeOf(host, r)
		rule := fs.pick(host, r.URL.Path)
		fs.count(host, route, 1, 0, rule != nil)
		cw := &faultWriter{ResponseWriter: w, count: func(n int64) { fs.count(host, route, 0, n, false) }, stallAt: -1}
		if rule == nil {
			h.ServeHTTP(cw, r)
			return
		}
		if rule.Latency > 0 {
			t := time.NewTimer(rule.Latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		cw.cutAfter, cw.rate, cw.start = rule.CutAfterBytes, rule.BandwidthPerConn, time.Now()
		cw.headers, cw.done = rule.Headers, r.Context().Done()
		if rule.Stall {
			cw.stallAt = rule.StallAfterBytes
		}
		if rule.Status != 0 {
			s.writeFaultStatus(cw, r, host, rule)
			return
		}
		if rule.Body != nil {
			writeFaultBody(cw, r, rule.Body)
			return
		}
		if rule.IgnoreRange {
			r = r.Clone(r.Context())
			r.Header.Del("Range")
			r.Header.Del("If-Range")
		}
		if rule.Corrupt {
			r = r.WithContext(context.WithValue(r.Context(), corruptKey{}, rule.CorruptAt))
		}
		h.ServeHTTP(cw, r)
	})
}

func (s *Server) writeFaultStatus(w http.ResponseWriter, r *http.Request, host string, rule *FaultRule) {
	if rule.RetryAfter > 0 {
		secs := (rule.RetryAfter + time.Second - 1) / time.Second
		w.Header().Set("Retry-After", strconv.FormatInt(int64(secs), 10))
	}
	msg := http.StatusText(rule.Status)
	if rule.Status == http.StatusTooManyRequests {
		msg = "You have exceeded our rate limit. Please wait and retry." // UNVERIFIED wording
	}
	if host == HostCDN {
		code := map[int]string{429: "SlowDown", 500: "InternalError", 503: "ServiceUnavailable"}[rule.Status]
		if code == "" {
			code = strings.ReplaceAll(http.StatusText(rule.Status), " ", "")
		}
		s3Error(w, r, rule.Status, code, msg)
		return
	}
	writeHubError(w, r, rule.Status, "", msg)
}

type corruptKey struct{}

// corruptAt returns the file offset whose byte a fault flips in this
// request's file body, or -1.
func corruptAt(r *http.Request) int64 {
	if off, ok := r.Context().Value(corruptKey{}).(int64); ok {
		return off
	}
	return -1
}

// writeFaultBody answers with a FaultRule's Body, a chunk at a time.
func writeFaultBody(w http.ResponseWriter, r *http.Request, b *FaultBody) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	io.WriteString(w, b.Head)
	if b.Count > 0 && b.Repeat != "" {
		per := max(1, (64<<10)/len(b.Repeat))
		chunk := strings.Repeat(b.Repeat, per)
		for left := b.Count; left > 0; left -= int64(per) {
			if _, err := io.WriteString(w, chunk[:int64(len(b.Repeat))*min(left, int64(per))]); err != nil {
				return
			}
		}
	}
	io.WriteString(w, b.Tail)
}

// faultWriter counts body bytes and applies the bandwidth cap, the cut,
// the stall and header overrides.
type faultWriter struct {
	http.ResponseWriter
	count    func(n int64)
	written  int64
	cutAfter int64 // > 0: abort after this many bytes
	rate     int64 // > 0: bytes per second
	start    time.Time
	stallAt  int64             // >= 0: stop sending after this many bytes; -1 never
	done     <-chan struct{}   // the request's end
	headers  map[string]string // set before the header is sent
	sent     bool              // the header was sent
}

// WriteHeader applies the header overrides first.
func (w *faultWriter) WriteHeader(code int) {
	w.applyHeaders()
	w.ResponseWriter.WriteHeader(code)
}

func (w *faultWriter) applyHeaders() {
	if w.sent {
		return
	}
	w.sent = true
	for k, v := range w.headers {
		if v == "" {
			w.Header().Del(k)
		} else {
			w.Header().Set(k, v)
		}
	}
}

func (w *faultWriter) Write(p []byte) (int, error) {
	w.applyHeaders()
	if w.stallAt >= 0 && w.written+int64(len(p)) > w.stallAt {
		w.write(p[:w.stallAt-w.written])
		http.NewResponseController(w.ResponseWriter).Flush()
		<-w.done // silence until the client gives up
		return 0, http.ErrHandlerTimeout
	}
	if w.cutAfter > 0 && w.written+int64(len(p)) > w.cutAfter {
		w.write(p[:w.cutAfter-w.written])
		http.NewResponseController(w.ResponseWriter).Flush()
		// The client gets fewer bytes than Content-Length promised and then
		// a closed connection, as when a network path breaks.
		panic(http.ErrAbortHandler)
	}
	return w.write(p)
}

// write writes p, in slices small enough to pace at the rate.
func (w *faultWriter) write(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		chunk := p
		if w.rate > 0 {
			chunk = p[:min(int64(len(p)), max(w.rate/20, 1))]
		}
		// Count before writing, so that a client that has read the bytes
		// sees them in the counters.
		w.count(int64(len(chunk)))
		n, err := w.ResponseWriter.Write(chunk)
		if n < len(chunk) {
			w.count(int64(n - len(chunk)))
		}
		w.written += int64(n)
		total += n
		if err != nil {
			return total, err
		}
		p = p[n:]
		if w.rate > 0 {
			http.NewResponseController(w.ResponseWriter).Flush()
			due := w.start.Add(time.Duration(float64(w.written) / float64(w.rate) * float64(time.Second)))
			time.Sleep(time.Until(due))
		}
	}
	return total, nil
}

// Flush and Unwrap let handlers flush and use http.ResponseController
// through the wrapper.
func (w *faultWriter) Flush() {
	w.applyHeaders()
	http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *faultWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
