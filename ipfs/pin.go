package ipfs

import (
	"context"
	"path"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

// Pinner pins files of a Hugging Face cache on an IPFS node and keeps the
// records of what it pinned in the cache.
type Pinner struct {
	// Node is the IPFS node. Pin and Unpin need it; List does not.
	Node hfgate.IPFSNode
	// Cache is the Hugging Face cache the files are in.
	Cache hfcache.Cache
	// Now stamps new records; nil means time.Now.
	Now func() time.Time
}

// Pin is a cached file whose content is pinned on the node.
type Pin struct {
	Repo     hfgate.RepoID
	File     string // the repository path
	Commit   string // the commit it was pinned at
	SHA256   string
	Size     int64
	CID      string
	PinnedAt time.Time
	// Path is the snapshot entry other tools open, or "" when the file is
	// no longer in the cache at Commit (the pin and its record remain).
	Path string
	// Cached says that Pin found the file pinned already and sent nothing.
	Cached bool
	// Kept says that Unpin removed only this record, leaving the node's pin
	// for another record of the same content.
	Kept bool
}

// Pin adds file of the model repository repo at rev ("" means main) from
// the cache to the node, pinned, and records its CID beside the cache
// entry. It needs the file in the cache; it never downloads. When a record
// names a CID that the node still pins, Pin returns it with Cached set and
// sends nothing; a record whose pin is gone is replaced by a new add.
//
// The content is verified against the blob's name while it is sent (see
// the package documentation): a file that changed since it was downloaded
// fails with EINTEGRITY and nothing is pinned or recorded. progress, if not
// nil, receives the file's events.
func (p *Pinner) Pin(ctx context.Context, repo hfgate.RepoID, rev, file string, progress Reporter) (*Pin, error) {
	if progress == nil {
		progress = nopReporter{}
	}
	pin, err := p.pin(ctx, repo, rev, file, progress)
	if err != nil {
		progress.Report(Event{Kind: AddError, Repo: repo, File: file, Err: err})
		return nil, err
	}
	progress.Report(Event{Kind: AddDone, Repo: repo, File: file, Size: pin.Size, Done: pin.Size, CID: pin.CID, Cached: pin.Cached})
	return pin, nil
}

func (p *Pinner) pin(ctx context.Context, repo hfgate.RepoID, rev, file string, progress Reporter) (*Pin, error) {
	if p.Node == nil {
		return nil, hfgate.Errorf(hfgate.EINVALID, "no IPFS node to pin on")
	}
	r, err := p.Cache.Repo(hfgate.RepoTypeModel, repo)
	if err != nil {
		return nil, err
	}
	blob, err := r.LookupBlob(rev, file)
	if err != nil {
		return nil, err
	}
	snapshot, _ := r.SnapshotPath(blob.Commit, file)
	pin := &Pin{Repo: repo, File: file, Commit: blob.Commit, Size: blob.Size, Path: snapshot}
	progress.Report(Event{Kind: AddStart, Repo: repo, File: file, Size: blob.Size})

	rec, err := r.IPFSRecord(blob.ETag)
	if err != nil {
		return nil, err
	}
	if rec != nil {
		pinned, err := p.Node.Pinned(ctx, rec.CID)
		if err != nil {
			return nil, err
		}
		if pinned {
			pin.SHA256, pin.CID, pin.PinnedAt, pin.Cached = rec.SHA256, rec.CID, rec.PinnedAt, true
			return pin, nil
		}
	}

	sha256, cid, err := p.add(ctx, r, blob, progress)
	if err != nil {
		return nil, err
	}
	pinned, err := p.Node.Pinned(ctx, cid)
	if err != nil {
		return nil, err
	}
	if !pinned {
		return nil, hfgate.Errorf(hfgate.EUNAVAILABLE,
			"the IPFS node added %s as %s but does not list it among its pins; nothing was recorded", file, cid)
	}
	pin.SHA256, pin.CID, pin.PinnedAt = sha256, cid, p.now()
	err = r.WriteIPFSRecord(hfcache.IPFSRecord{ETag: blob.ETag, SHA256: sha256, Size: blob.Size, CID: cid,
		File: file, Commit: blob.Commit, PinnedAt: pin.PinnedAt})
	if err != nil {
		return nil, hfgate.WrapError(hfgate.ErrorCode(err), err, "%s is pinned as %s, but the record of it could not be written", file, cid)
	}
	return pin, nil
}

// add streams the blob to the node through a verifier and returns the
// content's SHA-256 and CID.
func (p *Pinner) add(ctx context.Context, r hfcache.Repo, blob hfcache.CachedBlob, progress Reporter) (sha256, cid string, err error) {
	f, err := r.OpenBlob(blob.ETag)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	v, err := newVerifier(f, r, blob)
	if err != nil {
		return "", "", err
	}
	tick := progressTicker(progress, Event{Kind: AddProgress, Repo: r.ID, File: blob.File, Size: blob.Size})
	cid, err = p.Node.Add(ctx, path.Join(string(r.ID), blob.File), v, blob.Size, tick)
	if err != nil {
		return "", "", err
	}
	if !v.verified {
		// Add returned without reading to the end: an IPFSNode that broke
		// its contract. Take back what it pinned, and record nothing.
		p.Node.Unpin(context.WithoutCancel(ctx), cid)
		return "", "", hfgate.Errorf(hfgate.EINTERNAL, "the IPFS node finished adding %s before reading all of it", blob.File)
	}
	return v.sha256, cid, nil
}

func (p *Pinner) now() time.Time {
	if p.Now != nil {
		return p.Now().UTC()
	}
	return time.Now().UTC()
}
