package hubsim

import (
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// handleResolve serves GET/HEAD /{id}/resolve/{rev}/{path} (raw=false) and
// /{id}/raw/{rev}/{path} (raw=true), reference §4:
//
//   - a regular file: 200 with ETag "<git blob sha1>", X-Repo-Commit,
//     Content-Length and Accept-Ranges; Range requests are served;
//   - an LFS file: 302 to a signed CDN URL with X-Linked-Etag
//     "<sha256>", X-Linked-Size and X-Repo-Commit; raw serves its LFS
//     pointer instead.
//
// Errors follow openRepo, then GatedRepo, RevisionNotFound, and
// EntryNotFound with X-Repo-Commit.
func (s *Server) handleResolve(w http.ResponseWriter, r *http.Request, id, rev, filePath string, raw bool) {
	p, re, ok := s.openRepo(w, r, id)
	if !ok {
		return
	}
	if herr := checkGated(r, p, re); herr != nil {
		herr.write(w, r)
		return
	}
	c, herr := resolveRevision(re, rev)
	if herr != nil {
		herr.write(w, r)
		return
	}
	f := c.byPath[filePath]
	if f == nil {
		entryNotFound(c.id).write(w, r)
		return
	}
	fi, err := s.hub.idx.stat(f)
	if err != nil {
		writeInternalError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("X-Repo-Commit", c.id)
	var body content
	switch {
	case f.lfs && raw:
		ptr := []byte(lfsPointer(fi.SHA256, fi.Size))
		body = memContent(ptr)
		h.Set("ETag", `"`+fi.BlobID+`"`)
		h.Set("Content-Type", "text/plain; charset=utf-8")
	case f.lfs:
		s.hub.registerBlob(fi.SHA256, f.src)
		loc := s.signCDNURL(re, fi.SHA256, filePath)
		h.Set("Location", loc)
		h.Set("X-Linked-Etag", `"`+fi.SHA256+`"`)
		h.Set("X-Linked-Size", strconv.FormatInt(fi.Size, 10))
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusFound)
		if r.Method != http.MethodHead {
			io.WriteString(w, "Found. Redirecting to "+loc)
		}
		return
	default:
		if body, err = f.src.content(); err != nil {
			writeInternalError(w, r, err)
			return
		}
		h.Set("ETag", `"`+fi.BlobID+`"`)
		h.Set("Content-Type", contentType(filePath))
	}
	http.ServeContent(w, r, "", time.Time{}, newContentReader(body, corruptAt(r)))
}

// contentType guesses the Content-Type of a regular (non-LFS) file.
func contentType(p string) string {
	switch strings.ToLower(path.Ext(p)) {
	case ".json":
		return "application/json; charset=utf-8"
	case ".md", ".txt", ".py", ".yaml", ".yml", "":
		return "text/plain; charset=utf-8"
	}
	if strings.HasPrefix(path.Base(p), ".git") {
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}
