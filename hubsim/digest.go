package hubsim

import (
	"crypto/sha1"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"strconv"
	"sync"
)

//go:generate go run ./internal/gendigests -o builtin_digests.json

// The built-in catalog holds over 100 GB of generated files; hashing them at
// every start would take minutes. So their SHA-256 digests are computed once
// by "go generate ./hubsim" and committed in builtin_digests.json, with a
// cheap fingerprint of each file (its size and hashes of a few sampled
// windows) that TestBuiltinDigestsFresh recomputes to catch a stale table.

//go:embed builtin_digests.json
var builtinDigestsJSON []byte

// digestTable maps a content key to its committed digest.
type digestTable map[string]digestRecord

type digestRecord struct {
	Path        string `json:"path"` // a file with this content, for humans
	Size        int64  `json:"size"`
	Fingerprint string `json:"fingerprint"`
	SHA256      string `json:"sha256"`
}

func parseDigestTable(data []byte) (digestTable, error) {
	t := digestTable{}
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("parse digest table: %w", err)
	}
	return t, nil
}

// digestStore hands out content digests: from the committed table, from a
// digest the catalog gives, or computed on first use and memoised. Each
// digest is computed once even when many requests ask at the same time.
type digestStore struct {
	table digestTable

	mu      sync.Mutex
	trusted map[string]string
	sha256s map[string]*onceValue[string]
	sha1s   map[string]*onceValue[string]
}

func newDigestStore(table digestTable) *digestStore {
	return &digestStore{
		table: table, trusted: map[string]string{},
		sha256s: map[string]*onceValue[string]{}, sha1s: map[string]*onceValue[string]{},
	}
}

func (d *digestStore) trust(key, sha string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.trusted[key] = sha
}

func (d *digestStore) once(m map[string]*onceValue[string], key string) *onceValue[string] {
	d.mu.Lock()
	defer d.mu.Unlock()
	o := m[key]
	if o == nil {
		o = &onceValue[string]{}
		m[key] = o
	}
	return o
}

// sha256 returns the hex SHA-256 of src's content.
func (d *digestStore) sha256(src *contentSource) (string, error) {
	if rec, ok := d.table[src.key]; ok {
		return rec.SHA256, nil
	}
	d.mu.Lock()
	sha, ok := d.trusted[src.key]
	d.mu.Unlock()
	if ok {
		return sha, nil
	}
	return d.once(d.sha256s, src.key).get(func() (string, error) {
		c, err := src.content()
		if err != nil {
			return "", err
		}
		return hashContent(sha256.New(), c, nil), nil
	})
}

// gitBlobSHA1 returns the git object id of src's content stored as a plain
// git blob: sha1("blob <size>\x00" + content).
func (d *digestStore) gitBlobSHA1(src *contentSource) (string, error) {
	return d.once(d.sha1s, src.key).get(func() (string, error) {
		c, err := src.content()
		if err != nil {
			return "", err
		}
		return hashContent(sha1.New(), c, []byte("blob "+strconv.FormatInt(c.size(), 10)+"\x00")), nil
	})
}

// hashContent hashes prefix and then the whole content, 1 MiB at a time.
func hashContent(h hash.Hash, c content, prefix []byte) string {
	h.Write(prefix)
	buf := make([]byte, 1<<20)
	for off, size := int64(0), c.size(); off < size; {
		n := min(int64(len(buf)), size-off)
		c.readAt(buf[:n], off)
		h.Write(buf[:n])
		off += n
	}
	return hex.EncodeToString(h.Sum(nil))
}

// lfsPointer is the Git LFS pointer file stored in git for an LFS file.
func lfsPointer(sha256 string, size int64) string {
	return "version https://git-lfs.github.com/spec/v1\noid sha256:" + sha256 + "\nsize " + strconv.FormatInt(size, 10) + "\n"
}

// gitSHA1 returns the git blob id of data.
func gitSHA1(data []byte) string {
	h := sha1.New()
	h.Write([]byte("blob " + strconv.Itoa(len(data)) + "\x00"))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

const fingerprintWindow = 64 << 10

// fingerprint is a cheap summary of a content that changes whenever the
// generators change its bytes: its size and the SHA-256 of 64 KiB windows at
// the start, middle and end, and at the middle and end of its header (the
// GGUF vocabulary and tensor table, the safetensors JSON).
func fingerprint(c content) string {
	size := c.size()
	h := sha256.New()
	h.Write([]byte(strconv.FormatInt(size, 10)))
	hl := c.headerLen()
	buf := make([]byte, fingerprintWindow)
	for _, off := range []int64{0, hl / 2, hl - fingerprintWindow, size/2 - fingerprintWindow/2, size - fingerprintWindow} {
		off = max(0, min(off, size-fingerprintWindow))
		n := min(int64(len(buf)), size-off)
		c.readAt(buf[:n], off)
		h.Write(buf[:n])
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
