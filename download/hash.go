package download

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
	"strings"
)

// newContentHash returns the hash that an ETag names: SHA-256 of the content
// for LFS (and Xet) files, whose ETag is 64 hex digits, or the git blob id,
// SHA-1 of "blob <size>\x00" + content, for regular files (40 hex digits).
// ok is false for any other ETag, which cannot be verified.
func newContentHash(etag string, size int64) (h hash.Hash, ok bool) {
	if !isHex(etag) {
		return nil, false
	}
	switch len(etag) {
	case 64:
		return sha256.New(), true
	case 40:
		h := sha1.New()
		h.Write([]byte("blob " + strconv.FormatInt(size, 10) + "\x00"))
		return h, true
	}
	return nil, false
}

func isHex(s string) bool {
	return s != "" && strings.Trim(s, "0123456789abcdef") == ""
}

// hashName names the algorithm for messages.
func hashName(etag string) string {
	if len(etag) == 64 {
		return "SHA-256"
	}
	return "git SHA-1"
}

func sumHex(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
