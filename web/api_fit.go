package web

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/fit"
)

// fitLine is one line of GET /api/fit/{id}: an entry as its headers are
// read, then a last line with the suggestion, or with the error that
// stopped the reading.
type fitLine struct {
	Entry     *fit.Entry `json:"entry,omitempty"`
	Done      bool       `json:"done,omitempty"`
	Suggested string     `json:"suggested,omitempty"` // the file to take, as recommend picks it
	Note      string     `json:"note,omitempty"`      // why estimates are missing
}

// apiFit: GET /api/fit/{org}/{name}?revision=SHA streams the repository's
// files as JSON lines (application/x-ndjson), each as soon as its GGUF
// header is read: quantization, parameters, memory estimate and verdict.
// The page lists the files at once (apiModel) and fills these in as they
// come, rather than waiting for the slowest header.
func (s *Server) apiFit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	m, err := s.model(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	var mu sync.Mutex
	enc := json.NewEncoder(w)
	send := func(l fitLine) {
		mu.Lock()
		defer mu.Unlock()
		if enc.Encode(l) == nil {
			_ = rc.Flush()
		}
	}
	files := sortFiles(m.Files)
	if s.Open == nil {
		send(fitLine{Done: true})
		return nil
	}
	entries, err := fit.Analyze(ctx, s.Open(m.ID, m.SHA), files, fit.Options{
		Budget: s.Budget,
		Each: func(_ int, e fit.Entry) {
			if e.GGUF {
				send(fitLine{Entry: &e})
			}
		},
	})
	if err != nil {
		if hfgate.ErrorCode(err) == hfgate.EINTERNAL {
			s.Logger.Error("web: analyse files", "repo", m.ID, "err", err)
		}
		send(fitLine{Done: true, Note: "Memory estimates are not available: " + userMessage(err)})
		return nil
	}
	done := fitLine{Done: true}
	if i := fit.Suggest(entries); i >= 0 {
		done.Suggested = entries[i].Path
	}
	send(done)
	return nil
}
