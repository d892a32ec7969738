package hubsim

import (
	"encoding/json"
	"net/http"
)

// registerFaultAdmin adds the fault and counter routes for scripted tests
// in other processes. They are never faulted and not counted.
//
//	PUT    /_hubsim/faults    [FaultRule, ...] (JSON; durations as "250ms")
//	GET    /_hubsim/faults    -> the rules in force
//	DELETE /_hubsim/faults    -> no faults
//	GET    /_hubsim/counters  -> Counters
//	POST   /_hubsim/reset     -> no faults, counters at zero
func (s *Server) registerFaultAdmin(mux *http.ServeMux) {
	mux.HandleFunc("PUT /_hubsim/faults", s.handlePutFaults)
	mux.HandleFunc("GET /_hubsim/faults", func(w http.ResponseWriter, r *http.Request) {
		rules := s.Faults()
		if rules == nil {
			rules = []FaultRule{}
		}
		writeJSON(w, http.StatusOK, rules)
	})
	mux.HandleFunc("DELETE /_hubsim/faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		writeJSON(w, http.StatusOK, map[string]int{"rules": 0})
	})
	mux.HandleFunc("GET /_hubsim/counters", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Counters())
	})
	mux.HandleFunc("POST /_hubsim/reset", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		s.ResetCounters()
		writeJSON(w, http.StatusOK, map[string]int{"rules": 0})
	})
}

func (s *Server) handlePutFaults(w http.ResponseWriter, r *http.Request) {
	var rules []FaultRule
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&rules); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be a JSON list of fault rules: " + err.Error()})
		return
	}
	if err := s.SetFaults(rules...); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"rules": len(rules)})
}
