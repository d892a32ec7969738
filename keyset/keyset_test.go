package keyset_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/keyset"
)

func mustGenerate(t *testing.T, id string) string {
	t.Helper()
	line, err := keyset.Generate(id)
	if err != nil {
		t.Fatal(err)
	}
	return line
}

func mustParse(t *testing.T, text string) *keyset.Set {
	t.Helper()
	s, err := keyset.Parse(text)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}

func TestSealOpen(t *testing.T) {
	s := mustParse(t, mustGenerate(t, "k1"))
	ad := []byte("huggingface:alice\x00upstream")
	for _, plain := range [][]byte{nil, []byte("hf_oauth_secret"), bytes.Repeat([]byte{0xff}, 5000)} {
		sealed, err := s.Seal(plain, ad)
		if err != nil {
			t.Fatal(err)
		}
		if keyset.KeyOf(sealed) != "k1" || (len(plain) > 0 && strings.Contains(sealed, string(plain))) {
			t.Fatalf("sealed %.40q: want key k1 and no plaintext", sealed)
		}
		got, err := s.Open(sealed, ad)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("Open = %q, %v; want %q", got, err, plain)
		}
	}
	a, _ := s.Seal([]byte("x"), ad)
	b, _ := s.Seal([]byte("x"), ad)
	if a == b {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
}

// TestOpenRefuses: every change to a sealed value, its associated data or
// its key fails to open, with an EINVALID error that quotes no secret.
func TestOpenRefuses(t *testing.T) {
	k1, k2 := mustGenerate(t, "k1"), mustGenerate(t, "k2")
	s := mustParse(t, k1)
	ad := []byte("alice")
	sealed, _ := s.Seal([]byte("hf_secret_token"), ad)
	id, enc, _ := strings.Cut(sealed, ":")
	raw, _ := base64.RawURLEncoding.DecodeString(enc)
	flipped := append([]byte(nil), raw...)
	flipped[len(flipped)-1] ^= 1
	otherKeyK1 := mustParse(t, "k1:"+strings.SplitN(k2, ":", 2)[1]) // same ID, another key
	// The last character of unpadded base64 may carry unused bits: changing
	// only those leaves the bytes as they were, and must still be refused.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(raw)%3 == 0 {
		t.Fatalf("a sealed value of %d bytes has no unused bits; the test needs one that has", len(raw))
	}
	v := strings.IndexByte(alphabet, enc[len(enc)-1])
	lastChar := enc[:len(enc)-1] + string(alphabet[v^1])

	for _, tt := range []struct {
		name   string
		set    *keyset.Set
		sealed string
		ad     string
	}{
		{"other associated data", s, sealed, "bob"},
		{"flipped bit", s, id + ":" + base64.RawURLEncoding.EncodeToString(flipped), "alice"},
		{"last character changed", s, id + ":" + lastChar, "alice"},
		{"truncated", s, id + ":" + enc[:10], "alice"},
		{"not base64", s, id + ":***", "alice"},
		{"no key id", s, enc, "alice"},
		{"relabelled", mustParse(t, k2+"\n"+k1), "k2:" + enc, "alice"},
		{"unknown key", mustParse(t, k2), sealed, "alice"},
		{"same id, other key", otherKeyK1, sealed, "alice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.set.Open(tt.sealed, []byte(tt.ad))
			if err == nil {
				t.Fatalf("Open = %q, want an error", got)
			}
			if hfgate.ErrorCode(err) != hfgate.EINVALID || strings.Contains(err.Error(), "hf_secret") {
				t.Errorf("err = %v (code %s), want EINVALID without the secret", err, hfgate.ErrorCode(err))
			}
		})
	}
	if _, err := mustParse(t, k2).Open(sealed, ad); !strings.Contains(err.Error(), `"k1"`) {
		t.Errorf("unknown key error %q does not name the key it needs", err)
	}
}

// TestRotation: values sealed with an old key open with a set whose
// current key is new, and new values use the new key.
func TestRotation(t *testing.T) {
	old, cur := mustGenerate(t, "2024-01"), mustGenerate(t, "2025-06")
	before := mustParse(t, old)
	sealed, _ := before.Seal([]byte("token"), nil)

	after := mustParse(t, "# rotated\n"+cur+"\n\n"+old+"\n")
	if after.KeyID() != "2025-06" || strings.Join(after.IDs(), ",") != "2025-06,2024-01" {
		t.Fatalf("KeyID = %s, IDs = %v", after.KeyID(), after.IDs())
	}
	if got, err := after.Open(sealed, nil); err != nil || string(got) != "token" {
		t.Fatalf("Open of an old value = %q, %v", got, err)
	}
	resealed, _ := after.Seal([]byte("token"), nil)
	if keyset.KeyOf(resealed) != "2025-06" {
		t.Errorf("new value sealed with %s", keyset.KeyOf(resealed))
	}
	// The environment form: commas between keys.
	if env := mustParse(t, cur+","+old); env.KeyID() != "2025-06" || len(env.IDs()) != 2 {
		t.Errorf("comma-separated: IDs = %v", env.IDs())
	}
}

func TestParseErrors(t *testing.T) {
	key := strings.SplitN(mustGenerate(t, "x"), ":", 2)[1]
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	for _, text := range []string{
		"",
		"# only a comment\n",
		key,               // no id
		"bad id:" + key,   // space in the id
		"k1:" + short,     // AES-128 key
		"k1:not base64!!", // garbage
		"k1:" + key + "\nk1:" + key,
	} {
		s, err := keyset.Parse(text)
		if err == nil {
			t.Errorf("Parse(%.30q) = %v, want an error", text, s.IDs())
			continue
		}
		if strings.Contains(err.Error(), key) {
			t.Errorf("Parse error %q quotes the key", err)
		}
	}
	if _, err := keyset.Generate("no/slash"); err == nil {
		t.Error("Generate accepted an id with a slash")
	}
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys")
	line := mustGenerate(t, "k1")
	if err := keyset.WriteFile(path, line); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	if err := keyset.WriteFile(path, line); err == nil {
		t.Error("WriteFile replaced an existing key file")
	}
	s, err := keyset.ReadFile(path)
	if err != nil || s.KeyID() != "k1" {
		t.Fatalf("ReadFile = %v, %v", s, err)
	}
	// A symbolic link to a private file is followed (Kubernetes secrets).
	link := filepath.Join(dir, "link")
	os.Symlink(path, link)
	if _, err := keyset.ReadFile(link); err != nil {
		t.Errorf("ReadFile through a link: %v", err)
	}
	for _, tt := range []struct {
		name string
		path string
		prep func()
	}{
		{"missing", filepath.Join(dir, "none"), func() {}},
		{"a directory", dir, func() {}},
		{"readable by others", path, func() { os.Chmod(path, 0o644) }},
		{"group-writable", path, func() { os.Chmod(path, 0o620) }},
	} {
		tt.prep()
		if _, err := keyset.ReadFile(tt.path); hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("%s: ReadFile err = %v, want EINVALID", tt.name, err)
		}
	}
}
