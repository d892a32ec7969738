package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// IPFS hands downloaded files to a local IPFS node, so that they can be
// shared peer to peer by CID (issue 17). cmd/hfgate implements it with
// ipfs.Pinner on the node kubo.FindAPI finds, anew for every call, so that
// a node started after the app is found.
type IPFS interface {
	// Version returns the running node's version. With no node running it
	// fails with an error that wraps hfgate.ErrNoIPFSNode.
	Version(ctx context.Context) (string, error)
	// Pin adds a file of the cache (repo at rev) to the node, pinned, after
	// checking it against its hash, records its CID beside the cache entry
	// and returns the CID.
	Pin(ctx context.Context, repo hfgate.RepoID, rev, file string) (cid string, err error)
}

// startNode is the app's advice when no node runs.
const startNode = "start one with \"ipfs daemon\" (Kubo, https://docs.ipfs.tech/install/command-line/), then try again"

// ipfsJSON is the answer of GET /api/ipfs.
type ipfsJSON struct {
	Available bool   `json:"available"`
	Version   string `json:"version,omitempty"`
	Message   string `json:"message,omitempty"` // why not, and how to start a node
}

// apiIPFS: GET /api/ipfs says whether an IPFS node is reachable.
func (s *Server) apiIPFS(w http.ResponseWriter, r *http.Request) error {
	out := ipfsJSON{}
	if s.IPFS == nil {
		out.Message = "this hfgate does not hand files to IPFS"
	} else {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		v, err := s.IPFS.Version(ctx)
		if err != nil {
			out.Message = ipfsMessage(err)
		} else {
			out.Available, out.Version = true, v
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	webauth.WriteJSON(w, http.StatusOK, out)
	return nil
}

// ipfsMessage words a node's error for the page.
func ipfsMessage(err error) string {
	if errors.Is(err, hfgate.ErrNoIPFSNode) {
		return "No IPFS node is running: " + startNode + "."
	}
	return "The IPFS node did not answer: " + userMessage(err) + "."
}

// pinJSON is the answer of POST /api/ipfs/pins.
type pinJSON struct {
	CID string `json:"cid"`
}

// apiPin: POST /api/ipfs/pins {"repo","revision","file"} pins a
// downloaded file on the node and returns its CID.
func (s *Server) apiPin(w http.ResponseWriter, r *http.Request) error {
	if s.IPFS == nil {
		return hfgate.Errorf(hfgate.EUNAVAILABLE, "this hfgate does not hand files to IPFS")
	}
	var req verifyRequest // the same fields
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	repo, err := hfgate.ParseRepoID(req.Repo)
	if err != nil {
		return err
	}
	if err := hfgate.ValidateRepoPath(req.File); err != nil {
		return err
	}
	cid, err := s.IPFS.Pin(r.Context(), repo, req.Revision, req.File)
	if errors.Is(err, hfgate.ErrNoIPFSNode) {
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "no IPFS node is running: %s", startNode)
	}
	if err != nil {
		return err
	}
	webauth.WriteJSON(w, http.StatusOK, pinJSON{CID: cid})
	return nil
}

// withCIDs adds the IPFS CIDs recorded in the cache to finished downloads.
func (s *Server) withCIDs(list []Transfer) []Transfer {
	byRepo := map[string]map[string]string{} // repo -> file@commit-or-file -> CID
	for i, t := range list {
		if t.State != StateDone || t.File == "" || t.Whole {
			continue
		}
		cids, ok := byRepo[t.Repo]
		if !ok {
			cids = map[string]string{}
			if r, ok := s.cacheRepo(hfgate.RepoID(t.Repo)); ok {
				if recs, _, err := r.IPFSRecords(); err == nil {
					for _, rec := range recs {
						if b, err := r.LookupBlob(t.Revision, rec.File); err == nil && b.ETag == rec.ETag {
							cids[rec.File] = rec.CID
						}
					}
				}
			}
			byRepo[t.Repo] = cids
		}
		list[i].CID = cids[t.File]
	}
	return list
}
