package hubsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// CDNURLTTL is how long a signed CDN URL stays valid, as the real Hub's
// X-Amz-Expires=3600.
const CDNURLTTL = time.Hour

const amzDate = "20060102T150405Z"

// registerCDN adds the CDN host's single route: signed blob URLs
// /repos/{xx}/{yy}/{repo hash}/{sha256}?X-Amz-...
func (s *Server) registerCDN(mux *http.ServeMux) {
	mux.HandleFunc("/", s.handleCDN)
	mux.HandleFunc("/v1/", handleCAS)
	mux.HandleFunc("/v2/", handleCAS)
}

// registerBlob lets the CDN serve src under its SHA-256.
func (h *hubState) registerBlob(sha string, src *contentSource) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.blobs[sha] = src
}

func (h *hubState) blob(sha string) *contentSource {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.blobs[sha]
}

// signCDNURL returns the absolute, signed and expiring CDN URL of a blob,
// shaped like the presigned S3 URLs the Hub redirects to.
func (s *Server) signCDNURL(re *repoEntry, sha, filePath string) string {
	rh := sha256.Sum256([]byte(re.objectID))
	repoHash := hex.EncodeToString(rh[:])
	p := "/repos/" + repoHash[:2] + "/" + repoHash[2:4] + "/" + repoHash + "/" + sha
	name := path.Base(filePath)
	disp := "inline; filename*=UTF-8''" + url.PathEscape(name) + `; filename="` + name + `";`
	date := s.Now().UTC().Format(amzDate)
	expires := strconv.Itoa(int(CDNURLTTL / time.Second))
	q := url.Values{
		"X-Amz-Algorithm":              {"AWS4-HMAC-SHA256"},
		"X-Amz-Credential":             {"HUBSIMEXAMPLEKEY/" + date[:8] + "/us-east-1/s3/aws4_request"},
		"X-Amz-Date":                   {date},
		"X-Amz-Expires":                {expires},
		"X-Amz-SignedHeaders":          {"host"},
		"X-Amz-Signature":              {s.cdnSignature(p, date, expires, disp)},
		"response-content-disposition": {disp},
		"x-id":                         {"GetObject"},
	}
	return s.cdnURL + p + "?" + q.Encode()
}

func (s *Server) cdnSignature(p, date, expires, disp string) string {
	m := hmac.New(sha256.New, s.hub.cdnKey)
	m.Write([]byte(p + "\n" + date + "\n" + expires + "\n" + disp))
	return hex.EncodeToString(m.Sum(nil))
}

// handleCDN serves a blob at a signed URL, with Range (206, 416) and HEAD.
// Like S3 with a presigned URL it refuses a request that also carries an
// Authorization header (400): a client that forwards the Hub token across
// the redirect fails here, as it would against the real CDN.
func (s *Server) handleCDN(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s3Error(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		return
	}
	if r.Header.Get("Authorization") != "" {
		s3Error(w, r, http.StatusBadRequest, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
		return
	}
	q := r.URL.Query()
	date, expires, disp := q.Get("X-Amz-Date"), q.Get("X-Amz-Expires"), q.Get("response-content-disposition")
	want := s.cdnSignature(r.URL.Path, date, expires, disp)
	if q.Get("X-Amz-Signature") == "" || !hmac.Equal([]byte(q.Get("X-Amz-Signature")), []byte(want)) {
		s3Error(w, r, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
		return
	}
	signed, err1 := time.Parse(amzDate, date)
	ttl, err2 := strconv.Atoi(expires)
	if err1 != nil || err2 != nil || !s.Now().Before(signed.Add(time.Duration(ttl)*time.Second)) {
		s3Error(w, r, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	sha := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	src := s.hub.blob(sha)
	if src == nil {
		s3Error(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	c, err := src.content()
	if err != nil {
		s3Error(w, r, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
		return
	}
	h := w.Header()
	h.Set("ETag", `"`+sha+`"`) // the real CDN may send another id here; clients trust X-Linked-Etag
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Cache-Control", "public, max-age=604800, immutable, s-maxage=604800")
	if disp != "" {
		h.Set("Content-Disposition", disp)
	}
	http.ServeContent(w, r, "", time.Time{}, newContentReader(c, corruptAt(r)))
}

// s3Error answers like S3: an XML error document.
func s3Error(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>\n", code, html.EscapeString(msg))
	}
}

// CDNFileURL returns a freshly signed CDN URL of an LFS file, valid for
// CDNURLTTL from Now, as resolve would redirect to. It fails for files that
// are not in LFS (resolve serves those itself).
func (s *Server) CDNFileURL(repo, rev, filePath string) (string, error) {
	re, f, _, err := s.catalog.find(repo, rev, filePath)
	if err != nil {
		return "", err
	}
	if !f.lfs {
		return "", fmt.Errorf("hubsim: %s/%s is not an LFS file", repo, filePath)
	}
	fi, err := s.hub.idx.stat(f)
	if err != nil {
		return "", err
	}
	s.hub.registerBlob(fi.SHA256, f.src)
	return s.signCDNURL(re, fi.SHA256, filePath), nil
}
