package blobcache

import (
	"crypto/sha1"
	"crypto/sha256"
	"hash"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
)

// Key names a blob by its content hash, spelled as the Hub's ETag for the
// file: 64 lowercase hex digits are the SHA-256 of the content (LFS and Xet
// files, X-Linked-Etag), 40 are the git blob id, SHA-1 of
// "blob <size>\x00" + content (small files kept in git, ETag).
type Key string

// Hash algorithms, as Key.Algo names them and as blobs/ folders are named.
const (
	AlgoSHA256 = "sha256"
	AlgoSHA1   = "sha1"
)

// ParseKey checks s as a Key: 64 or 40 lowercase hex digits.
func ParseKey(s string) (Key, error) {
	k := Key(s)
	if k.Algo() == "" {
		return "", hfgate.Errorf(hfgate.EINVALID, "%q is not a blob key: want 64 (SHA-256) or 40 (git SHA-1) lowercase hex digits", truncate(s, 80))
	}
	return k, nil
}

// Algo returns AlgoSHA256 or AlgoSHA1, or "" when k is not a valid key.
func (k Key) Algo() string {
	for i := 0; i < len(k); i++ {
		if c := k[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return ""
		}
	}
	switch len(k) {
	case 64:
		return AlgoSHA256
	case 40:
		return AlgoSHA1
	}
	return ""
}

// newHash returns the hash whose hex digest equals k for the right size
// bytes of content.
func (k Key) newHash(size int64) hash.Hash {
	if k.Algo() == AlgoSHA256 {
		return sha256.New()
	}
	h := sha1.New()
	h.Write([]byte("blob " + strconv.FormatInt(size, 10) + "\x00"))
	return h
}

// Blob is what a caller knows of a file before asking for it: its key and
// its size (X-Linked-Size or Content-Length of the Hub's resolve answer).
type Blob struct {
	Key  Key
	Size int64
	// Name says what the blob is to people, e.g.
	// "models/Qwen/Qwen2.5-0.5B@<commit>/model.gguf": the cache keeps the
	// first name a blob is opened with (Entry.Name), for listings. It is
	// not part of the blob's identity; at most MaxName bytes are kept.
	Name string
}

// MaxName bounds a Blob's Name.
const MaxName = 512

// name returns b's Name cut to MaxName bytes at a character boundary.
func (b Blob) name() string {
	if len(b.Name) <= MaxName {
		return b.Name
	}
	return strings.ToValidUTF8(b.Name[:MaxName], "")
}

func (b Blob) validate() error {
	if b.Key.Algo() == "" {
		_, err := ParseKey(string(b.Key))
		return err
	}
	if b.Size < 0 {
		return hfgate.Errorf(hfgate.EINVALID, "blob %s: negative size %d", b.Key, b.Size)
	}
	return nil
}

// Layout of a cache directory. Every name below dir is made by the cache.
const (
	blobsDir   = "blobs" // complete, verified blobs: blobs/<algo>/<xx>/<key>
	fillDir    = "fill"  // partial fills: fill/<key> and fill/<key>.journal
	metaDir    = "meta"  // the metadata cache
	indexName  = "index" // snapshot of sizes and last use of complete blobs
	lockName   = "lock"  // held by the process that has the directory open
	journalExt = ".journal"
)

// blobPath is where the complete blob of k lives.
func blobPath(dir string, k Key) string {
	return filepath.Join(dir, blobsDir, k.Algo(), string(k[:2]), string(k))
}

// fillPath is the data file of a partial fill of k.
func fillPath(dir string, k Key) string { return filepath.Join(dir, fillDir, string(k)) }

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
