package safefile_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/hfgate/hfgate/internal/safefile"
)

func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	mk := map[string]func(p string) error{
		"symlink":          func(p string) error { return os.Symlink(victim, p) },
		"dangling symlink": func(p string) error { return os.Symlink(filepath.Join(dir, "nowhere"), p) },
		"hard link":        func(p string) error { return os.Link(victim, p) },
		"directory":        func(p string) error { return os.Mkdir(p, 0o755) },
	}
	if runtime.GOOS != "windows" {
		mk["fifo"] = func(p string) error { return syscall.Mkfifo(p, 0o644) }
	}
	for name, make := range mk {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "x.incomplete")
			if err := make(p); err != nil {
				t.Skip(err)
			}
			for _, flag := range []int{os.O_RDWR | os.O_CREATE, os.O_WRONLY | os.O_CREATE | os.O_TRUNC, os.O_RDONLY} {
				f, err := safefile.OpenFile(p, flag, 0o644)
				if err == nil {
					f.Close()
					t.Fatalf("flag %#x: opened a %s", flag, name)
				}
				if !errors.Is(err, safefile.ErrUnsafe) && (name == "symlink" || name == "hard link") {
					t.Errorf("flag %#x: err %v, want ErrUnsafe", flag, err)
				}
			}
			if b, _ := os.ReadFile(victim); string(b) != "precious" {
				t.Fatalf("the victim file now holds %q", b)
			}
			if _, err := os.Stat(filepath.Join(dir, "nowhere")); !os.IsNotExist(err) {
				t.Fatal("a file was created through a dangling link")
			}
		})
	}
	p := filepath.Join(dir, "plain")
	f, err := safefile.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("ok"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if b, err := safefile.ReadFile(p, 2); err != nil || string(b) != "ok" {
		t.Fatalf("ReadFile = %q, %v", b, err)
	}
	if _, err := safefile.ReadFile(p, 1); err == nil {
		t.Fatal("ReadFile read more than its limit")
	}
}
