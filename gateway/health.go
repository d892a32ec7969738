package gateway

import (
	"context"
	"net/http"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// healthz answers 200 while the process serves requests.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	webauth.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when the database answers with the schema this
// gateway knows (migrations done), else 503 with the reason.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		webauth.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": hfgate.ErrorMessage(err)})
		return
	}
	webauth.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready", "database": "ok"})
}
