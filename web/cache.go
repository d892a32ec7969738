package web

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/webauth"
)

// What is in the cache: the model page shows a file that is there as
// Downloaded, with its path, a "Verify" action and its IPFS CID if pinned.

// cacheRepo returns the cache's entry of a model repository, or false when
// the app has no cache.
func (s *Server) cacheRepo(repo hfgate.RepoID) (hfcache.Repo, bool) {
	if s.CacheDir == "" {
		return hfcache.Repo{}, false
	}
	r, err := hfcache.Cache{Dir: s.CacheDir}.Repo(hfgate.RepoTypeModel, repo)
	return r, err == nil
}

// cached adds to each entry of m where it is in the cache at m's commit.
func (s *Server) cached(ctx context.Context, m *hfgate.Model, entries []fit.Entry) []fileJSON {
	out := make([]fileJSON, len(entries))
	r, ok := s.cacheRepo(m.ID)
	cids := map[string]string{}
	if ok {
		if recs, _, err := r.IPFSRecords(); err == nil {
			for _, rec := range recs {
				if rec.Commit == m.SHA {
					cids[rec.File] = rec.CID
				}
			}
		}
	}
	for i, e := range entries {
		out[i].Entry = e
		if !ok || ctx.Err() != nil {
			continue
		}
		out[i].LocalPath = localPath(r, m.SHA, e)
		out[i].CID = cids[e.Path]
	}
	return out
}

// localPath returns where entry e is in the cache at commit ("" if any of
// its parts is not).
func localPath(r hfcache.Repo, commit string, e fit.Entry) string {
	parts := e.Shards
	if len(parts) == 0 {
		parts = []string{e.Path}
	}
	var first string
	for _, p := range parts {
		lp, err := r.Lookup(commit, p)
		if err != nil {
			return ""
		}
		if first == "" {
			first = lp
		}
	}
	return first
}

// verifyRequest is the body of POST /api/cache/verify.
type verifyRequest struct {
	Repo     string `json:"repo"`
	Revision string `json:"revision"`
	File     string `json:"file"`
}

// verifyJSON is its answer.
type verifyJSON struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
	Path    string `json:"path"`
}

// apiVerify: POST /api/cache/verify {"repo","revision","file"} reads a
// cached file again and checks it against its name (SHA-256 or git blob
// id), as "hfgate cache verify" does for a whole repository.
func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) error {
	var req verifyRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	repo, err := hfgate.ParseRepoID(req.Repo)
	if err != nil {
		return err
	}
	cr, ok := s.cacheRepo(repo)
	if !ok {
		return hfgate.Errorf(hfgate.EUNAVAILABLE, "this server has no cache to verify")
	}
	b, err := cr.LookupBlob(req.Revision, req.File)
	if err != nil {
		return err
	}
	path, _ := cr.Lookup(b.Commit, req.File)
	out := verifyJSON{Path: path}
	sum, ok, err := hashBlob(r.Context(), cr, b)
	switch {
	case err != nil:
		return err
	case !ok:
		out.Message = "this file's name in the cache is no hash, so its content cannot be checked"
	case sum == b.ETag:
		out.OK, out.Message = true, "the file is intact: its content matches the hash the Hub gave"
	default:
		out.Message = "the file is damaged: its content no longer matches the hash the Hub gave; download it again"
	}
	webauth.WriteJSON(w, http.StatusOK, out)
	return nil
}

// hashBlob hashes a cached blob as its name says (ok false for a name that
// is no hash).
func hashBlob(ctx context.Context, r hfcache.Repo, b hfcache.CachedBlob) (string, bool, error) {
	h, ok := hfcache.ContentHash(b.ETag, b.Size)
	if !ok {
		return "", false, nil
	}
	f, err := r.OpenBlob(b.ETag)
	if err != nil {
		return "", true, err
	}
	defer f.Close()
	if _, err := io.Copy(h, ctxReader{ctx, f}); err != nil {
		if ctx.Err() != nil {
			return "", true, hfgate.WrapError(hfgate.ECANCELED, err, "verifying was canceled")
		}
		return "", true, hfgate.WrapError(hfgate.EINTERNAL, err, "read %s", b.File)
	}
	return hex.EncodeToString(h.Sum(nil)), true, nil
}

// ctxReader stops reading when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// maxBody bounds the JSON body of an API call.
const maxBody = 64 << 10

// decodeJSON reads a JSON API body into v, refusing unknown fields.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, "the request body is not the JSON this call takes")
	}
	return nil
}
