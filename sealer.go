package hfgate

// Sealer encrypts the secrets a store keeps at rest (the upstream Hub
// tokens of the gateway's users) and opens them again, with a set of keys
// named by ID so that keys can rotate.
//
// Seal encrypts with the current key and authenticates associated data ad
// (what the secret belongs to, such as its owner and purpose), so that a
// sealed value moved to another row does not open. The sealed text names
// its key: Open finds the key by that name, so values sealed with an older
// key still open after a rotation, until a store re-seals them with the
// current one (stores record KeyID beside each sealed value, to find
// those).
//
// Open of a value that was changed, moved, or sealed with a key the Sealer
// does not have is an EINVALID *Error that says which key ID it needs;
// no error text contains a secret. Implementations are safe for
// concurrent use.
type Sealer interface {
	// KeyID returns the ID of the current key, the one Seal uses.
	KeyID() string

	// Seal returns plaintext encrypted with the current key, as text.
	Seal(plaintext, ad []byte) (string, error)

	// Open returns the plaintext of sealed, checking ad.
	Open(sealed string, ad []byte) ([]byte, error)
}
