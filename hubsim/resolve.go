package hubsim

import (
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/hfgate/hfgate/hubroute"
)

// handleResolve serves GET/HEAD /[TYPE/]{id}/resolve/{rev}/{path} and
// /[TYPE/]{id}/raw/{rev}/{path}, reference §4:
//
//   - a regular file: 200 with ETag "<git blob sha1>", X-Repo-Commit,
//     Content-Length and Accept-Ranges; Range requests are served;
//   - an LFS file: 302 to a signed CDN URL with X-Linked-Etag
//     "<sha256>", X-Linked-Size and X-Repo-Commit, and for a Xet-backed
//     repo X-Xet-Hash and Link rel="xet-auth" and
//     rel="xet-reconstruction-info" (reference §3); raw serves its LFS
//     pointer instead;
//   - a Xet-backed file asked for with Accept:
//     application/vnd.xet-fileinfo+json (huggingface.js
//     fileDownloadInfo): 200 with the Xet file info, Range ignored.
//
// Errors follow openRepo, then GatedRepo, RevisionNotFound, and
// EntryNotFound with X-Repo-Commit.
func (s *Server) handleResolve(w http.ResponseWriter, r *http.Request, rt hubroute.Route) {
	_, re, ok := s.openFiles(w, r, rt)
	if !ok {
		return
	}
	raw, filePath := rt.Action == hubroute.Raw, rt.Path
	c, herr := resolveRevision(re, rt.Revision)
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
		h.Set("X-Linked-Etag", `"`+fi.SHA256+`"`)
		h.Set("X-Linked-Size", strconv.FormatInt(fi.Size, 10))
		if re.Xet {
			s.setXetHeaders(h, r, re, c, fi)
			if strings.Contains(r.Header.Get("Accept"), xetFileInfoType) {
				s.writeXetFileInfo(w, r, fi)
				return
			}
		}
		s.hub.registerBlob(fi.SHA256, f.src)
		loc := s.signCDNURL(re, fi.SHA256, filePath)
		h.Set("Location", loc)
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
