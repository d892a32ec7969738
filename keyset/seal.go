package keyset

import (
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/hfgate/hfgate"
)

// additional returns the associated data of a value sealed with key id:
// the key ID too, so that a value relabelled with another ID fails.
func additional(id string, ad []byte) []byte {
	out := make([]byte, 0, len(id)+1+len(ad))
	out = append(out, id...)
	out = append(out, 0)
	return append(out, ad...)
}

// Seal implements hfgate.Sealer: plaintext encrypted with the current key,
// as "id:" and base64 of nonce and ciphertext.
func (s *Set) Seal(plaintext, ad []byte) (string, error) {
	aead := s.aeads[s.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	rand.Read(nonce) // never fails (crypto/rand)
	out := aead.Seal(nonce, nonce, plaintext, additional(s.current, ad))
	return s.current + ":" + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open implements hfgate.Sealer.
func (s *Set) Open(sealed string, ad []byte) ([]byte, error) {
	id, enc, ok := strings.Cut(sealed, ":")
	if !ok || !validID(id) {
		return nil, hfgate.Errorf(hfgate.EINVALID, "a sealed value is damaged: it names no key")
	}
	aead := s.aeads[id]
	if aead == nil {
		return nil, hfgate.Errorf(hfgate.EINVALID, "a sealed value needs key %q, which is not among the configured keys", id)
	}
	// Strict: the unused low bits of the last character must be zero, so
	// that every change to the text, not only to the bytes, is refused.
	raw, err := base64.RawURLEncoding.Strict().DecodeString(enc)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return nil, hfgate.Errorf(hfgate.EINVALID, "a sealed value (key %q) is damaged", id)
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, raw[:n], raw[n:], additional(id, ad))
	if err != nil {
		return nil, hfgate.Errorf(hfgate.EINVALID, "a sealed value (key %q) does not open: it was changed, or belongs elsewhere", id)
	}
	return plain, nil
}

// KeyOf returns the ID of the key sealed was sealed with, or "" when it
// names none.
func KeyOf(sealed string) string {
	id, _, ok := strings.Cut(sealed, ":")
	if !ok || !validID(id) {
		return ""
	}
	return id
}
