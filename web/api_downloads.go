package web

import (
	"net/http"
	"slices"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// downloadRequest is the body of POST /api/downloads: one file, the files
// of one model (the parts of a split GGUF), or all the repository's files.
type downloadRequest struct {
	Repo     string   `json:"repo"`
	Revision string   `json:"revision"`
	File     string   `json:"file"`
	Files    []string `json:"files"`
	All      bool     `json:"all"`
}

// maxFiles bounds the files of one download request.
const maxFiles = 1000

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

// apiDownloads: GET /api/downloads lists the caller's downloads, newest
// first.
func (s *Server) apiDownloads(w http.ResponseWriter, r *http.Request) error {
	d, err := s.downloads()
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	webauth.WriteJSON(w, http.StatusOK, downloadsJSON{Downloads: s.withCIDs(d.List(hfgate.PrincipalFrom(r.Context())))})
	return nil
}

const downloadUsage = `the request body must be JSON like {"repo": "org/name", "file": "model.gguf"}, with "files": [...] for several, or "all": true`

// apiStartDownload: POST /api/downloads starts a download (201) and
// returns its state; the same download, already running or done, is
// returned with 200.
func (s *Server) apiStartDownload(w http.ResponseWriter, r *http.Request) error {
	d, err := s.downloads()
	if err != nil {
		return err
	}
	var req downloadRequest
	if err := decodeJSON(r, &req); err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, downloadUsage)
	}
	repo, err := hfgate.ParseRepoID(req.Repo)
	if err != nil {
		return err
	}
	if req.Revision != "" {
		if err := hfgate.ValidateRevision(req.Revision); err != nil {
			return err
		}
	}
	files := req.Files
	if req.File != "" {
		files = append([]string{req.File}, files...)
	}
	if len(files) == 0 && !req.All || len(files) > 0 && req.All {
		return hfgate.Errorf(hfgate.EINVALID, "no file named: %s", downloadUsage)
	}
	if len(files) > maxFiles {
		return hfgate.Errorf(hfgate.EINVALID, "at most %d files in one download", maxFiles)
	}
	ctx := r.Context()
	var size int64
	if req.All || len(files) > 1 {
		// The listing gives the total size at once, and for "all" the
		// files: the progress bar then means the whole download.
		m, err := s.Hub.ModelInfo(ctx, repo, req.Revision, hfgate.WithBlobs())
		if err != nil {
			return err
		}
		var all []string
		for _, f := range m.Files {
			if !f.IsDir && (req.All || slices.Contains(files, f.Path)) {
				all = append(all, f.Path)
				size += f.Size
			}
		}
		if req.All {
			files = all
		}
		if len(files) == 0 {
			return hfgate.Errorf(hfgate.ENOTFOUND, "%s has no files", repo)
		}
	}
	t, created, err := d.Start(repo, req.Revision, files, req.All, size, hfgate.PrincipalFrom(ctx))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	webauth.WriteJSON(w, status, t)
	return nil
}

// apiCancelDownload: POST /api/downloads/{id}/cancel.
func (s *Server) apiCancelDownload(w http.ResponseWriter, r *http.Request) error {
	return s.downloadAction(w, r, (*Downloads).Cancel)
}

// apiResumeDownload: POST /api/downloads/{id}/resume.
func (s *Server) apiResumeDownload(w http.ResponseWriter, r *http.Request) error {
	if d, err := s.downloads(); err == nil {
		s.findInterrupted(r.Context(), d, r.PathValue("id"))
	}
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
