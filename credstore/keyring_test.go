package credstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/hfgate/hfgate"
)

// TestKeyringReal uses the real OS keyring through go-keyring. CI runs it in
// a D-Bus session with an unlocked gnome-keyring and HFGATE_TEST_KEYRING=1,
// where it must not skip; see scripts/test.
func TestKeyringReal(t *testing.T) {
	if os.Getenv("HFGATE_TEST_KEYRING") != "1" {
		t.Skip("set HFGATE_TEST_KEYRING=1 to test the real OS keyring (on Linux: inside dbus-run-session with an unlocked gnome-keyring, as scripts/test does)")
	}
	s, notes := newStore(t, SystemKeyring{}, nil)
	ctx := context.Background()
	// A unique account, so parallel runs sharing a keyring never collide.
	ep := "http://127.0.0.1:1/credstore-test-" + rand.Text()
	t.Cleanup(func() { _ = keyring.Delete(KeyringService, ep) })

	cred := oauthCred(ep, "hf_oauth_real_1", "refresh_1")
	if src, err := s.Save(ctx, cred); err != nil || src != SourceKeyring {
		t.Fatalf("Save = %q, %v; want %q (notices %q): is the keyring unlocked?", src, err, SourceKeyring, notes.all())
	}
	got, src, err := s.Load(ctx, ep, local)
	if err != nil || src != SourceKeyring {
		t.Fatalf("Load = %q, %v; want %q", src, err, SourceKeyring)
	}
	assertCred(t, got, cred)

	// A rotated refresh token replaces the entry.
	rotated := oauthCred(ep, "hf_oauth_real_2", "refresh_2")
	if _, err := s.Save(ctx, rotated); err != nil {
		t.Fatal(err)
	}
	if got, _, err := s.Load(ctx, ep, local); err != nil {
		t.Fatal(err)
	} else {
		assertCred(t, got, rotated)
	}

	r, err := s.Delete(ctx, ep, local)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"OS keyring entry for " + ep}; !slices.Equal(r.Removed, want) || len(r.Remaining) != 0 {
		t.Errorf("Delete = %+v, want Removed %q", r, want)
	}
	if _, _, err := s.Load(ctx, ep, local); hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
		t.Errorf("Load after Delete: err = %v, want not found", err)
	}
	if n := notes.all(); len(n) != 0 {
		t.Errorf("notices = %q, want none", n)
	}
	if _, err := os.Stat(s.filePath()); !os.IsNotExist(err) {
		t.Errorf("fallback file written although the keyring works")
	}
}

// TestKeyringNoDBus runs the real go-keyring backend with a session bus
// address that leads nowhere, in a subprocess since godbus caches its
// connection: Save must fall back to the file with one notice.
func TestKeyringNoDBus(t *testing.T) {
	dir := t.TempDir()
	cmd := helperCmd(t, "nodbus", dir, "DBUS_SESSION_BUS_ADDRESS=unix:path="+dir+"/no-such-bus")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "nodbus helper passed") {
		t.Fatalf("helper did not run its checks:\n%s", out)
	}
	assertMode(t, dir+"/"+FallbackFileName, 0o600)
}

func helperNoDBus(t *testing.T, s *Store, n *notices) {
	ctx := context.Background()
	cred := oauthCred(hubsim, "hf_oauth_nodbus", "refresh_nodbus")
	src, err := s.Save(ctx, cred)
	if err != nil || src != SourceFile {
		t.Fatalf("Save = %q, %v; want %q", src, err, SourceFile)
	}
	want := fmt.Sprintf("no OS keyring available (cannot connect to the D-Bus session bus); stored credentials in %s (mode 0600)", s.filePath())
	if got := n.all(); len(got) != 1 || got[0] != want {
		t.Fatalf("notices = %q, want [%q]", got, want)
	}
	got, src, err := s.Load(ctx, hubsim, local)
	if err != nil || src != SourceFile {
		t.Fatalf("Load = %q, %v; want %q", src, err, SourceFile)
	}
	assertCred(t, got, cred)
	fmt.Println("nodbus helper passed")
}

func TestSystemKeyringTimeout(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	blocked := func() (string, error) { <-block; return "late", nil }

	_, err := call(context.Background(), 10*time.Millisecond, "set", blocked)
	ue, ok := errors.AsType[*UnavailableError](err)
	if !ok || ue.Reason != "no answer within 10ms" || ue.Op != "set" {
		t.Fatalf("err = %#v, want an UnavailableError for the timeout", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = call(ctx, time.Hour, "get", blocked)
	if _, ok := errors.AsType[*UnavailableError](err); !ok || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want an UnavailableError wrapping context.Canceled", err)
	}
}

func TestTranslateKeyringErrors(t *testing.T) {
	for _, tt := range []struct {
		err    error
		reason string
	}{
		{errors.New("dial unix /run/user/0/bus: connect: no such file or directory"), "cannot connect to the D-Bus session bus"},
		{errors.New(`exec: "dbus-launch": executable file not found in $PATH`), "cannot connect to the D-Bus session bus"},
		{errors.New("failed to unlock correct collection '/org/freedesktop/secrets/collection/login'"), "the keyring is locked"},
		{errors.New("The name org.freedesktop.secrets was not provided by any .service files"), "no Secret Service provider (such as gnome-keyring) is running"},
		{keyring.ErrUnsupportedPlatform, "not supported on " + runtime.GOOS},
		{keyring.ErrSetDataTooBig, "the secret is too large for this keyring"},
		{errors.New("backend echoed hf_oauth_SECRET"), "the keyring backend failed"},
	} {
		err := translate("get", tt.err)
		ue, ok := errors.AsType[*UnavailableError](err)
		if !ok || ue.Reason != tt.reason {
			t.Errorf("translate(%q) = %v, want reason %q", tt.err, err, tt.reason)
			continue
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("translate(%q) does not wrap the cause", tt.err)
		}
		if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "/run/user") {
			t.Errorf("translate(%q).Error() = %q shows backend text", tt.err, err)
		}
	}
	if err := translate("get", keyring.ErrNotFound); !errors.Is(err, ErrNotFound) {
		t.Errorf("translate(ErrNotFound) = %v, want ErrNotFound", err)
	}
	if err := translate("get", nil); err != nil {
		t.Errorf("translate(nil) = %v", err)
	}
}

func TestNoKeyring(t *testing.T) {
	s, notes := newStore(t, NoKeyring{}, nil)
	if src, err := s.Save(context.Background(), oauthCred(hubsim, "a", "r")); err != nil || src != SourceFile {
		t.Fatalf("Save = %q, %v; want %q", src, err, SourceFile)
	}
	if n := notes.all(); len(n) != 1 || !strings.HasPrefix(n[0], "no OS keyring available (disabled); stored credentials in ") {
		t.Errorf("notices = %q", n)
	}
}
