package web

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/webauth"
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
	repo, err := hfgate.ParseRepoID(r.PathValue("id"))
	if err != nil {
		return err
	}
	ctx := r.Context()
	m, err := s.Hub.ModelInfo(ctx, repo, r.URL.Query().Get("revision"), hfgate.WithBlobs())
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

// readmeFile is the model card's file.
const readmeFile = "README.md"

// readmeJSON is the answer of GET /api/readme/{id}.
type readmeJSON struct {
	HTML      string `json:"html"` // sanitized (card.go); "" when there is no card
	Truncated bool   `json:"truncated,omitempty"`
	// Restricted: the card is there, but not for this caller (gated).
	Restricted bool `json:"restricted,omitempty"`
}

// apiReadme: GET /api/readme/{org}/{name}?revision=SHA renders the model
// card, README.md, as safe HTML (card.go).
func (s *Server) apiReadme(w http.ResponseWriter, r *http.Request) error {
	repo, err := hfgate.ParseRepoID(r.PathValue("id"))
	if err != nil {
		return err
	}
	ctx := r.Context()
	rev := r.URL.Query().Get("revision")
	if rev == "" {
		rev = hfgate.DefaultRevision
	}
	if err := hfgate.ValidateRevision(rev); err != nil {
		return err
	}
	out := readmeJSON{}
	if s.Open == nil {
		webauth.WriteJSON(w, http.StatusOK, out)
		return nil
	}
	meta, err := s.Hub.FileMetadata(ctx, repo, rev, readmeFile)
	switch hfgate.ErrorCode(err) {
	case hfgate.ENOTFOUND:
		webauth.WriteJSON(w, http.StatusOK, out)
		return nil
	case hfgate.EGATED, hfgate.EUNAUTHORIZED, hfgate.EFORBIDDEN:
		// A gated repository's card is for those with access; the page
		// already says how to get it.
		out.Restricted = true
		webauth.WriteJSON(w, http.StatusOK, out)
		return nil
	}
	if err != nil {
		return err
	}
	ra, err := s.Open(repo, rev)(ctx, readmeFile)
	if err != nil {
		return err
	}
	n := min(meta.Size, maxCard)
	out.Truncated = meta.Size > maxCard
	src := make([]byte, n)
	if k, err := ra.ReadAt(src, 0); err != nil && !(err == io.EOF && int64(k) == n) {
		return err
	}
	if out.HTML, err = renderCard(src, s.Endpoint, string(repo), rev); err != nil {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "render the model card of %s", repo)
	}
	w.Header().Set("Cache-Control", "no-store")
	webauth.WriteJSON(w, http.StatusOK, out)
	return nil
}
