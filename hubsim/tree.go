package hubsim

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate/hubroute"
)

// Tree page sizes (reference §3: about 1000 entries, 50 with expand, at
// most 100 with expand).
const (
	treePageSize       = 1000
	treePageSizeExpand = 50
	treeMaxExpand      = 100
)

// treeEntry is a file or directory of a commit.
type treeEntry struct {
	path string
	file *fileEntry // nil for a directory
}

// entriesUnder lists the entries below dir ("" for the root): its children,
// or with recursive every descendant, directories included. Sorted by path.
func (c *commitEntry) entriesUnder(dir string, recursive bool) []treeEntry {
	prefix := ""
	if dir != "" {
		prefix = dir + "/"
	}
	inScope := func(p string) bool {
		rest, ok := strings.CutPrefix(p, prefix)
		return ok && rest != "" && (recursive || !strings.Contains(rest, "/"))
	}
	var out []treeEntry
	for d := range c.dirs {
		if inScope(d) {
			out = append(out, treeEntry{path: d})
		}
	}
	for _, f := range c.files {
		if inScope(f.path) {
			out = append(out, treeEntry{path: f.path, file: f})
		}
	}
	slices.SortFunc(out, func(a, b treeEntry) int { return strings.Compare(a.path, b.path) })
	return out
}

// handleTree serves GET /api/TYPE/{id}/tree/{rev}[/{path}] with
// recursive, expand (lastCommit, securityFileStatus), limit and cursor
// pagination through Link.
func (s *Server) handleTree(w http.ResponseWriter, r *http.Request, rt hubroute.Route) {
	_, re, c, ok := s.openRevision(w, r, rt)
	if !ok {
		return
	}
	dir := rt.Path
	// UNVERIFIED: a path naming a file, not a directory, is EntryNotFound.
	if dir != "" && !c.dirs[dir] {
		entryNotFound(c.id).write(w, r)
		return
	}
	q := r.URL.Query()
	expand, err := queryBool(q, "expand")
	if err != nil {
		writeHubError(w, r, http.StatusBadRequest, "", err.Error())
		return
	}
	recursive, err := queryBool(q, "recursive")
	if err != nil {
		writeHubError(w, r, http.StatusBadRequest, "", err.Error())
		return
	}
	limit, max := treePageSize, treePageSize
	if expand {
		limit, max = treePageSizeExpand, treeMaxExpand
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			writeHubError(w, r, http.StatusBadRequest, "", `"limit" must be a positive integer`)
			return
		}
		limit = min(n, max)
	}
	entries := c.entriesUnder(dir, recursive)
	if cur := q.Get("cursor"); cur != "" {
		b, err := base64.RawURLEncoding.DecodeString(cur)
		if err != nil {
			writeHubError(w, r, http.StatusBadRequest, "", "Invalid cursor")
			return
		}
		i, found := slices.BinarySearchFunc(entries, string(b), func(e treeEntry, p string) int { return strings.Compare(e.path, p) })
		if found {
			i++
		}
		entries = entries[i:]
	}
	more := len(entries) > limit
	entries = entries[:min(limit, len(entries))]
	out, err := s.treeObjects(re, c, entries, expand)
	if err != nil {
		writeInternalError(w, r, err)
		return
	}
	if more {
		next := base64.RawURLEncoding.EncodeToString([]byte(entries[len(entries)-1].path))
		w.Header().Set("Link", "<"+nextPageURL(r, next)+`>; rel="next"`)
	}
	writeHubJSON(w, r, out)
}

// treeObjects renders entries with treeObject; the slice is never nil, so an
// empty result is [] in JSON.
func (s *Server) treeObjects(re *repoEntry, c *commitEntry, entries []treeEntry, expand bool) ([]jsonObject, error) {
	out := make([]jsonObject, 0, len(entries))
	for _, e := range entries {
		obj, err := s.treeObject(re, c, e, expand)
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	return out, nil
}

// treeObject renders one entry in the shape of reference §3: xetHash for
// the LFS files of a Xet-backed repo; with expand, lastCommit, and for
// files securityFileStatus.
func (s *Server) treeObject(re *repoEntry, c *commitEntry, e treeEntry, expand bool) (jsonObject, error) {
	var obj jsonObject
	var last *commitEntry
	if e.file == nil {
		oid, err := s.hub.idx.treeOID(c, e.path)
		if err != nil {
			return nil, err
		}
		obj = jsonObject{{"type", "directory"}, {"oid", oid}, {"size", 0}, {"path", e.path}}
		if expand {
			for _, f := range c.entriesUnder(e.path, true) {
				if f.file != nil && (last == nil || f.file.lastCommit.date.After(last.date)) {
					last = f.file.lastCommit
				}
			}
		}
	} else {
		fi, err := s.hub.idx.stat(e.file)
		if err != nil {
			return nil, err
		}
		obj = jsonObject{{"type", "file"}, {"oid", fi.BlobID}, {"size", fi.Size}, {"path", e.path}}
		if fi.LFS {
			obj = append(obj, jsonField{"lfs", jsonObject{{"oid", fi.SHA256}, {"size", fi.Size}, {"pointerSize", fi.pointerSize}}})
			if re.Xet {
				obj = append(obj, jsonField{"xetHash", xetHash(fi.SHA256)})
			}
		}
		last = e.file.lastCommit
	}
	if expand && last != nil {
		obj = append(obj, jsonField{"lastCommit", jsonObject{{"id", last.id}, {"title", last.title}, {"date", hubTime(last.date)}}})
	}
	if expand && e.file != nil {
		obj = append(obj, jsonField{"securityFileStatus", securityFileStatus(re, e.path)})
	}
	return obj, nil
}

// treeOID computes the git tree id of a directory: sha1 over
// "tree <size>\0" and its sorted entries "<mode> <name>\0<20-byte id>".
func (idx *catalogIndex) treeOID(c *commitEntry, dir string) (string, error) {
	var body []byte
	children := c.entriesUnder(dir, false)
	// git orders entries by name, comparing a directory as "name/".
	sortName := func(e treeEntry) string {
		name := e.path[strings.LastIndex(e.path, "/")+1:]
		if e.file == nil {
			name += "/"
		}
		return name
	}
	slices.SortFunc(children, func(a, b treeEntry) int { return strings.Compare(sortName(a), sortName(b)) })
	for _, e := range children {
		name := e.path[strings.LastIndex(e.path, "/")+1:]
		var oid, mode string
		if e.file == nil {
			sub, err := idx.treeOID(c, e.path)
			if err != nil {
				return "", err
			}
			oid, mode = sub, "40000"
		} else {
			fi, err := idx.stat(e.file)
			if err != nil {
				return "", err
			}
			oid, mode = fi.BlobID, "100644"
		}
		raw, _ := hex.DecodeString(oid)
		body = append(body, mode+" "+name+"\x00"...)
		body = append(body, raw...)
	}
	h := sha1.New()
	h.Write([]byte("tree " + strconv.Itoa(len(body)) + "\x00"))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// handlePathsInfo serves POST /api/TYPE/{id}/paths-info/{rev}: the tree
// entries of the paths named in the body, leaving out paths that do not
// exist.
func (s *Server) handlePathsInfo(w http.ResponseWriter, r *http.Request, rt hubroute.Route) {
	_, re, c, ok := s.openRevision(w, r, rt)
	if !ok {
		return
	}
	paths, expand, err := pathsInfoRequest(r)
	if err != nil {
		writeHubError(w, r, http.StatusBadRequest, "", err.Error())
		return
	}
	var entries []treeEntry
	for _, p := range paths {
		p = strings.Trim(p, "/")
		switch {
		case c.byPath[p] != nil:
			entries = append(entries, treeEntry{path: p, file: c.byPath[p]})
		case c.dirs[p]:
			entries = append(entries, treeEntry{path: p})
		}
	}
	out, err := s.treeObjects(re, c, entries, expand)
	if err != nil {
		writeInternalError(w, r, err)
		return
	}
	writeHubJSON(w, r, out)
}

// pathsInfoRequest reads the body of a paths-info request in either form
// the official clients send: huggingface_hub posts a form (paths=,
// repeatable; expand=true or True), @huggingface/hub posts JSON ({"paths":
// [...], "expand": true}). The body is capped at 1 MiB.
func pathsInfoRequest(r *http.Request) (paths []string, expand bool, err error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var body struct {
			Paths  []string `json:"paths"`
			Expand bool     `json:"expand"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
			return nil, false, fmt.Errorf("invalid JSON body: %w", err)
		}
		return body.Paths, body.Expand, nil
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return nil, false, fmt.Errorf("invalid form: %w", err)
	}
	expand, err = parseBool("expand", r.PostForm.Get("expand"))
	return r.PostForm["paths"], expand, err
}
