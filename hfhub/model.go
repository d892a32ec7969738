package hfhub

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/hfgate/hfgate"
)

// getJSON GETs an API URL (with retries), decodes the answer into v and
// returns the rel="next" link of its Link header, or nil.
func (c *Client) getJSON(ctx context.Context, rawURL string, t target, v any) (next *url.URL, err error) {
	resp, err := c.do(ctx, &request{
		method:   http.MethodGet,
		url:      rawURL,
		header:   http.Header{"Accept": {"application/json"}},
		readBody: true,
		target:   t,
	})
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body) // already in memory
	if err := c.decodeJSON(body, resp.Request.URL.Host, v); err != nil {
		return nil, err
	}
	return nextLink(resp.Header.Values("Link"), resp.Request.URL), nil
}

// ModelInfo returns a model repository at revision rev ("" for the default
// branch): GET /api/models/{repo}[/revision/{rev}], the revision escaped
// whole (refs/pr/1 becomes refs%2Fpr%2F1). With hfgate.WithBlobs() each
// file comes with its size, blob id and, for LFS files, SHA-256.
//
// A renamed repository's 307 is followed, and Model.ID is the canonical
// (new) id. Every file path in the answer is checked with
// hfgate.ValidateRepoPath; an unsafe one, or an implausible size, leaves
// that file out and is reported to OnMalformed. Errors are those of
// hfgate.Hub.
func (c *Client) ModelInfo(ctx context.Context, repo hfgate.RepoID, rev string, opts ...hfgate.InfoOption) (*hfgate.Model, error) {
	var o hfgate.InfoOptions
	for _, opt := range opts {
		opt(&o)
	}
	if err := checkRepo(repo, rev, rev != ""); err != nil {
		return nil, err
	}
	if err := c.init(); err != nil {
		return nil, err
	}
	path := "models/" + escapePath(string(repo))
	if rev != "" {
		path += "/revision/" + escapeAll(rev)
	}
	q := url.Values{}
	if o.Blobs {
		q.Set("blobs", "true")
	}
	var m modelJSON
	if _, err := c.getJSON(ctx, c.apiURL(path, q), target{repo: repo, rev: rev}, &m); err != nil {
		return nil, err
	}
	if m.ID == "" {
		m.ID = m.ModelID
	}
	if _, err := hfgate.ParseRepoID(m.ID); err != nil {
		c.malformed(m.ID, "not a valid repo id: the id asked for is used instead")
		m.ID = string(repo)
	}
	out, _ := m.model(c)
	return out, nil
}

// checkRepo validates a repo id and, if withRev, a revision given by a
// caller, before they are put into a URL.
func checkRepo(repo hfgate.RepoID, rev string, withRev bool) error {
	if _, err := hfgate.ParseRepoID(string(repo)); err != nil {
		return err
	}
	if withRev {
		return hfgate.ValidateRevision(rev)
	}
	return nil
}
