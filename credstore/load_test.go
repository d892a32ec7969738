package credstore

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
)

const hubsim = "http://127.0.0.1:8080"

func TestLoadOrder(t *testing.T) {
	type setup struct {
		env         map[string]string
		keyring     string // access token in the keyring ("" for none)
		unavailable bool   // the keyring cannot be reached
		file        string // access token in the fallback file
		hfToken     string // content of the official token file
	}
	tests := []struct {
		name     string
		endpoint string
		setup    setup
		want     Source
		token    string
	}{
		{"env wins over everything", HuggingFaceEndpoint,
			setup{env: map[string]string{"HF_TOKEN": "hf_env"}, keyring: "kr", file: "file", hfToken: "hf_file"},
			SourceEnv, "hf_env"},
		{"env applies to any endpoint", hubsim,
			setup{env: map[string]string{"HF_TOKEN": "hf_env"}, keyring: "kr"},
			SourceEnv, "hf_env"},
		{"HF_TOKEN over legacy name", HuggingFaceEndpoint,
			setup{env: map[string]string{"HF_TOKEN": "hf_new", "HUGGING_FACE_HUB_TOKEN": "hf_old"}},
			SourceEnv, "hf_new"},
		{"legacy name over keyring", HuggingFaceEndpoint,
			setup{env: map[string]string{"HUGGING_FACE_HUB_TOKEN": "hf_old"}, keyring: "kr"},
			SourceEnv, "hf_old"},
		{"env whitespace stripped", HuggingFaceEndpoint,
			setup{env: map[string]string{"HF_TOKEN": "  hf_env\n"}},
			SourceEnv, "hf_env"},
		{"blank env ignored", HuggingFaceEndpoint,
			setup{env: map[string]string{"HF_TOKEN": " \n"}, keyring: "kr"},
			SourceKeyring, "kr"},
		{"keyring over file and token file", HuggingFaceEndpoint,
			setup{keyring: "kr", file: "file", hfToken: "hf_file"},
			SourceKeyring, "kr"},
		{"file when keyring has none", HuggingFaceEndpoint,
			setup{file: "file", hfToken: "hf_file"},
			SourceFile, "file"},
		{"file when keyring unavailable", hubsim,
			setup{unavailable: true, file: "file"},
			SourceFile, "file"},
		{"token file for huggingface.co", HuggingFaceEndpoint,
			setup{hfToken: "hf_file"},
			SourceHFTokenFile, "hf_file"},
		{"token file whitespace stripped", "https://HuggingFace.co/",
			setup{hfToken: "\n  hf_file \r\n"},
			SourceHFTokenFile, "hf_file"},
		{"token file after unavailable keyring", HuggingFaceEndpoint,
			setup{unavailable: true, hfToken: "hf_file"},
			SourceHFTokenFile, "hf_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := newMemKeyring(t)
			var kr Keyring = mem
			if tt.setup.unavailable {
				kr = unavailableKeyring(t)
			}
			s, _ := newStore(t, kr, tt.setup.env)
			ep, err := hfgate.NormalizeEndpoint(tt.endpoint)
			if err != nil {
				t.Fatal(err)
			}
			if tt.setup.keyring != "" {
				mem.put(t, oauthCred(ep, tt.setup.keyring, "refresh-kr"))
			}
			if tt.setup.file != "" {
				writeFallback(t, s, 0o600, map[string]*hfgate.Credential{ep: oauthCred(ep, tt.setup.file, "refresh-file")})
			}
			if tt.setup.hfToken != "" {
				writeHFToken(t, s, tt.setup.hfToken)
			}

			cred, src, err := s.Load(context.Background(), tt.endpoint, local)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if src != tt.want {
				t.Errorf("source = %q, want %q", src, tt.want)
			}
			if cred.AccessToken != tt.token {
				t.Errorf("access token = %q, want %q", cred.AccessToken, tt.token)
			}
			if cred.Endpoint != ep {
				t.Errorf("endpoint = %q, want %q", cred.Endpoint, ep)
			}
			readOnly := src == SourceEnv || src == SourceHFTokenFile
			if readOnly && (cred.RefreshToken != "" || cred.IsOAuth()) {
				t.Errorf("%s credential has OAuth fields: %+v", src, cred)
			}
			if !readOnly && cred.RefreshToken == "" {
				t.Errorf("%s credential lost its refresh token", src)
			}
		})
	}
}

func TestLoadTokenFileOnlyForHuggingFace(t *testing.T) {
	for _, ep := range []string{hubsim, "https://hf-mirror.example", "https://huggingface.co.evil.example", "http://huggingface.co"} {
		t.Run(ep, func(t *testing.T) {
			s, _ := newStore(t, newMemKeyring(t), nil)
			writeHFToken(t, s, "hf_real_token")
			_, _, err := s.Load(context.Background(), ep, local)
			assertCode(t, err, hfgate.ENOTFOUND)
		})
	}
}

func TestLoadTokenFileLocation(t *testing.T) {
	root := t.TempDir()
	tests := []struct {
		name   string
		hfHome string
		env    map[string]string
		want   string
	}{
		{"HF_TOKEN_PATH wins", "/ignored", map[string]string{"HF_TOKEN_PATH": "/x/tok", "HF_HOME": "/y"}, "/x/tok"},
		{"HFHome field", "/h", map[string]string{"HF_HOME": "/y"}, "/h/token"},
		{"HF_HOME", "", map[string]string{"HF_HOME": "/y", "XDG_CACHE_HOME": "/c"}, "/y/token"},
		{"XDG_CACHE_HOME", "", map[string]string{"XDG_CACHE_HOME": "/c", "HOME": "/home/a"}, "/c/huggingface/token"},
		{"HOME", "", map[string]string{"HOME": "/home/a"}, "/home/a/.cache/huggingface/token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Store{ConfigDir: root, HFHome: tt.hfHome, Getenv: func(k string) string { return tt.env[k] }}
			if got := s.HFTokenPath(); got != filepath.FromSlash(tt.want) {
				t.Errorf("HFTokenPath() = %q, want %q", got, tt.want)
			}
		})
	}

	// And Load really reads from HF_TOKEN_PATH.
	path := filepath.Join(root, "elsewhere", "tok")
	s, _ := newStore(t, newMemKeyring(t), map[string]string{"HF_TOKEN_PATH": path})
	writeFileMode(t, path, 0o600, []byte("hf_elsewhere"))
	cred, src, err := s.Load(context.Background(), HuggingFaceEndpoint, local)
	if err != nil || src != SourceHFTokenFile || cred.AccessToken != "hf_elsewhere" {
		t.Fatalf("Load = %v, %q, %v; want hf_elsewhere from %s", cred, src, err, SourceHFTokenFile)
	}
}

func TestLoadNotSignedIn(t *testing.T) {
	tests := []struct {
		name    string
		kr      func(testing.TB) Keyring
		wantMsg string
	}{
		{"empty keyring", func(tb testing.TB) Keyring { return newMemKeyring(tb) },
			"not signed in to http://127.0.0.1:8080"},
		{"unavailable keyring", func(tb testing.TB) Keyring { return unavailableKeyring(tb) },
			"not signed in to http://127.0.0.1:8080 (OS keyring unavailable: cannot connect to the D-Bus session bus)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newStore(t, tt.kr(t), nil)
			_, _, err := s.Load(context.Background(), hubsim+"/", local)
			assertCode(t, err, hfgate.ENOTFOUND)
			if got := hfgate.ErrorAction(err); got != hfgate.ActionSignIn {
				t.Errorf("action = %q, want %q", got, hfgate.ActionSignIn)
			}
			if got := hfgate.ErrorMessage(err); got != tt.wantMsg {
				t.Errorf("message = %q, want %q", got, tt.wantMsg)
			}
		})
	}
}

func TestLoadPerEndpoint(t *testing.T) {
	mem := newMemKeyring(t)
	s, _ := newStore(t, mem, nil)
	ctx := context.Background()
	hf := oauthCred(HuggingFaceEndpoint, "hf_oauth_real", "r1")
	sim := oauthCred(hubsim, "hf_oauth_sim", "r2")
	for _, c := range []*hfgate.Credential{hf, sim} {
		if _, err := s.Save(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if len(mem.entries) != 2 {
		t.Fatalf("keyring has %d entries, want 2: %v", len(mem.entries), mem.entries)
	}
	for _, c := range []*hfgate.Credential{hf, sim} {
		got, _, err := s.Load(ctx, c.Endpoint, local)
		if err != nil {
			t.Fatal(err)
		}
		assertCred(t, got, c)
	}
	if _, _, err := s.Load(ctx, "http://127.0.0.1:9090", local); hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
		t.Fatalf("Load(other port) err = %v, want not found", err)
	}
}

func TestLoadDamagedKeyringRecord(t *testing.T) {
	for _, rec := range []string{`{"access_token":`, `{"access_token":""}`, `[]`} {
		mem := newMemKeyring(t)
		mem.entries[KeyringService+"/"+hubsim] = rec
		s, _ := newStore(t, mem, nil)
		_, _, err := s.Load(context.Background(), hubsim, local)
		assertCode(t, err, hfgate.EUNAUTHORIZED)
		if !strings.Contains(hfgate.ErrorMessage(err), "damaged") || hfgate.ErrorAction(err) != hfgate.ActionSignIn {
			t.Errorf("record %s: message %q, action %q; want damaged, sign in", rec, hfgate.ErrorMessage(err), hfgate.ErrorAction(err))
		}
	}
}

func TestLoadCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, _ := newStore(t, &fakeKeyring{tb: t, GetFn: func(string, string) (string, error) {
		cancel()
		return "", &UnavailableError{Op: "get", Reason: "canceled", Err: context.Canceled}
	}}, nil)
	_, _, err := s.Load(ctx, hubsim, local)
	assertCode(t, err, hfgate.ECANCELED)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
}

func TestNoConfigDir(t *testing.T) {
	s := &Store{Keyring: newMemKeyring(t)}
	ctx := context.Background()
	_, _, err := s.Load(ctx, hubsim, local)
	assertCode(t, err, hfgate.EINTERNAL)
	_, err = s.Save(ctx, oauthCred(hubsim, "a", "r"))
	assertCode(t, err, hfgate.EINTERNAL)
	_, err = s.Delete(ctx, hubsim, local)
	assertCode(t, err, hfgate.EINTERNAL)
	_, err = s.Lock(ctx, hubsim, local)
	assertCode(t, err, hfgate.EINTERNAL)
}
