package hubsim

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"sync"
)

// content is the body of a file. Generated contents are pure functions of
// their spec: any byte range can be produced directly, so multi-gigabyte
// files cost no memory or disk. Implementations are safe for concurrent use.
type content interface {
	size() int64
	// readAt fills p with the bytes at off. The range must lie within
	// [0, size()).
	readAt(p []byte, off int64)
	// headerLen is the length of the structured prefix (GGUF or safetensors
	// header) before pseudo-random data; 0 if none.
	headerLen() int64
}

// memContent is a small file held in memory.
type memContent []byte

func (c memContent) size() int64                { return int64(len(c)) }
func (c memContent) readAt(p []byte, off int64) { copy(p, c[off:]) }
func (c memContent) headerLen() int64           { return 0 }

// genContent is a structured header built on first use (prefix), followed
// by pseudo-random bytes up to total.
type genContent struct {
	total     int64
	prefixLen int64
	seed      uint64
	build     func() []byte // returns exactly prefixLen bytes; nil if prefixLen is 0

	once   sync.Once
	prefix []byte
}

func (c *genContent) size() int64      { return c.total }
func (c *genContent) headerLen() int64 { return c.prefixLen }

func (c *genContent) readAt(p []byte, off int64) {
	if off < c.prefixLen {
		c.once.Do(func() { c.prefix = c.build() })
		n := copy(p, c.prefix[off:])
		p, off = p[n:], off+int64(n)
	}
	fillRandom(p, c.seed, off)
}

// fillRandom fills p with the pseudo-random bytes at offset off of the stream
// for seed. Each 8-byte word is a bijective mix of its index and the seed,
// so no two words of one file are equal (a block written at the wrong offset
// is always caught by a hash) and generation runs at several GB/s.
func fillRandom(p []byte, seed uint64, off int64) {
	w := uint64(off) / 8
	if skip := int(off % 8); skip != 0 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], mixWord(seed, w))
		n := copy(p, b[skip:])
		p = p[n:]
		w++
	}
	for len(p) >= 8 {
		binary.LittleEndian.PutUint64(p, mixWord(seed, w))
		p = p[8:]
		w++
	}
	if len(p) > 0 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], mixWord(seed, w))
		copy(p, b[:])
	}
}

func mixWord(seed, w uint64) uint64 {
	x := (w ^ seed) * 0x9E3779B97F4A7C15
	x ^= x >> 29
	x *= 0xBF58476D1CE4E5B9
	return x ^ x>>32
}

// seedOf derives a 64-bit stream seed from a seed string.
func seedOf(s string) uint64 {
	sum := sha256.Sum256([]byte("hubsim seed\x00" + s))
	return binary.LittleEndian.Uint64(sum[:])
}

// contentReader reads a content as an io.ReadSeeker, for http.ServeContent.
// When corruptAt >= 0, the byte at that file offset is flipped wherever a
// read covers it (fault injection).
type contentReader struct {
	c         content
	off       int64
	corruptAt int64
}

func newContentReader(c content, corruptAt int64) *contentReader {
	return &contentReader{c: c, corruptAt: corruptAt}
}

func (r *contentReader) Read(p []byte) (int, error) {
	size := r.c.size()
	if r.off >= size {
		return 0, io.EOF
	}
	if rem := size - r.off; int64(len(p)) > rem {
		p = p[:rem]
	}
	r.c.readAt(p, r.off)
	if r.corruptAt >= r.off && r.corruptAt < r.off+int64(len(p)) {
		p[r.corruptAt-r.off] ^= 0xFF
	}
	r.off += int64(len(p))
	return len(p), nil
}

func (r *contentReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.c.size()
	default:
		return 0, errors.New("seek: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("seek: negative position")
	}
	r.off = offset
	return offset, nil
}
