package keyset

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/hfgate/hfgate"
)

// KeySize is the length of a key in bytes (AES-256).
const KeySize = 32

// Set is a set of keys by ID, one of them current. It is immutable and
// safe for concurrent use.
type Set struct {
	current string
	ids     []string
	aeads   map[string]cipher.AEAD
}

var _ hfgate.Sealer = (*Set)(nil)

// Parse reads a key set from text: one "id:base64-key" per line, the
// first line the current key. Blank lines and lines starting with '#' are
// skipped; commas also separate keys, so that one environment variable can
// hold several. Errors are EINVALID and never quote a key.
func Parse(text string) (*Set, error) {
	s := &Set{aeads: map[string]cipher.AEAD{}}
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' })
	for n, line := range fields {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, enc, ok := strings.Cut(line, ":")
		if !ok || !validID(id) {
			return nil, hfgate.Errorf(hfgate.EINVALID, "key %d: want id:base64-key, with an id of letters, digits, '.', '_' or '-'", n+1)
		}
		key, err := decodeKey(enc)
		if err != nil || len(key) != KeySize {
			return nil, hfgate.Errorf(hfgate.EINVALID, "key %q: want %d bytes in base64", id, KeySize)
		}
		if _, dup := s.aeads[id]; dup {
			return nil, hfgate.Errorf(hfgate.EINVALID, "key %q is listed twice", id)
		}
		block, _ := aes.NewCipher(key) // cannot fail for 32 bytes
		aead, _ := cipher.NewGCM(block)
		s.aeads[id] = aead
		s.ids = append(s.ids, id)
	}
	if len(s.ids) == 0 {
		return nil, hfgate.Errorf(hfgate.EINVALID, "no keys")
	}
	s.current = s.ids[0]
	return s, nil
}

func decodeKey(enc string) ([]byte, error) {
	enc = strings.TrimSpace(enc)
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if key, err := e.DecodeString(enc); err == nil {
			return key, nil
		}
	}
	return nil, hfgate.Errorf(hfgate.EINVALID, "not base64")
}

func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Generate returns a new random key as a key-set line, "id:base64-key".
func Generate(id string) (string, error) {
	if !validID(id) {
		return "", hfgate.Errorf(hfgate.EINVALID, "a key id is letters, digits, '.', '_' or '-'")
	}
	key := make([]byte, KeySize)
	rand.Read(key) // never fails (crypto/rand)
	return id + ":" + base64.StdEncoding.EncodeToString(key), nil
}

// KeyID returns the ID of the current key.
func (s *Set) KeyID() string { return s.current }

// IDs returns the IDs of every key, the current one first.
func (s *Set) IDs() []string { return append([]string(nil), s.ids...) }
