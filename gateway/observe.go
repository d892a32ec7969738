package gateway

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/hfgate/hfgate"
)

// route is what a request's log line and metrics say of it, filled in as
// it passes the middleware.
type route struct {
	id        string
	pattern   string
	principal *hfgate.Principal
}

type routeKey struct{}

func routeOf(ctx context.Context) *route {
	r, _ := ctx.Value(routeKey{}).(*route)
	return r
}

// RequestID returns the ID of the request whose context ctx is ("" for
// none): in the log line, the X-Request-Id header, and audit.
func RequestID(ctx context.Context) string {
	if r := routeOf(ctx); r != nil {
		return r.id
	}
	return ""
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs one line per request and counts it. The line has the
// route pattern and the path, never the query (codes), a header or a
// cookie; the caller by subject and session or token ID, never a secret.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &route{id: rand.Text()[:16]}
		w.Header().Set("X-Request-Id", info.id)
		sw := &statusWriter{ResponseWriter: w}
		ctx := context.WithValue(r.Context(), routeKey{}, info)
		aborted := true
		defer func() {
			if aborted {
				// The handler cut the response short (the proxy does when
				// an upstream transfer cannot be finished,
				// http.ErrAbortHandler): log it, and let net/http close the
				// connection.
				v := recover()
				s.logRequest(ctx, r, info, sw, start, true)
				panic(v)
			}
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
		aborted = false
		s.logRequest(ctx, r, info, sw, start, false)
	})
}

// logRequest counts one request and writes its log line.
func (s *Server) logRequest(ctx context.Context, r *http.Request, info *route, sw *statusWriter, start time.Time, aborted bool) {
	if sw.status == 0 {
		sw.status = http.StatusOK
	}
	pattern := info.pattern
	if pattern == "" {
		pattern = "unmatched"
	}
	d := time.Since(start)
	s.metrics.requests.WithLabelValues(pattern, strconv.Itoa(sw.status)).Inc()
	s.metrics.duration.WithLabelValues(pattern).Observe(d.Seconds())
	attrs := []slog.Attr{
		slog.String("request_id", info.id), slog.String("method", r.Method), slog.String("route", pattern),
		slog.String("path", r.URL.Path), slog.Int("status", sw.status), slog.Int64("bytes", sw.bytes),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000), slog.String("client_ip", s.clientIP(r).String()),
	}
	if p := info.principal; p != nil && !p.IsAnonymous() {
		attrs = append(attrs, slog.String("subject", p.Subject), slog.String("session_id", short(p.SessionID)), slog.String("token_id", p.TokenID))
	}
	if aborted {
		attrs = append(attrs, slog.Bool("aborted", true))
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
}

// short returns the first 12 characters of a session ID, enough to tell
// sessions apart in a log.
func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// pattern records the pattern the mux matched, for observe.
func pattern(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if info := routeOf(r.Context()); info != nil {
			info.pattern = r.Pattern
		}
	})
}
