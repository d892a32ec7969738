package hfcache

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"strconv"
)

// hashBufSize is how much of a file is read at a time while hashing: memory
// stays constant whatever the file size, and cancellation and progress are
// checked this often.
const hashBufSize = 1 << 20

// ContentHash returns the hash an ETag names, ready for size bytes of
// content: SHA-256 of the content for a 64-hex ETag (LFS and Xet files), or
// the git blob id, SHA-1 of "blob <size>\x00" + content, for a 40-hex one.
// ok is false for any other ETag, which cannot be checked. The hex digest of
// the finished hash equals the ETag when the content is right.
func ContentHash(etag string, size int64) (h hash.Hash, ok bool) {
	if !isLowerHex(etag) {
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

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return s != ""
}

// hashReader feeds r (size bytes) to the hash etag names and returns the
// hex digest. It reads hashBufSize bytes at a time, calls onBytes (if not
// nil) with the bytes read so far after each read, and stops with ctx's
// error when ctx ends. ok is false when etag names no known hash.
func hashReader(ctx context.Context, r io.Reader, etag string, size int64, onBytes func(done int64)) (sum string, ok bool, err error) {
	h, ok := ContentHash(etag, size)
	if !ok {
		return "", false, nil
	}
	buf := make([]byte, hashBufSize)
	var done int64
	for {
		if err := ctx.Err(); err != nil {
			return "", true, err
		}
		n, rerr := r.Read(buf)
		h.Write(buf[:n])
		done += int64(n)
		if n > 0 && onBytes != nil {
			onBytes(done)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return "", true, rerr
		}
	}
	return hex.EncodeToString(h.Sum(nil)), true, nil
}
