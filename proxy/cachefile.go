package proxy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/blobcache"
)

// serveCached answers a GET of f from the blob cache: a hit is served from
// the verified copy; a miss starts one fill from upstream (or joins the
// one running) and streams its bytes as they arrive. The cache holds back
// the last byte of a file until the whole file is verified, so a client
// whose fill turns out corrupt has its connection cut before the end. A
// range that ends at the end of a file still being filled, resumed by a
// client from its middle, gets every byte but the last as it arrives and
// the last one from upstream, rather than waiting for the whole file. A
// file the cache cannot take (too large for it, a disk that fails) is
// served from upstream without it; one it does not have while the Hub
// cannot be reached is a 504.
func (x *exchange) serveCached(ctx context.Context, f *upstreamFile) {
	key, err := blobcache.ParseKey(f.etag)
	if err != nil { // not a content hash the cache can check
		x.serveFile(ctx, f)
		return
	}
	start, end, partial, ok := parseRange(x.r.Header.Get("Range"), f.size)
	if !ok {
		x.unsatisfiable(f)
		return
	}
	var up blobcache.Upstream
	if !f.offline {
		up = x.newRemoteFile(f)
	}
	r, err := x.p.cache.Open(ctx, blobcache.Blob{Key: key, Size: f.size, Name: BlobName(x.rt.Type, x.rt.Repo, f.commit, x.rt.Path)}, up)
	switch {
	case err != nil && up == nil:
		x.answerError(x.notCached(err, "this file's content"))
		return
	case err != nil:
		if code := hfgate.ErrorCode(err); code == hfgate.ENOSPACE || code == hfgate.EINTERNAL {
			x.p.cfg.Logger.LogAttrs(ctx, slogWarn, "proxy: serving a file without the cache", attrRequest(x), attrError(err))
			x.serveFile(ctx, f)
			return
		}
		x.answerError(err)
		return
	}
	defer r.Close()
	cached := r.Cached()
	var tail int64 // bytes at the end that come from upstream, not the fill
	if !cached && up != nil && start > 0 && end == f.size {
		tail = 1
	}
	if end-tail > start {
		if err := r.Wait(start); err != nil {
			if hubDown(nil, err) { // the metadata was fresh, the Hub is gone
				err = x.notCached(err, "this file's content")
			}
			x.answerError(err)
			return
		}
	}
	source := hfgate.AuditFromHub
	if cached {
		source = hfgate.AuditFromCache
	}
	intent := x.event(hfgate.AuditKindIntent)
	x.describe(intent, f)
	intent.Source = source
	if x.record(intent) != nil {
		x.writeError(errAuditDown)
		return
	}
	x.writeFileHeader(f, start, end, partial)

	// A small file sent whole is recorded with its SHA-256 (the cache keys
	// it by its git blob SHA-1), as serveFile does; an LFS file is sent by
	// sendfile, without passing through here.
	var w io.Writer = x.w
	var sum hash.Hash
	if !f.lfs && start == 0 && end == f.size {
		sum = sha256.New()
		w = io.MultiWriter(x.w, sum)
	}
	n, err := r.WriteRange(w, start, end-tail-start)
	if err == nil && tail > 0 {
		var m int64
		m, err = x.sendTail(ctx, r, up, end-tail, end)
		n += m
	}
	x.p.m.bytes.WithLabelValues(string(source)).Add(float64(n))
	outcome := hfgate.AuditComplete
	switch {
	case err == nil:
	case ctx.Err() != nil || !isCacheError(err):
		outcome = hfgate.AuditCanceled // the client went away
	default:
		outcome = hfgate.AuditError
		x.p.cfg.Logger.LogAttrs(ctx, slogWarn, "proxy: cached file transfer failed", attrRequest(x), attrError(err))
	}
	ev := x.event(hfgate.AuditKindEnd)
	x.describe(ev, f)
	ev.Source, ev.Status, ev.Bytes, ev.Outcome = source, x.status, n, outcome
	if sum != nil && outcome == hfgate.AuditComplete {
		ev.SHA256 = hex.EncodeToString(sum.Sum(nil))
	}
	if err != nil {
		ev.Detail = map[string]string{"error": hfgate.ErrorMessage(err)}
	}
	x.record(ev) // the bytes are gone: a failure is counted and logged
	if outcome != hfgate.AuditComplete {
		panic(http.ErrAbortHandler) // never end a response short as if it were whole
	}
}

// isCacheError reports whether err came from the cache or upstream (a
// *hfgate.Error) rather than from writing to the client.
func isCacheError(err error) bool {
	var he *hfgate.Error
	return errors.As(err, &he)
}

// sendTail sends the bytes [off, end) at the end of a file the fill has
// not verified yet: from the cache if it has meanwhile, else from
// upstream.
func (x *exchange) sendTail(ctx context.Context, r *blobcache.Reader, up blobcache.Upstream, off, end int64) (int64, error) {
	if r.Ready(off) >= end-off {
		return r.WriteRange(x.w, off, end-off)
	}
	body, err := up.Fetch(ctx, off, end)
	if err != nil {
		return 0, err
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, end-off))
	if err == nil && int64(len(b)) < end-off {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return 0, hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the end of the file could not be fetched")
	}
	n, err := x.w.Write(b)
	return int64(n), err
}

// unsatisfiable answers a Range outside f: 416 with the file's size.
func (x *exchange) unsatisfiable(f *upstreamFile) {
	x.fileHeaders(f)
	x.w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(f.size, 10))
	x.answerError(&hubError{status: http.StatusRequestedRangeNotSatisfiable, msg: "Requested Range Not Satisfiable"})
}

// BlobName is the name the proxy gives a file it puts in the blob cache
// (blobcache.Blob.Name), which listings show: the repo as policy patterns
// name it, "@", the commit, "/", the file. ParseBlobName reads it back.
func BlobName(typ hfgate.RepoType, repo hfgate.RepoID, commit, path string) string {
	return repoName(typ, repo) + "@" + commit + "/" + path
}

// ParseBlobName reads a BlobName: the repo ("owner/name",
// "datasets/owner/name", ...), the commit and the file's path.
func ParseBlobName(name string) (repo, commit, path string, ok bool) {
	repo, rest, ok1 := strings.Cut(name, "@")
	commit, path, ok2 := strings.Cut(rest, "/")
	return repo, commit, path, ok1 && ok2 && repo != "" && path != ""
}
