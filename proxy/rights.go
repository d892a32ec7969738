package proxy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubroute"
)

// rights remembers when the Hub last let a caller read a repository, with
// the caller's own credential (Config.CallerCredentials), so that what the
// cache holds is served to that caller without asking the Hub every time,
// and never to a caller the Hub has not let in (alice's gated file is not
// bob's). A successful auth-check counts for RightsTTL, or OfflineRights
// while the Hub cannot be reached; a refusal forgets the caller's last
// success at once.
type rights struct {
	ttl, offline time.Duration
	now          func() time.Time

	mu sync.Mutex
	m  map[string]time.Time // caller + repo -> the Hub's last yes
}

// maxRights bounds the entries; past it, a random half goes.
const maxRights = 1 << 16

func newRights(ttl, offline time.Duration, now func() time.Time) *rights {
	return &rights{ttl: ttl, offline: offline, now: now, m: map[string]time.Time{}}
}

// access is what a right lets a caller have of a repo. The two differ for
// gated repos: the Hub shows their metadata to everyone who can see the
// repo, and their files only to those it granted access.
type access byte

const (
	seeRepo  access = 's' // its metadata: repo info, tree, paths-info
	getFiles access = 'f' // its files too
)

// rightsKey names a caller's right to a repo.
func rightsKey(who *hfgate.Principal, typ hfgate.RepoType, repo hfgate.RepoID, a access) string {
	return who.Subject + "\x00" + attrKey(typ, repo) + "\x00" + string(a)
}

// age returns how long ago the Hub last let key's caller in, if it did.
func (r *rights) age(key string) (time.Duration, bool) {
	r.mu.Lock()
	at, ok := r.m[key]
	r.mu.Unlock()
	return r.now().Sub(at), ok
}

func (r *rights) allow(key string) {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.m) >= maxRights {
		for k, at := range r.m {
			if now.Sub(at) >= r.offline || len(r.m) >= maxRights/2 {
				delete(r.m, k)
			}
		}
	}
	r.m[key] = now
}

func (r *rights) forget(key string) {
	r.mu.Lock()
	delete(r.m, key)
	r.mu.Unlock()
}

// hubLetIn records that the Hub just gave the exchange's caller, with
// their own credential, what a (a file: getFiles; metadata: seeRepo). A
// caller who may get the files may see the repo too; the converse does not
// hold, since a gated repo's metadata is shown to everyone.
func (x *exchange) hubLetIn(a access) {
	if !x.p.cfg.CallerCredentials || x.p.rights == nil {
		return
	}
	x.p.rights.allow(rightsKey(x.who, x.rt.Type, x.rt.Repo, a))
	if a == getFiles {
		x.p.rights.allow(rightsKey(x.who, x.rt.Type, x.rt.Repo, seeRepo))
	}
}

// checkRights makes sure that the Hub gives the caller what need says of
// the exchange's repo, before the proxy serves them what the cache holds
// without having asked the Hub with their credential. Without
// CallerCredentials the policy, already asked, is all there is to check.
// offline says the Hub was just found unreachable: an older check then
// counts (OfflineRights), and none is made. The check is the Hub's
// auth-check, which answers for the files: its GatedRepo refusal still lets
// the caller see the repo's metadata, as the Hub itself does. A refusal of
// the Hub is returned as the reply to pass on.
func (x *exchange) checkRights(offline bool, need access) (*reply, error) {
	if !x.p.cfg.CallerCredentials {
		return nil, nil
	}
	key := rightsKey(x.who, x.rt.Type, x.rt.Repo, need)
	age, known := x.p.rights.age(key)
	if known && age < x.p.cfg.RightsTTL {
		return nil, nil
	}
	stillOK := known && age < x.p.cfg.OfflineRights
	if offline {
		if stillOK {
			return nil, nil
		}
		return nil, errRightsOffline
	}
	ctx, cancel := context.WithTimeout(x.r.Context(), x.p.cfg.MetadataTimeout)
	defer cancel()
	path := hubroute.Route{Action: hubroute.AuthCheck, Type: x.rt.Type, Repo: x.rt.Repo}.EscapedPath()
	resp, err := x.send(ctx, http.MethodGet, path, "", nil, nil)
	var he *hubError
	switch {
	case err != nil && errors.As(err, &he) && he.unreachable:
		if stillOK {
			return nil, nil
		}
		return nil, errRightsOffline
	case err != nil:
		return nil, err
	case resp.StatusCode == http.StatusOK:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		x.hubLetIn(getFiles)
		return nil, nil
	case need == seeRepo && resp.Header.Get("X-Error-Code") == codeGatedRepo:
		resp.Body.Close()
		x.hubLetIn(seeRepo)
		return nil, nil
	case resp.StatusCode >= 500 && stillOK:
		resp.Body.Close()
		return nil, nil
	}
	x.p.rights.forget(key)
	if resp.Header.Get("X-Error-Code") != codeGatedRepo {
		x.p.rights.forget(rightsKey(x.who, x.rt.Type, x.rt.Repo, seeRepo)) // not even the repo, now
	}
	return x.makeReply(resp)
}

// errRightsOffline refuses what the cache holds to a caller whose right to
// it cannot be checked.
var errRightsOffline = &hubError{status: http.StatusGatewayTimeout, unreachable: true,
	msg: "the Hub cannot be reached to check your access to this repository, and the gateway has no recent check of it; try again later"}
