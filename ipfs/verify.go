package ipfs

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
)

// verifier passes a blob's bytes through while hashing them, and at the end
// checks them against the blob's name and size. When they do not match it
// returns an EINTEGRITY error instead of io.EOF, which makes the IPFS node
// abandon the add (see hfgate.IPFSNode.Add).
type verifier struct {
	r     io.Reader
	repo  hfcache.Repo
	blob  hfcache.CachedBlob
	named hash.Hash // the hash the ETag names
	sum   hash.Hash // SHA-256, for the record; named itself for LFS blobs
	n     int64

	verified bool   // the whole blob was read and matched
	sha256   string // its SHA-256, once verified
}

// newVerifier fails with EINVALID for a blob whose name is no known hash.
func newVerifier(r io.Reader, repo hfcache.Repo, blob hfcache.CachedBlob) (*verifier, error) {
	named, ok := hfcache.ContentHash(blob.ETag, blob.Size)
	if !ok {
		return nil, hfgate.Errorf(hfgate.EINVALID,
			"the cached %s is stored under %s, which is no SHA-256 or git blob id to check it against", blob.File, blob.ETag)
	}
	v := &verifier{r: r, repo: repo, blob: blob, named: named, sum: named}
	if len(blob.ETag) != 2*sha256.Size {
		v.sum = sha256.New()
	}
	return v, nil
}

func (v *verifier) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.named.Write(p[:n])
	if v.sum != v.named {
		v.sum.Write(p[:n])
	}
	v.n += int64(n)
	if v.n > v.blob.Size {
		return n, v.changed()
	}
	if err != io.EOF {
		return n, err
	}
	if v.n != v.blob.Size || hex.EncodeToString(v.named.Sum(nil)) != v.blob.ETag {
		return n, v.changed()
	}
	v.verified, v.sha256 = true, hex.EncodeToString(v.sum.Sum(nil))
	return n, io.EOF
}

func (v *verifier) changed() error {
	what := "SHA-256"
	if len(v.blob.ETag) != 2*sha256.Size {
		what = "git blob id"
	}
	return hfgate.Errorf(hfgate.EINTEGRITY,
		"%s of %s changed on disk since it was verified: it no longer matches its %s %s; nothing was pinned",
		v.blob.File, v.repo.ID, what, v.blob.ETag)
}
