package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/webauth"
)

// Access states of a gated repo, for modelJSON.Access.
const (
	AccessGranted    = "granted"     // files can be downloaded
	AccessNotGranted = "not_granted" // signed in, but the owners have not granted access
	AccessSignIn     = "sign_in"     // anonymous: sign in to find out
)

// modelJSON is the answer of GET /api/models/{id}.
type modelJSON struct {
	modelCard
	SHA              string         `json:"sha,omitempty"`
	Gating           string         `json:"gating,omitempty"` // "auto" or "manual"
	Access           string         `json:"access,omitempty"` // for gated repos
	RequestAccessURL string         `json:"request_access_url,omitempty"`
	URL              string         `json:"url"`
	Card             map[string]any `json:"card,omitempty"`
	Files            []fit.Entry    `json:"files"`
	FilesNote        string         `json:"files_note,omitempty"`
	Budget           fit.Budget     `json:"budget"`
}

// apiModel: GET /api/models/{org}/{name}: card metadata, gated status and
// the files with size, quantization, memory estimate and verdict.
func (s *Server) apiModel(w http.ResponseWriter, r *http.Request) error {
	repo, err := hfgate.ParseRepoID(r.PathValue("id"))
	if err != nil {
		return err
	}
	ctx := r.Context()
	m, err := s.Hub.ModelInfo(ctx, repo, r.URL.Query().Get("revision"), hfgate.WithBlobs())
	if err != nil {
		return err
	}
	out := modelJSON{
		modelCard: card(m),
		SHA:       m.SHA,
		Gating:    m.Gated,
		URL:       s.Endpoint + "/" + string(m.ID),
		Card:      m.CardData,
	}
	if m.IsGated() {
		out.RequestAccessURL = out.URL
		out.Access = s.access(ctx, m)
	}
	out.Files, out.FilesNote = s.files(ctx, m)
	out.Budget = s.Budget
	webauth.WriteJSON(w, http.StatusOK, out)
	return nil
}

// access finds out whether the caller may download a gated repo's files by
// resolving one of them.
func (s *Server) access(ctx context.Context, m *hfgate.Model) string {
	i := slices.IndexFunc(m.Files, func(f hfgate.RepoFile) bool { return !f.IsDir })
	if i < 0 {
		return ""
	}
	_, err := s.Hub.FileMetadata(ctx, m.ID, m.SHA, m.Files[i].Path)
	switch hfgate.ErrorCode(err) {
	case "":
		return AccessGranted
	case hfgate.EUNAUTHORIZED:
		return AccessSignIn
	case hfgate.EGATED, hfgate.EFORBIDDEN:
		if !hfgate.PrincipalFrom(ctx).IsAnonymous() {
			return AccessNotGranted
		}
		return AccessSignIn
	default: // the Hub could not tell now
		return ""
	}
}
