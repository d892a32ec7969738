package proxy

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubroute"
	"github.com/hfgate/hfgate/policy"
)

// This file keeps what serving a file from the cache needs besides its
// bytes: which commit a revision names, and what the Hub answered about
// each file at a commit (its ETag, size and kind). The bytes themselves are
// in the blob cache under the ETag.

// defaultRevision is the revision the metadata cache files the default
// branch under, for repo info asked without a revision: no branch can be
// named so (git refuses refs/heads/HEAD).
const defaultRevision = "HEAD"

// revision returns the exchange's revision as the metadata cache keys it.
func (x *exchange) revision() string {
	if x.rt.Revision == "" {
		return defaultRevision
	}
	return x.rt.Revision
}

// commitOf returns the commit the exchange's revision names in the
// metadata cache: at once for a commit id; for a branch or tag, if stored
// and fresh, or if stale when stale is allowed (the Hub cannot be reached).
func (x *exchange) commitOf(stale bool) (string, bool) {
	rev := x.revision()
	if hfgate.IsCommitHash(rev) {
		return rev, true
	}
	commit, fresh, ok := x.p.cache.Meta().Revision(x.rt.Type, x.rt.Repo, rev)
	return commit, ok && (fresh || stale)
}

// storeRevision records that the exchange's revision names commit.
func (x *exchange) storeRevision(commit string) {
	if rev := x.revision(); hfgate.IsCommitHash(commit) && rev != commit {
		x.logCacheError(x.p.cache.Meta().PutRevision(x.rt.Type, x.rt.Repo, rev, commit))
	}
}

// fileDoc is what the metadata cache keeps of a file at a commit: the
// Hub's answer to resolve (or raw) without its bytes.
type fileDoc struct {
	ETag        string `json:"etag"`
	Size        int64  `json:"size"`
	LFS         bool   `json:"lfs,omitempty"`
	ContentType string `json:"content_type,omitempty"`
}

// fileKey is the document key of the exchange's file at commit.
func (x *exchange) fileKey(commit string) blobcache.DocKey {
	return blobcache.DocKey{Type: x.rt.Type, Repo: x.rt.Repo, Commit: commit, Kind: string(x.rt.Action) + ":" + x.rt.Path}
}

// cachedFile returns what the metadata cache knows of the exchange's file,
// or nil (see commitOf for stale).
func (x *exchange) cachedFile(stale bool) *upstreamFile {
	commit, ok := x.commitOf(stale)
	if !ok {
		return nil
	}
	b, ok := x.p.cache.Meta().Doc(x.fileKey(commit))
	var d fileDoc
	if !ok || json.Unmarshal(b, &d) != nil || d.ETag == "" || d.Size < 0 {
		return nil
	}
	return &upstreamFile{commit: commit, etag: d.ETag, size: d.Size, lfs: d.LFS, ctype: d.ContentType, cached: true}
}

// storeFile records what the Hub said of the exchange's file.
func (x *exchange) storeFile(f *upstreamFile) {
	if !hfgate.IsCommitHash(f.commit) {
		return
	}
	x.storeRevision(f.commit)
	b, _ := json.Marshal(fileDoc{ETag: f.etag, Size: f.size, LFS: f.lfs, ContentType: f.ctype})
	x.logCacheError(x.p.cache.Meta().PutDoc(x.fileKey(f.commit), b))
}

// lookupFile finds what the exchange's file is (see resolveUpstream), with
// the cache: from the metadata cache while it is fresh (after the caller's
// rights are checked), else from the Hub (a HEAD: the bytes come from the
// blob cache), else, when the Hub cannot be reached, from the metadata
// cache however old, or a 504 when it has nothing.
func (x *exchange) lookupFile() (*upstreamFile, *reply, error) {
	ctx := x.r.Context()
	if x.p.cache == nil {
		return x.resolveUpstream(ctx, x.r.Method)
	}
	if f := x.cachedFile(false); f != nil {
		if rep, err := x.checkRights(false, getFiles); rep != nil || err != nil {
			return nil, rep, err
		}
		x.p.m.metaCache.WithLabelValues("fresh").Inc()
		return f, nil, nil
	}
	f, rep, err := x.resolveUpstream(ctx, http.MethodHead)
	switch {
	case err == nil && rep == nil:
		x.storeFile(f)
		x.hubLetIn(getFiles)
		x.p.m.metaCache.WithLabelValues("miss").Inc()
		return f, nil, nil
	case !hubDown(rep, err):
		return f, rep, err
	}
	if rep != nil {
		rep.release()
	}
	// Rights first: whether the cache holds a file is no business of a
	// caller who may not have it.
	if rep, err := x.checkRights(true, getFiles); rep != nil || err != nil {
		return nil, rep, err
	}
	cached := x.cachedFile(true)
	if cached == nil {
		x.p.m.metaCache.WithLabelValues("offline-miss").Inc()
		return nil, nil, x.notCached(err, "this file")
	}
	x.p.m.metaCache.WithLabelValues("offline").Inc()
	cached.offline = true
	return cached, nil, nil
}

// hubDown reports whether the Hub failed to answer (it cannot be reached,
// it timed out) or answered with a server error: what the cache then holds
// is served instead, as huggingface_hub serves its own cache when the Hub
// is down.
func hubDown(rep *reply, err error) bool {
	var he *hubError
	if err != nil {
		return errors.As(err, &he) && he.unreachable
	}
	return rep != nil && rep.status >= 500
}

// notCached is the answer when the Hub cannot be reached and the cache
// lacks what was asked: 504, saying so.
func (x *exchange) notCached(cause error, what string) error {
	return &hubError{status: http.StatusGatewayTimeout, err: cause, unreachable: true,
		msg: "the Hub cannot be reached and the gateway's cache has no copy of " + what + " (" + repoName(x.rt.Type, x.rt.Repo) + " at " + x.revision() + "); try again later"}
}

// logCacheError logs a failure of the metadata cache: the request goes on
// without it.
func (x *exchange) logCacheError(err error) {
	if err != nil && hfgate.ErrorCode(err) != hfgate.EINVALID {
		x.p.cfg.Logger.LogAttrs(x.r.Context(), slogWarn, "proxy: metadata cache", attrRequest(x), attrError(err))
	}
}

// repoName names a repo as people and policy patterns do:
// "owner/name", "datasets/owner/name", "spaces/owner/name".
func repoName(typ hfgate.RepoType, repo hfgate.RepoID) string {
	return policy.Resource{Type: typ, ID: repo}.String()
}

// isFileRoute reports whether a is resolve or raw.
func isFileRoute(a hubroute.Action) bool { return a == hubroute.Resolve || a == hubroute.Raw }
