package hubsim

import "net/http"

// instrument wraps a host's handler with fault injection and counters.
//
// TODO(faults): latency, bandwidth caps, 429/5xx, cuts, corruption, Range
// ignored; per-route counters.
func (s *Server) instrument(host string, h http.Handler) http.Handler { return h }

func (s *Server) registerFaultAdmin(mux *http.ServeMux) {}
