package credstore

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
)

func TestLoadRefusesWideFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows files have no permission bits")
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o700} {
		s, _ := newStore(t, newMemKeyring(t), nil)
		writeFallback(t, s, mode, map[string]*hfgate.Credential{hubsim: oauthCred(hubsim, "hf_oauth_a", "r")})
		_, _, err := s.Load(context.Background(), hubsim, local)
		if mode == 0o700 { // owner-only, even if oddly executable
			if err != nil {
				t.Errorf("mode %04o: Load: %v", mode, err)
			}
			continue
		}
		assertCode(t, err, hfgate.EINVALID)
		msg := hfgate.ErrorMessage(err)
		if !strings.Contains(msg, "run: chmod 600 "+s.filePath()) || !strings.Contains(msg, "refusing to use") {
			t.Errorf("mode %04o: message = %q, want the chmod to run", mode, msg)
		}
	}
}

func TestLoadDamagedFile(t *testing.T) {
	s, _ := newStore(t, newMemKeyring(t), nil)
	writeFileMode(t, s.filePath(), 0o600, []byte(`{"http://127.0.0.1:8080": {"access_token": hf_oauth_a`))
	_, _, err := s.Load(context.Background(), hubsim, local)
	assertCode(t, err, hfgate.EINVALID)
	want := s.filePath() + " is damaged: delete it, then sign in again"
	if got := hfgate.ErrorMessage(err); got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if !strings.Contains(err.Error(), "invalid JSON at byte") {
		t.Errorf("error = %q, want the position of the damage", err)
	}

	// Save does not silently drop other endpoints' unreadable entries.
	s.Keyring = NoKeyring{}
	_, err = s.Save(context.Background(), oauthCred(hubsim, "b", "r"))
	assertCode(t, err, hfgate.EINVALID)
}
