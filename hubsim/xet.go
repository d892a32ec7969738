package hubsim

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubroute"
)

// Xet, as the Hub sends it for Xet-backed repos (reference §3). hubsim
// serves the metadata (headers, xetHash, read tokens) but not the Xet CAS
// protocol itself: a Xet client gets a clear 501 from the CAS URL, and
// every client can download over the LFS-compatible resolve redirect, as
// on the Hub.

// xetFileInfoType is the Accept value with which huggingface.js asks
// resolve for a Xet file's info instead of its bytes.
const xetFileInfoType = "application/vnd.xet-fileinfo+json"

// XetTokenTTL is how long a xet-read-token answer is valid. UNVERIFIED.
const XetTokenTTL = time.Hour

// xetHash is a file's Xet hash: 64 hex, derived from its SHA-256. (The
// real one is a Merkle hash of the file's chunks; clients treat it as
// opaque.)
func xetHash(sha string) string {
	sum := sha256.Sum256([]byte("hubsim xet\x00" + sha))
	return hex.EncodeToString(sum[:])
}

// casURL is the simulated Xet CAS service, on the CDN host.
func (s *Server) casURL() string { return s.cdnURL }

// setXetHeaders adds X-Xet-Hash and the Link to the read-token route and
// the reconstruction info, as resolve sends them for a Xet-backed file.
func (s *Server) setXetHeaders(h http.Header, r *http.Request, re *repoEntry, c *commitEntry, fi FileInfo) {
	hash := xetHash(fi.SHA256)
	h.Set("X-Xet-Hash", hash)
	h.Set("Link", "<"+s.xetAuthURL(r, re, c)+`>; rel="xet-auth", <`+s.casURL()+"/v1/reconstructions/"+hash+`>; rel="xet-reconstruction-info"`)
}

func (s *Server) xetAuthURL(r *http.Request, re *repoEntry, c *commitEntry) string {
	rt := hubroute.Route{Action: hubroute.XetReadToken, Type: re.typ, Repo: hfgate.RepoID(re.ID), Revision: c.id}
	return baseURL(r) + rt.EscapedPath()
}

// writeXetFileInfo answers resolve with Accept: xetFileInfoType: 200 with
// the headers of a Xet file and a small JSON body. UNVERIFIED: the body;
// huggingface.js reads only the headers.
func (s *Server) writeXetFileInfo(w http.ResponseWriter, r *http.Request, fi FileInfo) {
	h := w.Header()
	h.Set("Content-Type", xetFileInfoType)
	h.Set("ETag", `"`+fi.SHA256+`"`)
	writeStatusJSON(w, r, http.StatusOK, jsonObject{{"hash", xetHash(fi.SHA256)}, {"etag", fi.SHA256}, {"size", fi.Size}})
}

// handleXetReadToken serves GET /api/TYPE/{id}/xet-read-token/{rev}: a
// token for the Xet storage of the revision, in the Hub's shape, as a JSON
// body ({"accessToken", "exp", "casUrl"}, hub-docs xet/auth.md) and as the
// X-Xet-Cas-Url, X-Xet-Access-Token and X-Xet-Token-Expiration headers
// huggingface_hub reads. The caller must be allowed to download (gated
// repos too). A repo that is not Xet-backed answers 404 (UNVERIFIED).
func (s *Server) handleXetReadToken(w http.ResponseWriter, r *http.Request, rt hubroute.Route) {
	_, re, ok := s.openFiles(w, r, rt)
	if !ok {
		return
	}
	if _, herr := resolveRevision(re, rt.Revision); herr != nil {
		herr.write(w, r)
		return
	}
	if !re.Xet {
		writeHubError(w, r, http.StatusNotFound, "", "This repository is not stored in Xet")
		return
	}
	exp := s.Now().Add(XetTokenTTL).Unix()
	token := randomToken("xet_read_", 40)
	h := w.Header()
	h.Set("X-Xet-Cas-Url", s.casURL())
	h.Set("X-Xet-Access-Token", token)
	h.Set("X-Xet-Token-Expiration", strconv.FormatInt(exp, 10))
	h.Set("Cache-Control", "no-store")
	writeStatusJSON(w, r, http.StatusOK, jsonObject{{"accessToken", token}, {"exp", exp}, {"casUrl", s.casURL()}})
}

// handleCAS answers the Xet CAS routes on the CDN host: hubsim does not
// speak the Xet protocol, and says so.
func handleCAS(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotImplemented, map[string]string{
		"error": "hubsim does not serve the Xet CAS protocol: download the file through its resolve URL, which redirects to plain HTTP"})
}
