package proxy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubroute"
)

// metaCacheable reports whether the exchange's answer is one the
// metadata cache keeps by commit: repo info, a tree page, paths-info.
func (x *exchange) metaCacheable() bool {
	switch x.rt.Action {
	case hubroute.RepoInfo, hubroute.Tree:
		return x.r.Method == http.MethodGet
	case hubroute.PathsInfo:
		return x.r.Method == http.MethodPost
	}
	return false
}

// metaReply answers a metadata request, with the cache: while the
// revision's commit is fresh, from the answer kept for that commit (after
// the caller's rights are checked), or from the Hub asked at that commit,
// whose answer is kept; otherwise from the Hub, keeping the answer when it
// names its commit (repo info). When the Hub cannot be reached, the answer
// kept for the revision's last known commit is served however old, or a
// 504 says there is none.
func (x *exchange) metaReply() (*reply, error) {
	body, err := x.requestBody()
	if err != nil {
		return nil, err
	}
	if x.p.cache == nil || !x.metaCacheable() {
		return x.fetchMetadata(x.rt, body)
	}
	rt := x.rt
	commit, known := x.commitOf(false)
	if known {
		if rep := x.cachedMeta(commit, body); rep != nil {
			if refusal, err := x.checkRights(false, seeRepo); refusal != nil || err != nil {
				rep.release()
				return refusal, err
			}
			x.p.m.metaCache.WithLabelValues("fresh").Inc()
			return rep, nil
		}
		rt.Revision = commit // the answer is then the commit's, whatever the branch does meanwhile
	}
	rep, err := x.fetchMetadata(rt, body)
	switch {
	case err == nil && rep.status == http.StatusOK:
		if !known && x.rt.Action == hubroute.RepoInfo && hfgate.IsCommitHash(rep.commit) {
			commit, known = rep.commit, true
			x.storeRevision(commit)
		}
		if known {
			x.storeMeta(commit, body, rep)
		}
		x.hubLetIn(seeRepo)
		x.p.m.metaCache.WithLabelValues("miss").Inc()
		return rep, nil
	case !hubDown(rep, err):
		return rep, err
	}
	if rep != nil {
		rep.release()
	}
	// Rights first: whether the cache holds an answer is no business of a
	// caller who may not see the repo.
	if refusal, err := x.checkRights(true, seeRepo); refusal != nil || err != nil {
		return refusal, err
	}
	if commit, known = x.commitOf(true); known {
		if cached := x.cachedMeta(commit, body); cached != nil {
			x.p.m.metaCache.WithLabelValues("offline").Inc()
			return cached, nil
		}
	}
	x.p.m.metaCache.WithLabelValues("offline-miss").Inc()
	return nil, x.notCached(err, "this answer")
}

// metaKey is the document key of the exchange's answer at commit: its
// action, path, query and body (paths-info) make its kind.
func (x *exchange) metaKey(commit string, body []byte) blobcache.DocKey {
	h := sha256.New()
	for _, s := range []string{x.rt.Path, x.r.URL.RawQuery} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	h.Write(body)
	return blobcache.DocKey{Type: x.rt.Type, Repo: x.rt.Repo, Commit: commit,
		Kind: string(x.rt.Action) + ":" + hex.EncodeToString(h.Sum(nil))}
}

// metaHeader is the first line of a kept answer: the headers the client
// got (already filtered and rewritten), then the body follows.
type metaHeader struct {
	Header http.Header `json:"header"`
}

// storeMeta keeps rep, the answer at commit.
func (x *exchange) storeMeta(commit string, body []byte, rep *reply) {
	head, err := json.Marshal(metaHeader{Header: rep.header})
	if err != nil {
		return
	}
	doc := make([]byte, 0, len(head)+1+rep.body.Len())
	doc = append(append(append(doc, head...), '\n'), rep.body.Bytes()...)
	x.logCacheError(x.p.cache.Meta().PutDoc(x.metaKey(commit, body), doc))
}

// cachedMeta returns the answer kept for the exchange at commit, or nil.
func (x *exchange) cachedMeta(commit string, body []byte) *reply {
	doc, ok := x.p.cache.Meta().Doc(x.metaKey(commit, body))
	if !ok {
		return nil
	}
	head, rest, ok := bytes.Cut(doc, []byte{'\n'})
	var h metaHeader
	if !ok || json.Unmarshal(head, &h) != nil {
		return nil
	}
	rep := &reply{status: http.StatusOK, header: h.Header, body: getBuf(), commit: commit}
	if rep.header == nil {
		rep.header = http.Header{}
	}
	rep.body.Write(rest)
	return rep
}
