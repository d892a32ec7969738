package web

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// downloadRequest is the body of POST /api/downloads.
type downloadRequest struct {
	Repo     string `json:"repo"`
	Revision string `json:"revision"`
	File     string `json:"file"`
}

// downloadsJSON is the answer of GET /api/downloads.
type downloadsJSON struct {
	Downloads []Transfer `json:"downloads"`
}

func (s *Server) downloads() (*Downloads, error) {
	if s.Downloads == nil {
		return nil, hfgate.Errorf(hfgate.EUNAVAILABLE, "downloads are not available in this server")
	}
	return s.Downloads, nil
}

// apiDownloads: GET /api/downloads lists every download, newest first.
func (s *Server) apiDownloads(w http.ResponseWriter, r *http.Request) error {
	d, err := s.downloads()
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	webauth.WriteJSON(w, http.StatusOK, downloadsJSON{Downloads: d.List(hfgate.PrincipalFrom(r.Context()))})
	return nil
}

// apiStartDownload: POST /api/downloads {"repo","revision","file"} starts a
// download (201) and returns its state.
func (s *Server) apiStartDownload(w http.ResponseWriter, r *http.Request) error {
	d, err := s.downloads()
	if err != nil {
		return err
	}
	var req downloadRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, `the request body must be JSON like {"repo": "org/name", "file": "model.gguf"}`)
	}
	repo, err := hfgate.ParseRepoID(req.Repo)
	if err != nil {
		return err
	}
	if req.File == "" {
		return hfgate.Errorf(hfgate.EINVALID, `no file named: the request body must be JSON like {"repo": "org/name", "file": "model.gguf"}`)
	}
	if req.Revision != "" {
		if err := hfgate.ValidateRevision(req.Revision); err != nil {
			return err
		}
	}
	t, err := d.Start(repo, req.Revision, req.File, hfgate.PrincipalFrom(r.Context()))
	if err != nil {
		return err
	}
	webauth.WriteJSON(w, http.StatusCreated, t)
	return nil
}

// apiCancelDownload: POST /api/downloads/{id}/cancel.
func (s *Server) apiCancelDownload(w http.ResponseWriter, r *http.Request) error {
	return s.downloadAction(w, r, (*Downloads).Cancel)
}

// apiResumeDownload: POST /api/downloads/{id}/resume.
func (s *Server) apiResumeDownload(w http.ResponseWriter, r *http.Request) error {
	return s.downloadAction(w, r, (*Downloads).Resume)
}

func (s *Server) downloadAction(w http.ResponseWriter, r *http.Request, act func(*Downloads, string, *hfgate.Principal) (Transfer, error)) error {
	d, err := s.downloads()
	if err != nil {
		return err
	}
	t, err := act(d, r.PathValue("id"), hfgate.PrincipalFrom(r.Context()))
	if err != nil {
		return err
	}
	webauth.WriteJSON(w, http.StatusOK, t)
	return nil
}
