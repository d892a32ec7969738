//go:build unix

package hfcache_test

import (
	"os"
	"syscall"
	"testing"

	"github.com/hfgate/hfgate/hfcache"
)

// TestPublishedMode checks that a blob gets the mode of a new file in the
// cache (0666 less the umask), not the 0600 its download was written with,
// so that a cache shared by a group stays readable by the group.
func TestPublishedMode(t *testing.T) {
	for _, umask := range []int{0o022, 0o002, 0o077} {
		old := syscall.Umask(umask)
		c := hfcache.Cache{Dir: t.TempDir()}
		r := mustRepo(t, c, "", "org/model")
		download(t, r, commitMain, "config.json", config, gitETag(config))
		syscall.Umask(old)

		blob, _ := r.BlobPath(gitETag(config))
		fi, err := os.Stat(blob)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fi.Mode().Perm(), os.FileMode(0o666&^umask); got != want {
			t.Errorf("umask %03o: blob mode %v, want %v", umask, got, want)
		}
	}
}
