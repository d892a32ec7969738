package download

import (
	"encoding/hex"
	"hash"
)

// hashName names the algorithm hfcache.ContentHash picks, for messages.
func hashName(etag string) string {
	if len(etag) == 64 {
		return "SHA-256"
	}
	return "git SHA-1"
}

func sumHex(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
