package gateway

import (
	"errors"
	"net/http"
)

// discard is the ResponseWriter of a warm: it keeps the status and
// headers, counts the bytes and drops them. A proxy that must cut the
// connection (http.ErrAbortHandler) marks it aborted instead.
type discard struct {
	header  http.Header
	status  int
	n       int64
	aborted bool
}

func (d *discard) Header() http.Header { return d.header }

func (d *discard) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}

func (d *discard) Write(p []byte) (int, error) {
	d.WriteHeader(http.StatusOK)
	d.n += int64(len(p))
	return len(p), nil
}

// serve runs h on r into d; an aborted response sets d.aborted.
func (d *discard) serve(h http.Handler, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if err, ok := v.(error); !ok || !errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			d.aborted = true
		}
	}()
	h.ServeHTTP(d, r)
}
