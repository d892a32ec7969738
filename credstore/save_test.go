package credstore

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hfgate/hfgate"
)

func TestSaveKeyring(t *testing.T) {
	mem := newMemKeyring(t)
	s, notes := newStore(t, mem, nil)
	ctx := context.Background()
	cred := oauthCred("HTTP://127.0.0.1:8080/", "hf_oauth_a", "r1")
	orig := *cred

	src, err := s.Save(ctx, cred)
	if err != nil || src != SourceKeyring {
		t.Fatalf("Save = %q, %v; want %q", src, err, SourceKeyring)
	}
	assertCred(t, cred, &orig) // the caller's value is untouched

	rec, ok := mem.entries[KeyringService+"/"+hubsim]
	if !ok {
		t.Fatalf("no keyring entry for %s: %v", hubsim, mem.entries)
	}
	var stored hfgate.Credential
	if err := json.Unmarshal([]byte(rec), &stored); err != nil {
		t.Fatalf("record is not JSON: %v", err)
	}
	want := *cred
	want.Endpoint = hubsim
	assertCred(t, &stored, &want)
	if n := notes.all(); len(n) != 0 {
		t.Errorf("notices = %q, want none", n)
	}
	if _, err := os.Stat(s.ConfigDir); !os.IsNotExist(err) {
		t.Errorf("a keyring save touched the config directory (stat err %v)", err)
	}

	got, src, err := s.Load(ctx, hubsim, local)
	if err != nil || src != SourceKeyring {
		t.Fatalf("Load = %q, %v", src, err)
	}
	assertCred(t, got, &want)
}

func TestSaveKeyringRemovesStaleFileEntry(t *testing.T) {
	s, notes := newStore(t, newMemKeyring(t), nil)
	other := oauthCred(HuggingFaceEndpoint, "hf_other", "r")
	writeFallback(t, s, 0o600, map[string]*hfgate.Credential{
		hubsim:              oauthCred(hubsim, "stale", "stale-r"),
		HuggingFaceEndpoint: other,
	})
	if src, err := s.Save(context.Background(), oauthCred(hubsim, "fresh", "r")); err != nil || src != SourceKeyring {
		t.Fatalf("Save = %q, %v", src, err)
	}
	entries, err := readFile(s.filePath(), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := entries[hubsim]; ok || len(entries) != 1 {
		t.Fatalf("file entries after keyring save = %v, want only %s", keys(entries), HuggingFaceEndpoint)
	}
	assertCred(t, entries[HuggingFaceEndpoint], other)
	if n := notes.all(); len(n) != 0 {
		t.Errorf("notices = %q, want none", n)
	}
}

func TestSaveFallbackFile(t *testing.T) {
	s, notes := newStore(t, unavailableKeyring(t), nil)
	ctx := context.Background()
	other := oauthCred(HuggingFaceEndpoint, "hf_other", "r0")
	if _, err := s.Save(ctx, other); err != nil {
		t.Fatal(err)
	}
	cred := oauthCred(hubsim, "hf_oauth_a", "r1")
	src, err := s.Save(ctx, cred)
	if err != nil || src != SourceFile {
		t.Fatalf("Save = %q, %v; want %q", src, err, SourceFile)
	}

	wantNotice := fmt.Sprintf("no OS keyring available (cannot connect to the D-Bus session bus); stored credentials in %s (mode 0600)", s.filePath())
	if n := notes.all(); len(n) != 2 || n[0] != wantNotice || n[1] != wantNotice {
		t.Errorf("notices = %q, want one per save: %q", n, wantNotice)
	}
	assertMode(t, s.filePath(), 0o600)
	assertMode(t, s.ConfigDir, 0o700)
	assertNoTempFiles(t, s.ConfigDir)

	for _, c := range []*hfgate.Credential{other, cred} {
		got, src, err := s.Load(ctx, c.Endpoint, local)
		if err != nil || src != SourceFile {
			t.Fatalf("Load(%s) = %q, %v", c.Endpoint, src, err)
		}
		assertCred(t, got, c)
	}

	// A second save for the same endpoint replaces its entry only.
	rotated := oauthCred(hubsim, "hf_oauth_b", "r2")
	if _, err := s.Save(ctx, rotated); err != nil {
		t.Fatal(err)
	}
	entries, err := readFile(s.filePath(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("entries = %v, want 2", keys(entries))
	}
	assertCred(t, entries[hubsim], rotated)
	assertCred(t, entries[HuggingFaceEndpoint], other)
}

func TestSaveFallbackFixesWideMode(t *testing.T) {
	s, _ := newStore(t, NoKeyring{}, nil)
	writeFallback(t, s, 0o644, map[string]*hfgate.Credential{HuggingFaceEndpoint: oauthCred(HuggingFaceEndpoint, "a", "r")})
	if err := os.Chmod(s.ConfigDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Save(context.Background(), oauthCred(hubsim, "b", "r")); err != nil {
		t.Fatal(err)
	}
	assertMode(t, s.filePath(), 0o600)
	assertMode(t, s.ConfigDir, 0o700)
}

func TestSaveConcurrentFileWriters(t *testing.T) {
	s, _ := newStore(t, NoKeyring{}, nil)
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// A separate Store per writer, as separate processes would have.
			s2 := *s
			if _, err := s2.Save(context.Background(), oauthCred(fmt.Sprintf("http://127.0.0.1:%d", 9000+i), "a", "r")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	entries, err := readFile(s.filePath(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n {
		t.Fatalf("file has %d entries, want %d: a concurrent save was lost", len(entries), n)
	}
	assertNoTempFiles(t, s.ConfigDir)
}

func TestSaveRecordLimit(t *testing.T) {
	base := oauthCred(hubsim, "", "refresh")
	data, _ := json.Marshal(base)
	fits := MaxRecordSize - len(data) // access-token length that makes the record exactly MaxRecordSize

	for _, tt := range []struct {
		name string
		n    int
		ok   bool
	}{{"at limit", fits, true}, {"one over", fits + 1, false}} {
		t.Run(tt.name, func(t *testing.T) {
			mem := newMemKeyring(t)
			s, _ := newStore(t, mem, nil)
			cred := *base
			cred.AccessToken = strings.Repeat("a", tt.n)
			_, err := s.Save(context.Background(), &cred)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if got := len(mem.entries[KeyringService+"/"+hubsim]); got != MaxRecordSize {
					t.Fatalf("record is %d bytes, want %d", got, MaxRecordSize)
				}
				return
			}
			assertCode(t, err, hfgate.EINVALID)
			if msg := hfgate.ErrorMessage(err); !strings.Contains(msg, "2561 bytes, over the 2560-byte limit") {
				t.Errorf("message = %q", msg)
			}
			if len(mem.entries) != 0 {
				t.Errorf("an oversized record was stored")
			}
			if _, err := os.Stat(s.filePath()); !os.IsNotExist(err) {
				t.Errorf("an oversized record reached the file")
			}
		})
	}
}

func TestSaveWithHFTokenSet(t *testing.T) {
	for _, name := range []string{"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"} {
		t.Run(name, func(t *testing.T) {
			mem := newMemKeyring(t)
			s, notes := newStore(t, mem, map[string]string{name: "hf_env"})
			if src, err := s.Save(context.Background(), oauthCred(hubsim, "hf_oauth_a", "r")); err != nil || src != SourceKeyring {
				t.Fatalf("Save = %q, %v", src, err)
			}
			if len(mem.entries) != 1 {
				t.Errorf("not saved to the keyring")
			}
			want := name + " is set in your environment and takes precedence over the credentials saved for " + hubsim + "; unset it to use them"
			if n := notes.all(); len(n) != 1 || n[0] != want {
				t.Errorf("notices = %q, want [%q]", n, want)
			}
			if _, src, _ := s.Load(context.Background(), hubsim, local); src != SourceEnv {
				t.Errorf("Load source = %q, want %q", src, SourceEnv)
			}
		})
	}
}

func TestSaveInvalid(t *testing.T) {
	s, _ := newStore(t, &fakeKeyring{tb: t}, nil) // any keyring call fails the test
	for name, cred := range map[string]*hfgate.Credential{
		"nil":          nil,
		"no token":     {Endpoint: hubsim, RefreshToken: "r"},
		"no endpoint":  {AccessToken: "a"},
		"bad endpoint": {Endpoint: "ftp://x", AccessToken: "a"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.Save(context.Background(), cred)
			assertCode(t, err, hfgate.EINVALID)
		})
	}
}

func TestWriteAtomicFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FallbackFileName)
	// A non-empty directory where the file should go makes the rename fail.
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := writeAtomic(path, []byte("{}")); err == nil {
		t.Fatal("writeAtomic over a directory succeeded")
	}
	assertNoTempFiles(t, dir)
}

func assertMode(tb testing.TB, path string, want os.FileMode) {
	tb.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		tb.Errorf("mode of %s = %04o, want %04o", path, got, want)
	}
}

func assertNoTempFiles(tb testing.TB, dir string) {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(names) != 0 {
		tb.Errorf("temp files left behind: %q", names)
	}
}

func keys(m map[string]*hfgate.Credential) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
