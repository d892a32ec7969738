package web

import (
	"io"
	"net/http"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

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
