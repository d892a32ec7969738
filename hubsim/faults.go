package hubsim

import "net/http"

// faultState holds fault rules and counters.
//
// TODO(faults): latency, bandwidth caps, 429/5xx, cuts, corruption, Range
// ignored; per-route counters.
type faultState struct{}

func newFaultState() *faultState { return &faultState{} }

// instrument wraps a host's handler with fault injection and counters.
func (s *Server) instrument(host string, h http.Handler) http.Handler { return h }

func (s *Server) registerFaultAdmin(mux *http.ServeMux) {}

// corruptAt returns the file offset whose byte a fault flips in this
// response's body, or -1.
func corruptAt(r *http.Request) int64 { return -1 }
